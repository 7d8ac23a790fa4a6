/*
 * The figures of one finished scenario run, read back from its run
 * directory (summary.json, latency.csv, guest_latency.csv: docs/
 * results.md) for `faultline bench` and `faultline compare`. Reading the
 * files rather than the run's memory lets both treat a run of this build
 * and a run of another build (an older faultline, run as a program) alike.
 *
 * The samples a comparison works on are the measured repetitions
 * (summary.json's repetitions.per_rep): one value per repetition and
 * metric. The run's counts (faults, BBMs, ...) are summary.json's
 * fault_path figures, which leave the warm-ups out too.
 */
#ifndef FAULTLINE_HARNESS_RUN_FIGURES_H
#define FAULTLINE_HARNESS_RUN_FIGURES_H

#include <stddef.h>

#include <faultline/types.h>

#include "latency_csv_read.h"
#include "paths.h"

/** The metrics of a repetition that benchmarks and comparisons report. */
enum run_metric {
	/** Stage-2 fault latency, EL2 entry to exit: p50 and p99. */
	RUN_METRIC_FAULT_P50,
	RUN_METRIC_FAULT_P99,
	/** The guest's own timing of its reads, writes, executes: p50. */
	RUN_METRIC_ACCESS_P50,
	/** Guest-timed accesses that took a stage-2 fault: p50 (newer runs). */
	RUN_METRIC_FAULTING_ACCESS_P50,
	/** The null-hvc floor (a trap to EL2 and back): p50. */
	RUN_METRIC_HVC_P50,
	/** fault p50 / hvc p50: EL2 handling time over a trap round trip. */
	RUN_METRIC_FAULT_OVER_HVC,
	/**
	 * faulting access p50 / hvc p50: what a fault costs the guest, in
	 * trap round trips (newer runs).
	 */
	RUN_METRIC_FAULTING_OVER_HVC,
	RUN_METRIC_COUNT
};

/** A latency distribution of summary.json ({n, min, p50, ...}). */
struct run_dist {
	bool present;
	uint64_t n;
	uint64_t min;
	uint64_t p50;
	uint64_t p90;
	uint64_t p99;
	uint64_t max;
};

/** The distributions a repetition (or a run) has, by kind. */
enum run_dist_kind {
	RUN_DIST_FAULT,
	RUN_DIST_ACCESS,
	RUN_DIST_FAULTING_ACCESS,
	RUN_DIST_HVC,
	RUN_DIST_COUNT
};

/** One measured repetition. */
struct run_rep {
	/** Its `rep` record's number (warm-ups count). */
	unsigned number;
	/** False when the trace stopped inside it (a livelock, a crash). */
	bool ended;
	struct run_dist dist[RUN_DIST_COUNT];
	/** fault p50 / hvc p50 as summary.json gives it, when @has_ratio. */
	double ratio;
	bool has_ratio;
	/** faulting access p50 / hvc p50, when @has_faulting_ratio. */
	double faulting_ratio;
	bool has_faulting_ratio;
	/** Its faults, BBMs, TLBIs. */
	uint64_t faults;
	uint64_t bbm;
	uint64_t tlbi;
	/** Faults with outcome retry (from latency.csv), when @has_retries. */
	uint64_t retries;
	bool has_retries;
};

/** Longest count name ("outcome.dirty_logged"). */
#define RUN_COUNT_NAME_MAX 48

/** One count of the whole run (measured repetitions). */
struct run_count {
	char name[RUN_COUNT_NAME_MAX];
	uint64_t value;
};

/** A run, as its directory tells it. */
struct run_figures {
	char dir[PATHS_MAX];
	char scenario[64];
	/** The first VM's policy, "qemu"/"sim", verdicts as summary.json. */
	char policy[16];
	char backend[8];
	char verdict[32];
	char backend_verdict[32];
	/** The backend's exit status, or -1 when it did not exit. */
	int exit_status;
	double duration_s;
	/** Repetitions asked for: measured and warm-up. */
	unsigned reps_asked;
	unsigned warmup;
	/** The measured repetitions found, in order. */
	struct run_rep *reps;
	size_t nreps;
	/** The run's counts: faults, bbm, tlbi, ..., then outcome.NAME. */
	struct run_count *counts;
	size_t ncounts;
	/** The hypervisor stopped a VM for a livelock (expected or not). */
	bool livelock;
	/** The whole run's distributions (all measured repetitions). */
	struct run_dist dist[RUN_DIST_COUNT];
	/** The latency files' samples (have_faults/have_accesses say if read). */
	struct latency_read samples;
};

/** The metric's name in JSON and benchmark names ("fault_p50"). */
const char *run_metric_name(enum run_metric m);

/** The metric as the table shows it ("fault p50 (EL2)"). */
const char *run_metric_title(enum run_metric m);

/** True for a ratio (no unit), false for a time in nanoseconds. */
bool run_metric_is_ratio(enum run_metric m);

/** The distribution a latency metric is a percentile of. */
enum run_dist_kind run_metric_dist(enum run_metric m);

/**
 * The value of metric @m in repetition @rep into *@out; false when the
 * repetition has no such figure (no faults, an older summary.json).
 */
bool run_rep_metric(const struct run_rep *rep, enum run_metric m, double *out);

/**
 * Reads the run in directory @dir into @rf (zeroed first; released with
 * run_figures_free() in every case). Returns 0; -ERR_IO when summary.json
 * cannot be read or parsed; -ERR_NOTSUP when it has no per-repetition
 * figures (a faultline older than them, or not a scenario run). @err says
 * what is wrong and where. The latency files are read when present: their
 * failure is no error (@rf->samples says what was read).
 */
int run_figures_load(const char *dir, struct run_figures *rf, char *err,
		     size_t err_size);

/** The count named @name (0 when the run has none of it). */
uint64_t run_figures_count(const struct run_figures *rf, const char *name);

/**
 * Whether the run failed as a benchmark: a verdict other than ok (a
 * livelock the scenario expects is ok, as for `faultline run`; its
 * livelocked repetition is cut short). The verdict into @why ("crashed",
 * "ok (livelock, expected)").
 */
bool run_figures_failed(const struct run_figures *rf, char *why, size_t size);

/** Frees what @rf holds. */
void run_figures_free(struct run_figures *rf);

#endif /* FAULTLINE_HARNESS_RUN_FIGURES_H */
