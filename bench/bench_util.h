/*
 * What every faultline microbenchmark does around its loop: play a CPU,
 * count perf events while timed, keep the trace rings from filling, and
 * report failures. A benchmark function looks like
 *
 *   struct bench b;
 *
 *   bench_begin(&b, st);
 *   if (gbench_thread_index(st) == 0) { setup; }
 *   while (bench_running(&b)) {
 *           the operation;
 *           bench_trace_room(&b);
 *   }
 *   bench_end(&b);
 *
 * Trace rings: the code under test emits events into the ring of the CPU
 * the thread plays (as at EL2); a full ring would drop events, which is
 * cheaper than recording them and would flatter the figures. So
 * bench_trace_room() empties this CPU's ring, with the timer (and the perf
 * counters) stopped, whenever it is half full (every few hundred faults),
 * and bench_end() fails the benchmark if any event was lost anyway.
 * Setup and refills between rounds run "quiet" (bench_quiet_begin()):
 * untimed, and with lean tracing so they leave nothing in the rings.
 */
#ifndef FAULTLINE_BENCH_UTIL_H
#define FAULTLINE_BENCH_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include <faultline/trace/ring.h>
#include <faultline/types.h>

#include "bench_perf.h"
#include "gbench.h"

/** One benchmark thread's bookkeeping. */
struct bench {
	struct gbench_state *st;
	/** The CPU this thread plays: its thread index. */
	unsigned cpu;
	/** Trace records this CPU's ring may hold before it is emptied. */
	uint64_t trace_limit;
	/** Times the ring was emptied (untimed). */
	uint64_t trace_drains;
	/** Trace records the timed operations left in the ring. */
	uint64_t trace_events;
	/** The loop was entered (the timer started). */
	bool started;
	struct bench_perf perf;
};

/**
 * Starts @b for the calling thread of @st: it plays CPU (thread index)
 * from now on, and opens its perf counters (not counting yet).
 */
void bench_begin(struct bench *b, struct gbench_state *st);

/**
 * gbench_keep_running() with the bookkeeping: before the first iteration,
 * thread 0 empties every trace ring (setup is over: nobody emits until
 * the loop starts) and each thread starts its perf counters; after the
 * last one, they stop.
 */
bool bench_running(struct bench *b);

/** bench_running() for @n operations at once (gbench_keep_running_batch()). */
bool bench_running_batch(struct bench *b, int64_t n);

/** Stops the timer and the perf counters. */
void bench_pause(struct bench *b);

/** Starts the timer and the perf counters again. */
void bench_resume(struct bench *b);

/** Empties this CPU's trace ring, untimed (see bench_trace_room()). */
void bench_trace_drain(struct bench *b);

/** Empties this CPU's trace ring, untimed, once it is half full. */
static inline void bench_trace_room(struct bench *b)
{
	if (trace_ring_used(b->cpu) > b->trace_limit) {
		bench_trace_drain(b);
	}
}

/**
 * Starts untimed work that must leave no trace (a refill between rounds):
 * pauses, and turns lean tracing on. Only for single-threaded benchmarks:
 * lean tracing is global.
 */
void bench_quiet_begin(struct bench *b);

/** Ends bench_quiet_begin(): tracing back on, this CPU's ring emptied. */
void bench_quiet_end(struct bench *b);

/**
 * Ends @b: publishes the perf counts and the trace records emitted
 * ("trace_events") per operation, and fails the benchmark if this CPU's
 * trace ring lost events since the loop began.
 */
void bench_end(struct bench *b);

/**
 * Skips the benchmark (gbench_skip()) when it runs on several threads but
 * the process may use only one CPU: the threads would take turns and
 * never race. Every thread calls it. Returns false when skipped.
 */
bool bench_need_parallel(struct bench *b);

/** Fails the benchmark with a formatted message (gbench_skip_with_error()). */
void bench_fail(struct bench *b, const char *fmt, ...) PRINTF_LIKE(2, 3);

/**
 * Publishes @count as counter @name per operation (divided by all
 * threads' iterations), when @count is not 0.
 */
void bench_per_op(struct bench *b, const char *name, uint64_t count);

/** Registers the stage-2 library benchmarks (bench_stage2.c). */
void bench_stage2_register(void);

/** Registers the fault-handler benchmarks (bench_fault.c). */
void bench_fault_register(void);

/**
 * Registers the trace benchmarks (bench_trace.c); @trace_path is the
 * trace file to decode and export, or NULL for one generated at run time.
 */
void bench_trace_register(const char *trace_path);

#endif /* FAULTLINE_BENCH_UTIL_H */
