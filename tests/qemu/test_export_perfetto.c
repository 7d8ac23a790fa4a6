/*
 * The timeline exporters on real runs: `faultline export --format
 * perfetto` of a 4-vCPU same-gpa-race run and of a legacy ping-pong run
 * (BBMs and TLBIs inside faults, so flows), each loaded back with
 * Python's json module and replayed as Perfetto imports it
 * (tests/qemu/perfetto_check.py); and `faultline plot` drawing real PNGs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <faultline/test.h>

#include "qemu_util.h"

#define PFQ_PYTHON "/usr/bin/python3"

/* Runs @cmd, echoes its output indented, returns its exit status. */
static int pfq_sh(const char *cmd, char *out, size_t size)
{
	FILE *p = popen(cmd, "r");
	size_t n = 0;
	int st;

	out[0] = '\0';
	if (p == NULL) {
		return -1;
	}
	while (n + 1 < size && fgets(out + n, (int)(size - n), p) != NULL) {
		printf("    %s", out + n);
		n += strlen(out + n);
	}
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static const char *pfq_build(void)
{
	const char *b = getenv("FAULTLINE_BUILD");

	return b != NULL ? b : "build";
}

static size_t pfq_count(const struct trace_data *td, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < td->nrecords; i++) {
		n += strcmp(qemu_event_name(td, &td->records[i]), name) == 0;
	}
	return n;
}

/*
 * Exports @run to RUN/trace.perfetto.json (the default) and checks it:
 * @vcpus vCPU threads, @pcpus pCPU threads, a fault slice per fault, no
 * slice a viewer would drop, every flow bound and paired, at least
 * @min_flows flows. Returns the checker's exit status.
 */
static int pfq_export_check(struct test_ctx *test_ctx,
			    const struct qemu_run *run, unsigned vcpus,
			    unsigned pcpus, size_t min_flows)
{
	char cmd[1024], out[4096];

	snprintf(cmd, sizeof(cmd),
		 "%s/faultline export %s --format perfetto 2>&1", pfq_build(),
		 run->dir);
	EXPECT_EQ_INT(pfq_sh(cmd, out, sizeof(out)), 0);
	snprintf(cmd, sizeof(cmd),
		 PFQ_PYTHON " tests/qemu/perfetto_check.py "
			    "%s/trace.perfetto.json --vcpus %u --pcpus %u "
			    "--faults %zu --min-flows %zu 2>&1",
		 run->dir, vcpus, pcpus,
		 pfq_count(&run->trace, "s2_fault_enter"), min_flows);
	return pfq_sh(cmd, out, sizeof(out)) == 0 &&
			       strstr(out, "perfetto_check: ok") != NULL
		       ? 0
		       : 1;
}

/** same-gpa-race on 4 CPUs: 4 vCPU and 4 pCPU tracks, faults balanced. */
TEST(qemu_perfetto, same_gpa_race_tracks)
{
	struct qemu_run run;

	if (access(PFQ_PYTHON, X_OK) != 0) {
		TEST_SKIP("no " PFQ_PYTHON " (make deps installs it)");
	}
	ASSERT_TRUE(qemu_run(&run, "scenarios/same-gpa-race.scn --smp 4"));
	ASSERT_EQ_INT(run.status, 0);
	ASSERT_TRUE(pfq_count(&run.trace, "s2_fault_enter") >= 1024);
	EXPECT_EQ_INT(pfq_export_check(test_ctx, &run, 4, 4, 0), 0);
	qemu_run_free(&run);
}

/** Legacy ping-pong: every BBM and TLBI of a fault is tied to it by a flow. */
TEST(qemu_perfetto, pingpong_flows)
{
	struct qemu_run run;
	size_t bbms;

	if (access(PFQ_PYTHON, X_OK) != 0) {
		TEST_SKIP("no " PFQ_PYTHON " (make deps installs it)");
	}
	ASSERT_TRUE(qemu_run(&run, "scenarios/rw-ro-pingpong.scn"));
	/* Legacy's ping-pong ends as a livelock (status 1): still a trace. */
	ASSERT_TRUE(run.status == 0 || run.status == 1);
	bbms = pfq_count(&run.trace, "bbm_break");
	/* Each break comes with an IPA invalidation inside its fault. */
	ASSERT_TRUE(bbms >= 10);
	EXPECT_EQ_INT(pfq_export_check(test_ctx, &run, 2, 2, 2 * bbms), 0);
	qemu_run_free(&run);
}

/** `faultline plot` draws each plot of a run as a real PNG. */
TEST(qemu_plot, draws_pngs)
{
	static const char *const plots[] = {
		"fault_latency_hist", "fault_latency_cdf", "faults_over_time",
		"bbm_tlbi_over_time"};
	struct qemu_run run;
	char cmd[1024], out[4096], path[512];

	if (access("/usr/bin/gnuplot", X_OK) != 0) {
		TEST_SKIP("no gnuplot (make deps installs it)");
	}
	ASSERT_TRUE(qemu_run(&run, "scenarios/host-s2.scn"));
	ASSERT_EQ_INT(run.status, 0);
	snprintf(cmd, sizeof(cmd), "%s/faultline plot %s 2>&1", pfq_build(),
		 run.dir);
	EXPECT_EQ_INT(pfq_sh(cmd, out, sizeof(out)), 0);
	for (size_t i = 0; i < sizeof(plots) / sizeof(plots[0]); i++) {
		unsigned char head[8] = {0};
		FILE *f;
		long size = 0;

		snprintf(path, sizeof(path), "%s/plots/%s.png", run.dir,
			 plots[i]);
		EXPECT_TRUE(strstr(out, path) != NULL);
		f = fopen(path, "rb");
		if (!EXPECT_TRUE(f != NULL)) {
			continue;
		}
		if (fread(head, 1, 8, f) == 8 && fseek(f, 0, SEEK_END) == 0) {
			size = ftell(f);
		}
		fclose(f);
		EXPECT_TRUE(memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0);
		/* Axes, labels, a key and the data: well over 10 KiB. */
		EXPECT_TRUE(size > 10000);
	}
	qemu_run_free(&run);
}
