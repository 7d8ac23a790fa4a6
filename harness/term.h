/*
 * The terminal side of a run: echoing QEMU's output without ever letting
 * a stalled reader (a pager that stopped reading, Ctrl-S) block the run,
 * colours only where they will be understood, and the end of a log shown
 * when it explains a failure.
 */
#ifndef FAULTLINE_HARNESS_TERM_H
#define FAULTLINE_HARNESS_TERM_H

#include <stddef.h>
#include <stdio.h>

#include <faultline/types.h>

/** An echo of a stream to one of our output descriptors. */
struct term_echo {
	/** Where the echo goes; -1 once it has stopped. */
	int fd;
	/** @fd was opened here (a non-blocking twin) and must be closed. */
	bool owned;
	/** Longest wait for the reader before the echo stops. */
	unsigned max_wait_ms;
	/** The echo stopped because the reader fell behind or went away. */
	bool stopped;
	/** The last byte echoed (to end with a line break). */
	char last;
};

/**
 * Starts echoing to @fd. A pipe or a terminal gets its own non-blocking
 * open file description (through /proc/self/fd), so that the caller's
 * and the shell's stay as they are; a regular file is written directly.
 */
void term_echo_open(struct term_echo *e, int fd, unsigned max_wait_ms);

/**
 * Echoes @len bytes @data. When the reader does not take them within
 * max_wait_ms, or is gone, the echo stops for good (the data is in the
 * log anyway). Returns false once stopped.
 */
bool term_echo_write(struct term_echo *e, const char *data, size_t len);

/** Ends the echo (closing its descriptor if it owns one). */
void term_echo_close(struct term_echo *e);

/** True when ANSI colours suit @fd: a terminal, TERM not dumb, no NO_COLOR. */
bool term_color(int fd);

/**
 * Prints on @out the last @max_lines lines (at most the last @max_bytes
 * bytes) of the file at @path, after the line @title. Prints nothing when
 * the file is missing or empty. Returns the number of bytes shown.
 */
size_t term_show_tail(FILE *out, const char *title, const char *path,
		      size_t max_bytes, unsigned max_lines);

#endif /* FAULTLINE_HARNESS_TERM_H */
