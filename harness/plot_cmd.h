/*
 * `faultline plot RUN_DIR`: the gnuplot export of RUN_DIR/trace.bin into
 * RUN_DIR/plots/, then gnuplot run on each script there, each under a
 * deadline so that a stuck gnuplot never hangs the command, and the PNGs
 * it wrote listed on stdout, one path per line.
 */
#ifndef FAULTLINE_HARNESS_PLOT_CMD_H
#define FAULTLINE_HARNESS_PLOT_CMD_H

/** Seconds one gnuplot script may take by default. */
#define PLOT_CMD_TIMEOUT_S 60

/**
 * Runs `faultline plot` with faultline's whole command line @argv
 * (@argv[1] is "plot"). Returns the exit status: 0 every plot was drawn,
 * 1 the trace could not be read, gnuplot is missing or a plot failed
 * (said on stderr; the other plots are still drawn), 2 bad usage.
 */
int plot_cmd_main(int argc, char *const *argv);

/** The usage text of `faultline plot`. */
const char *plot_cmd_usage(void);

#endif /* FAULTLINE_HARNESS_PLOT_CMD_H */
