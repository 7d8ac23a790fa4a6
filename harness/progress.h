/*
 * The progress line of a long run on a terminal: the repetition the
 * console last announced ("faultline: repetition 3 of 10"), about how
 * many events the trace holds so far (its size over the 64 bytes of a
 * record: the trace is written at checkpoints, so it lags), and the time
 * elapsed; rewritten in place with a carriage return under the echoed
 * console. `faultline run` shows it only when stdout is a terminal and
 * the run is not --quiet.
 */
#ifndef FAULTLINE_HARNESS_PROGRESS_H
#define FAULTLINE_HARNESS_PROGRESS_H

#include <stddef.h>

#include <faultline/types.h>

/** Longest console line looked at (longer ones are no repetition line). */
#define PROGRESS_LINE_MAX 160

/** What the progress line knows. */
struct progress {
	/** CLOCK_MONOTONIC ms when the run started. */
	uint64_t start_ms;
	/** The last repetition announced (1-based) of @nreps; 0: none yet. */
	unsigned rep;
	unsigned nreps;
	/** That repetition is a warm-up. */
	bool warmup;
	/** The console line being received, up to PROGRESS_LINE_MAX. */
	char line[PROGRESS_LINE_MAX];
	size_t len;
	/** The line is longer than @line: it is skipped. */
	bool overlong;
};

/** Starts @p for a run that started at @now_ms. */
void progress_init(struct progress *p, uint64_t now_ms);

/** Reads @len bytes of console output for repetition lines. */
void progress_feed(struct progress *p, const char *data, size_t len);

/**
 * The progress line for time @now_ms and a trace of @trace_bytes bytes
 * into @buf: "faultline: repetition 3 of 10, ~52000 events, 12.3 s".
 * Returns its length.
 */
size_t progress_format(const struct progress *p, uint64_t now_ms,
		       uint64_t trace_bytes, char *buf, size_t size);

#endif /* FAULTLINE_HARNESS_PROGRESS_H */
