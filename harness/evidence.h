/*
 * The evidence of a livelock, from the trace: the hypervisor's livelock
 * record (hyp/core/livelock.c: a vCPU made no progress across N stage-2
 * faults on one page since a given time, and its VM was stopped) with
 * what happened on that page in that window: which vCPUs faulted on it,
 * the break-before-makes of its entry and on which CPUs, and the last
 * events on the page (the cycle the vCPUs were caught in), as rows that
 * can be found in events.csv by their index.
 *
 * Events and fields are matched by their names in the file's own schema.
 */
#ifndef FAULTLINE_HARNESS_EVIDENCE_H
#define FAULTLINE_HARNESS_EVIDENCE_H

#include <stdio.h>

#include <faultline/trace/decode.h>

#include "json.h"

/** Most vCPUs and CPUs listed; the rest are counted only. */
#define EVIDENCE_MAX_VCPUS 32
/** Rows of the excerpt of the cycle. */
#define EVIDENCE_EXCERPT_ROWS 12
/** Longest excerpt row, with the NUL. */
#define EVIDENCE_ROW_MAX 256
/** Other livelock records listed. */
#define EVIDENCE_MAX_OTHERS 8

/** A vCPU that faulted on the page in the window, and how often. */
struct evidence_vcpu {
	uint64_t vmid;
	uint64_t vcpu;
	uint64_t faults;
};

/** A CPU that broke the page's entry in the window, and how often. */
struct evidence_cpu {
	unsigned cpu;
	uint64_t bbms;
};

/** A livelock record other than the one the evidence is about. */
struct evidence_other {
	uint64_t vcpu;
	uint64_t vmid;
	uint64_t ipa;
	uint64_t faults;
	/** Its time, in ns since the first record (events.csv's time_ns). */
	uint64_t at_ns;
};

/** The evidence of the first livelock of a trace. */
struct evidence {
	/** livelock records in the trace; the rest is valid when > 0. */
	unsigned count;
	/** The first livelock record: its CPU and fields. */
	unsigned cpu;
	uint64_t vcpu;
	uint64_t vmid;
	/** The page (the record's IPA). */
	uint64_t ipa;
	uint64_t faults;
	/** The guest's progress counter, unchanged across the faults. */
	uint64_t progress;
	/**
	 * The window: from the streak's start (the record's `since`) to the
	 * record, in ns since the first record of the trace. A `since`
	 * before the first record (events lost) starts it there.
	 */
	uint64_t since_ns;
	uint64_t at_ns;
	/** Its index in the trace (events.csv's index). */
	size_t index;
	/** Faults entered on the page in the window, per vCPU. */
	struct evidence_vcpu vcpus[EVIDENCE_MAX_VCPUS];
	unsigned nvcpus;
	/** Entries of the page broken (bbm_break) in the window, per CPU. */
	uint64_t bbms;
	struct evidence_cpu bbm_cpus[EVIDENCE_MAX_VCPUS];
	unsigned nbbm_cpus;
	/** Records about the page in the window. */
	uint64_t page_events;
	/** The last of them, up to the livelock record, formatted. */
	char excerpt[EVIDENCE_EXCERPT_ROWS][EVIDENCE_ROW_MAX];
	unsigned nexcerpt;
	/** The other livelock records (other vCPUs stopped with the VM). */
	struct evidence_other others[EVIDENCE_MAX_OTHERS];
	unsigned nothers;
};

/**
 * Finds the first livelock record of @td (records in time order) and
 * gathers its evidence into @ev; ev->count is 0 when there is none.
 */
void evidence_compute(const struct trace_data *td, struct evidence *ev);

/**
 * Prints the evidence as a few "faultline: " lines: who was stuck where
 * and for how long, the vCPUs and BBMs of the window, the excerpt, the
 * other livelocked vCPUs. Nothing when there was no livelock.
 */
void evidence_print(const struct evidence *ev, FILE *out, bool color);

/** Writes the evidence (or null when none) as a JSON value with @w. */
void evidence_json(const struct evidence *ev, struct json_writer *w);

#endif /* FAULTLINE_HARNESS_EVIDENCE_H */
