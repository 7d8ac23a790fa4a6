/*
 * `faultline compare`: two policies on this build, or a base revision's
 * build against this one, on the same scenarios (docs/compare.md).
 */
#ifndef FAULTLINE_HARNESS_COMPARE_CMD_H
#define FAULTLINE_HARNESS_COMPARE_CMD_H

/**
 * Runs `faultline compare` with faultline's whole command line @argv
 * (@argv[1] is "compare"). Returns the exit status (bench_args.h's usage
 * text lists them).
 */
int compare_cmd_main(int argc, char *const *argv);

#endif /* FAULTLINE_HARNESS_COMPARE_CMD_H */
