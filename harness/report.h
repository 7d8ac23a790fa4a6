/*
 * What a run tells its user: summary.json in the run directory
 * (docs/results.md), and a few lines on the terminal (the verdict, the
 * boot, a crash, test results, lost events, the fault path, a livelock's
 * evidence, the scenario's expectations, where the results are).
 */
#ifndef FAULTLINE_HARNESS_REPORT_H
#define FAULTLINE_HARNESS_REPORT_H

#include <stdio.h>

#include <faultline/trace/check.h>
#include <faultline/trace/decode.h>

#include "evidence.h"
#include "expect.h"
#include "faultstats.h"
#include "proc.h"
#include "scenario.h"
#include "summary.h"
#include "testout.h"
#include "verdict.h"

/** Everything known about a finished run. */
struct report {
	/** The run directory, as shown to the user. */
	const char *dir;
	const char *mode;
	/** The scenario's name and the policy asked for, or NULL. */
	const char *scenario;
	const char *policy;
	/** "qemu" or "sim". */
	const char *backend;
	unsigned smp;
	/** Repetitions the scenario asked for, measured and warm-up. */
	unsigned reps;
	unsigned warmup;
	/** The scenario's parameter values given (--set, a sweep's value). */
	const struct scn_set *sets;
	unsigned nsets;
	/** The limit the run had, in milliseconds. */
	unsigned timeout_ms;
	/** The verdict, expectations included. */
	enum verdict verdict;
	/** The backend's own verdict (before the expectations). */
	enum verdict backend_verdict;
	/** How the backend ended. */
	const struct proc_result *proc;
	/** DIR/trace.bin existed after the run. */
	bool trace_present;
	/** trace_data_load_file()'s result (when @trace_present). */
	int trace_ret;
	/** The decoded trace (when @trace_present). */
	const struct trace_data *td;
	/** Its summary, or NULL when there was no trace. */
	const struct summary *sum;
	/** What the trace says about the fault path, or NULL. */
	const struct faultstats *faults;
	/** The EL2 test results, or NULL when the mode was not test. */
	const struct testout *tests;
	/** DIR/events.csv was written. */
	bool csv_written;
	/** The rule check of the trace, or NULL when it was not run. */
	const struct check_result *check;
	/** DIR/check.txt, its report, was written. */
	bool check_written;
	/** DIR/latency.csv and DIR/guest_latency.csv were written. */
	bool latency_written;
	/** The livelock's evidence, or NULL (none, or no trace). */
	const struct evidence *evidence;
	/** The scenario's expectations, checked; NULL when it has none. */
	const struct expect_result *expects;
	unsigned nexpects;
	/** How many of them failed. */
	unsigned expects_failed;
	/** The repetitions they were checked in one by one (0: the run). */
	unsigned expects_reps;
	/** Expectations not checked: the run left no trace to check. */
	unsigned expects_unchecked;
	/** The plots drawn into DIR/plots/, or why there are none. */
	unsigned plots;
	const char *plots_note;
};

/** QEMU's exit code in *@code when it exited normally; false otherwise. */
bool report_exit_code(const struct report *r, int *code);

/**
 * Writes summary.json for @r at @path, with @lines (the printed summary,
 * for `faultline show`; may be NULL) as its "report". Returns 0 or
 * -ERR_IO.
 */
int report_write_summary(const struct report *r, const char *lines,
			 const char *path);

/**
 * Prints the human summary of @r on @out; @color adds ANSI colours to
 * what needs attention (lost events, failures).
 */
void report_print(const struct report *r, FILE *out, bool color);

#endif /* FAULTLINE_HARNESS_REPORT_H */
