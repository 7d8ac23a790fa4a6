/*
 * `faultline export TRACE|RUN_DIR --format csv [-o FILE]`: a trace file
 * (or RUN_DIR/trace.bin) to another format. Damage in the file is
 * reported on stderr with its offset, and what was decoded before it is
 * still exported.
 */
#ifndef FAULTLINE_HARNESS_EXPORT_CMD_H
#define FAULTLINE_HARNESS_EXPORT_CMD_H

/**
 * Runs `faultline export` with faultline's whole command line @argv
 * (@argv[1] is "export"). Returns the exit status: 0 exported (even a
 * damaged file's records), 1 nothing could be decoded or written, 2 bad
 * usage.
 */
int export_cmd_main(int argc, char *const *argv);

/** The usage text of `faultline export`. */
const char *export_cmd_usage(void);

#endif /* FAULTLINE_HARNESS_EXPORT_CMD_H */
