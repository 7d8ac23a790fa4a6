/*
 * `faultline export --format ctf -o DIR`: a CTF trace in DIR made by
 * LTTng-UST, with the EL2 timestamps as the events' timestamps (see
 * docs/ctf.md and faultline/trace/ctf.h for how).
 */
#ifndef FAULTLINE_HARNESS_EXPORT_CTF_H
#define FAULTLINE_HARNESS_EXPORT_CTF_H

#include <stddef.h>

#include <faultline/trace/decode.h>

/**
 * Replays @td's records through an LTTng session writing to @dir (created
 * if missing; it must be empty), then reads the result back with
 * babeltrace2 and checks that it holds one event per record. Starts
 * lttng-sessiond (with the clock plugin) when none runs, and stops it
 * again afterwards. Progress goes to stderr. Returns 0, or a negative
 * error with @err (of @err_size bytes) saying what failed and what to do.
 */
int export_ctf_to_dir(const struct trace_data *td, const char *dir, char *err,
		      size_t err_size);

#endif /* FAULTLINE_HARNESS_EXPORT_CTF_H */
