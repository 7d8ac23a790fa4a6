/*
 * Writes the trace rings to a trace file through the arch's host I/O
 * (semihosting at EL2). Portable: the host tests use the same writer.
 */
#ifndef FAULTLINE_TRACE_WRITER_H
#define FAULTLINE_TRACE_WRITER_H

#include <faultline/trace/format.h>
#include <faultline/types.h>

/** An open trace file. */
struct trace_writer {
	int fd;
	struct trace_file_header header;
	uint64_t total_events;
};

/**
 * Creates @path and writes the provisional header (incomplete, no lost
 * counts) and the SCHEMA chunk. @build_id may be NULL. Returns 0 or a
 * negative error.
 */
int trace_writer_open(struct trace_writer *w, const char *path, unsigned ncpus,
		      uint64_t counter_freq, const uint8_t *build_id,
		      size_t build_id_len);

/**
 * Drains every CPU's ring into EVENTS chunks. May be called repeatedly
 * during a run so that the file keeps what has been recorded so far.
 * Returns 0 or a negative error.
 */
int trace_writer_drain(struct trace_writer *w);

/**
 * Drains the rings a last time, writes the END chunk, rewrites the header
 * with the lost counts and the COMPLETE flag, and closes the file.
 * Returns 0 or a negative error.
 */
int trace_writer_close(struct trace_writer *w);

#endif /* FAULTLINE_TRACE_WRITER_H */
