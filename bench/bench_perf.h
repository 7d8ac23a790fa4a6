/*
 * Linux perf counters for the microbenchmarks, through perf_event_open():
 * each benchmark thread counts its own events while it is timed, and the
 * counts are reported per operation as Google Benchmark counters.
 *
 * Hardware counters (instructions, cycles, cache-misses) when the machine
 * has them; otherwise (a VM without a virtual PMU: perf_event_open()
 * answers ENOENT, EOPNOTSUPP or ENODEV) software events (task-clock,
 * page-faults, context-switches), with a note printed once. Counting is
 * always per thread, user and kernel together when allowed, user only
 * when perf_event_paranoid forbids the kernel side.
 */
#ifndef FAULTLINE_BENCH_PERF_H
#define FAULTLINE_BENCH_PERF_H

#include <stdbool.h>
#include <stdint.h>

/** Events counted at once. */
#define BENCH_PERF_MAX 3

/** Which events bench_perf_init() may choose. */
enum bench_perf_mode {
	/** Hardware events if the machine has them, else software ones. */
	BENCH_PERF_AUTO,
	/** Hardware events only (none counted when they are missing). */
	BENCH_PERF_HW,
	/** Software events only. */
	BENCH_PERF_SW,
	/** No counters. */
	BENCH_PERF_OFF,
};

/** One thread's open counters (a perf event group). */
struct bench_perf {
	/** The group's file descriptors, leader first; -1 when not open. */
	int fd[BENCH_PERF_MAX];
	/** Events open (0: counting is off for this thread). */
	unsigned n;
	/** Counts read by bench_perf_stop(), in bench_perf_name() order. */
	uint64_t count[BENCH_PERF_MAX];
};

/**
 * Chooses the events for @mode by opening them once on this thread, and
 * prints a note (to stderr) when it falls back to software events or
 * cannot count at all. Returns the number of events that will be counted
 * (0 when none); call once, before the benchmarks run.
 */
unsigned bench_perf_init(enum bench_perf_mode mode);

/** Parses "auto", "hw", "sw" or "off" into *@mode; false otherwise. */
bool bench_perf_parse(const char *s, enum bench_perf_mode *mode);

/** The counter name of event @i of the chosen set ("instructions"...). */
const char *bench_perf_name(unsigned i);

/** One line saying what is counted, for the benchmark context. */
const char *bench_perf_describe(void);

/**
 * Opens the chosen events for the calling thread, disabled. @p->n is 0
 * when nothing is counted (none chosen, or the open failed).
 */
void bench_perf_open(struct bench_perf *p);

/** Starts (or resumes) counting. */
void bench_perf_enable(struct bench_perf *p);

/** Stops counting, keeping the counts so far. */
void bench_perf_disable(struct bench_perf *p);

/** Reads the counts into @p->count. Returns false when they cannot be read. */
bool bench_perf_read(struct bench_perf *p);

/** Closes the events. */
void bench_perf_close(struct bench_perf *p);

#endif /* FAULTLINE_BENCH_PERF_H */
