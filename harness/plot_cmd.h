/*
 * `faultline plot RUN_DIR`: the gnuplot export of RUN_DIR/trace.bin into
 * RUN_DIR/plots/, then gnuplot run on each script there, each under a
 * deadline so that a stuck gnuplot never hangs the command, and the PNGs
 * it wrote listed on stdout, one path per line.
 */
#ifndef FAULTLINE_HARNESS_PLOT_CMD_H
#define FAULTLINE_HARNESS_PLOT_CMD_H

#include <stddef.h>

#include <faultline/trace/decode.h>

/** Seconds one gnuplot script may take by default. */
#define PLOT_CMD_TIMEOUT_S 60

/**
 * Runs `faultline plot` with faultline's whole command line @argv
 * (@argv[1] is "plot"). Returns the exit status: 0 every plot was drawn,
 * 1 the trace could not be read, gnuplot is missing or a plot failed
 * (said on stderr; the other plots are still drawn), 2 bad usage.
 */
int plot_cmd_main(int argc, char *const *argv);

/**
 * What `faultline plot` does, for `faultline run`: exports @td's gnuplot
 * files into @dir/plots/ and runs gnuplot on each (each under @timeout_s),
 * without listing them. Returns how many plots were drawn, or
 * -ERR_NOENT when gnuplot is not installed, or another negative error
 * when the export failed; @note (of @size bytes) says why in a few words.
 * A failing script's error output goes to stderr.
 */
int plot_cmd_render(const struct trace_data *td, const char *dir,
		    unsigned timeout_s, char *note, size_t size);

/**
 * Runs `gnuplot @name.gp` in directory @plots under a @timeout_s deadline
 * (Ctrl-C ends gnuplot only). Returns 0 when @name.png was drawn, or a
 * negative error with gnuplot's complaint on stderr.
 */
int plot_cmd_gnuplot(const char *plots, const char *name, unsigned timeout_s);

/** The usage text of `faultline plot`. */
const char *plot_cmd_usage(void);

#endif /* FAULTLINE_HARNESS_PLOT_CMD_H */
