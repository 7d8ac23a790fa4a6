/*
 * The run pipeline of `faultline run` end to end (docs/results.md): the
 * sim backend beside QEMU, parameter values and sweeps, the scenario's
 * expectations and the verdict they make, a livelock's evidence, the
 * files of a run directory, `faultline list` and `faultline show`, a
 * malformed scenario, and a QEMU killed in the middle of a run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <faultline/test.h>

#include "qemu_util.h"

/* A parameterised scenario: one vCPU writes $pages fresh pages. */
static const char pipe_pages_scn[] =
	"scenario pages\n"
	"param pages=16\n"
	"description \"One vCPU writes fresh pages\"\n"
	"run timeout=20s\n"
	"vm guest\n"
	"region data ipa=0x80000000 size=1M\n"
	"vcpu\n"
	"  mmu on\n"
	"  loop 8\n"
	"    hvc null timed\n"
	"  end\n"
	"  loop $pages\n"
	"    write data step=4K timed\n"
	"  end\n"
	"end\n"
	"expect faults == $pages\n"
	"expect outcome.mapped == $pages because each page maps once\n";

/* True when DIR/@name exists. */
static bool pipe_has(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

/** --backend sim: the same results layout and verdict as QEMU, and the summary says which backend. */
TEST(qemu_pipeline, sim_backend_same_layout_and_verdict)
{
	static const char *const files[] = {
		"console.log",  "trace.bin",         "events.csv",
		"latency.csv",  "guest_latency.csv", "check.txt",
		"summary.json", "manifest.json",     "plan.bin",
		"scenario.scn",
	};
	char scn[256], args[512];
	struct qemu_run q, s;

	ASSERT_TRUE(
		qemu_temp_file(pipe_pages_scn, "pages.scn", scn, sizeof(scn)));
	snprintf(args, sizeof(args), "%s --set pages=64", scn);
	ASSERT_TRUE(qemu_run(&q, args));
	snprintf(args, sizeof(args), "%s --set pages=64 --backend sim", scn);
	/* Plots by default (the sim's run), none with --no-plots (QEMU's). */
	ASSERT_TRUE(qemu_run_plots(&s, args));
	EXPECT_EQ_INT(q.status, 0);
	EXPECT_EQ_INT(s.status, 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (!EXPECT_TRUE(pipe_has(q.dir, files[i]) &&
				 pipe_has(s.dir, files[i]))) {
			fprintf(stderr, "    missing %s\n", files[i]);
		}
	}
	EXPECT_TRUE(pipe_has(s.dir, "sim-stderr.log"));
	EXPECT_TRUE(!pipe_has(q.dir, "plots"));
	if (system("command -v gnuplot >/dev/null 2>&1") == 0) {
		EXPECT_TRUE(pipe_has(s.dir, "plots/fault_latency_cdf.png"));
		EXPECT_TRUE(strstr(s.summary, "\"plots\": \"plots/\"") != NULL);
		EXPECT_TRUE(strstr(s.out, "faultline: plots in ") != NULL);
	} else {
		EXPECT_TRUE(strstr(s.out, "no plots: gnuplot is not") != NULL);
	}
	EXPECT_TRUE(strstr(q.summary, "\"verdict\": \"ok\"") != NULL);
	EXPECT_TRUE(strstr(s.summary, "\"verdict\": \"ok\"") != NULL);
	EXPECT_TRUE(strstr(q.summary, "\"backend\": \"qemu\"") != NULL);
	EXPECT_TRUE(strstr(s.summary, "\"backend\": \"sim\"") != NULL);
	EXPECT_TRUE(strstr(s.summary, "\"faults\": 64,") != NULL);
	EXPECT_TRUE(strstr(q.summary, "\"faults\": 64,") != NULL);
	/* Both check the scenario's expectations, for the backend they are. */
	EXPECT_TRUE(strstr(s.out, "expectations: 2 of 2 hold") != NULL);
	EXPECT_TRUE(strstr(q.out, "expectations: 2 of 2 hold") != NULL);
	/* The sim has no boot: the report claims no dual-step init. */
	EXPECT_TRUE(strstr(s.out, "scenario pages ok (sim): ") != NULL);
	EXPECT_TRUE(strstr(s.out, "dual-step") == NULL);
	EXPECT_TRUE(strstr(q.out, "scenario pages ok (qemu): 1/1 CPUs "
				  "through the dual-step init") != NULL);
	qemu_run_free(&q);
	qemu_run_free(&s);
	qemu_temp_free(scn);
}

/** --set gives a parameter its value, and the manifest and summary record it. */
TEST(qemu_pipeline, set_changes_a_parameter)
{
	char scn[256], args[512];
	struct qemu_run run;
	char *manifest;
	char path[512];

	ASSERT_TRUE(
		qemu_temp_file(pipe_pages_scn, "pages.scn", scn, sizeof(scn)));
	snprintf(args, sizeof(args), "%s --set pages=5", scn);
	ASSERT_TRUE(qemu_run(&run, args));
	EXPECT_EQ_INT(run.status, 0);
	EXPECT_TRUE(strstr(run.summary, "\"faults\": 5,") != NULL);
	EXPECT_TRUE(strstr(run.summary, "\"params\": {\n    \"pages\": "
					"\"5\"\n  }") != NULL);
	EXPECT_TRUE(strstr(run.out, "expect faults == 5: ok (5)") != NULL);
	snprintf(path, sizeof(path), "%s/manifest.json", run.dir);
	manifest = qemu_slurp_file(path);
	EXPECT_TRUE(strstr(manifest, "\"sets\": {\n    \"pages\": \"5\"") !=
		    NULL);
	EXPECT_TRUE(strstr(manifest, "\"hash_fnv1a64\": \"") != NULL);
	EXPECT_TRUE(strstr(manifest, "\"backend\": \"qemu\"") != NULL);
	free(manifest);
	qemu_run_free(&run);
	qemu_temp_free(scn);
}

/**
 * tracing=off (lean tracing): expectations on fault-path counts and the
 * rule checker say they could not be checked, not that they failed or
 * that the trace is clean; the guest's own figures are still checked.
 */
TEST(qemu_pipeline, lean_trace_is_not_checked)
{
	struct qemu_run run;

	/* Two repetitions: they are checked one by one, as well. */
	ASSERT_TRUE(qemu_run(&run, "scenarios/first-touch.scn --reps 2 "
				   "--append tracing=off"));
	EXPECT_EQ_INT(run.status, 0);
	EXPECT_TRUE(strstr(run.summary, "\"verdict\": \"ok\"") != NULL);
	EXPECT_TRUE(strstr(run.out, "expect faults == 4096*1: skipped (not "
				    "checked: tracing=off records no "
				    "fault-path events)") != NULL);
	EXPECT_TRUE(strstr(run.out, "expect latency.access.n == 4096*1: ok "
				    "(4096)") != NULL);
	EXPECT_TRUE(strstr(run.out, "rule check: no rule checked") != NULL);
	EXPECT_TRUE(strstr(run.out, "rule check: clean") == NULL);
	qemu_run_free(&run);
}

/**
 * tracing=fault: the fault path is traced in full (its expectations hold)
 * but the world switch's own events are not; the rules that follow them
 * (3, 5, 6) say they were not checked, the others are checked.
 */
TEST(qemu_pipeline, quiet_switch_traces_the_fault_path)
{
	struct qemu_run run;

	ASSERT_TRUE(qemu_run(&run, "scenarios/first-touch.scn --append "
				   "tracing=fault"));
	EXPECT_EQ_INT(run.status, 0);
	EXPECT_TRUE(strstr(run.summary, "\"verdict\": \"ok\"") != NULL);
	EXPECT_EQ(qemu_count_events(&run.trace, "s2_fault_enter", NULL, 0),
		  4096u);
	EXPECT_EQ(qemu_count_events(&run.trace, "world_switch", NULL, 0), 0u);
	/* SPE drains and TLB maintenance are not the switch's to drop. */
	EXPECT_TRUE(qemu_count_events(&run.trace, "spe_drain", NULL, 0) >
		    4096u);
	EXPECT_TRUE(qemu_count_events(&run.trace, "tlbi", NULL, 0) >= 1u);
	EXPECT_TRUE(strstr(run.out, "rule check: clean (5 rules,") != NULL);
	EXPECT_TRUE(strstr(run.out, "not checked: rule 3, 5, 6") != NULL);
	qemu_run_free(&run);
}

/** --sweep of two values: two complete runs and a two-row table, also as sweep.csv and sweep.json. */
TEST(qemu_pipeline, sweep_two_values_table)
{
	char scn[256], args[512], path[600];
	struct qemu_run run;
	char *csv, *json, *line;
	unsigned rows = 0;

	ASSERT_TRUE(
		qemu_temp_file(pipe_pages_scn, "pages.scn", scn, sizeof(scn)));
	snprintf(args, sizeof(args), "%s --sweep pages=2,7", scn);
	ASSERT_TRUE(qemu_run(&run, args));
	EXPECT_EQ_INT(run.status, 0);
	EXPECT_TRUE(pipe_has(run.dir, "pages-2/summary.json"));
	EXPECT_TRUE(pipe_has(run.dir, "pages-7/trace.bin"));
	EXPECT_TRUE(strstr(run.out,
			   "faultline: sweep of pages over 2 values") != NULL);
	line = strstr(run.out, "faultline:   pages  verdict  faults");
	ASSERT_TRUE(line != NULL);
	EXPECT_TRUE(strstr(line, "\nfaultline:   2      ok       2 ") != NULL);
	EXPECT_TRUE(strstr(line, "\nfaultline:   7      ok       7 ") != NULL);
	snprintf(path, sizeof(path), "%s/sweep.csv", run.dir);
	csv = qemu_slurp_file(path);
	for (const char *p = csv; *p != '\0'; p++) {
		rows += *p == '\n';
	}
	EXPECT_EQ(rows, 3u);
	EXPECT_TRUE(strstr(csv, "\n2,ok,0,2,mapped 2,0,") != NULL);
	EXPECT_TRUE(strstr(csv, "\n7,ok,0,7,mapped 7,0,") != NULL);
	snprintf(path, sizeof(path), "%s/sweep.json", run.dir);
	json = qemu_slurp_file(path);
	EXPECT_TRUE(strstr(json, "\"param\": \"pages\"") != NULL);
	EXPECT_TRUE(strstr(json, "\"dir\": \"pages-7\"") != NULL);
	free(csv);
	free(json);
	qemu_run_free(&run);
	qemu_temp_free(scn);
}

/** An expectation that fails makes an ok run expectation-failed, exit status 1. */
TEST(qemu_pipeline, failed_expectation)
{
	char scn[256], args[512];
	struct qemu_run run;
	char text[sizeof(pipe_pages_scn) + 128];

	snprintf(text, sizeof(text), "%sexpect bbm >= 1 because it will not\n",
		 pipe_pages_scn);
	ASSERT_TRUE(qemu_temp_file(text, "pages.scn", scn, sizeof(scn)));
	snprintf(args, sizeof(args), "%s --set pages=3", scn);
	ASSERT_TRUE(qemu_run(&run, args));
	EXPECT_EQ_INT(run.status, 1);
	EXPECT_TRUE(strstr(run.summary,
			   "\"verdict\": \"expectation-failed\"") != NULL);
	EXPECT_TRUE(strstr(run.summary, "\"backend_verdict\": \"ok\"") != NULL);
	EXPECT_TRUE(strstr(run.summary, "\"expectations_failed\": 1,") != NULL);
	EXPECT_TRUE(strstr(run.summary, "\"result\": \"failed\"") != NULL);
	EXPECT_TRUE(strstr(run.out, "faultline: expect bbm >= 1: FAILED (0)") !=
		    NULL);
	EXPECT_TRUE(strstr(run.out, "faultline: expectations: 2 of 3 hold, 1 "
				    "failed") != NULL);
	EXPECT_TRUE(strstr(run.out, "scenario pages expectation-failed") !=
		    NULL);
	qemu_run_free(&run);
	qemu_temp_free(scn);
}

/*
 * scenarios/rw-ro-pingpong.scn without its `expect` lines, so that the
 * verdict is the hypervisor's own (an expected livelock would be "ok").
 */
static bool pipe_pingpong(char *path, size_t size)
{
	char *text = qemu_slurp_file("scenarios/rw-ro-pingpong.scn");
	char *out = calloc(1, strlen(text) + 1);
	size_t n = 0;
	bool ok;

	for (const char *p = text; out != NULL && *p != '\0';) {
		const char *nl = strchr(p, '\n');
		size_t len = nl != NULL ? (size_t)(nl - p) + 1 : strlen(p);

		if (strncmp(p, "expect", 6) != 0) {
			memcpy(out + n, p, len);
			n += len;
		}
		p += len;
	}
	ok = out != NULL && text[0] != '\0' &&
	     qemu_temp_file(out, "rw-ro-pingpong.scn", path, size);
	free(text);
	free(out);
	return ok;
}

/* Runs of the ping-pong before one livelocks (its onset is timing's). */
#define PIPE_PINGPONG_TRIES 5

/** rw-ro-pingpong under legacy: verdict livelock, reported with its evidence on 0x80000000. */
TEST(qemu_pipeline, livelock_evidence)
{
	char scn[256], args[512];
	struct qemu_run run;
	unsigned tries = 0;

	ASSERT_TRUE(pipe_pingpong(scn, sizeof(scn)));
	snprintf(args, sizeof(args), "%s --policy legacy", scn);
	/*
	 * Whether B's read lands in A's break-before-make window depends on
	 * how the host schedules QEMU's threads (docs/sim.md): a round that
	 * misses it ends without a livelock, and the run is made again.
	 */
	for (;;) {
		ASSERT_TRUE(qemu_run(&run, args));
		if (++tries == PIPE_PINGPONG_TRIES ||
		    strstr(run.summary, "\"backend_verdict\": \"ok\"") ==
			    NULL) {
			break;
		}
		fprintf(stderr, "    run %u: no livelock, again\n", tries);
		qemu_run_free(&run);
	}
	EXPECT_EQ_INT(run.status, 1);
	EXPECT_TRUE(strstr(run.summary, "\"verdict\": \"livelock\"") != NULL);
	EXPECT_TRUE(strstr(run.summary, "\"livelock\": {") != NULL);
	EXPECT_TRUE(strstr(run.summary, "\"ipa\": \"0x80000000\"") != NULL);
	EXPECT_TRUE(strstr(run.summary, "\"vcpus_faulting\": [") != NULL);
	EXPECT_TRUE(strstr(run.summary, "\"window_ns\": {") != NULL);
	EXPECT_TRUE(strstr(run.out, "faultline: livelock: vcpu ") != NULL);
	EXPECT_TRUE(strstr(run.out, "on IPA 0x80000000, from ") != NULL);
	EXPECT_TRUE(strstr(run.out, "BBMs of its entry (cpu ") != NULL);
	EXPECT_TRUE(strstr(run.out, "faultline:   the cycle: the last ") !=
		    NULL);
	EXPECT_TRUE(strstr(run.out, " bbm_break entry=") != NULL);
	qemu_run_free(&run);
	qemu_temp_free(scn);
}

/*
 * Two vCPUs write a write-protected page at once; with bug=no_local_inval
 * the one that loses the relax race keeps faulting on its stale TLB entry
 * on the sim, whose TLB keeps it (docs/sim.md): a livelock every time.
 */
static const char pipe_relax_scn[] = "scenario relax\n"
				     "run timeout=20s\n"
				     "vm guest policy=prejudge dirty_log\n"
				     "region data ipa=0x80000000 size=64K\n"
				     "vcpu count=2\n"
				     "  mmu on\n"
				     "  loop 100\n"
				     "    read data\n"
				     "    barrier\n"
				     "    write data\n"
				     "    barrier\n"
				     "  end\n"
				     "end\n";

/** An expected livelock is an outcome (verdict ok); an unexpected one is the verdict, both with evidence. */
TEST(qemu_pipeline, expected_and_unexpected_livelock_on_the_sim)
{
	char scn[256], expected[256], args[768];
	char text[sizeof(pipe_relax_scn) + 64];
	struct qemu_run run, exp;

	ASSERT_TRUE(
		qemu_temp_file(pipe_relax_scn, "relax.scn", scn, sizeof(scn)));
	snprintf(text, sizeof(text), "%sexpect livelock\n", pipe_relax_scn);
	ASSERT_TRUE(
		qemu_temp_file(text, "relax.scn", expected, sizeof(expected)));
	snprintf(args, sizeof(args),
		 "%s --backend sim --append bug=no_local_inval", scn);
	ASSERT_TRUE(qemu_run(&run, args));
	EXPECT_EQ_INT(run.status, 1);
	EXPECT_TRUE(strstr(run.summary, "\"verdict\": \"livelock\"") != NULL);
	EXPECT_TRUE(strstr(run.out, "on IPA 0x80000000, from ") != NULL);
	EXPECT_TRUE(strstr(run.out, " s2_fault_enter vcpu=") != NULL);
	snprintf(args, sizeof(args),
		 "%s --backend sim --append bug=no_local_inval", expected);
	ASSERT_TRUE(qemu_run(&exp, args));
	EXPECT_EQ_INT(exp.status, 0);
	EXPECT_TRUE(strstr(exp.summary, "\"verdict\": \"ok\"") != NULL);
	EXPECT_TRUE(strstr(exp.summary, "\"backend_verdict\": \"livelock\"") !=
		    NULL);
	EXPECT_TRUE(strstr(exp.out, "expect livelock: ok (livelock)") != NULL);
	EXPECT_TRUE(strstr(exp.out, "the livelock was expected") != NULL);
	EXPECT_TRUE(strstr(exp.summary, "\"ipa\": \"0x80000000\"") != NULL);
	qemu_run_free(&run);
	qemu_run_free(&exp);
	qemu_temp_free(scn);
	qemu_temp_free(expected);
}

/** show latest prints what the run printed, from summary.json; list names the run. */
TEST(qemu_pipeline, show_latest_and_list)
{
	char results[] = "/tmp/faultline-results-XXXXXX";
	char scn[256], args[768];
	char *run_out = NULL, *show_out = NULL, *list_out = NULL;
	int status;

	ASSERT_TRUE(mkdtemp(results) != NULL);
	ASSERT_TRUE(
		qemu_temp_file(pipe_pages_scn, "pages.scn", scn, sizeof(scn)));
	snprintf(args, sizeof(args),
		 "run %s --quiet --no-plots --set pages=4 --results %s", scn,
		 results);
	status = qemu_faultline(args, &run_out, NULL);
	EXPECT_EQ_INT(status, 0);
	snprintf(args, sizeof(args), "show latest --results %s", results);
	EXPECT_EQ_INT(qemu_faultline(args, &show_out, NULL), 0);
	/* Word for word what `faultline run --quiet` printed. */
	EXPECT_TRUE(show_out[0] != '\0');
	EXPECT_STREQ(show_out, run_out);
	snprintf(args, sizeof(args), "list --results %s", results);
	EXPECT_EQ_INT(qemu_faultline(args, &list_out, NULL), 0);
	EXPECT_TRUE(strstr(list_out, "RUN ") == list_out);
	EXPECT_TRUE(strstr(list_out, "\npages/2") != NULL);
	EXPECT_TRUE(strstr(list_out, "  pages     qemu     prejudge  ok   "
				     "    4 ") != NULL);
	free(run_out);
	free(show_out);
	free(list_out);
	snprintf(args, sizeof(args), "rm -rf %s", results);
	EXPECT_EQ_INT(system(args), 0);
	qemu_temp_free(scn);
}

/** A malformed scenario file: file:line:col on stderr, exit status 2, nothing run. */
TEST(qemu_pipeline, malformed_scenario)
{
	static const char bad[] = "scenario bad\n"
				  "run timeout=2s\n"
				  "vm guest policy=fast\n"
				  "region data ipa=0x80000000 size=1M\n";
	char scn[256], args[768], where[600];
	char *err = NULL;

	ASSERT_TRUE(qemu_temp_file(bad, "bad.scn", scn, sizeof(scn)));
	snprintf(args, sizeof(args), "run %s --quiet --out %s.out", scn, scn);
	EXPECT_EQ_INT(qemu_faultline(args, NULL, &err), 2);
	snprintf(where, sizeof(where), "%s:3:10: unknown policy 'fast'", scn);
	EXPECT_TRUE(strstr(err, where) != NULL);
	snprintf(where, sizeof(where), "%s.out", scn);
	EXPECT_TRUE(access(where, F_OK) != 0);
	free(err);
	qemu_temp_free(scn);
}

/* A scenario of many short repetitions: a few seconds under QEMU. */
static const char pipe_long_scn[] = "scenario long\n"
				    "run timeout=10s reps=1000\n"
				    "vm guest\n"
				    "region data ipa=0x80000000 size=1M\n"
				    "vcpu\n"
				    "  loop 8\n"
				    "    write data step=4K timed\n"
				    "  end\n"
				    "  delay 20ms\n"
				    "end\n";

/* Runs QEMU and kills it with SIGKILL 1.5 s later, as a crash would. */
static const char pipe_killer[] =
	"#!/bin/sh\n"
	"if [ \"$1\" != \"--version\" ]; then\n"
	"\t(sleep 1.5; kill -9 $$) >/dev/null 2>&1 &\n"
	"fi\n"
	"exec qemu-system-aarch64 \"$@\"\n";

/** QEMU killed mid-run: verdict crashed, with the events that arrived before it. */
TEST(qemu_pipeline, qemu_killed_mid_run_is_crashed)
{
	char scn[256], killer[256], args[768];
	struct qemu_run run;

	ASSERT_TRUE(
		qemu_temp_file(pipe_long_scn, "long.scn", scn, sizeof(scn)));
	ASSERT_TRUE(qemu_temp_file(pipe_killer, "qemu-killer.sh", killer,
				   sizeof(killer)));
	ASSERT_EQ_INT(chmod(killer, 0755), 0);
	snprintf(args, sizeof(args), "%s --qemu %s", scn, killer);
	ASSERT_TRUE(qemu_run(&run, args));
	EXPECT_EQ_INT(run.status, 1);
	EXPECT_TRUE(strstr(run.summary, "\"verdict\": \"crashed\"") != NULL);
	EXPECT_TRUE(strstr(run.summary, "\"signal\": 9,") != NULL);
	/* What arrived before the kill is kept: boot and repetitions. */
	EXPECT_EQ_INT(run.trace_status, 0);
	EXPECT_TRUE(!run.trace.complete);
	EXPECT_TRUE(run.trace.nrecords > 0);
	EXPECT_TRUE(qemu_first_event(&run.trace, "rep") != NULL);
	EXPECT_TRUE(strstr(run.out, "QEMU was killed by signal 9 after ") !=
		    NULL);
	EXPECT_TRUE(strstr(run.out, "scenario long crashed (qemu)") != NULL);
	qemu_run_free(&run);
	qemu_temp_free(scn);
	qemu_temp_free(killer);
}

/** On a terminal, a progress line follows the repetitions, rewritten in place; --quiet has none. */
TEST(qemu_pipeline, progress_line_on_a_terminal)
{
	char scn[256], prog[256], cmd[1024],
		out[] = "/tmp/faultline-tty-XXXXXX";
	char *text;
	int fd;

	if (system("command -v script >/dev/null 2>&1") != 0) {
		TEST_SKIP("script(1) is not installed: no terminal to test on");
	}
	fd = mkstemp(out);
	ASSERT_TRUE(fd >= 0);
	close(fd);
	ASSERT_TRUE(
		qemu_temp_file(pipe_pages_scn, "pages.scn", scn, sizeof(scn)));
	qemu_faultline_path(prog, sizeof(prog));
	snprintf(cmd, sizeof(cmd),
		 "script -qec '%s run %s --backend sim --reps 3 --no-plots "
		 "--out %s.run' /dev/null >%s 2>&1",
		 prog, scn, scn, out);
	EXPECT_EQ_INT(system(cmd), 0);
	text = qemu_slurp_file(out);
	/* The console's own line has no comma; the progress line has. */
	EXPECT_TRUE(strstr(text, "faultline: repetition 3 of 3\r\n") != NULL);
	EXPECT_TRUE(strstr(text, "faultline: repetition 3 of 3, ~") != NULL);
	EXPECT_TRUE(strstr(text, "\r\033[K") != NULL);
	free(text);
	snprintf(cmd, sizeof(cmd),
		 "script -qec '%s run %s --backend sim --reps 3 --no-plots "
		 "--quiet --out %s.run' /dev/null >%s 2>&1",
		 prog, scn, scn, out);
	EXPECT_EQ_INT(system(cmd), 0);
	text = qemu_slurp_file(out);
	EXPECT_TRUE(strstr(text, "repetitions: 3 measured") != NULL);
	EXPECT_TRUE(strstr(text, "\033[K") == NULL);
	free(text);
	unlink(out);
	snprintf(cmd, sizeof(cmd), "rm -rf %s.run", scn);
	EXPECT_EQ_INT(system(cmd), 0);
	qemu_temp_free(scn);
}
