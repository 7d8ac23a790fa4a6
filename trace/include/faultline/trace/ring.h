/*
 * Per-pCPU trace rings. Each CPU writes only its own ring (single
 * producer) and never waits: when the ring is full the event is dropped and
 * counted in the ring's lost counter, and its sequence number is consumed,
 * so a reader sees the gap. One consumer at a time drains rings (the writer
 * of the trace file), concurrently with the producers.
 */
#ifndef FAULTLINE_TRACE_RING_H
#define FAULTLINE_TRACE_RING_H

#include <stdatomic.h>

#include <faultline/platform.h>
#include <faultline/trace/event.h>
#include <faultline/types.h>

/** Records per ring by default (a power of two): 256 KiB per CPU. */
#define TRACE_RING_RECORDS 4096u

/** The ring of one CPU. */
struct trace_ring {
	/** Records written (monotonic); the producer's index. */
	_Atomic uint64_t head;
	/** Records consumed (monotonic); the consumer's index. */
	_Atomic uint64_t tail;
	/** Events dropped because the ring was full. */
	_Atomic uint64_t lost;
	/** Next sequence number; only the producer touches it. */
	uint32_t seq;
	/** Records in rec[] minus one (the count is a power of two). */
	uint32_t mask;
	struct trace_record *rec;
} __attribute__((aligned(64))); /* one per cache line: CPUs do not share */

/** Emits event @id with @n fields @f, timestamped now, on this CPU's ring. */
void trace_emit(uint16_t id, const uint64_t *f, unsigned n);

/**
 * Emits event @id with timestamp @ts: for events whose moment was captured
 * earlier, when the ring could not yet be reached (the init phases, which
 * run before the runtime mappings exist).
 */
void trace_emit_at(uint64_t ts, uint16_t id, const uint64_t *f, unsigned n);

/**
 * Copies up to @max records of @cpu's ring into @out, oldest first, and
 * frees them. Returns the number copied. Only one consumer may run at once.
 */
size_t trace_ring_drain(unsigned cpu, struct trace_record *out, size_t max);

/** Events dropped so far on @cpu's ring. */
uint64_t trace_ring_lost(unsigned cpu);

/** Discards everything in every ring and zeroes the lost counters. */
void trace_rings_reset(void);

/**
 * Gives @cpu's ring @nrec records (a power of two) at @rec instead of its
 * current storage, for runs that record more than the default rings hold.
 * The ring must be empty (drained) and its CPU must not be emitting: the
 * caller is the only one running trace code for that CPU. Sequence
 * numbers and the lost count carry on. Returns false for a bad @nrec.
 */
bool trace_ring_set_storage(unsigned cpu, struct trace_record *rec,
			    uint32_t nrec);

/**
 * Turns lean tracing on or off. Lean, only the events a run's report and
 * its guest-timed latencies need are kept (boot and crash events, VM and
 * vCPU lifetimes, guest_access, knobs, repetitions, livelocks, drains);
 * the fault path, world switch, TLB and page-table events are dropped at
 * the cost of one test: what "tracing off" costs the guest is measured
 * against it (docs/performance.md).
 */
void trace_set_lean(bool lean);

/** True while lean tracing is on. */
bool trace_is_lean(void);

/**
 * Quiets the world switch (tracing=fault): its own events (phases,
 * system-register writes, ISBs) are not emitted, while the fault path,
 * TLB maintenance and SPE drains still are. The switch asks
 * trace_switch_quiet() before each, so a quiet event costs one load.
 */
void trace_set_switch_quiet(bool quiet);

/** True while the world switch is quiet. */
bool trace_switch_quiet(void);

/** Records @cpu's ring holds (its capacity). */
uint32_t trace_ring_capacity(unsigned cpu);

/**
 * Records waiting in @cpu's ring. Exact when called by @cpu itself (the
 * only producer); otherwise a snapshot.
 */
uint64_t trace_ring_used(unsigned cpu);

/* Typed emitters: trace_<name>(fields...) and trace_<name>_at(ts, ...). */
#define TRACE_PARAM_(name, kind) uint64_t p_##name
#define TRACE_VALUE_(name, kind) p_##name
#define TRACE_ENUM_BEGIN(kind, doc)
#define TRACE_ENUM_VALUE(kind, c, v, name)
#define TRACE_ENUM_END(kind)
#define TRACE_EVENT(name, id, doc, ...)                                        \
	static inline void trace_##name(TRACE_MAP(TRACE_PARAM_, __VA_ARGS__))  \
	{                                                                      \
		const uint64_t f_[] = {TRACE_MAP(TRACE_VALUE_, __VA_ARGS__)};  \
		trace_emit(TRACE_EV_##name, f_,                                \
			   (unsigned)(sizeof(f_) / sizeof(f_[0])));            \
	}                                                                      \
	static inline void trace_##name##_at(                                  \
		uint64_t ts_, TRACE_MAP(TRACE_PARAM_, __VA_ARGS__))            \
	{                                                                      \
		const uint64_t f_[] = {TRACE_MAP(TRACE_VALUE_, __VA_ARGS__)};  \
		trace_emit_at(ts_, TRACE_EV_##name, f_,                        \
			      (unsigned)(sizeof(f_) / sizeof(f_[0])));         \
	}
#include "events.def"
#undef TRACE_EVENT
#undef TRACE_ENUM_BEGIN
#undef TRACE_ENUM_VALUE
#undef TRACE_ENUM_END
#undef TRACE_PARAM_
#undef TRACE_VALUE_

#endif /* FAULTLINE_TRACE_RING_H */
