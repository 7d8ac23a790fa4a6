/*
 * Google Benchmark from C: a small C API over the C++ library, implemented
 * by gbench_shim.cc (the only C++ in the tree). A benchmark is a C
 * function that receives an opaque state and the pointer it was
 * registered with; it runs the measured code while gbench_keep_running()
 * says so:
 *
 *   static void bm_thing(struct gbench_state *st, void *arg)
 *   {
 *           setup (not timed);
 *           while (gbench_keep_running(st)) {
 *                   the operation;
 *           }
 *           gbench_set_items_processed(st, gbench_iterations(st));
 *   }
 *   ...
 *   gbench_threads(gbench_arg(gbench_register("thing", bm_thing, NULL),
 *                             4096), 2);
 *
 * The library calls the function several times (growing iteration counts
 * until --benchmark_min_time is reached), on gbench_threads() threads at
 * once, each with its own state. With several threads, the first call of
 * gbench_keep_running() is a barrier: thread 0 may set things up before
 * it and tear them down after the loop, when every thread has left it.
 * CPU time of a multi-threaded run is the sum of the threads' CPU times,
 * divided by the iterations of all threads: CPU time per operation.
 */
#ifndef FAULTLINE_BENCH_GBENCH_H
#define FAULTLINE_BENCH_GBENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** One running benchmark, as one thread sees it (benchmark::State). */
struct gbench_state;

/** A registered benchmark, to be given arguments and options. */
struct gbench;

/** A benchmark function: @arg is what it was registered with. */
typedef void (*gbench_fn)(struct gbench_state *st, void *arg);

/** How a counter is reported (combinable; see gbench_counter()). */
enum gbench_counter_flags {
	/** The value as set (summed over threads). */
	GBENCH_COUNTER_DEFAULT = 0,
	/** Divided by the run's CPU time (per second). */
	GBENCH_COUNTER_RATE = 1u << 0,
	/** Divided by the number of threads. */
	GBENCH_COUNTER_AVG_THREADS = 1u << 1,
	/** Divided by the iterations of all threads (per operation). */
	GBENCH_COUNTER_AVG_ITERATIONS = 1u << 2,
	/** Multiplied by the iterations (a per-operation constant). */
	GBENCH_COUNTER_ITERATION_INVARIANT = 1u << 3,
	/** Inverted last (a rate becomes seconds per item). */
	GBENCH_COUNTER_INVERT = 1u << 4,
};

/** Time units for gbench_unit(). */
enum gbench_time_unit {
	GBENCH_NS,
	GBENCH_US,
	GBENCH_MS,
	GBENCH_S,
};

/**
 * Registers @fn under @name, to be called with @arg (which must outlive
 * the run). Returns the benchmark, for the option setters below; each
 * returns its argument so that they chain.
 */
struct gbench *gbench_register(const char *name, gbench_fn fn, void *arg);

/** Adds a run with one argument @x (gbench_range_arg(st, 0)). */
struct gbench *gbench_arg(struct gbench *b, int64_t x);

/**
 * Adds runs with one argument from @lo to @hi: @lo, then powers of the
 * range multiplier (8 by default) in between, then @hi.
 */
struct gbench *gbench_range(struct gbench *b, int64_t lo, int64_t hi);

/** Names the (single) argument in the benchmark's name ("size:4096"). */
struct gbench *gbench_arg_name(struct gbench *b, const char *name);

/** Runs the benchmark on @n threads at once (once per call). */
struct gbench *gbench_threads(struct gbench *b, int n);

/** Reports its times in @unit. */
struct gbench *gbench_unit(struct gbench *b, enum gbench_time_unit unit);

/**
 * True while the benchmark should run one more iteration; false once,
 * after the last (then the loop must end). The first call starts the
 * timer (a barrier across threads), the last stops it.
 */
bool gbench_keep_running(struct gbench_state *st);

/**
 * gbench_keep_running() for @n iterations at once: the caller runs @n
 * operations per true answer, and the per-iteration time is per
 * operation. Keeps a cheap operation's loop overhead out of its time.
 */
bool gbench_keep_running_batch(struct gbench_state *st, int64_t n);

/** Stops the timer (for work that must not be measured). */
void gbench_pause_timing(struct gbench_state *st);

/** Starts the timer again after gbench_pause_timing(). */
void gbench_resume_timing(struct gbench_state *st);

/** Items processed in all, reported as items per second of CPU time. */
void gbench_set_items_processed(struct gbench_state *st, int64_t items);

/** Bytes processed in all, reported as bytes per second of CPU time. */
void gbench_set_bytes_processed(struct gbench_state *st, int64_t bytes);

/**
 * Sets counter @name to @value, reported as @flags (enum
 * gbench_counter_flags) say. Counters of the threads are summed.
 */
void gbench_counter(struct gbench_state *st, const char *name, double value,
		    unsigned flags);

/**
 * Ends the benchmark as failed with @msg (reported in place of its
 * figures). The caller must not start the loop afterwards, or must leave
 * it: gbench_keep_running() answers false from then on.
 */
void gbench_skip_with_error(struct gbench_state *st, const char *msg);

/**
 * Ends the benchmark as skipped, not failed, because @why (no such
 * hardware, no input): Google Benchmark 1.7 has no skip of its own, so
 * this is an error whose message starts with "skipped: ", which the
 * summary of gbench_main() counts as a skip.
 */
void gbench_skip(struct gbench_state *st, const char *why);

/** True once gbench_skip_with_error() or gbench_skip() was called. */
bool gbench_error_occurred(const struct gbench_state *st);

/** Argument @i of this run (see gbench_arg(), gbench_range()). */
int64_t gbench_range_arg(const struct gbench_state *st, size_t i);

/** Index of the calling thread in this run (0 .. threads - 1). */
int gbench_thread_index(const struct gbench_state *st);

/** Threads of this run. */
int gbench_thread_count(const struct gbench_state *st);

/** Iterations this thread ran (valid after the loop). */
int64_t gbench_iterations(const struct gbench_state *st);

/** Adds @key: @value to the context printed first and written in the JSON. */
void gbench_add_context(const char *key, const char *value);

/**
 * Runs the benchmarks that --benchmark_filter selects, with every
 * --benchmark_* flag of @argv (removed from it by the library; any other
 * argument is an error). With @summary, prints after the usual table one
 * line per benchmark run, "PASS name", "FAIL name: message" or "SKIP
 * name: why" (':' in names written as '='), then "N passed, N failed" as
 * tests/run-all.sh expects. Returns 0; 1 when a benchmark failed and
 * @summary is set; 2 for unknown arguments.
 */
int gbench_main(int *argc, char **argv, bool summary);

#ifdef __cplusplus
}
#endif

/**
 * Keeps the compiler from dropping the computation of @p's pointee, or
 * from moving memory accesses across this point.
 */
#define GBENCH_DO_NOT_OPTIMIZE(p) __asm__ volatile("" : : "g"(p) : "memory")

#endif /* FAULTLINE_BENCH_GBENCH_H */
