/*
 * What the fault-path statistics files share and nothing else uses: the
 * pass's state over the trace, growable arrays, counts per enum value and
 * tables of counts per (VMID, page).
 */
#ifndef FAULTLINE_HARNESS_FAULTSTATS_INTERNAL_H
#define FAULTLINE_HARNESS_FAULTSTATS_INTERNAL_H

#include "faultstats.h"

/** A slot of a page count table; n == 0 marks an empty slot. */
struct faultstats_slot {
	uint64_t vmid;
	uint64_t page;
	uint64_t n;
};

/** Counts per (VMID, page): open addressing, linear probing. */
struct faultstats_pagemap {
	struct faultstats_slot *s;
	size_t cap;
	size_t used;
};

/* The events read here. */
enum fs_ev {
	FS_ENTER,
	FS_EXIT,
	FS_BBM_BREAK,
	FS_BBM_MAKE,
	FS_TLBI,
	FS_PTE_WRITE,
	FS_BACKOFF,
	FS_CMO,
	FS_POOL_EXHAUSTED,
	FS_POOL_RECYCLE,
	FS_DIRTY_MARK,
	FS_ABORT,
	FS_ACCESS,
	FS_STOP,
	FS_VM_CREATE,
	FS_KNOB,
	FS_DRAIN,
	FS_REP,
	FS_LIVELOCK,
	FS_EV_COUNT,
	/* A schema event none of the above. */
	FS_EV_NONE = FS_EV_COUNT
};

/* The fields read here, of whichever event has them. */
enum fs_field {
	FS_F_VCPU,
	FS_F_VMID,
	FS_F_IPA,
	FS_F_KIND,
	FS_F_ACCESS,
	FS_F_OUTCOME,
	FS_F_POLICY,
	FS_F_OP,
	FS_F_WHY,
	FS_F_SIZE,
	FS_F_PAGES,
	FS_F_T_START,
	FS_F_T_END,
	FS_F_PC,
	FS_F_ESR,
	FS_F_NAME,
	FS_F_VALUE,
	FS_F_NVCPUS,
	FS_F_IA_BITS,
	FS_F_FLAGS,
	FS_F_TICKS,
	FS_F_NUMBER,
	FS_F_WARMUP,
	FS_F_PHASE,
	FS_F_COUNT
};

/*
 * The file's schema resolved once, so that the pass over what may be
 * millions of records compares no names.
 */
struct fs_bind {
	/* Our event of each schema id below @nids, or FS_EV_NONE. */
	uint8_t *ev_of;
	size_t nids;
	/* Per event and field: its index in the record, or -1. */
	int8_t idx[FS_EV_COUNT][FS_F_COUNT];
	/* Per event and field: the schema's kind ("OUTCOME"), or NULL. */
	const char *kind[FS_EV_COUNT][FS_F_COUNT];
};

/* A fault entered on a CPU and not yet exited. */
struct fs_open {
	uint64_t ts;
	uint64_t vcpu;
	uint64_t vmid;
	uint64_t ipa;
};

/* A fault entry as a guest access is matched against it. */
struct fs_entry_mark {
	uint64_t ts;
	uint64_t vcpu;
	uint64_t page;
};

/* Every fault entry of the trace, in time order. */
struct fs_entry_log {
	struct fs_entry_mark *v;
	size_t n;
	size_t cap;
};

struct fs_stack {
	struct fs_open *v;
	size_t n;
	size_t cap;
};

/*
 * One latency sample, the value (outcome, access) it is filed under, and
 * its repetition (an index into faultstats.reps plus one; 0: none).
 */
struct fs_sample {
	uint64_t ns;
	uint64_t key;
	size_t rep;
};

struct fs_samples {
	struct fs_sample *v;
	size_t n;
	size_t cap;
	/* The distinct keys, and how many samples each has. */
	struct faultstats_counts keys;
};

/* An enum value the stats single out by name, when the schema has it. */
struct fs_special {
	bool known;
	uint64_t value;
};

struct fs_ctx {
	const struct trace_data *td;
	struct faultstats *fs;
	struct fs_bind b;
	/* Faults in progress, per CPU: they nest strictly on one CPU. */
	struct fs_stack cpus[TRACE_FILE_MAX_CPUS];
	struct fs_samples lat;
	struct fs_samples acc;
	/* The accesses of @acc that faulted (faultstats.faulting_access_lat). */
	struct fs_samples facc;
	struct fs_entry_log entries;
	struct faultstats_pagemap mapped;
	struct faultstats_pagemap remapped;
	struct faultstats_pagemap broken;
	struct fs_special outcome_mapped;
	struct fs_special outcome_remapped;
	struct fs_special access_hvc;
	struct fs_special stop_done;
	struct fs_special rep_begin;
	struct fs_special rep_end;
	/* Inside a warm-up repetition: records are left out. */
	bool in_warmup;
	/* The measured repetition in progress (index + 1), or 0. */
	size_t rep;
	/* The timestamp its begin record had. */
	uint64_t rep_start;
};

/** The VMID's bits of a page table's key (the repetition is above them). */
#define FS_VMID_MASK UINT64_C(0xffffffff)

/** True when @sp is known and is @v. */
static inline bool fs_special_is(const struct fs_special *sp, uint64_t v)
{
	return sp->known && sp->value == v;
}

/**
 * Everything computed once the pass over the records is done:
 * distributions, ratios, page sums, names, the repetitions' figures.
 * Returns 0 or -ERR_NOMEM.
 */
int faultstats_finish(struct fs_ctx *c);

/**
 * @p with room for element @n of @size bytes (doubling *@cap), or NULL
 * with @p left as it was when memory ran out.
 */
void *faultstats_reserve(void *p, size_t n, size_t *cap, size_t size);

/**
 * The name of @value of enum @kind (may be NULL) into @buf (of
 * FAULTSTATS_NAME_LEN bytes), or @value in decimal.
 */
void faultstats_name(const struct trace_data *td, const char *kind,
		     uint64_t value, char *buf);

/** Counts one more @value in @c, adding @sum. Returns 0 or -ERR_NOMEM. */
int faultstats_counts_add(struct faultstats_counts *c, uint64_t value,
			  uint64_t sum);

/** Sorts @c by value and names each value as enum @kind (may be NULL) does. */
void faultstats_counts_finish(const struct trace_data *td,
			      struct faultstats_counts *c, const char *kind);

/** Frees what @c holds and zeroes it. */
void faultstats_counts_free(struct faultstats_counts *c);

/** Counts (@vmid, @page) once more in @m. Returns 0 or -ERR_NOMEM. */
int faultstats_pagemap_add(struct faultstats_pagemap *m, uint64_t vmid,
			   uint64_t page);

/**
 * The distinct pages of @m in *@distinct, those counted more than once in
 * *@again, and the most counted one in *@top (the lowest VMID and IPA on
 * a tie, so that the answer does not depend on the table's layout).
 */
void faultstats_pagemap_sum(const struct faultstats_pagemap *m,
			    uint64_t *distinct, uint64_t *again,
			    struct faultstats_page *top);

/** Frees what @m holds and zeroes it. */
void faultstats_pagemap_free(struct faultstats_pagemap *m);

#endif /* FAULTLINE_HARNESS_FAULTSTATS_INTERNAL_H */
