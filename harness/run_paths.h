/*
 * The files of one run: the backend's programs (the hypervisor image and
 * QEMU, or the sim; checked before anything starts, with an error that
 * says what to do), and the run directory with the names of everything in
 * it (docs/results.md).
 */
#ifndef FAULTLINE_HARNESS_RUN_PATHS_H
#define FAULTLINE_HARNESS_RUN_PATHS_H

#include "paths.h"
#include "run_args.h"

/** The paths of one run, all absolute except @shown_dir. */
struct run_paths {
	/** The repository root. */
	char root[PATHS_MAX];
	/** The results tree (--results, or ROOT/results). */
	char results[PATHS_MAX];
	/** The hypervisor image (-kernel); QEMU runs only. */
	char hyp[PATHS_MAX];
	/** The QEMU binary, resolved through PATH; QEMU runs only. */
	char qemu[PATHS_MAX];
	/** build/faultline-sim; sim runs only. */
	char sim[PATHS_MAX];
	/** The run directory (the backend's working directory). */
	char dir[PATHS_MAX];
	/** @dir as shown to the user: relative to the cwd when inside it. */
	char shown_dir[PATHS_MAX];
	/** The serial console, as it arrived. */
	char console[PATHS_MAX];
	/** The backend's stderr: qemu-stderr.log, or sim-stderr.log. */
	char stderr_log[PATHS_MAX];
	/** The trace the hypervisor writes through semihosting. */
	char trace[PATHS_MAX];
	char csv[PATHS_MAX];
	char summary[PATHS_MAX];
	char manifest[PATHS_MAX];
	/** One row per fault, and one per guest-timed access. */
	char latency[PATHS_MAX];
	char guest_latency[PATHS_MAX];
};

/**
 * The results tree of @o (--results DIR, or ROOT/results of the
 * repository) into @out. Returns 0 or a negative error.
 */
int run_paths_results(const struct run_options *o, char *out, size_t size);

/**
 * Makes a new directory for a run or a sweep of @o: --out DIR (created if
 * needed), or a new @results/NAME/RUN-ID with @results/latest pointing at
 * it; its absolute path into @dir. Prints what is wrong on stderr.
 * Returns 0 or -ERR_IO.
 */
int run_paths_new_dir(const struct run_options *o, const char *results,
		      char *dir, size_t size);

/**
 * Finds the repository root and the backend's programs for @o, and
 * creates the run directory (run_paths_new_dir(), a previous run's files
 * removed from an --out DIR). Prints what is wrong on stderr. Returns 0,
 * or -ERR_NOENT when a program is missing, -ERR_IO when the directory
 * cannot be made.
 */
int run_paths_prepare(const struct run_options *o, struct run_paths *p);

/** @path relative to the current directory when it is inside it. */
void run_paths_shown(const char *path, char *out, size_t size);

#endif /* FAULTLINE_HARNESS_RUN_PATHS_H */
