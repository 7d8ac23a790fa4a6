/*
 * The results layout: every run gets its own directory
 * results/NAME/RUN-ID/ under the repository root, with RUN-ID =
 * YYYYmmdd-HHMMSS-XXXX (local time, then 4 random hex digits), and
 * results/latest is a relative symbolic link to the newest one.
 */
#ifndef FAULTLINE_HARNESS_RESULTS_H
#define FAULTLINE_HARNESS_RESULTS_H

#include <stddef.h>
#include <time.h>

#include <faultline/types.h>

/** Characters of a run id, without the NUL: YYYYmmdd-HHMMSS-XXXX. */
#define RESULTS_RUN_ID_LEN 20

/**
 * Formats the run id for time @when (local time) and the low 16 bits of
 * @suffix into @out. Returns 0, or -ERR_RANGE when @size is too small.
 */
int results_run_id(char *out, size_t size, time_t when, unsigned suffix);

/** 16 random bits for a run id (getrandom, or time and pid if it fails). */
unsigned results_random_suffix(void);

/**
 * True when @name can name a results directory: non-empty, at most 64
 * characters of letters, digits, '-', '_' and '.', not "." or "..", and
 * not "latest" (the link's name).
 */
bool results_name_ok(const char *name);

/**
 * Creates a new run directory @results_dir/@name/RUN-ID (and the missing
 * parents) and puts its path into @out. Never reuses a directory: when
 * the id exists already, another suffix is drawn. Returns 0, or -ERR_IO
 * (errno set) or -ERR_RANGE.
 */
int results_create_run_dir(const char *results_dir, const char *name, char *out,
			   size_t size);

/**
 * Points @results_dir/latest at @run_dir, which must be inside
 * @results_dir, with a relative link, replaced atomically (a link under a
 * temporary name, then rename()). Returns 0, -ERR_INVAL when @run_dir is
 * not inside @results_dir, or -ERR_IO.
 */
int results_update_latest(const char *results_dir, const char *run_dir);

#endif /* FAULTLINE_HARNESS_RESULTS_H */
