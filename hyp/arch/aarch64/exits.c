/*
 * What happens when a guest exits to EL2: decoding ESR_EL2 into a stage-2
 * fault, a hypercall, an emulated system-register write (HCR_EL2.TVM) or a
 * set/way operation (HCR_EL2.TSW), and the vCPU run loop. Anything else a
 * guest does to trap stops that vCPU with a report: a guest never crashes
 * the hypervisor.
 *
 * A guest that never traps is stopped by the preemption timer: armed at
 * the deadline while the vCPU runs, its interrupt makes the guest exit
 * with an IRQ, and the loop's deadline check stops the vCPU. The
 * hypervisor runs with PSTATE.I masked (head.S, init.S), so the interrupt
 * is only ever taken from a guest, as an exit, never inside EL2 code.
 */
#include <faultline/arch/cpu.h>
#include <faultline/fault.h>
#include <faultline/trace/ring.h>
#include <faultline/vm_ops.h>

#include "exits.h"
#include "gicv3.h"
#include "hyp_main.h"
#include "preempt.h"
#include "switch.h"

#define EC_HVC64 0x16
#define EC_SYS64 0x18
/* Data abort ISS bits. */
#define ISS_WNR SYSREG_BIT(6)
#define ISS_CM SYSREG_BIT(8)
/* HPFAR_EL2.FIPA: IPA[47:12] in bits [39:4] (48-bit IPAs at most). */
#define HPFAR_FIPA_MASK UINT64_C(0x000000fffffffff0)
#define PAR_F SYSREG_BIT(0)
#define PAR_PA_MASK UINT64_C(0x0000fffffffff000)

/* Decodes a stage-2 abort; false when it must simply be retried. */
static bool exits_decode_fault(const struct switch_exit *e, struct s2_fault *f)
{
	uint64_t ec = (e->esr >> ESR_EC_SHIFT) & ESR_EC_MASK;
	uint64_t fsc = e->esr & 0x3f;

	f->esr = e->esr;
	f->far = e->far;
	f->s1ptw = (e->esr & ISS_S1PTW) != 0;
	f->level = (unsigned)(fsc & 3);
	switch (fsc & 0x3c) {
	case 0x04:
		f->kind = FAULT_TRANSLATION;
		break;
	case 0x08:
		f->kind = FAULT_ACCESS_FLAG;
		break;
	case FSC_PERM:
		f->kind = FAULT_PERMISSION;
		break;
	default:
		f->kind = FAULT_OTHER;
		break;
	}
	if (ec == EC_IABT_LOW) {
		f->access = FAULT_EXEC;
	} else if ((e->esr & ISS_WNR) && !(e->esr & ISS_CM) && !f->s1ptw) {
		/* A cache maintenance op or a table walk only reads. */
		f->access = FAULT_WRITE;
	} else {
		f->access = FAULT_READ;
	}
	if (e->par_valid) {
		if (e->par & PAR_F) {
			/* The guest changed its stage 1 meanwhile: retry. */
			return false;
		}
		f->ipa = (e->par & PAR_PA_MASK) | (e->far & 0xfff);
	} else {
		f->ipa = ((e->hpfar & HPFAR_FIPA_MASK) << 8) | (e->far & 0xfff);
	}
	return true;
}

/* EL1 registers written by the guest under HCR_EL2.TVM, by encoding. */
static uint64_t *exits_tvm_reg(struct arch_el1_sysregs *s, unsigned crn,
			       unsigned crm, unsigned op2)
{
	unsigned key = crn << 8 | crm << 4 | op2;

	switch (key) {
	case 0x100:
		return &s->sctlr;
	case 0x200:
		return &s->ttbr0;
	case 0x201:
		return &s->ttbr1;
	case 0x202:
		return &s->tcr;
	case 0x510:
		return &s->afsr0;
	case 0x511:
		return &s->afsr1;
	case 0x520:
		return &s->esr;
	case 0x600:
		return &s->far;
	case 0xa20:
		return &s->mair;
	case 0xa30:
		return &s->amair;
	case 0xd01:
		return &s->contextidr;
	default:
		return NULL;
	}
}

/* A trapped MSR/MRS/SYS (EC 0x18); false when the vCPU was stopped. */
static bool exits_sys64(struct vcpu *v, uint64_t esr)
{
	unsigned op0 = (unsigned)(esr >> 20) & 3;
	unsigned op2 = (unsigned)(esr >> 17) & 7;
	unsigned op1 = (unsigned)(esr >> 14) & 7;
	unsigned crn = (unsigned)(esr >> 10) & 0xf;
	unsigned rt = (unsigned)(esr >> 5) & 0x1f;
	unsigned crm = (unsigned)(esr >> 1) & 0xf;
	bool read = (esr & 1) != 0;
	uint64_t val = rt == 31 ? 0 : v->regs.x[rt];
	uint64_t *reg;

	if (op0 == 1 && op1 == 0 && crn == 7 && op2 == 2 &&
	    (crm == 6 || crm == 10 || crm == 14)) {
		/* DC ISW / CSW / CISW. */
		cmo_set_way(v);
	} else if (!read && op0 == 3 && op1 == 0 &&
		   (reg = exits_tvm_reg(&v->regs.el1, crn, crm, op2)) != NULL) {
		uint64_t old = *reg;

		/* Emulated: the new value is loaded at the next entry. */
		*reg = val;
		if (reg == &v->regs.el1.sctlr) {
			cmo_sctlr_written(v, old, val);
		}
	} else {
		vcpu_stop(v, TRACE_VCPU_STOP_UNSUPPORTED_TRAP, esr);
		return false;
	}
	v->regs.pc += 4;
	return true;
}

static void exits_sync(struct vcpu *v, const struct switch_exit *e,
		       uint64_t deadline)
{
	uint64_t ec = (e->esr >> ESR_EC_SHIFT) & ESR_EC_MASK;
	struct s2_fault f;
	uint64_t ret;

	switch (ec) {
	case EC_HVC64:
		/* ELR_EL2 already points after the HVC. */
		if (vcpu_hvc(v, v->regs.x[0], v->regs.x[1], &ret, deadline)) {
			v->regs.x[0] = ret;
		}
		break;
	case EC_DABT_LOW:
	case EC_IABT_LOW:
		if (exits_decode_fault(e, &f)) {
			fault_handle(v, &f);
		}
		break;
	case EC_SYS64:
		exits_sys64(v, e->esr);
		break;
	default:
		/* SMC, FP/SIMD, undefined instructions...: not supported. */
		vcpu_stop(v, TRACE_VCPU_STOP_UNSUPPORTED_TRAP, e->esr);
		break;
	}
}

/*
 * An IRQ exit. Nothing is routed to guests: the preemption timer is
 * masked and ended (the loop then finds the deadline passed), anything
 * else is acknowledged and ended so it cannot keep the guest exiting.
 */
static void exits_irq(uint64_t deadline)
{
	uint32_t intid = gicv3_ack();

	/* 1020-1023: special INTIDs, nothing was acknowledged. */
	if (intid >= 1020 && intid <= GICV3_INTID_SPURIOUS) {
		return;
	}
	if (intid == PREEMPT_TIMER_INTID) {
		/*
		 * Masked before the EOI: the timer's output is a level, and
		 * it stays asserted while the deadline is past.
		 */
		preempt_mask();
		gicv3_eoi(intid);
		if (arch_counter_now() <= deadline) {
			/* Fired at the deadline's very tick: wait for more. */
			preempt_arm(deadline);
		}
		return;
	}
	gicv3_eoi(intid);
}

void exits_run_vcpu(struct vcpu *v, uint64_t deadline)
{
	struct switch_exit e;

	atomic_store_explicit(&v->state, VCPU_RUNNING, memory_order_release);
	trace_vcpu_run(v->id, v->vm->vmid, v->regs.pc);
	/* Without it (no GICv3 here), the deadline holds at exits only. */
	preempt_arm(deadline);
	while (!vcpu_check_stop(v)) {
		if (arch_counter_now() > deadline) {
			vcpu_stop(v, TRACE_VCPU_STOP_BUDGET, 0);
			break;
		}
		/* Between exits, not inside one: the trace stays in order. */
		hyp_trace_relieve();
		switch_run(v, &e);
		v->stats.exits++;
		switch (e.kind) {
		case EXC_LOW64_SYNC:
		case EXC_LOW32_SYNC:
			exits_sync(v, &e, deadline);
			break;
		case EXC_LOW64_IRQ:
		case EXC_LOW32_IRQ:
			exits_irq(deadline);
			break;
		case EXC_LOW64_FIQ:
		case EXC_LOW32_FIQ:
			/* Group 0 is not enabled: nothing to acknowledge. */
			break;
		default:
			/* An SError from the guest's world. */
			vcpu_stop(v, TRACE_VCPU_STOP_UNSUPPORTED_TRAP, e.esr);
			break;
		}
	}
	preempt_disarm();
}
