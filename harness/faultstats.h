/*
 * What a decoded trace says about the stage-2 fault path of a plan run:
 * how many faults of which kind ended how, per VM; break-before-make, TLB
 * and cache maintenance counts; the pages mapped more than once (a race
 * that mapped one page twice) and the page broken most often; the fault
 * latency from EL2 entry to exit; the guest's own access latency and the
 * null-hvc floor it measured in the same run, so that a report can give
 * ratios (under QEMU absolute times are not hardware times); and why each
 * vCPU stopped.
 *
 * Events, fields and enum values are matched by their names in the file's
 * own schema, never by the compiled ids, so a trace written by another
 * build reads right or yields nothing, never wrong numbers. A field the
 * file's event lacks reads as 0.
 */
#ifndef FAULTLINE_HARNESS_FAULTSTATS_H
#define FAULTLINE_HARNESS_FAULTSTATS_H

#include <stdio.h>

#include <faultline/trace/decode.h>

#include "json.h"

/** Longest enum value name kept (the schema's names fit). */
#define FAULTSTATS_NAME_LEN 32

/** Nearest-rank percentiles of a set of samples (nanoseconds). */
struct faultstats_dist {
	/** Number of samples; every other field is 0 when it is 0. */
	uint64_t n;
	uint64_t min;
	uint64_t max;
	uint64_t p50;
	uint64_t p90;
	uint64_t p99;
	/** The 99.9th percentile. */
	uint64_t p999;
	double mean;
};

/** How many records had one value of an enumerated field. */
struct faultstats_count {
	uint64_t value;
	/** The schema's name of @value, or @value in decimal. */
	char name[FAULTSTATS_NAME_LEN];
	uint64_t n;
	/** A sum the list keeps besides the count (CMO bytes), else 0. */
	uint64_t sum;
};

/** Counts per value of one field, sorted by value. */
struct faultstats_counts {
	struct faultstats_count *v;
	size_t n;
	size_t cap;
};

/** A latency distribution of the samples with one value of a field. */
struct faultstats_named_dist {
	uint64_t value;
	/** The schema's name of @value, or @value in decimal. */
	char name[FAULTSTATS_NAME_LEN];
	struct faultstats_dist d;
};

/** Latency distributions per value of one field, sorted by value. */
struct faultstats_dists {
	struct faultstats_named_dist *v;
	size_t n;
};

/** The faults of one VM. */
struct faultstats_vm {
	uint64_t vmid;
	/** A vm_create was seen: the fields up to @flags are valid. */
	bool created;
	/** The policy the VM was created with. */
	uint64_t policy;
	char policy_name[FAULTSTATS_NAME_LEN];
	uint64_t nvcpus;
	uint64_t ia_bits;
	/** enum plan_vm_flags. */
	uint64_t flags;
	/** s2_fault_enter records of this VM. */
	uint64_t faults;
	/** From s2_fault_enter. */
	struct faultstats_counts kinds;
	struct faultstats_counts accesses;
	/** From s2_fault_exit. */
	struct faultstats_counts outcomes;
	/** Exits per policy in force (a plan may switch policies). */
	struct faultstats_counts policies;
};

/** One page of one VM, and how often something happened to it. */
struct faultstats_page {
	uint64_t vmid;
	/** The IPA with its low 12 bits cleared. */
	uint64_t ipa;
	/** 0 when no page qualified. */
	uint64_t n;
};

/** Why one vCPU stopped (its vcpu_stop record). */
struct faultstats_stop {
	uint64_t vcpu;
	uint64_t vmid;
	uint64_t why;
	char why_name[FAULTSTATS_NAME_LEN];
	uint64_t pc;
	uint64_t esr;
	/** @why is "done": the guest finished its program. */
	bool done;
};

/**
 * One measured repetition of a plan (the records between a `rep` begin
 * and its end that are not a warm-up's): what issue 7's statistics
 * compare repetition by repetition.
 */
struct faultstats_rep {
	/** The rep record's number (warm-ups count: the first measured one
	 * of a run with 2 warm-ups is 2). */
	uint64_t number;
	/** Its end record was seen (else the trace stops inside it). */
	bool ended;
	/** From its begin to its end record (or the last record), in ns. */
	uint64_t duration_ns;
	/**
	 * Its records in the trace: @count of them from index @first, its
	 * begin and end records included (the trace's records are in time
	 * order, so a repetition's are contiguous).
	 */
	size_t first;
	size_t count;
	uint64_t faults;
	uint64_t bbm_breaks;
	uint64_t tlbis;
	/** The figures of faultstats of the same names, for this rep only. */
	struct faultstats_dist fault_lat;
	struct faultstats_dist access_lat;
	struct faultstats_dist faulting_access_lat;
	struct faultstats_dist hvc_floor;
	double fault_hvc_ratio;
	double faulting_access_hvc_ratio;
};

/** A research knob the run had on (its knob record). */
struct faultstats_knob {
	char name[FAULTSTATS_NAME_LEN];
	uint64_t value;
};

/** What one trace says about the fault path. */
struct faultstats {
	/**
	 * vm_create, s2_fault_enter/exit, guest_access and vcpu_stop records:
	 * only a plan run emits them (boot and test runs do not).
	 */
	uint64_t plan_events;

	/** s2_fault_enter records. */
	uint64_t faults;
	/** s2_fault_exit records. */
	uint64_t exits;
	/** Enters never closed by an exit on their CPU (a cut trace). */
	uint64_t unmatched_enters;
	/** Exits without an enter before them on their CPU. */
	uint64_t unmatched_exits;
	/** All VMs: kinds and accesses from enters, outcomes from exits. */
	struct faultstats_counts kinds;
	struct faultstats_counts accesses;
	struct faultstats_counts outcomes;
	/** Per VM, sorted by VMID: VMs created or that faulted. */
	struct faultstats_vm *vms;
	size_t nvms;

	/** Enter to matching exit on the same CPU, every matched fault. */
	struct faultstats_dist fault_lat;
	/** The same, per outcome. */
	struct faultstats_dists fault_lat_by_outcome;

	/** Guest-timed reads, writes and executes (hvc excluded). */
	struct faultstats_dist access_lat;
	/**
	 * The guest-timed accesses of @access_lat during which their vCPU
	 * entered a stage-2 fault on the accessed page: what a fault costs
	 * the guest, trap and return included (the same clock, CNTVCT, times
	 * both, so the fault's entry lies inside the access's window).
	 */
	struct faultstats_dist faulting_access_lat;
	/** Guest-timed accesses per ACCESS value, hvc included. */
	struct faultstats_dists access_lat_by_kind;
	/** Guest-timed null hypercalls: the cost of a trap and return. */
	struct faultstats_dist hvc_floor;
	/** guest_access records whose t_end was before t_start. */
	uint64_t access_bad;
	/**
	 * fault_lat.p50 / hvc_floor.p50; 0 when either is missing. The EL2
	 * handling time of a fault in units of a whole trap round trip.
	 */
	double fault_hvc_ratio;
	/**
	 * faulting_access_lat.p50 / hvc_floor.p50; 0 when either is missing:
	 * a faulting access against a null hvc, both as the guest sees them.
	 */
	double faulting_access_hvc_ratio;
	/** access_lat.p50 / hvc_floor.p50; 0 when either is missing. */
	double access_hvc_ratio;

	uint64_t bbm_breaks;
	uint64_t bbm_makes;
	/** The (VMID, page) of the most bbm_break records (lowest on a tie). */
	struct faultstats_page most_broken;
	/** Distinct (VMID, page) broken, and those broken more than once. */
	uint64_t pages_broken;
	uint64_t pages_broken_again;

	/**
	 * Distinct (VMID, page) with a "mapped" exit. Pages are counted per
	 * repetition (each builds its VMs anew): with 3 repetitions of 16
	 * pages, 48 pages mapped, none of them twice. The same holds for the
	 * pages broken and remapped below.
	 */
	uint64_t pages_mapped;
	/** Of them, pages with more than one: a race mapped them twice. */
	uint64_t pages_mapped_again;
	/** The page with the most "mapped" exits (lowest on a tie). */
	struct faultstats_page most_mapped;
	/** Distinct (VMID, page) with a "remapped" exit. */
	uint64_t pages_remapped;

	/** Every tlbi record (the boot's alle2 ones too), and per op. */
	uint64_t tlbis;
	struct faultstats_counts tlbi_ops;
	uint64_t pte_writes;
	/** s2_backoff records, and per reason. */
	uint64_t backoffs;
	struct faultstats_counts backoff_whys;
	/** cmo records and their bytes, and per reason (sum = bytes). */
	uint64_t cmos;
	uint64_t cmo_bytes;
	struct faultstats_counts cmo_whys;
	uint64_t pool_exhausted;
	uint64_t pool_recycles;
	uint64_t pool_pages_recycled;
	uint64_t dirty_marks;
	/**
	 * Times a CPU wrote the trace out during the run (trace_drain), and
	 * the time its vCPU was paused for it in all, in ns.
	 */
	uint64_t trace_drains;
	uint64_t trace_drain_ns;
	uint64_t aborts_injected;

	struct faultstats_knob *knobs;
	size_t nknobs;

	/** vcpu_stop records, sorted by vCPU. */
	struct faultstats_stop *stops;
	size_t nstops;
	/** Stops that were "done", and the others. */
	uint64_t vcpus_done;
	uint64_t vcpus_failed;
	/** vCPUs the vm_create records declared (sum of nvcpus). */
	uint64_t vcpus_declared;

	/** livelock records (warm-ups included: a livelock ends the run). */
	uint64_t livelocks;
	/**
	 * The measured repetitions, in order; none when the trace has no
	 * `rep` records (not a plan run, or an older trace).
	 */
	struct faultstats_rep *reps;
	size_t nreps;
	/**
	 * Warm-up repetitions, and the records inside them: left out of
	 * every figure above (but for @livelocks), as they are not measured.
	 */
	uint64_t warmup_reps;
	uint64_t warmup_records;
};

/**
 * Computes @fs from @td, whose records are in timestamp order (as the
 * decoder leaves them). Returns 0 or -ERR_NOMEM (faultline/err.h); @fs is
 * to be released with faultstats_free() in every case.
 */
int faultstats_compute(const struct trace_data *td, struct faultstats *fs);

/** Releases what @fs holds (safe on a zeroed struct). */
void faultstats_free(struct faultstats *fs);

/** True when the trace had any fault-path event (a plan run). */
bool faultstats_any(const struct faultstats *fs);

/**
 * Nearest-rank percentiles of the @n samples at @v into @d: the p-th
 * percentile is the smallest sample with at least p% of all at or below
 * it. Sorts @v in place.
 */
void faultstats_dist_compute(uint64_t *v, size_t n, struct faultstats_dist *d);

/** The count of value @name in @c, 0 when @c has no such value. */
uint64_t faultstats_count_of(const struct faultstats_counts *c,
			     const char *name);

/** The distribution of value @name in @d, or NULL. */
const struct faultstats_dist *faultstats_dist_of(
	const struct faultstats_dists *d, const char *name);

/**
 * Prints a few readable lines ("faultline: " prefix) to @out; @color adds
 * ANSI colours to what needs attention (injected aborts, out_of_memory,
 * vm_stopped, pages mapped more than once, vCPUs that did not finish).
 * Lines with nothing to say are left out.
 */
void faultstats_print(const struct faultstats *fs, FILE *out, bool color);

/**
 * Writes the stats as the value of a JSON key (one object) with @w.
 * Latencies are in nanoseconds; a distribution without samples is null.
 */
void faultstats_json(const struct faultstats *fs, struct json_writer *w);

/**
 * Writes the repetitions as the value of a JSON key with @w: an object
 * with the counts of measured and warm-up repetitions and one entry per
 * measured repetition (docs/results.md).
 */
void faultstats_reps_json(const struct faultstats *fs, struct json_writer *w);

/**
 * Prints one line per measured repetition when there are more than one
 * ("faultline:   rep 2: 610 faults, p50 3.2 us, ..."), after a line that
 * says how many there were and how many warm-ups were left out; nothing
 * for a run of one repetition. faultstats_print() ends with it.
 */
void faultstats_reps_print(const struct faultstats *fs, FILE *out);

#endif /* FAULTLINE_HARNESS_FAULTSTATS_H */
