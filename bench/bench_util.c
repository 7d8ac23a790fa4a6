/* What every microbenchmark does around its loop (bench_util.h). */
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>

#include "bench_util.h"
#include "host_arch.h"

/* Records moved out of a ring at a time when one is emptied. */
#define BENCH_DRAIN_CHUNK 256

void bench_begin(struct bench *b, struct gbench_state *st)
{
	b->st = st;
	b->cpu = (unsigned)gbench_thread_index(st);
	b->trace_limit = trace_ring_capacity(b->cpu) / 2;
	b->trace_drains = 0;
	b->trace_events = 0;
	b->started = false;
	host_set_cpu_index(b->cpu);
	bench_perf_open(&b->perf);
}

/* Before the first iteration: see bench_running(). */
static void bench_start(struct bench *b)
{
	b->started = true;
	if (b->cpu == 0) {
		/*
		 * The other threads wait for thread 0 at the start barrier
		 * and have emitted nothing: no producer is running.
		 */
		trace_rings_reset();
	}
}

bool bench_running(struct bench *b)
{
	bool more;

	if (!b->started) {
		bench_start(b);
		more = gbench_keep_running(b->st);
		bench_perf_enable(&b->perf);
		return more;
	}
	more = gbench_keep_running(b->st);
	if (!more) {
		bench_perf_disable(&b->perf);
	}
	return more;
}

bool bench_running_batch(struct bench *b, int64_t n)
{
	bool more;

	if (!b->started) {
		bench_start(b);
		more = gbench_keep_running_batch(b->st, n);
		bench_perf_enable(&b->perf);
		return more;
	}
	more = gbench_keep_running_batch(b->st, n);
	if (!more) {
		bench_perf_disable(&b->perf);
	}
	return more;
}

/*
 * The timer stops first and starts last: the perf ioctls are system calls
 * the timed figure (the one compared) should not include.
 */
void bench_pause(struct bench *b)
{
	gbench_pause_timing(b->st);
	bench_perf_disable(&b->perf);
}

void bench_resume(struct bench *b)
{
	bench_perf_enable(&b->perf);
	gbench_resume_timing(b->st);
}

/*
 * Throws away everything in this CPU's ring (we are its only consumer).
 * Returns how many records there were.
 */
static uint64_t bench_ring_discard(unsigned cpu)
{
	struct trace_record rec[BENCH_DRAIN_CHUNK];
	uint64_t total = 0;
	size_t n;

	while ((n = trace_ring_drain(cpu, rec, BENCH_DRAIN_CHUNK)) > 0) {
		total += n;
	}
	return total;
}

void bench_trace_drain(struct bench *b)
{
	bench_pause(b);
	b->trace_events += bench_ring_discard(b->cpu);
	b->trace_drains++;
	bench_resume(b);
}

void bench_quiet_begin(struct bench *b)
{
	bench_pause(b);
	/* What the timed operations left, before the refill adds its own. */
	b->trace_events += bench_ring_discard(b->cpu);
	trace_set_lean(true);
}

void bench_quiet_end(struct bench *b)
{
	trace_set_lean(false);
	/* The refill's records (lean ones only): not the operation's. */
	(void)bench_ring_discard(b->cpu);
	bench_resume(b);
}

void bench_per_op(struct bench *b, const char *name, uint64_t count)
{
	if (count != 0) {
		gbench_counter(b->st, name, (double)count,
			       GBENCH_COUNTER_AVG_ITERATIONS);
	}
}

void bench_end(struct bench *b)
{
	uint64_t lost = trace_ring_lost(b->cpu);

	bench_perf_disable(&b->perf);
	if (bench_perf_read(&b->perf)) {
		for (unsigned i = 0; i < b->perf.n; i++) {
			gbench_counter(b->st, bench_perf_name(i),
				       (double)b->perf.count[i],
				       GBENCH_COUNTER_AVG_ITERATIONS);
		}
	}
	bench_perf_close(&b->perf);
	if (b->started) {
		bench_per_op(b, "trace_events",
			     b->trace_events + trace_ring_used(b->cpu));
	}
	if (lost != 0 && !gbench_error_occurred(b->st)) {
		bench_fail(b,
			   "CPU %u's trace ring dropped %llu events: the "
			   "figures are not those of a traced run",
			   b->cpu, (unsigned long long)lost);
	}
	host_set_cpu_index(0);
}

bool bench_need_parallel(struct bench *b)
{
	cpu_set_t set;

	/* The affinity mask, not the CPUs online: taskset -c 0 means one. */
	if (gbench_thread_count(b->st) < 2 ||
	    sched_getaffinity(0, sizeof(set), &set) != 0 ||
	    CPU_COUNT(&set) > 1) {
		return true;
	}
	gbench_skip(b->st, "one CPU to run on: the threads would never race");
	return false;
}

void bench_fail(struct bench *b, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	gbench_skip_with_error(b->st, msg);
}
