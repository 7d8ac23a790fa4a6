/*
 * faultline-bench: microbenchmarks of the portable core on the host
 * (docs/performance.md, "Microbenchmarks (host)"). Google Benchmark runs
 * them (bench/gbench.h); every --benchmark_* flag is passed to it, e.g.
 * --benchmark_filter=REGEX, --benchmark_min_time=SECONDS,
 * --benchmark_repetitions=N, --benchmark_out=FILE.json. Its own options:
 *
 *   --trace=FILE        decode and export FILE instead of a trace made here
 *   --perf=auto|hw|sw|off  perf counters per operation (default auto:
 *                       hardware events if the machine has them, else
 *                       software events, with a note)
 *   --summary           end with "PASS/FAIL/SKIP name" lines and
 *                       "N passed, N failed" (for tests/run-all.sh)
 */
#include <stdio.h>
#include <string.h>

#include "bench_util.h"

static void bench_usage(void)
{
	fprintf(stderr,
		"usage: faultline-bench [--trace=FILE] [--perf=auto|hw|sw|off] "
		"[--summary] [--benchmark_*...]\n"
		"       faultline-bench --help   (Google Benchmark's flags)\n");
}

int main(int argc, char **argv)
{
	enum bench_perf_mode perf = BENCH_PERF_AUTO;
	const char *trace = NULL;
	bool summary = false;
	int n = 1;

	/* Take our options out; Google Benchmark sees the rest. */
	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "--trace=", 8) == 0 &&
		    argv[i][8] != '\0') {
			trace = argv[i] + 8;
		} else if (strncmp(argv[i], "--perf=", 7) == 0) {
			if (!bench_perf_parse(argv[i] + 7, &perf)) {
				bench_usage();
				return 2;
			}
		} else if (strcmp(argv[i], "--summary") == 0) {
			summary = true;
		} else {
			argv[n++] = argv[i];
		}
	}
	argv[n] = NULL;
	bench_perf_init(perf);
	gbench_add_context("perf_counters", bench_perf_describe());
	gbench_add_context("build", "portable core + host arch + trace, -O2, "
				    "no sanitizers");
	bench_stage2_register();
	bench_fault_register();
	bench_trace_register(trace);
	return gbench_main(&n, argv, summary);
}
