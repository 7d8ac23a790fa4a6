/*
 * latency.csv and guest_latency.csv read back (latency_csv.h writes them,
 * docs/results.md describes them), for `faultline compare` and `faultline
 * bench`: the samples behind a run's percentiles, for plots that pool
 * several runs, and the faults whose outcome was `retry`, per repetition.
 *
 * Columns are found by the header's names, so a file from another build
 * with more or reordered columns still reads; warm-up repetitions' rows
 * are left out, as summary.json leaves them out.
 */
#ifndef FAULTLINE_HARNESS_LATENCY_CSV_READ_H
#define FAULTLINE_HARNESS_LATENCY_CSV_READ_H

#include <stddef.h>

#include <faultline/types.h>

/** A growing list of latencies in nanoseconds. */
struct latency_samples {
	uint64_t *v;
	size_t n;
	size_t cap;
};

/** The retries of one repetition (its `rep` number). */
struct latency_rep_retries {
	unsigned rep;
	uint64_t retries;
};

/** What was read. */
struct latency_read {
	/** EL2 entry-to-exit latency of each measured fault. */
	struct latency_samples faults;
	/** Guest-timed reads, writes and executes (not the null hvcs). */
	struct latency_samples accesses;
	/** Faults with outcome `retry`, per repetition seen in latency.csv. */
	struct latency_rep_retries *reps;
	size_t nreps;
	/** latency.csv, guest_latency.csv were read. */
	bool have_faults;
	bool have_accesses;
	/** Rows that could not be read (too few cells, a bad number). */
	size_t bad_rows;
};

/**
 * Appends the measured rows of latency.csv at @path to @r (faults, and
 * the retries per repetition). Returns 0, -ERR_IO when it cannot be read,
 * -ERR_INVAL when its header lacks a needed column (@err says which), or
 * -ERR_NOMEM.
 */
int latency_csv_read_faults(const char *path, struct latency_read *r, char *err,
			    size_t err_size);

/** The same for guest_latency.csv (accesses). */
int latency_csv_read_guest(const char *path, struct latency_read *r, char *err,
			   size_t err_size);

/**
 * The faults of repetition @rep whose outcome was `retry`: 0 when
 * latency.csv has none (or was not read: see @have_faults).
 */
uint64_t latency_read_retries(const struct latency_read *r, unsigned rep);

/** Frees what @r holds and zeroes it. */
void latency_read_free(struct latency_read *r);

#endif /* FAULTLINE_HARNESS_LATENCY_CSV_READ_H */
