/*
 * The table of a sweep (`faultline run SCENARIO --sweep NAME=V1,V2,...`):
 * one row per value of the parameter with the verdict and the figures
 * that say how the fault path fared, printed, and written as sweep.csv
 * and sweep.json in the sweep's directory (docs/results.md); sweep.json
 * read back for `faultline show`.
 */
#ifndef FAULTLINE_HARNESS_SWEEP_H
#define FAULTLINE_HARNESS_SWEEP_H

#include <stdio.h>

#include "faultstats.h"
#include "run_args.h"

/** Longest "outcomes" cell: the fault outcomes and their counts. */
#define SWEEP_OUTCOMES_MAX 160

/** One run of a sweep. */
struct sweep_row {
	char value[SCN_PARAM_VALUE_MAX];
	/** Its run directory, relative to the sweep's. */
	char dir[SCN_NAME_MAX + SCN_PARAM_VALUE_MAX + 2];
	char verdict[32];
	/** faultline's exit status for the run. */
	int status;
	uint64_t faults;
	/** "mapped 1024, spurious 342, retry 4". */
	char outcomes[SWEEP_OUTCOMES_MAX];
	uint64_t bbm;
	/** Fault latency (EL2) p50 and p99 in ns, when @has_fault. */
	uint64_t fault_p50;
	uint64_t fault_p99;
	bool has_fault;
	/** Guest access latency p50 in ns, when @has_access. */
	uint64_t access_p50;
	bool has_access;
	/** Faulting guest accesses' p50 in ns, when @has_faulting. */
	uint64_t faulting_p50;
	bool has_faulting;
	/** The null-hvc floor's p50 in ns, when @has_hvc. */
	uint64_t hvc_p50;
	bool has_hvc;
	/** EL2 fault p50 / hvc p50, 0 when either is missing. */
	double ratio;
	/** Faulting access p50 / hvc p50, 0 when either is missing. */
	double faulting_ratio;
};

/** A sweep: its parameter, the scenario and backend, the runs. */
struct sweep {
	char param[SCN_NAME_MAX];
	char scenario[SCN_NAME_MAX];
	char backend[8];
	struct sweep_row rows[RUN_MAX_SWEEP];
	unsigned nrows;
};

/**
 * Fills @row for the run of @value in directory @dir with verdict
 * @verdict, exit status @status and statistics @fs (NULL: no trace).
 */
void sweep_row_fill(struct sweep_row *row, const char *value, const char *dir,
		    const char *verdict, int status,
		    const struct faultstats *fs);

/**
 * Prints the table: a title naming the parameter and @where, a header,
 * one row per run (value, verdict, faults, outcomes, BBMs, fault p50 and
 * p99, guest access p50, null-hvc floor p50, fault / floor).
 */
void sweep_print(const struct sweep *sw, const char *where, FILE *out);

/** Writes sweep.csv (a header, one row per run) to @path: 0 or -ERR_IO. */
int sweep_write_csv(const struct sweep *sw, const char *path);

/** Writes sweep.json to @path: 0 or -ERR_IO. */
int sweep_write_json(const struct sweep *sw, const char *path);

/**
 * Reads sweep.json at @path back into @sw. Returns 0, or a negative
 * error with @err saying what is wrong.
 */
int sweep_read_json(const char *path, struct sweep *sw, char *err,
		    size_t err_size);

#endif /* FAULTLINE_HARNESS_SWEEP_H */
