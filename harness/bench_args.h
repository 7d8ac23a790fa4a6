/*
 * The options of `faultline bench` and `faultline compare`, parsed and
 * checked before anything runs: both take scenarios and the options of
 * `faultline run` that say how to run them (--backend, --policy, --reps,
 * --warmup, --set, --timeout); compare adds what it compares (--vs-policy,
 * or --base REV) and how (--runs). A mistake is a usage error naming the
 * argument and saying why.
 */
#ifndef FAULTLINE_HARNESS_BENCH_ARGS_H
#define FAULTLINE_HARNESS_BENCH_ARGS_H

#include <stddef.h>

#include "backend.h"
#include "bench_run.h"

/** Most scenarios one command takes. */
#define BENCH_ARGS_MAX_SCENARIOS 32
/** Repetitions per side a comparison collects by default (DESIGN.md). */
#define BENCH_ARGS_COMPARE_REPS 9
/** Repetitions of each scenario `faultline bench` runs by default. */
#define BENCH_ARGS_BENCH_REPS 9
/** Runs (QEMU boots) per side of a comparison by default. */
#define BENCH_ARGS_COMPARE_RUNS 3
/** Most runs per side. */
#define BENCH_ARGS_MAX_RUNS 100

/** Which command the options are for. */
enum bench_args_cmd {
	BENCH_ARGS_BENCH,
	BENCH_ARGS_COMPARE,
};

/** Parsed options. */
struct bench_args {
	enum bench_args_cmd cmd;
	const char *scenarios[BENCH_ARGS_MAX_SCENARIOS];
	unsigned nscenarios;
	enum backend backend;
	/** --policy (bench: every run; compare: side A, or both with --base). */
	const char *policy;
	/** compare: --vs-policy, side B's policy. */
	const char *vs_policy;
	/** --append "k=v ..." hypervisor boot arguments (compare: both sides). */
	const char *append;
	/** compare: --vs-append, side B's boot arguments instead. */
	const char *vs_append;
	/** compare: --base REV, the build of side A. */
	const char *base;
	/** bench: repetitions per scenario; compare: samples per side. */
	unsigned reps;
	/** compare: runs per side the repetitions are spread over. */
	unsigned runs;
	unsigned warmup;
	bool warmup_given;
	const char *sets[BENCH_RUN_MAX_SETS];
	unsigned nsets;
	/** --timeout SECONDS as given (checked), or NULL. */
	const char *timeout;
	/** bench: --out FILE.json; compare: --out DIR. */
	const char *out;
	/** --results DIR: the results tree, or NULL for ROOT/results. */
	const char *results;
	/** bench: --no-plots; compare: --no-plots (no CDF plots). */
	bool no_plots;
	bool help;
};

/**
 * Parses the words after the command (@argv[0] is "bench" or "compare")
 * into @a for command @cmd, defaults first. Returns 0, or -ERR_INVAL with
 * @err naming the bad argument and saying why.
 */
int bench_args_parse(enum bench_args_cmd cmd, int argc, char *const *argv,
		     struct bench_args *a, char *err, size_t err_size);

/**
 * The start of both commands: parses @argv (@argv[0] the program) into
 * @a; on a mistake prints it with a pointer to --help, on --help prints
 * the usage. Returns -1 when the command should go on, else the exit
 * status to end with (2 for a mistake, 0 after the help).
 */
int bench_args_start(enum bench_args_cmd cmd, int argc, char *const *argv,
		     struct bench_args *a);

/** The usage text of `faultline bench`. */
const char *bench_args_bench_usage(void);

/** The usage text of `faultline compare`. */
const char *bench_args_compare_usage(void);

#endif /* FAULTLINE_HARNESS_BENCH_ARGS_H */
