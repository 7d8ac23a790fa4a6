/*
 * `faultline bench SCENARIO...`: each scenario run once with repetitions
 * (a complete `faultline run` each, in results/bench/RUN-ID/SCENARIO/),
 * a line of progress per scenario, a table of the medians at the end,
 * and the repetitions' figures as Google Benchmark JSON (gbench_json.h):
 * results/bench/RUN-ID/bench.json, RUN_DIR/bench.json beside each run's
 * results, and --out FILE.json (docs/compare.md).
 */
#ifndef FAULTLINE_HARNESS_BENCH_CMD_H
#define FAULTLINE_HARNESS_BENCH_CMD_H

/**
 * Runs `faultline bench` with faultline's whole command line @argv
 * (@argv[1] is "bench"). Returns the exit status: 0 every run ok, 1 a run
 * failed (its entries carry error_occurred) or a file could not be
 * written, 2 bad usage or a bad scenario.
 */
int bench_cmd_main(int argc, char *const *argv);

#endif /* FAULTLINE_HARNESS_BENCH_CMD_H */
