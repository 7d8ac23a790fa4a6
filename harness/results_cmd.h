/*
 * `faultline list [SCENARIO]` and `faultline show RUN`: the runs kept
 * under results/, read back from what each run wrote (summary.json,
 * manifest.json, a sweep's sweep.json), never rerun.
 */
#ifndef FAULTLINE_HARNESS_RESULTS_CMD_H
#define FAULTLINE_HARNESS_RESULTS_CMD_H

/**
 * Runs `faultline list` (@argv[1] is "list"): one line per run under the
 * results tree (of SCENARIO only, when given), oldest first: its RUN
 * name for `faultline show`, scenario, backend, policy, verdict, faults,
 * fault p50 and date. Returns 0, 1 when there is no results tree, or 2
 * on bad usage.
 */
int results_cmd_list(int argc, char *const *argv);

/**
 * Runs `faultline show RUN` (@argv[1] is "show"): prints the report
 * `faultline run` printed, from RUN/summary.json, or a sweep's table from
 * RUN/sweep.json. RUN is a run directory, `latest`, or SCENARIO/RUN-ID
 * under the results tree. Returns 0, 1 when RUN has neither, 2 on bad
 * usage.
 */
int results_cmd_show(int argc, char *const *argv);

/** The usage text of `faultline list`. */
const char *results_cmd_list_usage(void);

/** The usage text of `faultline show`. */
const char *results_cmd_show_usage(void);

#endif /* FAULTLINE_HARNESS_RESULTS_CMD_H */
