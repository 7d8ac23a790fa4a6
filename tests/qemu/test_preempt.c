/*
 * The preemption timer: a vCPU that spins without ever trapping is still
 * stopped at its plan's deadline (the EL2 physical timer's interrupt makes
 * it exit), so the run ends with verdict "deadline" a moment after the
 * deadline instead of being killed by the harness's watchdog 15 s later.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <faultline/test.h>

#include "qemu_util.h"

/* The scenarios' `run timeout=2s`. */
#define PREEMPT_DEADLINE_NS UINT64_C(2000000000)
/*
 * Slack over the deadline for boot, drain and exit. The watchdog would end
 * the run at deadline + 15 s: anything near that means no preemption.
 */
#define PREEMPT_SLACK_NS UINT64_C(4000000000)

static uint64_t preempt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t preempt_ns(const struct trace_data *td, uint64_t ticks)
{
	return td->counter_freq == 0 ? 0
				     : ticks * 1000000000u / td->counter_freq;
}

/*
 * Checks the vCPU that ran on @cpu: one vcpu_run, one vcpu_stop with
 * reason @why; for budget, it ran until the deadline and stopped soon
 * after it, within a few seconds of the start of the trace.
 */
static void preempt_check_vcpu(struct test_ctx *test_ctx,
			       const struct qemu_run *run, unsigned cpu,
			       uint64_t why)
{
	const struct trace_record *start[2], *stop[2];
	uint64_t ran_ns, stop_ns;

	ASSERT_EQ(qemu_cpu_events(&run->trace, cpu, "vcpu_run", start, 2), 1);
	ASSERT_EQ(qemu_cpu_events(&run->trace, cpu, "vcpu_stop", stop, 2), 1);
	EXPECT_EQ(qemu_field(&run->trace, stop[0], "why"), why);
	if (why != TRACE_VCPU_STOP_BUDGET) {
		return;
	}
	ran_ns = preempt_ns(&run->trace, stop[0]->ts - start[0]->ts);
	stop_ns = trace_data_rel_ns(&run->trace, stop[0]->ts);
	/* It spun all the way to the deadline... */
	EXPECT_TRUE(ran_ns > PREEMPT_DEADLINE_NS * 3 / 4);
	/* ...and was stopped right there, not by the watchdog. */
	EXPECT_TRUE(ran_ns < PREEMPT_DEADLINE_NS + PREEMPT_SLACK_NS);
	EXPECT_TRUE(stop_ns < PREEMPT_DEADLINE_NS + PREEMPT_SLACK_NS);
	printf("    cpu %u: vCPU ran %.3f s, stopped %.3f s into the trace\n",
	       cpu, (double)ran_ns / 1e9, (double)stop_ns / 1e9);
}

/* What every preempted run shows: the verdict, and a prompt end. */
static void preempt_check_run(struct test_ctx *test_ctx,
			      const struct qemu_run *run, uint64_t wall_ns)
{
	/* verdict_exit_code(VERDICT_DEADLINE) */
	EXPECT_EQ_INT(run->status, 1);
	EXPECT_EQ_INT(run->trace_status, 0);
	EXPECT_TRUE(run->trace.complete);
	EXPECT_TRUE(strstr(run->summary, "\"verdict\": \"deadline\"") != NULL);
	EXPECT_TRUE(strstr(run->console, "stopped: budget") != NULL);
	EXPECT_TRUE(wall_ns <
		    PREEMPT_DEADLINE_NS + PREEMPT_SLACK_NS + 4000000000u);
	printf("    run took %.3f s (deadline 2 s, watchdog at 17 s)\n",
	       (double)wall_ns / 1e9);
}

/** A vCPU spinning on a mapped page without trapping is stopped at the deadline (why = budget): verdict deadline, exit status 1, within seconds. */
TEST(qemu_preempt, spinning_vcpu_is_stopped_at_the_deadline)
{
	struct qemu_run run;
	uint64_t t0 = preempt_now_ns();

	ASSERT_TRUE(qemu_run(&run, "tests/fixtures/scenarios/spin.scn"));
	preempt_check_run(test_ctx, &run, preempt_now_ns() - t0);
	preempt_check_vcpu(test_ctx, &run, 0, TRACE_VCPU_STOP_BUDGET);
	qemu_run_free(&run);
}

/** Of two vCPUs, the one that finishes is done and the one spinning on pCPU 1 is stopped by that CPU's timer at the deadline. */
TEST(qemu_preempt, one_vcpu_done_the_other_preempted)
{
	struct qemu_run run;
	uint64_t t0 = preempt_now_ns();

	ASSERT_TRUE(qemu_run(&run, "tests/fixtures/scenarios/spin-two.scn"));
	preempt_check_run(test_ctx, &run, preempt_now_ns() - t0);
	preempt_check_vcpu(test_ctx, &run, 0, TRACE_VCPU_STOP_DONE);
	preempt_check_vcpu(test_ctx, &run, 1, TRACE_VCPU_STOP_BUDGET);
	qemu_run_free(&run);
}
