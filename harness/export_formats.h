/*
 * The formats `faultline export` writes: one row each in export_formats.c.
 * A format writes either one stream (a file, or stdout) or a directory of
 * files; to add one, write its exporter and add its row.
 */
#ifndef FAULTLINE_HARNESS_EXPORT_FORMATS_H
#define FAULTLINE_HARNESS_EXPORT_FORMATS_H

#include <stddef.h>
#include <stdio.h>

#include <faultline/trace/decode.h>

/** One export format. */
struct export_format {
	/** Its name for --format. */
	const char *name;
	/** One line for the usage text. */
	const char *what;
	/**
	 * Writes @td to @out (stream formats); 0 or a negative error. NULL
	 * for a directory format.
	 */
	int (*to_stream)(const struct trace_data *td, FILE *out);
	/**
	 * Writes @td into directory @dir, created if needed (directory
	 * formats); 0, or a negative error with @err (of @err_size bytes)
	 * saying what failed. NULL for a stream format.
	 */
	int (*to_dir)(const struct trace_data *td, const char *dir, char *err,
		      size_t err_size);
	/**
	 * What -o defaults to when exporting a run directory: a file or
	 * directory name inside it (NULL: stdout, for stream formats only).
	 */
	const char *default_output;
};

/** The formats; the last entry has a NULL name. */
extern const struct export_format export_formats[];

/** The format named @name, or NULL. */
const struct export_format *export_format_find(const char *name);

#endif /* FAULTLINE_HARNESS_EXPORT_FORMATS_H */
