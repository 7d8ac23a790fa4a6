/*
 * Scenario runs as Google Benchmark JSON, parsed back with the harness's
 * JSON reader: the context block, one entry per repetition and metric
 * numbered on across runs, the times and counters, and a failed run's
 * entries with error_occurred as Google Benchmark writes them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <faultline/err.h>
#include <faultline/test.h>

#include "../gbench_json.h"
#include "../json_read.h"

/* A repetition with fault p50/p99 and an hvc floor. */
static struct run_rep gbt_rep(unsigned number, uint64_t p50, uint64_t p99)
{
	struct run_rep r = {.number = number, .ended = true};

	r.dist[RUN_DIST_FAULT] = (struct run_dist){.present = true,
						   .n = 100,
						   .p50 = p50,
						   .p90 = p99,
						   .p99 = p99,
						   .max = p99 * 2};
	r.dist[RUN_DIST_HVC] = (struct run_dist){
		.present = true, .n = 16, .p50 = 1000, .p99 = 1100};
	r.ratio = (double)p50 / 1000.0;
	r.has_ratio = true;
	r.faults = 100;
	r.bbm = 3;
	r.tlbi = 5;
	r.retries = 2;
	r.has_retries = true;
	return r;
}

/* Writes @n scenarios into a temporary file and parses it into @root. */
static bool gbt_roundtrip(const struct gbench_scenario *s, size_t n,
			  struct json_node *root)
{
	char path[] = "/tmp/faultline-gbench-XXXXXX";
	struct gbench_context c = {.executable = "build/faultline"};
	char err[256];
	int fd = mkstemp(path);
	bool ok;

	if (fd < 0) {
		return false;
	}
	close(fd);
	gbench_context_add(&c, "faultline_backend", "qemu");
	gbench_context_add(&c, "faultline_skipped", NULL);
	ok = gbench_json_write_file(path, &c, s, n) == 0 &&
	     json_read_file(path, root, err, sizeof(err)) == 0;
	unlink(path);
	return ok;
}

/* Entry @i of the benchmarks array. */
static const struct json_node *gbt_entry(const struct json_node *root, size_t i)
{
	const struct json_node *b = json_read_get(root, "benchmarks");

	return b != NULL && i < b->n ? &b->items[i] : NULL;
}

static double gbt_num(const struct json_node *e, const char *key)
{
	double v = -1;

	json_read_num(json_read_get(e, key), &v);
	return v;
}

/** Two good runs: the context, then fault_p50, fault_p99 and hvc_p50 entries numbered across runs. */
TEST(gbench_json, entries_per_repetition_and_metric)
{
	struct run_rep r1[2] = {gbt_rep(0, 3000, 9000), gbt_rep(1, 3100, 9100)};
	struct run_rep r2[1] = {gbt_rep(0, 3200, 9200)};
	struct run_figures a = {.reps = r1, .nreps = 2},
			   b = {.reps = r2, .nreps = 1};
	const struct run_figures *runs[] = {&a, &b};
	struct gbench_scenario s = {"first-touch/prejudge", runs, 2};
	const struct json_node *ctx, *e, *b0;
	struct json_node root;

	strcpy(a.verdict, "ok");
	strcpy(b.verdict, "ok");
	ASSERT_TRUE(gbt_roundtrip(&s, 1, &root));
	ctx = json_read_get(&root, "context");
	ASSERT_TRUE(ctx != NULL);
	EXPECT_STREQ(json_read_str(json_read_get(ctx, "executable"), ""),
		     "build/faultline");
	EXPECT_STREQ(
		json_read_str(json_read_get(ctx, "library_build_type"), ""),
		"release");
	EXPECT_STREQ(json_read_str(json_read_get(ctx, "faultline_backend"), ""),
		     "qemu");
	EXPECT_TRUE(json_read_get(ctx, "faultline_skipped") == NULL);
	EXPECT_TRUE(gbt_num(ctx, "num_cpus") >= 1);
	EXPECT_TRUE(json_read_get(ctx, "date") != NULL &&
		    json_read_get(ctx, "host_name") != NULL &&
		    json_read_get(ctx, "caches") != NULL);
	b0 = json_read_get(&root, "benchmarks");
	/* 3 metrics (fault p50, p99, hvc p50; no access) x 3 repetitions. */
	ASSERT_TRUE(b0 != NULL && b0->n == 9);
	e = gbt_entry(&root, 0);
	EXPECT_STREQ(json_read_str(json_read_get(e, "name"), ""),
		     "first-touch/prejudge/fault_p50");
	EXPECT_STREQ(json_read_str(json_read_get(e, "run_name"), ""),
		     "first-touch/prejudge/fault_p50");
	EXPECT_STREQ(json_read_str(json_read_get(e, "run_type"), ""),
		     "iteration");
	EXPECT_STREQ(json_read_str(json_read_get(e, "time_unit"), ""), "ns");
	EXPECT_TRUE(gbt_num(e, "real_time") == 3000 &&
		    gbt_num(e, "cpu_time") == 3000);
	EXPECT_TRUE(gbt_num(e, "iterations") == 100);
	EXPECT_TRUE(gbt_num(e, "repetitions") == 3);
	EXPECT_TRUE(gbt_num(e, "repetition_index") == 0);
	EXPECT_TRUE(gbt_num(e, "family_index") == 0);
	EXPECT_TRUE(gbt_num(e, "p99") == 9000 && gbt_num(e, "faults") == 100 &&
		    gbt_num(e, "bbm") == 3 && gbt_num(e, "tlbi") == 5 &&
		    gbt_num(e, "retries") == 2);
	EXPECT_TRUE(gbt_num(e, "fault_over_hvc") == 3.0);
	EXPECT_TRUE(json_read_get(e, "error_occurred") == NULL);
	/* The second run's repetition follows the first run's two. */
	e = gbt_entry(&root, 2);
	EXPECT_TRUE(gbt_num(e, "repetition_index") == 2 &&
		    gbt_num(e, "real_time") == 3200);
	EXPECT_STREQ(json_read_str(json_read_get(e, "label"), ""),
		     "run 2 rep 0");
	e = gbt_entry(&root, 3);
	EXPECT_STREQ(json_read_str(json_read_get(e, "name"), ""),
		     "first-touch/prejudge/fault_p99");
	EXPECT_TRUE(gbt_num(e, "real_time") == 9000 &&
		    gbt_num(e, "family_index") == 1);
	e = gbt_entry(&root, 8);
	EXPECT_STREQ(json_read_str(json_read_get(e, "name"), ""),
		     "first-touch/prejudge/hvc_p50");
	EXPECT_TRUE(gbt_num(e, "real_time") == 1000 &&
		    gbt_num(e, "iterations") == 16);
	json_read_free(&root);
}

/**
 * A failed run: its repetitions are error entries with zero times; one
 * without repetitions still gets one. A livelock the scenario expects is
 * no failure: its repetitions are entries like any other.
 */
TEST(gbench_json, failed_runs_are_error_entries)
{
	struct run_rep r1[1] = {gbt_rep(0, 200000, 600000)};
	struct run_rep r2[1] = {gbt_rep(0, 300000, 700000)};
	struct run_figures a = {.reps = r1, .nreps = 1, .livelock = true};
	struct run_figures failed = {.reps = r2, .nreps = 1};
	struct run_figures crashed = {.nreps = 0};
	const struct run_figures *runs[] = {&a};
	const struct run_figures *bad[] = {&failed};
	const struct run_figures *bare[] = {&crashed};
	struct gbench_scenario s[] = {{"pp/legacy", runs, 1},
				      {"ff/prejudge", bad, 1},
				      {"boom/prejudge", bare, 1}};
	const struct json_node *e, *b;
	struct json_node root;
	const char *msg;

	strcpy(a.verdict, "ok");
	strcpy(a.dir, "/r/pp");
	strcpy(failed.verdict, "expectation-failed");
	strcpy(failed.dir, "/r/ff");
	strcpy(crashed.verdict, "crashed");
	strcpy(crashed.dir, "/r/boom");
	ASSERT_TRUE(gbt_roundtrip(s, 3, &root));
	b = json_read_get(&root, "benchmarks");
	/* pp and ff: fault p50, p99, hvc p50 (one repetition each); boom: one. */
	ASSERT_TRUE(b != NULL && b->n == 7);
	e = gbt_entry(&root, 0);
	EXPECT_STREQ(json_read_str(json_read_get(e, "name"), ""),
		     "pp/legacy/fault_p50");
	EXPECT_TRUE(json_read_get(e, "error_occurred") == NULL);
	EXPECT_TRUE(gbt_num(e, "real_time") == 200000);
	e = gbt_entry(&root, 3);
	EXPECT_STREQ(json_read_str(json_read_get(e, "name"), ""),
		     "ff/prejudge/fault_p50");
	EXPECT_TRUE(json_read_get(e, "error_occurred") != NULL &&
		    json_read_get(e, "error_occurred")->boolean);
	msg = json_read_str(json_read_get(e, "error_message"), "");
	EXPECT_TRUE(strstr(msg, "expectation-failed") != NULL);
	EXPECT_TRUE(strstr(msg, "/r/ff") != NULL);
	EXPECT_TRUE(gbt_num(e, "real_time") == 0 &&
		    gbt_num(e, "iterations") == 0);
	/* Its figures stay as counters. */
	EXPECT_TRUE(gbt_num(e, "p50") == 300000 && gbt_num(e, "bbm") == 3);
	e = gbt_entry(&root, 6);
	EXPECT_STREQ(json_read_str(json_read_get(e, "name"), ""),
		     "boom/prejudge/fault_p50");
	EXPECT_TRUE(strstr(json_read_str(json_read_get(e, "error_message"), ""),
			   "crashed in /r/boom") != NULL);
	EXPECT_TRUE(gbt_num(e, "repetitions") == 1 &&
		    gbt_num(e, "family_index") == 6);
	json_read_free(&root);
}

/** compare.py (Google Benchmark's tools) reads the file, when it and scipy are installed. */
TEST(gbench_json, compare_py_reads_it)
{
	static const char compare[] = "/usr/share/benchmark/compare.py";
	struct run_rep r1[2] = {gbt_rep(0, 3000, 9000), gbt_rep(1, 3100, 9100)};
	struct run_figures a = {.reps = r1, .nreps = 2};
	const struct run_figures *runs[] = {&a};
	struct gbench_scenario s = {"x/prejudge", runs, 1};
	struct gbench_context c = {.executable = "faultline"};
	char path[] = "/tmp/faultline-gbench-XXXXXX";
	char cmd[512];
	int fd, status;

	if (access(compare, R_OK) != 0 ||
	    system("/usr/bin/python3 -c 'import scipy' 2>/dev/null") != 0) {
		TEST_SKIP("compare.py or scipy not installed "
			  "(libbenchmark-tools, python3-scipy)");
	}
	strcpy(a.verdict, "ok");
	fd = mkstemp(path);
	ASSERT_TRUE(fd >= 0);
	close(fd);
	ASSERT_EQ_INT(gbench_json_write_file(path, &c, &s, 1), 0);
	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 %s benchmarks %s %s 2>&1 | "
		 "grep -q 'x/prejudge/fault_p50'",
		 compare, path, path);
	status = system(cmd);
	EXPECT_EQ_INT(status, 0);
	unlink(path);
}
