/*
 * Inside the Perfetto exporter: export_perfetto.c turns the records into
 * items (slices, instants, flow ends, counter values), export_perfetto_
 * write.c sorts them and writes the JSON. Not for other modules. The
 * enum constants' PF_ prefix stands for EXPORT_PERFETTO_.
 */
#ifndef FAULTLINE_HARNESS_EXPORT_PERFETTO_INTERNAL_H
#define FAULTLINE_HARNESS_EXPORT_PERFETTO_INTERNAL_H

#include <stdio.h>

#include "export_model.h"
#include "export_perfetto.h"

/** What an item is in the Trace Event Format. */
enum export_perfetto_type {
	/** "X": a duration on a thread (zero-length for a TLBI). */
	PF_SLICE,
	/** "i" with thread scope. */
	PF_INSTANT,
	/** "s": the start of a flow, bound to the slice it follows. */
	PF_FLOW_OUT,
	/** "f" with "bp":"e": the end of a flow, bound likewise. */
	PF_FLOW_IN,
	/** "C": a value of a counter of the hypervisor process. */
	PF_COUNTER,
	/** "i" with global scope. */
	PF_GLOBAL,
};

/** What an item shows: decides its name, category and args. */
enum export_perfetto_what {
	/** A record as it is: its event's name and fields. */
	PF_W_EVENT,
	/** A fault, enter (rec) to exit (rec2). */
	PF_W_FAULT,
	/** An s2_fault_exit with no fault open for it. */
	PF_W_FAULT_ALONE,
	/** Break-before-make, bbm_break (rec) to bbm_make (rec2). */
	PF_W_BBM,
	/** A bbm_make with no break open for it. */
	PF_W_BBM_ALONE,
	/** A TLB invalidation (zero-length, so a flow can end on it). */
	PF_W_TLBI,
	/** A guest-timed access, t_start to t_end of its record. */
	PF_W_ACCESS,
	/** A world switch to the guest (val 0) or back to the host (1). */
	PF_W_SWITCH,
	/** One step of a world switch, phase rec to phase rec2. */
	PF_W_PHASE,
	/** The guest ran: world_switch enter (rec) to exit (rec2). */
	PF_W_GUEST,
	/** A CPU's init: boot_tables_on (rec) to cpu_up (rec2). */
	PF_W_INIT,
	/** The CPU wrote its trace rings out (trace_drain rec). */
	PF_W_DRAIN,
	/** A gap in a CPU's sequence numbers: val events missing. */
	PF_W_LOST,
	/** Counter: faults in flight on all CPUs (val). */
	PF_W_CNT_FAULTS,
	/** Counter: stage-2 entries broken and not yet made (val). */
	PF_W_CNT_BBM,
	/** Counter: free pages of the pool of pool_level record rec (val). */
	PF_W_CNT_POOL,
	/** Where the trace stops, when it is incomplete or damaged. */
	PF_W_END,
};

/** Item flags: why an item is not what it usually is. */
enum export_perfetto_flags {
	/** Closed early: an enclosing fault ended or a step was lost. */
	PF_F_CUT = 1 << 0,
	/** Still open when the trace ends: closed there. */
	PF_F_OPEN = 1 << 1,
	/** A guest access that overlaps a fault partly: an instant. */
	PF_F_NOT_NESTED = 1 << 2,
	/** A guest access whose t_end is before its t_start. */
	PF_F_BAD_TIMES = 1 << 3,
};

/** Sort classes: at one time and length, lower classes come first. */
enum export_perfetto_class {
	PF_K_OUTER,
	PF_K_MIDDLE,
	PF_K_INNER,
	PF_K_POINT,
	PF_K_COUNTER,
};

/** No record. */
#define PF_NOREC SIZE_MAX

/** One thing to write. */
struct export_perfetto_item {
	/** Nanoseconds since the first record. */
	uint64_t ts;
	uint64_t dur;
	/** Counter value, flow id, events lost, or switch direction. */
	uint64_t val;
	/** The record(s) whose fields make the args, or PF_NOREC. */
	size_t rec;
	size_t rec2;
	/**
	 * Tie-break after (ts, longest first, class): the item's own index,
	 * or for a flow end, its slice's, so it follows that slice at once.
	 */
	size_t order;
	/** pCPU c is track c; vCPU i is track ncpus + i. */
	uint32_t track;
	uint8_t type;
	uint8_t what;
	uint8_t klass;
	/** 0 for the slice, 1.. for the flow ends that follow it. */
	uint8_t sub;
	uint8_t flags;
};

/** Items, in the order they were made. */
struct export_perfetto_items {
	struct export_perfetto_item *v;
	size_t n;
	size_t cap;
	/**
	 * Flows not written: their fault and a BBM it caused start on the
	 * same nanosecond, where a viewer would bind them to the BBM.
	 */
	size_t flows_left_out;
};

/**
 * Appends @it to @items (its order set to its index) and returns that
 * index, or PF_NOREC when memory ran out.
 */
size_t export_perfetto_add(struct export_perfetto_items *items,
			   const struct export_perfetto_item *it);

/**
 * Builds the items of @m's trace into @items (which the caller frees).
 * Returns 0 or -ERR_NOMEM.
 */
int export_perfetto_build(const struct export_model *m,
			  struct export_perfetto_items *items);

/**
 * Sorts @items and writes the whole JSON document to @out. Returns 0,
 * -ERR_NOMEM or -ERR_IO.
 */
int export_perfetto_write(const struct export_model *m,
			  struct export_perfetto_items *items, FILE *out);

#endif /* FAULTLINE_HARNESS_EXPORT_PERFETTO_INTERNAL_H */
