/*
 * Hotplug: a CPU turned off with PSCI CPU_OFF and back on with CPU_ON goes
 * through the dual-step init again, with the boot tables that were kept.
 */
#include <string.h>

#include <faultline/test.h>

#include "qemu_util.h"

/** Every secondary goes through the init twice, with cpu_off between, and works afterwards. */
TEST(qemu_hotplug, off_and_on_again_reruns_the_init)
{
	struct qemu_run run;

	ASSERT_TRUE(qemu_run(&run, "--smp 3 --mode hotplug"));
	EXPECT_EQ_INT(run.status, 0);
	EXPECT_EQ_INT(run.trace_status, 0);
	EXPECT_EQ(qemu_count_boots(&run.trace, 0), 1);
	for (unsigned cpu = 1; cpu < 3; cpu++) {
		const struct trace_record *ups[2], *off[1], *boots[2];
		const struct trace_record *jobs[4];

		EXPECT_EQ(qemu_count_boots(&run.trace, cpu), 2);
		ASSERT_EQ(qemu_cpu_events(&run.trace, cpu, "cpu_up", ups, 2),
			  2);
		ASSERT_EQ(qemu_cpu_events(&run.trace, cpu, "cpu_off", off, 1),
			  1);
		ASSERT_EQ(qemu_cpu_events(&run.trace, cpu, "boot_tables_on",
					  boots, 2),
			  2);
		EXPECT_EQ(qemu_field(&run.trace, ups[0], "boot_count"), 1);
		EXPECT_EQ(qemu_field(&run.trace, ups[1], "boot_count"), 2);
		EXPECT_EQ(qemu_field(&run.trace, off[0], "boot_count"), 1);
		/* off after the first boot, the second boot after off */
		EXPECT_TRUE(ups[0]->ts < off[0]->ts);
		EXPECT_TRUE(off[0]->ts < boots[1]->ts);
		/* The kept boot tables are the ones used again. */
		EXPECT_EQ(qemu_field(&run.trace, boots[0], "ttbr"),
			  qemu_field(&run.trace, boots[1], "ttbr"));
		/* Jobs answered after the second boot too. */
		ASSERT_EQ(qemu_cpu_events(&run.trace, cpu, "cpu_job", jobs, 4),
			  4);
		EXPECT_TRUE(jobs[2]->ts > ups[1]->ts);
		EXPECT_EQ(qemu_field(&run.trace, jobs[2], "result"), cpu);
	}
	EXPECT_TRUE(strstr(run.console, "back up through the init") != NULL);
	qemu_run_free(&run);
}

/** Several cycles of one CPU: it boots once per cycle plus the first time. */
TEST(qemu_hotplug, repeated_cycles_of_one_cpu)
{
	struct qemu_run run;

	ASSERT_TRUE(qemu_run(&run, "--smp 2 --mode hotplug --append "
				   "\"hotplug_cpu=1 hotplug_cycles=3\""));
	EXPECT_EQ_INT(run.status, 0);
	EXPECT_EQ(qemu_count_boots(&run.trace, 1), 4);
	EXPECT_EQ(qemu_count_boots(&run.trace, 0), 1);
	qemu_run_free(&run);
}
