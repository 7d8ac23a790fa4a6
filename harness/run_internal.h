/*
 * What the files of `faultline run` share: the state of one run (run.c
 * starts the backend, run_finish.c makes the results of what it left,
 * run_sweep.c runs one per value of a parameter).
 */
#ifndef FAULTLINE_HARNESS_RUN_INTERNAL_H
#define FAULTLINE_HARNESS_RUN_INTERNAL_H

#include "check_cmd.h"
#include "evidence.h"
#include "manifest.h"
#include "qemu.h"
#include "report.h"
#include "run_args.h"
#include "run_paths.h"
#include "run_scenario.h"

/** Everything one run produces, for the report and the cleanup. */
struct run_state {
	struct run_options o;
	struct run_paths p;
	/** The backend's command line (QEMU's or the sim's). */
	struct qemu_cmd cmd;
	struct proc_result res;
	struct trace_data td;
	struct summary sum;
	struct faultstats faults;
	struct check_result check;
	struct testout tests;
	struct report r;
	struct manifest m;
	/** The scenario, when the run has one (mode "plan"). */
	struct run_scenario sc;
	struct evidence ev;
	struct expect_result expects[SCN_MAX_EXPECTS];
	char plots_note[160];
	char qemu_version[256];
	char git_revision[160];
	/** The echoed console did not end with a line break. */
	bool echo_unterminated;
	/** The sweep the run is one value of (its options), or NULL. */
	const struct run_options *sweep;
};

/**
 * Runs @s->o (parsed, not a sweep): loads the scenario, prepares the run
 * directory, runs the backend, writes the results and prints the report.
 * @argc/@argv are faultline's command line, for the manifest. Returns
 * the exit status; @s keeps the results until run_state_free().
 */
int run_one(struct run_state *s, int argc, char *const *argv);

/** Releases what @s holds (not @s itself). */
void run_state_free(struct run_state *s);

/**
 * Everything after the backend ended: the trace and its statistics, the
 * latency files, the livelock's evidence, the expectations and the
 * verdict, the plots, summary.json and manifest.json, and the report on
 * stdout. Returns the exit status.
 */
int run_finish(struct run_state *s);

/**
 * Runs @o's sweep: one run per value of its parameter, each in its own
 * directory under the sweep's, then the table of them (sweep.csv,
 * sweep.json). Returns the highest exit status of the runs (2 at once
 * when the scenario or a value is rejected before anything runs).
 */
int run_sweep(const struct run_options *o, int argc, char *const *argv);

#endif /* FAULTLINE_HARNESS_RUN_INTERNAL_H */
