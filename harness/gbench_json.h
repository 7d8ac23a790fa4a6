/*
 * Scenario runs written as Google Benchmark JSON (the format of
 * `--benchmark_out_format=json`, version 1.7), so that Google Benchmark's
 * tools/compare.py reads `faultline bench` and `faultline compare` output
 * as it reads build/bench/micro.json:
 *
 *   {"context": {date, host_name, executable, num_cpus, mhz_per_cpu,
 *                cpu_scaling_enabled, caches: [], load_avg,
 *                library_build_type, faultline_...: ...},
 *    "benchmarks": [one entry per measured repetition and metric]}
 *
 * An entry is named PREFIX/METRIC (PREFIX is "same-gpa-race/prejudge" for
 * `faultline bench`, the scenario alone for the two sides of a comparison,
 * so that their names match), has run_type "iteration", its repetitions
 * and repetition_index, iterations (the samples behind the percentile),
 * and the metric in nanoseconds as both real_time and cpu_time (manual
 * time: measured by the guest or at EL2, not by a benchmark loop). User
 * counters carry the distribution's n, p50, p90, p99, max and the
 * repetition's faults, bbm, tlbi, retries and fault_over_hvc.
 *
 * A repetition of a run that failed (run_figures_failed()) is an entry
 * with error_occurred and error_message and zero times, as Google
 * Benchmark writes a benchmark that failed, with its counters still
 * there; a failed run without any repetition gets one such entry.
 */
#ifndef FAULTLINE_HARNESS_GBENCH_JSON_H
#define FAULTLINE_HARNESS_GBENCH_JSON_H

#include <stddef.h>

#include "json.h"
#include "run_figures.h"

/** Most extra string facts in a context block. */
#define GBENCH_JSON_MAX_EXTRA 12

/** What the context block says beyond the machine. */
struct gbench_context {
	/** The program that measured (faultline's path). */
	const char *executable;
	/** faultline_* facts: keys and values (NULL values are skipped). */
	const char *extra_keys[GBENCH_JSON_MAX_EXTRA];
	const char *extra_values[GBENCH_JSON_MAX_EXTRA];
	size_t nextra;
};

/** The runs of one scenario, to be written as entries. */
struct gbench_scenario {
	/** Names are PREFIX/METRIC. */
	const char *prefix;
	/** The runs, in the order they ran. */
	const struct run_figures *const *runs;
	size_t nruns;
};

/** Adds the fact @key = @value to @c (ignored when @c is full). */
void gbench_context_add(struct gbench_context *c, const char *key,
			const char *value);

/**
 * Opens the document on @w: the top-level object, the context block
 * (date and host from this machine now), and the benchmarks array.
 */
void gbench_json_begin(struct json_writer *w, const struct gbench_context *c);

/**
 * Writes the entries of @s: for each metric any of its runs has (and
 * fault_p50 when none has any but a run failed), one entry per measured
 * repetition, the runs' repetitions numbered on across runs. The family
 * index of each metric comes from *@family, which is advanced.
 */
void gbench_json_scenario(struct json_writer *w,
			  const struct gbench_scenario *s, unsigned *family);

/** Closes the array and the document: 0, or json_finish()'s error. */
int gbench_json_end(struct json_writer *w);

/**
 * Writes a whole file @path with the context @c and the scenarios @s
 * (@n of them). Returns 0, or -ERR_IO with errno set.
 */
int gbench_json_write_file(const char *path, const struct gbench_context *c,
			   const struct gbench_scenario *s, size_t n);

#endif /* FAULTLINE_HARNESS_GBENCH_JSON_H */
