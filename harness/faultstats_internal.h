/*
 * What the fault-path statistics files share and nothing else uses:
 * growable arrays, counts per enum value and tables of counts per
 * (VMID, page).
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
