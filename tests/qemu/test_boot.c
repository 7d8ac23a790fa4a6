/*
 * Boot tests: the hypervisor under QEMU brings every CPU through the
 * dual-step init, and the trace shows each step with the right tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/hyp_layout.h>
#include <faultline/test.h>

#include "qemu_util.h"

/* SCTLR_EL2.M, C and I: MMU, data and instruction caches on. */
#define SCTLR_MCI ((1u << 0) | (1u << 2) | (1u << 12))

/* Checks one CPU's init in detail against the boot CPU's hyp_start. */
static void check_cpu_init(struct test_ctx *test_ctx,
			   const struct trace_data *td, unsigned cpu,
			   const struct trace_record *start)
{
	const struct trace_record *bt, *tr, *rt, *tl, *up;
	uint64_t init_page = qemu_field(td, start, "init_page");

	EXPECT_EQ(qemu_count_boots(td, cpu), 1);
	ASSERT_EQ(qemu_cpu_events(td, cpu, "boot_tables_on", &bt, 1), 1);
	ASSERT_EQ(qemu_cpu_events(td, cpu, "trampoline_entered", &tr, 1), 1);
	ASSERT_EQ(qemu_cpu_events(td, cpu, "runtime_tables_on", &rt, 1), 1);
	ASSERT_EQ(qemu_cpu_events(td, cpu, "tlbi", &tl, 1), 1);
	ASSERT_EQ(qemu_cpu_events(td, cpu, "cpu_up", &up, 1), 1);

	/* The MMU went on with the boot tables, caches on. */
	EXPECT_EQ(qemu_field(td, bt, "ttbr"),
		  qemu_field(td, start, "boot_ttbr"));
	EXPECT_EQ(qemu_field(td, bt, "sctlr") & SCTLR_MCI, SCTLR_MCI);
	/* The same instruction, at its identity PA and at the trampoline. */
	EXPECT_EQ(qemu_field(td, tr, "va") & ~UINT64_C(0xfff),
		  HYP_TRAMPOLINE_VA);
	EXPECT_EQ(qemu_field(td, tr, "pa") & ~UINT64_C(0xfff), init_page);
	EXPECT_EQ(qemu_field(td, tr, "va") & 0xfff,
		  qemu_field(td, tr, "pa") & 0xfff);
	/* TTBR0_EL2 read back after the switch holds the runtime tables. */
	EXPECT_EQ(qemu_field(td, rt, "ttbr"),
		  qemu_field(td, start, "runtime_ttbr"));
	EXPECT_NE(qemu_field(td, start, "runtime_ttbr"),
		  qemu_field(td, start, "boot_ttbr"));
	/* Time only moves forward through the steps. */
	EXPECT_TRUE(bt->ts <= tr->ts && tr->ts <= rt->ts && rt->ts <= tl->ts &&
		    tl->ts <= up->ts);
	EXPECT_EQ(qemu_field(td, up, "mpidr"), cpu);
	EXPECT_EQ(qemu_field(td, up, "boot_count"), 1);
}

/* Boots with @smp CPUs and checks every CPU and the run's outputs. */
static void check_boot(struct test_ctx *test_ctx, unsigned smp)
{
	struct qemu_run run;
	const struct trace_record *start;
	char args[64];

	snprintf(args, sizeof(args), "--smp %u", smp);
	ASSERT_TRUE(qemu_run(&run, args));
	EXPECT_EQ_INT(run.status, 0);
	EXPECT_EQ_INT(run.trace_status, 0);
	EXPECT_TRUE(run.trace.complete);
	EXPECT_EQ(run.trace.ncpus, smp);
	EXPECT_EQ(run.trace.lost_total, 0);
	start = qemu_first_event(&run.trace, "hyp_start");
	if (EXPECT_TRUE(start != NULL)) {
		EXPECT_EQ(start->cpu, 0);
		EXPECT_EQ(qemu_field(&run.trace, start, "ncpus"), smp);
		EXPECT_EQ(qemu_field(&run.trace, start, "bounced"), 0);
		EXPECT_EQ(qemu_field(&run.trace, start, "trampoline_va"),
			  HYP_TRAMPOLINE_VA);
		for (unsigned cpu = 0; cpu < smp; cpu++) {
			check_cpu_init(test_ctx, &run.trace, cpu, start);
			EXPECT_EQ(run.trace.seq_gaps[cpu], 0);
		}
	}
	/* Every secondary answered jobs with its MPIDR and runtime TTBR. */
	for (unsigned cpu = 1; cpu < smp; cpu++) {
		const struct trace_record *jobs[2];

		if (EXPECT_EQ(qemu_cpu_events(&run.trace, cpu, "cpu_job", jobs,
					      2),
			      2)) {
			EXPECT_EQ(qemu_field(&run.trace, jobs[0], "result"),
				  cpu);
			EXPECT_EQ(
				qemu_field(&run.trace, jobs[1], "result"),
				qemu_field(&run.trace, start, "runtime_ttbr"));
		}
	}
	EXPECT_TRUE(strstr(run.console, "all CPUs reached") != NULL ||
		    strstr(run.console, "reached the runtime tables") != NULL);
	EXPECT_TRUE(strncmp(run.csv, "index,time_ns,ticks,cpu,seq,event,",
			    34) == 0);
	EXPECT_TRUE(strstr(run.summary, "\"verdict\": \"ok\"") != NULL ||
		    strstr(run.summary, "\"verdict\":\"ok\"") != NULL);
	qemu_run_free(&run);
}

/** One CPU boots through the dual-step init. */
TEST(qemu_boot, smp1)
{
	check_boot(test_ctx, 1);
}

/** Two CPUs boot, the second through PSCI CPU_ON into the same init. */
TEST(qemu_boot, smp2)
{
	check_boot(test_ctx, 2);
}

/** Four CPUs boot; each reaches the runtime tables and answers jobs. */
TEST(qemu_boot, smp4)
{
	check_boot(test_ctx, 4);
}

/** events.csv lists, for every CPU, the init phases in order. */
TEST(qemu_boot, events_csv_shows_phases_in_order)
{
	static const char *const phases[] = {",boot_tables_on,",
					     ",trampoline_entered,",
					     ",runtime_tables_on,", ",tlbi,"};
	struct qemu_run run;

	ASSERT_TRUE(qemu_run(&run, "--smp 4"));
	EXPECT_EQ_INT(run.status, 0);
	for (unsigned cpu = 0; cpu < 4; cpu++) {
		const char *line = run.csv;
		size_t next = 0;
		char cpu_col[32];

		/* Rows are "index,time_ns,ticks,cpu,seq,event,...". */
		snprintf(cpu_col, sizeof(cpu_col), ",%u,", cpu);
		while (line != NULL && *line != '\0') {
			const char *eol = strchr(line, '\n');
			char row[512];
			size_t len = eol != NULL ? (size_t)(eol - line)
						 : strlen(line);
			const char *p = row;

			snprintf(row, sizeof(row), "%.*s", (int)len, line);
			/* Skip index, time_ns and ticks to reach the cpu. */
			for (int c = 0; c < 3 && p != NULL; c++) {
				p = strchr(p + 1, ',');
			}
			if (p != NULL &&
			    strncmp(p, cpu_col, strlen(cpu_col)) == 0 &&
			    next < ARRAY_SIZE(phases) &&
			    strstr(row, phases[next]) != NULL) {
				next++;
			}
			line = eol != NULL ? eol + 1 : NULL;
		}
		if (!EXPECT_EQ(next, ARRAY_SIZE(phases))) {
			test_fail(test_ctx, __FILE__, __LINE__,
				  "cpu %u: only %zu of the phases in order",
				  cpu, next);
		}
	}
	qemu_run_free(&run);
}

/** The bounce-page build copies the init code to a page of its own and still boots every CPU. */
TEST(qemu_boot, bounce_page_build)
{
	const char *build = getenv("FAULTLINE_BUILD");
	struct qemu_run run;
	const struct trace_record *start;
	char args[256];

	snprintf(args, sizeof(args), "--smp 2 --hyp %s/hyp-bounce.elf",
		 build != NULL ? build : "build");
	ASSERT_TRUE(qemu_run(&run, args));
	EXPECT_EQ_INT(run.status, 0);
	start = qemu_first_event(&run.trace, "hyp_start");
	ASSERT_TRUE(start != NULL);
	EXPECT_EQ(qemu_field(&run.trace, start, "bounced"), 1);
	for (unsigned cpu = 0; cpu < 2; cpu++) {
		check_cpu_init(test_ctx, &run.trace, cpu, start);
	}
	EXPECT_TRUE(strstr(run.console, "bounce page") != NULL);
	qemu_run_free(&run);
}
