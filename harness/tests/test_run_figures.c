/*
 * A run's figures read back from a hand-made run directory: summary.json's
 * repetitions and counts, the latency files' samples and retries, and the
 * errors for a summary.json that lacks what a comparison needs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <faultline/err.h>
#include <faultline/test.h>

#include "../run_figures.h"

/* A livelocked legacy run: two measured repetitions after one warm-up. */
static const char rft_summary[] =
	"{\"verdict\": \"ok\", \"backend_verdict\": \"livelock\",\n"
	" \"exit_status\": 8, \"scenario\": \"pp\", \"backend\": \"qemu\",\n"
	" \"policy\": \"legacy\", \"reps\": 3, \"warmup\": 1,\n"
	" \"duration_s\": 0.5, \"livelock\": {\"records\": 2},\n"
	" \"repetitions\": {\"measured\": 2, \"warmup\": 1, \"per_rep\": [\n"
	"  {\"number\": 1, \"ended\": true, \"faults\": 10, \"bbm\": 4,\n"
	"   \"tlbi\": 8, \"fault_latency_ns\": {\"n\": 10, \"min\": 100,\n"
	"   \"p50\": 200, \"p90\": 300, \"p99\": 400, \"p999\": 400,\n"
	"   \"max\": 500, \"mean\": 250.0},\n"
	"   \"access_latency_ns\": {\"n\": 5, \"min\": 900, \"p50\": 1000,\n"
	"   \"p90\": 1100, \"p99\": 1200, \"p999\": 1200, \"max\": 1200,\n"
	"   \"mean\": 1000.0},\n"
	"   \"hvc_floor_ns\": {\"n\": 4, \"min\": 40, \"p50\": 50,\n"
	"   \"p90\": 55, \"p99\": 60, \"p999\": 60, \"max\": 60, \"mean\": "
	"50},\n"
	"   \"fault_p50_over_hvc_p50\": 4.0},\n"
	"  {\"number\": 2, \"ended\": false, \"faults\": 3, \"bbm\": 2,\n"
	"   \"tlbi\": 4, \"fault_latency_ns\": {\"n\": 3, \"min\": 150,\n"
	"   \"p50\": 160, \"p90\": 170, \"p99\": 170, \"p999\": 170,\n"
	"   \"max\": 170, \"mean\": 160.0},\n"
	"   \"faulting_access_latency_ns\": {\"n\": 1, \"min\": 7000,\n"
	"   \"p50\": 7000, \"p90\": 7000, \"p99\": 7000, \"p999\": 7000,\n"
	"   \"max\": 7000, \"mean\": 7000.0},\n"
	"   \"access_latency_ns\": null, \"hvc_floor_ns\": null,\n"
	"   \"fault_p50_over_hvc_p50\": null}]},\n"
	" \"fault_path\": {\"faults\": 13, \"bbm\": {\"breaks\": 6},\n"
	"  \"tlbi\": {\"total\": 12}, \"backoffs\": {\"total\": 1},\n"
	"  \"dirty_marks\": 2, \"pte_writes\": 30,\n"
	"  \"by_outcome\": {\"mapped\": 1, \"remapped\": 10, \"retry\": 2},\n"
	"  \"fault_latency_ns\": {\"n\": 13, \"min\": 100, \"p50\": 200,\n"
	"  \"p90\": 300, \"p99\": 400, \"p999\": 400, \"max\": 500,\n"
	"  \"mean\": 230.0}}}\n";

/* Warm-up rows (rep 0) and a damaged row are left out. */
static const char rft_latency[] =
	"cpu,vcpu,vmid,ipa,kind,access,outcome,policy,rep,warmup,start_ns,"
	"latency_ns\n"
	"0,0,1,0x80000000,translation,write,retry,legacy,0,true,10,999\n"
	"0,0,1,0x80000000,translation,write,mapped,legacy,1,false,20,200\n"
	"1,1,1,0x80000000,translation,read,retry,legacy,1,false,30,300\n"
	"1,1,1,0x80000000,translation,read,retry,legacy,2,false,40,150\n"
	"0,0,1,0x80000000,translation,read,retry,legacy,2,false,50,160\n"
	"0,0,1,0x80000000,translation\n";

/* The null hvcs are the floor, not accesses. */
static const char rft_guest[] = "vcpu,op,ipa,access,rep,warmup,start_ns,"
				"latency_ns\n"
				"0,1,0x0,hvc,1,false,5,50\n"
				"0,2,0x80000000,write,1,false,10,1000\n"
				"1,3,0x80000000,read,2,false,20,900\n"
				"1,4,0x80000000,read,0,true,1,123\n";

/* Writes @text to DIR/@name. */
static bool rft_write(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL) {
		return false;
	}
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok;
}

/* Removes what the tests wrote into @dir, and @dir. */
static void rft_clean(const char *dir)
{
	static const char *const names[] = {"summary.json", "latency.csv",
					    "guest_latency.csv"};
	char path[512];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		unlink(path);
	}
	rmdir(dir);
}

/** Repetitions, metrics, counts, verdicts and the latency files of a run directory. */
TEST(run_figures, reads_a_run_directory)
{
	char dir[] = "/tmp/faultline-figures-XXXXXX";
	char err[512], why[64];
	struct run_figures rf;
	double v;

	ASSERT_TRUE(mkdtemp(dir) != NULL);
	ASSERT_TRUE(rft_write(dir, "summary.json", rft_summary));
	ASSERT_TRUE(rft_write(dir, "latency.csv", rft_latency));
	ASSERT_TRUE(rft_write(dir, "guest_latency.csv", rft_guest));
	ASSERT_EQ_INT(run_figures_load(dir, &rf, err, sizeof(err)), 0);
	EXPECT_STREQ(rf.scenario, "pp");
	EXPECT_STREQ(rf.policy, "legacy");
	EXPECT_STREQ(rf.verdict, "ok");
	EXPECT_STREQ(rf.backend_verdict, "livelock");
	EXPECT_EQ_INT(rf.exit_status, 8);
	EXPECT_EQ(rf.reps_asked, 3);
	EXPECT_EQ(rf.warmup, 1);
	EXPECT_TRUE(rf.livelock);
	ASSERT_EQ(rf.nreps, 2);
	EXPECT_EQ(rf.reps[0].number, 1);
	EXPECT_TRUE(rf.reps[0].ended && !rf.reps[1].ended);
	EXPECT_TRUE(run_rep_metric(&rf.reps[0], RUN_METRIC_FAULT_P50, &v) &&
		    v == 200);
	EXPECT_TRUE(run_rep_metric(&rf.reps[0], RUN_METRIC_FAULT_P99, &v) &&
		    v == 400);
	EXPECT_TRUE(run_rep_metric(&rf.reps[0], RUN_METRIC_ACCESS_P50, &v) &&
		    v == 1000);
	EXPECT_TRUE(run_rep_metric(&rf.reps[0], RUN_METRIC_HVC_P50, &v) &&
		    v == 50);
	EXPECT_TRUE(
		run_rep_metric(&rf.reps[0], RUN_METRIC_FAULT_OVER_HVC, &v) &&
		v == 4.0);
	EXPECT_TRUE(!run_rep_metric(&rf.reps[0], RUN_METRIC_FAULTING_ACCESS_P50,
				    &v));
	/* The second repetition: null distributions are absent, not 0. */
	EXPECT_TRUE(!run_rep_metric(&rf.reps[1], RUN_METRIC_ACCESS_P50, &v));
	EXPECT_TRUE(
		!run_rep_metric(&rf.reps[1], RUN_METRIC_FAULT_OVER_HVC, &v));
	EXPECT_TRUE(run_rep_metric(&rf.reps[1], RUN_METRIC_FAULTING_ACCESS_P50,
				   &v) &&
		    v == 7000);
	EXPECT_EQ(rf.reps[1].faults, 3);
	EXPECT_EQ(rf.reps[1].bbm, 2);
	EXPECT_EQ(rf.reps[1].tlbi, 4);
	/* Retries per repetition, from latency.csv (the warm-up's left out). */
	EXPECT_TRUE(rf.reps[0].has_retries && rf.reps[0].retries == 1);
	EXPECT_TRUE(rf.reps[1].has_retries && rf.reps[1].retries == 2);
	EXPECT_EQ(rf.samples.faults.n, 4);
	EXPECT_EQ(rf.samples.bad_rows, 1);
	ASSERT_EQ(rf.samples.accesses.n, 2);
	EXPECT_EQ(rf.samples.accesses.v[0], 1000);
	EXPECT_EQ(run_figures_count(&rf, "faults"), 13);
	EXPECT_EQ(run_figures_count(&rf, "bbm"), 6);
	EXPECT_EQ(run_figures_count(&rf, "tlbi"), 12);
	EXPECT_EQ(run_figures_count(&rf, "backoffs"), 1);
	EXPECT_EQ(run_figures_count(&rf, "dirty_marks"), 2);
	EXPECT_EQ(run_figures_count(&rf, "outcome.retry"), 2);
	EXPECT_EQ(run_figures_count(&rf, "outcome.remapped"), 10);
	EXPECT_TRUE(rf.dist[RUN_DIST_FAULT].present &&
		    rf.dist[RUN_DIST_FAULT].n == 13);
	/* An expected livelock is the scenario's result, not a failure. */
	EXPECT_TRUE(!run_figures_failed(&rf, why, sizeof(why)));
	EXPECT_STREQ(why, "ok (livelock, expected)");
	run_figures_free(&rf);
	rft_clean(dir);
}

/** A summary.json without per-repetition figures is refused, saying so; a null one is a run without repetitions. */
TEST(run_figures, needs_per_repetition_figures)
{
	char dir[] = "/tmp/faultline-figures-XXXXXX";
	char err[512], why[64];
	struct run_figures rf;

	ASSERT_TRUE(mkdtemp(dir) != NULL);
	ASSERT_TRUE(rft_write(dir, "summary.json",
			      "{\"verdict\": \"ok\", \"scenario\": \"x\"}"));
	EXPECT_EQ_INT(run_figures_load(dir, &rf, err, sizeof(err)),
		      -ERR_NOTSUP);
	EXPECT_TRUE(strstr(err, "summary.json: no repetitions.per_rep") !=
		    NULL);
	run_figures_free(&rf);
	ASSERT_TRUE(rft_write(dir, "summary.json",
			      "{\"verdict\": \"crashed\", \"repetitions\": "
			      "null, \"fault_path\": null}"));
	ASSERT_EQ_INT(run_figures_load(dir, &rf, err, sizeof(err)), 0);
	EXPECT_EQ(rf.nreps, 0);
	EXPECT_TRUE(run_figures_failed(&rf, why, sizeof(why)));
	EXPECT_STREQ(why, "crashed");
	run_figures_free(&rf);
	/* Damaged JSON: an I/O error naming the file. */
	ASSERT_TRUE(rft_write(dir, "summary.json", "{\"verdict\": "));
	EXPECT_EQ_INT(run_figures_load(dir, &rf, err, sizeof(err)), -ERR_IO);
	EXPECT_TRUE(strstr(err, "summary.json") != NULL);
	run_figures_free(&rf);
	rft_clean(dir);
	/* No directory at all. */
	EXPECT_EQ_INT(run_figures_load(dir, &rf, err, sizeof(err)), -ERR_IO);
	run_figures_free(&rf);
}

/** A latency.csv whose header lacks a column is named, and nothing is read from it. */
TEST(run_figures, latency_csv_needs_its_columns)
{
	char dir[] = "/tmp/faultline-figures-XXXXXX";
	char path[512], err[512];
	struct latency_read r;

	memset(&r, 0, sizeof(r));
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	ASSERT_TRUE(
		rft_write(dir, "latency.csv", "cpu,rep,latency_ns\n0,1,200\n"));
	snprintf(path, sizeof(path), "%s/latency.csv", dir);
	EXPECT_EQ_INT(latency_csv_read_faults(path, &r, err, sizeof(err)),
		      -ERR_INVAL);
	EXPECT_TRUE(strstr(err, "no column 'warmup'") != NULL);
	EXPECT_TRUE(!r.have_faults);
	EXPECT_EQ(r.faults.n, 0);
	latency_read_free(&r);
	rft_clean(dir);
}
