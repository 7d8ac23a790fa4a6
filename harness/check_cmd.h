/*
 * `faultline check RUN_DIR|TRACE`: the rule checker (trace/check.h) on a
 * trace file, or on a run directory's trace.bin with the report also
 * written to RUN_DIR/check.txt; and the same for `faultline run`.
 */
#ifndef FAULTLINE_HARNESS_CHECK_CMD_H
#define FAULTLINE_HARNESS_CHECK_CMD_H

#include <faultline/trace/check.h>

/** The report file a run directory gets. */
#define CHECK_CMD_FILE "check.txt"

/** The usage text of `faultline check`. */
const char *check_cmd_usage(void);

/**
 * Runs `faultline check` (@argv[0] is "check"). Returns the exit status:
 * 0 every rule holds, 1 a rule is broken, 2 a usage error or a trace of
 * which nothing could be decoded.
 */
int check_cmd_main(int argc, char *const *argv);

/**
 * Checks @td, the trace of run directory @dir, into @res (freed by the
 * caller with check_result_free()) and writes the report to
 * DIR/check.txt. Returns 0, -ERR_NOMEM, or -ERR_IO when the file could
 * not be written (@res is valid then).
 */
int check_cmd_run_dir(const struct trace_data *td, const char *dir,
		      struct check_result *res);

#endif /* FAULTLINE_HARNESS_CHECK_CMD_H */
