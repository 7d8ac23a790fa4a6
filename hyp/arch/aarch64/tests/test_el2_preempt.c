/*
 * EL2-only tests of the GICv3 set-up and the preemption timer on every
 * CPU: each found its own redistributor, and the EL2 physical timer's
 * interrupt really reaches the GIC and the CPU interface when it fires
 * (and not before, and not while masked), so an IRQ exit can be taken
 * from a guest. The checks run with PSTATE.I masked, as all of EL2 does:
 * the interrupt is observed pending (GICR_ISPENDR0, ISR_EL1) and
 * acknowledged through ICC_IAR1_EL1, never taken.
 *
 * The per-CPU checks run as jobs and return 0 or the line of the first
 * check that failed, so a failure on a secondary names its cause.
 */
#include <faultline/arch/cpu.h>
#include <faultline/console.h>
#include <faultline/cpu.h>
#include <faultline/smp.h>
#include <faultline/test.h>
#include <faultline/time.h>

#include "../gicv3.h"
#include "../preempt.h"
#include "../sysreg.h"

#define GICR_TYPER 0x0008
#define GICR_WAKER 0x0014
#define GICR_WAKER_SLEEP_BITS 0x6
#define ICC_SRE_SRE SYSREG_BIT(0)
#define ISR_I SYSREG_BIT(7)
#define CNTHP_CTL_ENABLE SYSREG_BIT(0)
#define CNTHP_CTL_IMASK SYSREG_BIT(1)
#define CNTHP_CTL_ISTATUS SYSREG_BIT(2)
/* How far ahead the timer is set, and the longest wait for it. */
#define PROBE_AHEAD_NS UINT64_C(2000000)
#define PROBE_WAIT_NS UINT64_C(1000000000)
#define PROBE_JOB_TIMEOUT_NS UINT64_C(5000000000)
#define PROBE_HOTPLUG_NS UINT64_C(5000000000)

/* Fails the job: returns the line of the check that did not hold. */
#define PROBE_CHECK(cond)                                                      \
	do {                                                                   \
		if (!(cond)) {                                                 \
			return __LINE__;                                       \
		}                                                              \
	} while (0)

/* What the redistributor job saw on each CPU, for cross-CPU checks. */
static uint64_t probe_rd[PLATFORM_MAX_CPUS];

static uint64_t probe_ticks(uint64_t ns)
{
	return time_ns_to_ticks(ns, arch_counter_freq());
}

/* Waits (bounded) until the timer PPI's pending bit is @want. */
static bool probe_wait_pending(bool want)
{
	uint64_t limit = arch_counter_now() + probe_ticks(PROBE_WAIT_NS);

	while (gicv3_ppi_pending(PREEMPT_TIMER_INTID) != want) {
		if (arch_counter_now() > limit) {
			return false;
		}
	}
	return true;
}

/* The calling CPU's redistributor and CPU interface are its own, awake. */
static uint64_t probe_redist(uint64_t arg UNUSED)
{
	volatile uint8_t *rd = gicv3_redist();
	uint64_t mpidr = read_sysreg(mpidr_el1);
	uint64_t aff = (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 24;

	probe_rd[arch_cpu_index()] = (uint64_t)(uintptr_t)rd;
	PROBE_CHECK(gicv3_cpu_ready() && rd != NULL);
	PROBE_CHECK(*(volatile uint64_t *)(rd + GICR_TYPER) >> 32 == aff);
	PROBE_CHECK((*(volatile uint32_t *)(rd + GICR_WAKER) &
		     GICR_WAKER_SLEEP_BITS) == 0);
	PROBE_CHECK(read_sysreg(icc_sre_el2) & ICC_SRE_SRE);
	PROBE_CHECK(read_sysreg(icc_igrpen1_el1) == 1);
	PROBE_CHECK(preempt_ready());
	return 0;
}

/*
 * The hyp timer, set a little ahead, becomes pending at the GIC no earlier
 * than its deadline, is signalled to the CPU (ISR_EL1.I), acknowledges as
 * INTID 26, and stops being pending once masked; ended, nothing is left.
 */
static uint64_t probe_timer(uint64_t arg UNUSED)
{
	uint64_t deadline, seen;
	uint32_t intid;

	PROBE_CHECK(preempt_ready());
	preempt_disarm();
	PROBE_CHECK(probe_wait_pending(false));
	PROBE_CHECK(gicv3_ack() == GICV3_INTID_SPURIOUS);

	/* Condition met but masked: the timer says so, the GIC sees nothing. */
	write_sysreg(0, cnthp_cval_el2);
	write_sysreg(CNTHP_CTL_ENABLE | CNTHP_CTL_IMASK, cnthp_ctl_el2);
	isb();
	PROBE_CHECK(read_sysreg(cnthp_ctl_el2) & CNTHP_CTL_ISTATUS);
	PROBE_CHECK(!gicv3_ppi_pending(PREEMPT_TIMER_INTID));
	PROBE_CHECK(!(read_sysreg(isr_el1) & ISR_I));
	preempt_disarm();

	deadline = arch_counter_now() + probe_ticks(PROBE_AHEAD_NS);
	PROBE_CHECK(preempt_arm(deadline));
	for (;;) {
		bool pending = gicv3_ppi_pending(PREEMPT_TIMER_INTID);

		seen = arch_counter_now();
		if (pending) {
			break;
		}
		PROBE_CHECK(seen <= deadline + probe_ticks(PROBE_WAIT_NS));
	}
	/* Pending was read before `seen`: it cannot predate the deadline. */
	PROBE_CHECK(seen >= deadline);
	PROBE_CHECK(read_sysreg(isr_el1) & ISR_I);
	intid = gicv3_ack();
	PROBE_CHECK(intid == PREEMPT_TIMER_INTID);
	/* What exits_irq() does: mask (the level drops), then end it. */
	preempt_mask();
	PROBE_CHECK(probe_wait_pending(false));
	gicv3_eoi(intid);
	PROBE_CHECK(gicv3_ack() == GICV3_INTID_SPURIOUS);
	PROBE_CHECK(!(read_sysreg(isr_el1) & ISR_I));
	preempt_disarm();
	return 0;
}

/* Runs @fn on every CPU; expects 0 (else the failing line) from each. */
static void probe_every_cpu(struct test_ctx *test_ctx, cpu_job_fn fn)
{
	for (unsigned c = 0; c < ncpus; c++) {
		uint64_t line = UINT64_MAX;

		EXPECT_EQ_INT(smp_run_on(c, fn, 0, &line, PROBE_JOB_TIMEOUT_NS),
			      0);
		if (!EXPECT_EQ(line, 0)) {
			console_printf(
				"    cpu %u: check at line %llu failed\n", c,
				(unsigned long long)line);
		}
	}
}

/** Every CPU found the redistributor whose GICR_TYPER affinity is its own MPIDR, woke it, and enabled its CPU interface; no two share one. */
TEST(el2_gicv3, every_cpu_found_its_redistributor)
{
	probe_every_cpu(test_ctx, probe_redist);
	for (unsigned a = 0; a < ncpus; a++) {
		for (unsigned b = a + 1; b < ncpus; b++) {
			EXPECT_NE(probe_rd[a], probe_rd[b]);
		}
	}
}

/** On every CPU, CNTHP set 2 ms ahead becomes pending at the GIC and in ISR_EL1 no earlier than its deadline, acknowledges as INTID 26, and clears when masked. */
TEST(el2_preempt, hyp_timer_reaches_the_gic_on_every_cpu)
{
	probe_every_cpu(test_ctx, probe_timer);
}

/** After CPU_OFF and CPU_ON (which resets the CPU interface), the CPU's GIC set-up is redone and the hyp timer's interrupt reaches it again. */
TEST(el2_preempt, hyp_timer_works_after_hotplug)
{
	uint64_t line = UINT64_MAX;

	if (ncpus < 2) {
		TEST_SKIP("needs at least 2 CPUs (run with --smp 2 or more)");
	}
	ASSERT_EQ_INT(smp_stop_cpu(1, PROBE_HOTPLUG_NS), 0);
	ASSERT_EQ_INT(smp_start_cpu(1, PROBE_HOTPLUG_NS), 0);
	ASSERT_EQ_INT(
		smp_run_on(1, probe_redist, 0, &line, PROBE_JOB_TIMEOUT_NS), 0);
	EXPECT_EQ(line, 0);
	ASSERT_EQ_INT(
		smp_run_on(1, probe_timer, 0, &line, PROBE_JOB_TIMEOUT_NS), 0);
	EXPECT_EQ(line, 0);
}
