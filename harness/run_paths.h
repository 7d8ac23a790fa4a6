/*
 * The files of one run: the hypervisor image and the QEMU binary (both
 * checked before anything starts, with an error that says what to do),
 * and the run directory with the names of everything in it.
 */
#ifndef FAULTLINE_HARNESS_RUN_PATHS_H
#define FAULTLINE_HARNESS_RUN_PATHS_H

#include "paths.h"
#include "run_args.h"

/** The paths of one run, all absolute except @shown_dir. */
struct run_paths {
	/** The repository root. */
	char root[PATHS_MAX];
	/** The hypervisor image (-kernel). */
	char hyp[PATHS_MAX];
	/** The QEMU binary, resolved through PATH. */
	char qemu[PATHS_MAX];
	/** The run directory (QEMU's working directory). */
	char dir[PATHS_MAX];
	/** @dir as shown to the user: relative to the cwd when inside it. */
	char shown_dir[PATHS_MAX];
	/** The serial console, as it arrived. */
	char console[PATHS_MAX];
	/** QEMU's stderr. */
	char stderr_log[PATHS_MAX];
	/** The trace the hypervisor writes through semihosting. */
	char trace[PATHS_MAX];
	char csv[PATHS_MAX];
	char summary[PATHS_MAX];
	char manifest[PATHS_MAX];
};

/**
 * Finds the repository root, the hypervisor image and QEMU for @o, and
 * creates the run directory: --out DIR (emptied of a previous run's
 * files), or a new results/NAME/RUN-ID with results/latest pointing at
 * it. Prints what is wrong on stderr. Returns 0, or -ERR_NOENT when the
 * image or QEMU is missing, -ERR_IO when the directory cannot be made.
 */
int run_paths_prepare(const struct run_options *o, struct run_paths *p);

#endif /* FAULTLINE_HARNESS_RUN_PATHS_H */
