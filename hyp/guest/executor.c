/*
 * The guest executor: runs its vCPU's program (guest_abi.h) at EL1,
 * timing each access with the generic timer, and talks to the hypervisor
 * only through HVC. Built freestanding and position independent (no
 * absolute addresses anywhere: the Makefile links it twice at different
 * addresses and checks the two images are identical).
 *
 * It starts with its MMU off, so its memory is Device memory: no unaligned
 * accesses and no atomics; everything shared goes through the hypervisor.
 */
#include <stddef.h>

#include <faultline/guest_abi.h>

_Static_assert(offsetof(struct guest_ctl, stack_top) == 48,
	       "CTL_STACK_TOP in entry.S");
_Static_assert(sizeof(struct guest_op) == 32, "op layout");
_Static_assert(sizeof(struct guest_result) == 32, "result layout");

/* Loops nest at most this deep. */
#define GUEST_LOOP_DEPTH 8
/* ESR_ELx.EC of a data abort taken without a change of EL. */
#define EC_DABT_CUR 0x25
/* DFSC of a synchronous external abort. */
#define DFSC_SEA 0x10
#define SCTLR_M (1u << 0)
#define SCTLR_C (1u << 2)
#define SCTLR_I (1u << 12)

/* ESR_ELx.EC of an instruction abort taken without a change of EL. */
#define EC_IABT_CUR 0x21

void guest_main(struct guest_ctl *ctl) __attribute__((noreturn));
void guest_sync_exception(struct guest_ctl *ctl, uint64_t *saved_lr);

static uint64_t guest_hvc(uint64_t fn, uint64_t arg)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = arg;

	__asm__ volatile("hvc #0" : "+r"(x0) : "r"(x1) : "memory");
	return x0;
}

static __attribute__((noreturn)) void guest_fail(uint64_t why)
{
	for (;;) {
		guest_hvc(GUEST_HVC_FAIL, why);
	}
}

static uint64_t guest_now(void)
{
	uint64_t t;

	/* The ISB keeps the read from moving across the access. */
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(t) : : "memory");
	return t;
}

static void guest_record(struct guest_ctl *ctl, uint32_t op, uint32_t code,
			 uint64_t addr, uint64_t t0, uint64_t t1)
{
	struct guest_result *r = (struct guest_result *)ctl->results;

	if (ctl->nresults == ctl->results_max) {
		guest_fail(GUEST_FAIL_RESULTS_FULL);
	}
	r += ctl->nresults;
	r->op = op;
	r->code = code;
	r->addr = addr;
	r->t_start = t0;
	r->t_end = t1;
	ctl->nresults++;
}

/* One access of @code at @addr. */
static void guest_access(uint16_t code, uint64_t addr, uint64_t value)
{
	/*
	 * An EXEC is a call, so when its target aborts the exception
	 * handler resumes at the return address in x30.
	 */
	switch (code) {
	case GUEST_OP_READ:
		(void)*(volatile uint64_t *)addr;
		break;
	case GUEST_OP_WRITE:
		*(volatile uint64_t *)addr = value;
		break;
	default:
		/* EXEC: the hypervisor put a RET there. */
		((void (*)(void))addr)();
		break;
	}
}

/*
 * The accesses of @op in iteration @iter of its innermost loop: the
 * address moves by the op's step (arg) each iteration and by its stride
 * within one. A write stores the progress counter, so each is distinct.
 */
static void guest_accesses(struct guest_ctl *ctl, uint32_t pc,
			   const struct guest_op *op, uint64_t iter)
{
	uint64_t base = op->addr + iter * op->arg;

	for (uint32_t i = 0; i < op->count; i++) {
		uint64_t addr = base + i * op->stride;
		uint64_t t0 = guest_now();
		uint64_t t1;

		guest_access(op->code, addr, ctl->progress);
		t1 = guest_now();
		if (op->flags & GUEST_OP_TIMED) {
			guest_record(ctl, pc, op->code, addr, t0, t1);
		}
	}
}

/*
 * A trap the hypervisor does not support (GUEST_OP_TRAP): it stops this
 * vCPU there, so nothing after it runs. If it ever returned, the op is
 * simply done.
 */
static void guest_trap(uint64_t which)
{
	if (which == GUEST_TRAP_SMC) {
		__asm__ volatile("smc #0" : : : "memory");
	} else {
		/* Into x0, so that the ESR (its Rt) is the one documented. */
		__asm__ volatile("mrs x0, pmccntr_el0" : : : "x0", "memory");
	}
}

/* Spins for @ns nanoseconds of the generic timer. */
static void guest_delay(uint64_t ns)
{
	uint64_t freq, ticks;
	uint64_t t0 = guest_now();

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	/* In microseconds first: ns * freq overflows past 4.6 minutes. */
	ticks = ns / 1000 * (freq / 1000000) + ns % 1000 * freq / 1000000000;
	while (guest_now() - t0 < ticks) {
	}
}

/* Hypercall @fn(@arg), timed into the results when @op says so. */
static void guest_timed_hvc(struct guest_ctl *ctl, uint32_t pc,
			    const struct guest_op *op)
{
	uint64_t t0 = guest_now();
	uint64_t t1;

	guest_hvc(op->arg, op->addr);
	t1 = guest_now();
	if (op->flags & GUEST_OP_TIMED) {
		guest_record(ctl, pc, GUEST_OP_HVC, op->addr, t0, t1);
	}
}

/*
 * Identity stage 1 over the first 512 GiB with 1 GiB blocks of Normal
 * Write-Back memory (stage 2 decides what is really Device), then the MMU
 * and caches on. The table is written with the caches off, so it is
 * invalidated to the point of coherency before the walker, which reads
 * through the caches, can see stale lines.
 */
static void guest_mmu_on(struct guest_ctl *ctl)
{
	uint64_t *l1 = (uint64_t *)ctl->pt;
	uint64_t sctlr;

	for (uint64_t i = 0; i < 512; i++) {
		/* Block, AttrIndx 1, inner shareable, AF; EL1 RW, executable. */
		l1[i] = (i << 30) | 0x1 | (1u << 2) | (3u << 8) | (1u << 10);
	}
	for (uint64_t p = 0; p < 4096; p += 64) {
		__asm__ volatile("dc ivac, %0" : : "r"(ctl->pt + p) : "memory");
	}
	__asm__ volatile("dsb sy" : : : "memory");
	/* attr0 Device-nGnRnE, attr1 Normal WB RWA. */
	__asm__ volatile("msr mair_el1, %0" : : "r"(UINT64_C(0xff00)));
	/* T0SZ 25 (39-bit VA), WBWA inner shareable walks, 4K, no TTBR1, 40-bit IPS. */
	__asm__ volatile("msr tcr_el1, %0"
			 :
			 : "r"(UINT64_C(25) | (1u << 8) | (1u << 10) |
			       (3u << 12) | (1u << 23) | (UINT64_C(2) << 32)));
	__asm__ volatile("msr ttbr0_el1, %0" : : "r"(ctl->pt));
	__asm__ volatile("isb\n\ttlbi vmalle1\n\tdsb nsh\n\tisb"
			 :
			 :
			 : "memory");
	__asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
	sctlr |= SCTLR_M | SCTLR_C | SCTLR_I;
	__asm__ volatile("msr sctlr_el1, %0\n\tisb" : : "r"(sctlr) : "memory");
}

static void guest_mmu_off(void)
{
	uint64_t sctlr;

	__asm__ volatile("mrs %0, sctlr_el1" : "=r"(sctlr));
	sctlr &= ~(uint64_t)(SCTLR_M | SCTLR_C | SCTLR_I);
	__asm__ volatile("msr sctlr_el1, %0\n\tisb" : : "r"(sctlr) : "memory");
}

/* DC CISW over every set and way of the level-1 data cache. */
static void guest_set_way(void)
{
	uint64_t mmfr2, ccsidr;
	uint64_t line, ways, sets;
	unsigned way_shift = 0;

	__asm__ volatile("msr csselr_el1, xzr\n\tisb" : : : "memory");
	__asm__ volatile("mrs %0, ccsidr_el1" : "=r"(ccsidr));
	__asm__ volatile("mrs %0, id_aa64mmfr2_el1" : "=r"(mmfr2));
	line = (ccsidr & 7) + 4;
	if (((mmfr2 >> 20) & 0xf) != 0) {
		/* FEAT_CCIDX: 64-bit layout. */
		ways = ((ccsidr >> 3) & 0x1fffff) + 1;
		sets = ((ccsidr >> 32) & 0xffffff) + 1;
	} else {
		ways = ((ccsidr >> 3) & 0x3ff) + 1;
		sets = ((ccsidr >> 13) & 0x7fff) + 1;
	}
	while ((UINT64_C(1) << way_shift) < ways) {
		way_shift++;
	}
	way_shift = 32 - way_shift;
	for (uint64_t w = 0; w < ways; w++) {
		for (uint64_t s = 0; s < sets; s++) {
			uint64_t arg = (way_shift < 32 ? w << way_shift : 0) |
				       (s << line);

			__asm__ volatile("dc cisw, %0" : : "r"(arg) : "memory");
		}
	}
	__asm__ volatile("dsb sy" : : : "memory");
}

/* The op after the LOOP_END that closes the LOOP at @pc, or nops. */
static uint32_t guest_loop_exit(const struct guest_op *ops, uint32_t nops,
				uint32_t pc)
{
	unsigned depth = 0;

	for (uint32_t i = pc; i < nops; i++) {
		if (ops[i].code == GUEST_OP_LOOP) {
			depth++;
		} else if (ops[i].code == GUEST_OP_LOOP_END && --depth == 0) {
			return i + 1;
		}
	}
	guest_fail(GUEST_FAIL_BAD_LOOP);
}

void guest_main(struct guest_ctl *ctl)
{
	const struct guest_op *ops = (const struct guest_op *)ctl->ops;
	uint32_t loop_start[GUEST_LOOP_DEPTH];
	uint32_t loop_left[GUEST_LOOP_DEPTH];
	uint32_t loop_iter[GUEST_LOOP_DEPTH];
	unsigned depth = 0;
	uint32_t pc = 0;

	while (pc < ctl->nops) {
		const struct guest_op *op = &ops[pc];

		ctl->progress++;
		switch (op->code) {
		case GUEST_OP_END:
			pc = ctl->nops;
			continue;
		case GUEST_OP_READ:
		case GUEST_OP_WRITE:
		case GUEST_OP_EXEC:
			guest_accesses(ctl, pc, op,
				       depth > 0 ? loop_iter[depth - 1] : 0);
			break;
		case GUEST_OP_LOOP:
			if (op->count == 0) {
				pc = guest_loop_exit(ops, ctl->nops, pc);
				continue;
			}
			if (depth == GUEST_LOOP_DEPTH) {
				guest_fail(GUEST_FAIL_BAD_LOOP);
			}
			loop_start[depth] = pc + 1;
			loop_left[depth] = op->count;
			loop_iter[depth] = 0;
			depth++;
			break;
		case GUEST_OP_LOOP_END:
			if (depth == 0) {
				guest_fail(GUEST_FAIL_BAD_LOOP);
			}
			if (--loop_left[depth - 1] > 0) {
				loop_iter[depth - 1]++;
				pc = loop_start[depth - 1];
				continue;
			}
			depth--;
			break;
		case GUEST_OP_DELAY:
			guest_delay(op->arg);
			break;
		case GUEST_OP_BARRIER:
			guest_hvc(GUEST_HVC_BARRIER, op->arg);
			break;
		case GUEST_OP_MMU_ON:
			guest_mmu_on(ctl);
			break;
		case GUEST_OP_MMU_OFF:
			guest_mmu_off();
			break;
		case GUEST_OP_SET_WAY:
			guest_set_way();
			break;
		case GUEST_OP_HVC:
			guest_timed_hvc(ctl, pc, op);
			break;
		case GUEST_OP_TRAP:
			guest_trap(op->arg);
			break;
		default:
			guest_fail(GUEST_FAIL_BAD_OP);
		}
		pc++;
	}
	for (;;) {
		guest_hvc(GUEST_HVC_DONE, ctl->nresults);
	}
}

/*
 * A synchronous exception at EL1. @saved_lr points at x30 as it was when
 * the exception was taken (entry.S saves it).
 */
void guest_sync_exception(struct guest_ctl *ctl, uint64_t *saved_lr)
{
	uint64_t esr, far, elr;
	uint64_t ec;

	__asm__ volatile("mrs %0, esr_el1" : "=r"(esr));
	__asm__ volatile("mrs %0, far_el1" : "=r"(far));
	ec = (esr >> 26) & 0x3f;
	if ((ec != EC_DABT_CUR && ec != EC_IABT_CUR) ||
	    (esr & 0x3f) != DFSC_SEA) {
		guest_fail(GUEST_FAIL_EXCEPTION);
	}
	/* An access the hypervisor refused: count it and skip it. */
	ctl->aborts++;
	ctl->last_abort_far = far;
	if (ec == EC_IABT_CUR) {
		/* A call whose target aborted: return to the caller. */
		elr = *saved_lr;
	} else {
		__asm__ volatile("mrs %0, elr_el1" : "=r"(elr));
		elr += 4;
	}
	__asm__ volatile("msr elr_el1, %0" : : "r"(elr));
}
