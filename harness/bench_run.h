/*
 * One measured run of a scenario for `faultline bench` and `faultline
 * compare`: a complete `faultline run` into a directory of the caller's
 * choosing, with its summary going to DIR/run.log instead of the
 * terminal (the caller prints one line of progress per run).
 *
 * It runs in this process through the run pipeline (run_one()), or, for
 * the base of a comparison of two builds, as that build's own program
 * (`BASE/build/faultline run ...`): an older build writes its own plan
 * format for its own hypervisor, so only its faultline can run it.
 */
#ifndef FAULTLINE_HARNESS_BENCH_RUN_H
#define FAULTLINE_HARNESS_BENCH_RUN_H

#include "backend.h"
#include "paths.h"
#include "scenario.h"

/** Longest --set list a run takes (as `faultline run`). */
#define BENCH_RUN_MAX_SETS SCN_MAX_PARAMS

/** What one run is asked to do. */
struct bench_run_spec {
	/** The scenario: a file, or a name in scenarios/. */
	const char *scenario;
	/** --policy NAME for every VM, or NULL for the scenario's. */
	const char *policy;
	enum backend backend;
	/** Measured repetitions (0: the scenario's). */
	unsigned reps;
	/** Warm-up repetitions, when @warmup_given. */
	unsigned warmup;
	bool warmup_given;
	/** NAME=VALUE parameter values, as --set takes them. */
	const char *sets[BENCH_RUN_MAX_SETS];
	unsigned nsets;
	/** --append "k=v ..." boot arguments, or NULL. */
	const char *append;
	/** --timeout SECONDS as given, or NULL. */
	const char *timeout;
	/** Draw the run's gnuplot plots. */
	bool plots;
	/** The run directory (made when missing). */
	const char *dir;
	/**
	 * Another build's faultline to run (the base of a comparison), or
	 * NULL to run in this process.
	 */
	const char *faultline;
	/**
	 * With @faultline: the most the program may take in all, in ms (its
	 * own watchdog ends the backend sooner; this ends the program).
	 */
	unsigned limit_ms;
};

/** How one run ended. */
struct bench_run_result {
	/** faultline's exit status for the run, or -1 when it did not exit. */
	int status;
	/** Ctrl-C (SIGINT/SIGTERM) ended it: the caller should stop too. */
	bool interrupted;
	/** The program could not be started (@faultline runs only). */
	bool not_started;
	/** The log: DIR/run.log. */
	char log[PATHS_MAX];
	/** The end of what the program wrote on stderr (@faultline runs). */
	char stderr_tail[1024];
};

/** What bench_run_check() found out about a run's scenario. */
struct bench_run_scenario {
	/** The scenario's own name (its `scenario` line). */
	char name[SCN_NAME_MAX];
	/** The first VM's policy in the run: --policy, or the scenario's. */
	char policy[16];
	/** The scenario file, absolute (for another build's faultline). */
	char path[PATHS_MAX];
	/** The run's watchdog in ms: the deadline per repetition, and slack. */
	unsigned timeout_ms;
	/** The vCPUs' deadline of one repetition, in ms. */
	uint64_t deadline_ms;
	/** Warm-up repetitions each run makes (--warmup, or the scenario's). */
	unsigned warmup;
};

/**
 * Checks @spec as `faultline run` would before running it: the scenario
 * found and parsed with the --set values, the policy, the repetitions,
 * the timeout; what it found into @out. The error (file:line:col for a
 * bad scenario) goes to stderr. Returns 0 or a negative error.
 */
int bench_run_check(const struct bench_run_spec *spec,
		    struct bench_run_scenario *out);

/**
 * The `faultline run` command line for @spec, without the program's
 * name: "run SCENARIO --out DIR --quiet ..." into @argv (up to @max
 * words, NULL-terminated); the words' text goes into @buf (@size bytes).
 * Returns the number of words, or -ERR_RANGE when they do not fit.
 */
int bench_run_argv(const struct bench_run_spec *spec, char **argv, int max,
		   char *buf, size_t size);

/**
 * Runs @spec to its end into @res. Returns 0 when the run happened
 * (whatever its verdict: see @res->status and the run directory), or a
 * negative error when it could not (the directory or log cannot be made,
 * the program cannot be started), said on stderr.
 */
int bench_run(const struct bench_run_spec *spec, struct bench_run_result *res);

#endif /* FAULTLINE_HARNESS_BENCH_RUN_H */
