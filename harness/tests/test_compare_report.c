/*
 * The statistics and the report of `faultline compare` on hand-made runs:
 * medians, B/A, the U test's word (significant, not significant, too few
 * repetitions, no samples), counts per repetition, how each side's runs
 * ended, and compare.json read back.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <faultline/err.h>
#include <faultline/test.h>

#include "../compare_report.h"
#include "../json_read.h"

/* A run whose @n repetitions have fault p50 @first, @first + @step, ... */
static void crt_run(struct run_figures *rf, struct run_rep *reps, size_t n,
		    uint64_t first, uint64_t step, const char *verdict,
		    struct run_count *counts, size_t ncounts)
{
	memset(rf, 0, sizeof(*rf));
	for (size_t i = 0; i < n; i++) {
		memset(&reps[i], 0, sizeof(reps[i]));
		reps[i].number = (unsigned)i;
		reps[i].ended = true;
		reps[i].dist[RUN_DIST_FAULT] = (struct run_dist){
			.present = true,
			.n = 10,
			.p50 = first + i * step,
			.p99 = 10 * (first + i * step),
		};
	}
	rf->reps = reps;
	rf->nreps = n;
	rf->counts = counts;
	rf->ncounts = ncounts;
	snprintf(rf->verdict, sizeof(rf->verdict), "%s", verdict);
	snprintf(rf->dir, sizeof(rf->dir), "/c/runs/x/%s", verdict);
}

/* The report of one scenario, printed into a string (freed by caller). */
static char *crt_print(const struct compare_report_scenario *s)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	compare_report_print_scenario(s, f);
	fclose(f);
	return text;
}

/** Nine against nine, apart: medians, B/A, exact p = 2/48620, "significant: B higher", counts and endings. */
TEST(compare_report, significant_difference)
{
	struct run_rep ra[9], rb[9];
	struct run_count ca[] = {
		{"faults", 90}, {"bbm", 18}, {"dirty_marks", 0}};
	struct run_count cb[] = {
		{"faults", 45}, {"bbm", 0}, {"dirty_marks", 0}};
	struct run_figures a, b;
	const struct run_figures *ap[] = {&a}, *bp[] = {&b};
	struct compare_report_scenario s = {.name = "pp", .path = "pp.scn"};
	const struct compare_metric *cm;
	char *text;

	crt_run(&a, ra, 9, 100, 1, "ok", ca, 3);
	a.livelock = true;
	crt_run(&b, rb, 9, 200, 1, "ok", cb, 3);
	ASSERT_EQ_INT(compare_stats_compute(ap, 1, bp, 1, &s.st), 0);
	cm = compare_stats_metric(&s.st, RUN_METRIC_FAULT_P50);
	ASSERT_TRUE(cm != NULL);
	EXPECT_TRUE(cm->median[COMPARE_A] == 104 &&
		    cm->median[COMPARE_B] == 204);
	EXPECT_TRUE(fabs(cm->ratio - 204.0 / 104.0) < 1e-12);
	EXPECT_TRUE(cm->tested && !cm->too_few);
	EXPECT_TRUE(fabs(cm->u.p - 2.0 / 48620.0) < 1e-12);
	/* Only the metrics either side has: fault p50 and p99. */
	EXPECT_EQ(s.st.nmetrics, 2);
	EXPECT_TRUE(compare_stats_metric(&s.st, RUN_METRIC_HVC_P50) == NULL);
	EXPECT_TRUE(compare_stats_count(&s.st, "faults")->per_rep[0] == 10 &&
		    compare_stats_count(&s.st, "faults")->per_rep[1] == 5);
	s.runs[0] = ap;
	s.runs[1] = bp;
	s.nruns[0] = s.nruns[1] = 1;
	text = crt_print(&s);
	EXPECT_TRUE(strstr(text, "A: 1 run, 9 repetitions: livelock "
				 "(expected) in 1 of 1 run\n") != NULL);
	EXPECT_TRUE(strstr(text, "B: 1 run, 9 repetitions: ok in 1 of 1 "
				 "run\n") != NULL);
	EXPECT_TRUE(strstr(text, "fault p50 (EL2)                104 ns     "
				 "204 ns     1.96x    4.1e-05   significant: "
				 "B higher\n") != NULL);
	EXPECT_TRUE(strstr(text, "faults                         10         "
				 "5          0.5x\n") != NULL);
	EXPECT_TRUE(strstr(text, "bbm                            2          "
				 "0          0x\n") != NULL);
	EXPECT_TRUE(strstr(text, "unchanged per repetition: dirty_marks 0\n") !=
		    NULL);
	if (!EXPECT_TRUE(strstr(text, "not significant") == NULL)) {
		fprintf(stderr, "%s", text);
	}
	free(text);
	compare_stats_free(&s.st);
}

/** Fewer than nine a side: the values and p are shown, and "too few repetitions" says why they say little. */
TEST(compare_report, too_few_repetitions)
{
	struct run_rep ra[9], rb[3];
	struct run_figures a, b;
	const struct run_figures *ap[] = {&a}, *bp[] = {&b};
	struct compare_report_scenario s = {.name = "x", .path = "x.scn"};
	char *text;

	crt_run(&a, ra, 9, 100, 1, "ok", NULL, 0);
	crt_run(&b, rb, 3, 300, 1, "livelock", NULL, 0);
	ASSERT_EQ_INT(compare_stats_compute(ap, 1, bp, 1, &s.st), 0);
	EXPECT_TRUE(s.st.metrics[0].too_few);
	text = crt_print(&s);
	EXPECT_TRUE(strstr(text, "104 ns     301 ns") != NULL);
	EXPECT_TRUE(strstr(text, "too few repetitions (A 9, B 3; 9 wanted)") !=
		    NULL);
	EXPECT_TRUE(strstr(text, "B: 1 run, 3 repetitions: livelock in 1 of "
				 "1 run") != NULL);
	EXPECT_TRUE(strstr(text, "significant") == NULL);
	free(text);
	compare_stats_free(&s.st);
}

/** The same samples on both sides: p = 1, "not significant", B/A 1x. */
TEST(compare_report, not_significant)
{
	struct run_rep ra[9], rb[9];
	struct run_figures a, b;
	const struct run_figures *ap[] = {&a}, *bp[] = {&b};
	struct compare_report_scenario s = {.name = "x", .path = "x.scn"};
	char word[96], *text;

	crt_run(&a, ra, 9, 100, 1, "ok", NULL, 0);
	crt_run(&b, rb, 9, 100, 1, "ok", NULL, 0);
	ASSERT_EQ_INT(compare_stats_compute(ap, 1, bp, 1, &s.st), 0);
	EXPECT_TRUE(s.st.metrics[0].u.p == 1.0);
	EXPECT_STREQ(
		compare_report_verdict(&s.st.metrics[0], word, sizeof(word)),
		"not significant");
	text = crt_print(&s);
	EXPECT_TRUE(strstr(text, "104 ns     104 ns     1x       1         "
				 "not significant\n") != NULL);
	free(text);
	compare_stats_free(&s.st);
}

/** A side without a metric: its median is "-" and the test is not made. */
TEST(compare_report, no_samples_on_a_side)
{
	struct run_rep ra[9], rb[9];
	struct run_figures a, b;
	const struct run_figures *ap[] = {&a}, *bp[] = {&b};
	struct compare_report_scenario s = {.name = "x", .path = "x.scn"};
	char *text;

	crt_run(&a, ra, 9, 100, 1, "ok", NULL, 0);
	crt_run(&b, rb, 9, 100, 1, "ok", NULL, 0);
	/* Only A timed its hypercalls. */
	for (unsigned i = 0; i < 9; i++) {
		ra[i].dist[RUN_DIST_HVC] = (struct run_dist){
			.present = true, .n = 4, .p50 = 1000, .p99 = 1000};
	}
	ASSERT_EQ_INT(compare_stats_compute(ap, 1, bp, 1, &s.st), 0);
	ASSERT_TRUE(compare_stats_metric(&s.st, RUN_METRIC_HVC_P50) != NULL);
	EXPECT_TRUE(!compare_stats_metric(&s.st, RUN_METRIC_HVC_P50)->tested);
	text = crt_print(&s);
	EXPECT_TRUE(strstr(text,
			   "null hvc p50 (floor)           1.0 us     -  "
			   "        -        -         no samples on B\n") !=
		    NULL);
	free(text);
	compare_stats_free(&s.st);
}

/** How a run ended, and which endings are breakage rather than findings. */
TEST(compare_report, endings_and_breakage)
{
	struct run_figures rf;
	char what[48];

	memset(&rf, 0, sizeof(rf));
	strcpy(rf.verdict, "ok");
	EXPECT_STREQ(compare_stats_ending(&rf, what, sizeof(what)), "ok");
	rf.livelock = true;
	EXPECT_STREQ(compare_stats_ending(&rf, what, sizeof(what)),
		     "livelock (expected)");
	strcpy(rf.verdict, "livelock");
	EXPECT_STREQ(compare_stats_ending(&rf, what, sizeof(what)), "livelock");
	EXPECT_TRUE(compare_stats_broken("crashed"));
	EXPECT_TRUE(compare_stats_broken("timeout"));
	EXPECT_TRUE(compare_stats_broken("not-run"));
	EXPECT_TRUE(!compare_stats_broken("livelock"));
	EXPECT_TRUE(!compare_stats_broken("expectation-failed"));
	EXPECT_TRUE(!compare_stats_broken("ok"));
}

/** p as the table shows it. */
TEST(compare_report, p_format)
{
	char p[32];

	EXPECT_STREQ(compare_report_p(0.031234, p, sizeof(p)), "0.031");
	EXPECT_STREQ(compare_report_p(1.0, p, sizeof(p)), "1");
	EXPECT_STREQ(compare_report_p(4.1135e-05, p, sizeof(p)), "4.1e-05");
	EXPECT_STREQ(compare_report_p(NAN, p, sizeof(p)), "-");
}

/** compare.json read back: sides, runs, each metric's samples, medians and test. */
TEST(compare_report, json_roundtrip)
{
	struct run_rep ra[9], rb[9];
	struct run_figures a, b;
	const struct run_figures *ap[] = {&a}, *bp[] = {&b};
	struct compare_report_scenario sc = {.name = "pp", .path = "pp.scn"};
	struct compare_report r = {.backend = "qemu",
				   .reps = 9,
				   .runs = 1,
				   .dir = "/c",
				   .sc = &sc,
				   .nsc = 1};
	char path[] = "/tmp/faultline-compare-XXXXXX", err[256];
	const struct json_node *m, *runs;
	struct json_node root;
	double v;
	int fd;

	strcpy(r.side[0].label, "policy legacy");
	strcpy(r.side[1].label, "policy prejudge");
	crt_run(&a, ra, 9, 100, 1, "ok", NULL, 0);
	crt_run(&b, rb, 9, 200, 1, "ok", NULL, 0);
	sc.runs[0] = ap;
	sc.runs[1] = bp;
	sc.nruns[0] = sc.nruns[1] = 1;
	ASSERT_EQ_INT(compare_stats_compute(ap, 1, bp, 1, &sc.st), 0);
	fd = mkstemp(path);
	ASSERT_TRUE(fd >= 0);
	close(fd);
	ASSERT_EQ_INT(compare_report_json(&r, path), 0);
	ASSERT_EQ_INT(json_read_file(path, &root, err, sizeof(err)), 0);
	unlink(path);
	EXPECT_STREQ(json_read_str(json_read_path(&root, "a.label"), ""),
		     "policy legacy");
	m = json_read_get(&root, "scenarios");
	ASSERT_TRUE(m != NULL && m->n == 1);
	runs = json_read_path(&m->items[0], "a.runs");
	ASSERT_TRUE(runs != NULL && runs->n == 1);
	/* Run directories are shown from the comparison's directory. */
	EXPECT_STREQ(json_read_str(json_read_get(&runs->items[0], "dir"), ""),
		     "runs/x/ok");
	m = json_read_get(&m->items[0], "metrics");
	ASSERT_TRUE(m != NULL && m->n == 2);
	m = &m->items[0];
	EXPECT_STREQ(json_read_str(json_read_get(m, "name"), ""), "fault_p50");
	EXPECT_TRUE(json_read_num(json_read_path(m, "a.median"), &v) &&
		    v == 104);
	EXPECT_TRUE(json_read_path(m, "b.samples") != NULL &&
		    json_read_path(m, "b.samples")->n == 9);
	EXPECT_TRUE(json_read_num(json_read_path(m, "u_test.p"), &v) &&
		    fabs(v - 2.0 / 48620.0) < 1e-8);
	EXPECT_STREQ(json_read_str(json_read_path(m, "u_test.method"), ""),
		     "exact");
	EXPECT_TRUE(json_read_get(m, "significant")->boolean);
	EXPECT_STREQ(json_read_str(json_read_get(m, "verdict"), ""),
		     "significant: B higher");
	json_read_free(&root);
	compare_stats_free(&sc.st);
}
