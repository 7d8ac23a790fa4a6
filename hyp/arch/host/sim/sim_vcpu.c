/*
 * The sim's guest: one vCPU's guest_op program interpreted on a host
 * thread as the EL1 executor runs it (hyp/guest/executor.c), with every
 * event that would trap to EL2 handed to the same core code the
 * hypervisor calls (hyp/arch/aarch64/exits.c): stage-2 faults to
 * fault_handle(), hypercalls to vcpu_hvc(), SCTLR_EL1 writes to
 * cmo_sctlr_written(), set/way operations to cmo_set_way().
 *
 * Accesses go through the host TLB model (host_tlb.h) with the guest's
 * stage 1 an identity (VA = IPA, as the executor's own tables are): a
 * fault is handed to the handler and the access retried, as the CPU
 * re-executes the instruction, until it succeeds, an abort is injected
 * (the executor's vector counts it and skips the access) or the vCPU
 * stops.
 */
#include <stdatomic.h>

#include <faultline/arch/cpu.h>
#include <faultline/fault.h>
#include <faultline/time.h>
#include <faultline/trace/ring.h>
#include <faultline/vm_build.h>
#include <faultline/vm_ops.h>

#include "host_arch.h"
#include "host_tlb.h"
#include "sim.h"

/* Loops nest at most this deep (as in the executor). */
#define SIM_LOOP_DEPTH 8
/* ESR_EL2.EC of a data and an instruction abort from a lower EL. */
#define SIM_EC_DABT_LOW UINT64_C(0x24)
#define SIM_EC_IABT_LOW UINT64_C(0x20)
#define SIM_ESR_EC_SHIFT 26
/* ESR_EL2.IL (a 32-bit instruction) and ISS.WnR. */
#define SIM_ESR_IL (UINT64_C(1) << 25)
#define SIM_ESR_WNR (UINT64_C(1) << 6)
/* DFSC/IFSC: translation and permission faults, the level in bits 1:0. */
#define SIM_FSC_TRANSLATION UINT64_C(0x04)
#define SIM_FSC_PERMISSION UINT64_C(0x0c)
#define SCTLR_M (UINT64_C(1) << 0)
#define SCTLR_C (UINT64_C(1) << 2)
#define SCTLR_I (UINT64_C(1) << 12)

/* How one guest access ended. */
enum sim_access_end {
	SIM_ACCESS_DONE,
	/* Refused with an external abort: counted and skipped. */
	SIM_ACCESS_ABORTED,
	/* The vCPU stopped (handler, deadline). */
	SIM_ACCESS_STOPPED,
};

/* True, with the vCPU stopped, once the run's deadline has passed. */
static bool sim_past_deadline(struct sim_vcpu *sv)
{
	if (arch_counter_now() <= sv->sim->deadline) {
		return false;
	}
	vcpu_stop(sv->v, TRACE_VCPU_STOP_BUDGET, 0);
	return true;
}

/* The executor gave up (guest_fail()): a FAIL hypercall stops the vCPU. */
static void sim_guest_fail(struct sim_vcpu *sv, uint64_t why)
{
	uint64_t ret;

	sv->v->stats.exits++;
	vcpu_hvc(sv->v, GUEST_HVC_FAIL, why, &ret, sv->sim->deadline);
}

/* A hypercall, as the trap handler makes it; false once stopped. */
static bool sim_hvc(struct sim_vcpu *sv, uint64_t fn, uint64_t arg)
{
	uint64_t ret;
	bool go_on;

	sv->v->stats.exits++;
	go_on = vcpu_hvc(sv->v, fn, arg, &ret, sv->sim->deadline);
	if (go_on) {
		sv->x0 = ret;
		if (fn == GUEST_HVC_DIRTY_HARVEST) {
			if (sv->nharvests < ARRAY_SIZE(sv->harvests)) {
				sv->harvests[sv->nharvests] = ret;
			}
			sv->nharvests++;
		}
	}
	return go_on;
}

/* The host memory behind @pa, or NULL for a device (or no memory). */
static _Atomic uint64_t *sim_host_word(struct sim *s, paddr_t pa)
{
	/* The guest's accesses are 8 bytes; an unaligned one is rounded. */
	uint64_t a = ALIGN_DOWN(pa_addr(pa), 8);

	if (a < SIM_RAM_BASE || a - SIM_RAM_BASE >= s->mem_size) {
		return NULL;
	}
	return (_Atomic uint64_t *)(void *)(s->mem + (a - SIM_RAM_BASE));
}

/*
 * What the access does to memory once it is allowed. Relaxed atomics:
 * vCPUs write the same words at once on purpose, as guests do, and the
 * sim must not be a data race of its own under TSan. A device reads 0
 * and ignores writes; a call only needed the permission.
 */
static void sim_touch(struct sim_vcpu *sv, enum host_tlb_access_kind kind,
		      paddr_t pa)
{
	_Atomic uint64_t *w = sim_host_word(sv->sim, pa);

	if (w == NULL || kind == HOST_TLB_EXEC) {
		return;
	}
	if (kind == HOST_TLB_WRITE) {
		atomic_store_explicit(w, sv->v->ctl->progress,
				      memory_order_relaxed);
	} else {
		(void)atomic_load_explicit(w, memory_order_relaxed);
	}
}

/* The stage-2 fault the hardware would report for @r (exits.c's decode). */
static void sim_fault_of(uint64_t addr, enum host_tlb_access_kind kind,
			 const struct host_tlb_result *r, struct s2_fault *f)
{
	bool perm = r->fault == HOST_TLB_PERMISSION;
	uint64_t ec = kind == HOST_TLB_EXEC ? SIM_EC_IABT_LOW : SIM_EC_DABT_LOW;

	f->ipa = addr;
	f->far = addr;
	f->kind = perm ? FAULT_PERMISSION : FAULT_TRANSLATION;
	f->level = r->level & 3;
	f->s1ptw = false;
	switch (kind) {
	case HOST_TLB_WRITE:
		f->access = FAULT_WRITE;
		break;
	case HOST_TLB_EXEC:
		f->access = FAULT_EXEC;
		break;
	default:
		f->access = FAULT_READ;
		break;
	}
	f->esr = ec << SIM_ESR_EC_SHIFT | SIM_ESR_IL |
		 (perm ? SIM_FSC_PERMISSION : SIM_FSC_TRANSLATION) | f->level |
		 (kind == HOST_TLB_WRITE ? SIM_ESR_WNR : 0);
}

/* One access of @kind at @addr, its faults handled until it retires. */
static enum sim_access_end sim_access(struct sim_vcpu *sv,
				      enum host_tlb_access_kind kind,
				      uint64_t addr)
{
	struct vcpu *v = sv->v;

	for (;;) {
		struct host_tlb_result r;
		struct s2_fault f;
		uint64_t injected = v->regs.injected;

		host_tlb_access(&v->vm->s2, addr, kind, &r);
		if (r.fault == HOST_TLB_OK) {
			sim_touch(sv, kind, r.pa);
			return SIM_ACCESS_DONE;
		}
		sim_fault_of(addr, kind, &r, &f);
		v->stats.exits++;
		fault_handle(v, &f);
		if (v->regs.injected != injected) {
			/* The executor's vector: count it, skip the access. */
			v->ctl->aborts++;
			v->ctl->last_abort_far = addr;
			return SIM_ACCESS_ABORTED;
		}
		if (vcpu_check_stop(v) || sim_past_deadline(sv)) {
			return SIM_ACCESS_STOPPED;
		}
	}
}

/*
 * A timed access, traced at once (the hypervisor emits the executor's
 * results at the end of the run; here the thread is the guest). False
 * when the results are full: the executor fails then.
 */
static bool sim_record(struct sim_vcpu *sv, uint32_t pc, uint16_t code,
		       uint64_t addr, uint64_t t0, uint64_t t1)
{
	struct guest_ctl *ctl = sv->v->ctl;

	if (ctl->nresults >= ctl->results_max) {
		sim_guest_fail(sv, GUEST_FAIL_RESULTS_FULL);
		return false;
	}
	trace_guest_access(sv->v->id, pc, addr, vm_results_access(code), t0,
			   t1);
	ctl->nresults++;
	return true;
}

/* The TLB model's kind of access of a READ, WRITE or EXEC op. */
static enum host_tlb_access_kind sim_access_kind(uint16_t code)
{
	switch (code) {
	case GUEST_OP_WRITE:
		return HOST_TLB_WRITE;
	case GUEST_OP_EXEC:
		return HOST_TLB_EXEC;
	default:
		return HOST_TLB_READ;
	}
}

/* The accesses of op @pc in iteration @iter of its innermost loop. */
static void sim_accesses(struct sim_vcpu *sv, uint32_t pc, uint64_t iter)
{
	const struct guest_op *op = &sv->ops[pc];
	enum host_tlb_access_kind kind = sim_access_kind(op->code);
	uint64_t base = op->addr + iter * op->arg;

	for (uint32_t i = 0; i < op->count; i++) {
		uint64_t addr = base + i * op->stride;
		uint64_t t0 = arch_counter_now();
		uint64_t t1;

		if (sim_access(sv, kind, addr) == SIM_ACCESS_STOPPED) {
			return;
		}
		t1 = arch_counter_now();
		if ((op->flags & GUEST_OP_TIMED) &&
		    !sim_record(sv, pc, op->code, addr, t0, t1)) {
			return;
		}
		if (sim_past_deadline(sv)) {
			return;
		}
	}
}

/* Spins for @ns nanoseconds of the counter, or until the deadline. */
static void sim_delay(struct sim_vcpu *sv, uint64_t ns)
{
	uint64_t t0 = arch_counter_now();
	uint64_t ticks = time_ns_to_ticks(ns, arch_counter_freq());

	while (arch_counter_now() - t0 < ticks) {
		if (sim_past_deadline(sv)) {
			return;
		}
		/* More vCPU threads than host cores: let the others run. */
		arch_cpu_relax();
	}
}

/* A trapped write of SCTLR_EL1 with @set bits set and @clear cleared. */
static void sim_sctlr(struct sim_vcpu *sv, uint64_t set, uint64_t clear)
{
	uint64_t old = sv->sctlr;

	sv->sctlr = (old | set) & ~clear;
	sv->v->stats.exits++;
	cmo_sctlr_written(sv->v, old, sv->sctlr);
}

/* The executor's MMU_ON: its stage-1 registers trap, SCTLR_EL1 last. */
static void sim_mmu_on(struct sim_vcpu *sv)
{
	/* MAIR_EL1, TCR_EL1, TTBR0_EL1: emulated, nothing else to do. */
	sv->v->stats.exits += SIM_MMU_ON_TRAPS - 1;
	sim_sctlr(sv, SCTLR_M | SCTLR_C | SCTLR_I, 0);
}

static void sim_set_way(struct sim_vcpu *sv)
{
	for (unsigned i = 0; i < SIM_SET_WAY_OPS; i++) {
		sv->v->stats.exits++;
		cmo_set_way(sv->v);
	}
}

/* A HVC op, timed when it says so; false once the vCPU stopped. */
static bool sim_hvc_op(struct sim_vcpu *sv, uint32_t pc)
{
	const struct guest_op *op = &sv->ops[pc];
	uint64_t t0 = arch_counter_now();
	uint64_t t1;

	if (!sim_hvc(sv, op->arg, op->addr)) {
		return false;
	}
	t1 = arch_counter_now();
	if (op->flags & GUEST_OP_TIMED) {
		return sim_record(sv, pc, GUEST_OP_HVC, op->addr, t0, t1);
	}
	return true;
}

/* The op after the LOOP_END that closes the LOOP at @pc (validated). */
static uint32_t sim_loop_exit(const struct sim_vcpu *sv, uint32_t pc)
{
	unsigned depth = 0;

	for (uint32_t i = pc; i < sv->nops; i++) {
		if (sv->ops[i].code == GUEST_OP_LOOP) {
			depth++;
		} else if (sv->ops[i].code == GUEST_OP_LOOP_END &&
			   --depth == 0) {
			return i + 1;
		}
	}
	return sv->nops;
}

/* Loop state of the interpreter, as the executor keeps it. */
struct sim_loops {
	uint32_t start[SIM_LOOP_DEPTH];
	uint32_t left[SIM_LOOP_DEPTH];
	uint32_t iter[SIM_LOOP_DEPTH];
	unsigned depth;
};

/*
 * Runs op @pc; returns the next op's index, or sv->nops + 1 when the
 * program cannot go on (the vCPU failed).
 */
static uint32_t sim_step(struct sim_vcpu *sv, uint32_t pc, struct sim_loops *l)
{
	const struct guest_op *op = &sv->ops[pc];
	uint32_t fail = sv->nops + 1;

	switch (op->code) {
	case GUEST_OP_END:
		return sv->nops;
	case GUEST_OP_READ:
	case GUEST_OP_WRITE:
	case GUEST_OP_EXEC:
		sim_accesses(sv, pc, l->depth > 0 ? l->iter[l->depth - 1] : 0);
		break;
	case GUEST_OP_LOOP:
		if (op->count == 0) {
			return sim_loop_exit(sv, pc);
		}
		if (l->depth == SIM_LOOP_DEPTH) {
			sim_guest_fail(sv, GUEST_FAIL_BAD_LOOP);
			return fail;
		}
		l->start[l->depth] = pc + 1;
		l->left[l->depth] = op->count;
		l->iter[l->depth] = 0;
		l->depth++;
		break;
	case GUEST_OP_LOOP_END:
		if (l->depth == 0) {
			sim_guest_fail(sv, GUEST_FAIL_BAD_LOOP);
			return fail;
		}
		if (--l->left[l->depth - 1] > 0) {
			l->iter[l->depth - 1]++;
			return l->start[l->depth - 1];
		}
		l->depth--;
		break;
	case GUEST_OP_DELAY:
		sim_delay(sv, op->arg);
		break;
	case GUEST_OP_BARRIER:
		sim_hvc(sv, GUEST_HVC_BARRIER, op->arg);
		break;
	case GUEST_OP_MMU_ON:
		sim_mmu_on(sv);
		break;
	case GUEST_OP_MMU_OFF:
		sim_sctlr(sv, 0, SCTLR_M | SCTLR_C | SCTLR_I);
		break;
	case GUEST_OP_SET_WAY:
		sim_set_way(sv);
		break;
	case GUEST_OP_HVC:
		sim_hvc_op(sv, pc);
		break;
	case GUEST_OP_TRAP:
		/* At EL2 the trap stops the vCPU with the ESR it took. */
		sv->v->stats.exits++;
		vcpu_stop(sv->v, TRACE_VCPU_STOP_UNSUPPORTED_TRAP,
			  op->arg == GUEST_TRAP_SMC ? GUEST_TRAP_SMC_ESR
						    : GUEST_TRAP_PMU_ESR);
		return fail;
	default:
		sim_guest_fail(sv, GUEST_FAIL_BAD_OP);
		return fail;
	}
	return pc + 1;
}

void sim_vcpu_run(struct sim_vcpu *sv)
{
	struct vcpu *v = sv->v;
	struct sim_loops loops = {.depth = 0};
	uint32_t pc = 0;

	host_set_cpu_index(v->pcpu);
	atomic_store_explicit(&v->state, VCPU_RUNNING, memory_order_release);
	trace_vcpu_run(v->id, v->vm->vmid, v->regs.pc);
	while (!vcpu_check_stop(v) && !sim_past_deadline(sv)) {
		if (pc >= sv->nops) {
			/* The executor's last words, until the vCPU stops. */
			sim_hvc(sv, GUEST_HVC_DONE, v->ctl->nresults);
			continue;
		}
		/* Where a report says the vCPU was: the op's index. */
		v->regs.pc = pc;
		v->ctl->progress++;
		pc = sim_step(sv, pc, &loops);
	}
}
