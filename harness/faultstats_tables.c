/*
 * The tables behind the fault-path statistics (faultstats_internal.h):
 * percentiles, counts per enum value and counts per (VMID, page).
 */
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>

#include "faultstats_internal.h"

void *faultstats_reserve(void *p, size_t n, size_t *cap, size_t size)
{
	size_t ncap;
	void *np;

	if (n < *cap) {
		return p;
	}
	ncap = *cap > 0 ? *cap * 2 : 16;
	np = realloc(p, ncap * size);
	if (np != NULL) {
		*cap = ncap;
	}
	return np;
}

static int fs_u64_order(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a;
	uint64_t y = *(const uint64_t *)b;

	return x < y ? -1 : (x > y);
}

/* The smallest sample with at least @permille/1000 of all at or below. */
static uint64_t fs_rank(const uint64_t *sorted, size_t n, uint64_t permille)
{
	uint64_t rank = (permille * n + 999) / 1000;

	return sorted[rank > 0 ? rank - 1 : 0];
}

void faultstats_dist_compute(uint64_t *v, size_t n, struct faultstats_dist *d)
{
	double sum = 0.0;

	memset(d, 0, sizeof(*d));
	if (n == 0) {
		return;
	}
	qsort(v, n, sizeof(*v), fs_u64_order);
	for (size_t i = 0; i < n; i++) {
		sum += (double)v[i];
	}
	d->n = n;
	d->min = v[0];
	d->max = v[n - 1];
	d->p50 = fs_rank(v, n, 500);
	d->p90 = fs_rank(v, n, 900);
	d->p99 = fs_rank(v, n, 990);
	d->p999 = fs_rank(v, n, 999);
	d->mean = sum / (double)n;
}

uint64_t faultstats_count_of(const struct faultstats_counts *c,
			     const char *name)
{
	for (size_t i = 0; i < c->n; i++) {
		if (strcmp(c->v[i].name, name) == 0) {
			return c->v[i].n;
		}
	}
	return 0;
}

const struct faultstats_dist *faultstats_dist_of(
	const struct faultstats_dists *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++) {
		if (strcmp(d->v[i].name, name) == 0) {
			return &d->v[i].d;
		}
	}
	return NULL;
}

void faultstats_name(const struct trace_data *td, const char *kind,
		     uint64_t value, char *buf)
{
	const char *name =
		kind != NULL ? trace_data_enum_name(td, kind, value) : NULL;

	if (name != NULL) {
		snprintf(buf, FAULTSTATS_NAME_LEN, "%s", name);
	} else {
		snprintf(buf, FAULTSTATS_NAME_LEN, "%llu",
			 (unsigned long long)value);
	}
}

int faultstats_counts_add(struct faultstats_counts *c, uint64_t value,
			  uint64_t sum)
{
	void *np;

	for (size_t i = 0; i < c->n; i++) {
		if (c->v[i].value == value) {
			c->v[i].n++;
			c->v[i].sum += sum;
			return 0;
		}
	}
	np = faultstats_reserve(c->v, c->n, &c->cap, sizeof(*c->v));
	if (np == NULL) {
		return -ERR_NOMEM;
	}
	c->v = np;
	c->v[c->n++] =
		(struct faultstats_count){.value = value, .n = 1, .sum = sum};
	return 0;
}

static int fs_count_order(const void *a, const void *b)
{
	const struct faultstats_count *x = a;
	const struct faultstats_count *y = b;

	return x->value < y->value ? -1 : (x->value > y->value);
}

void faultstats_counts_finish(const struct trace_data *td,
			      struct faultstats_counts *c, const char *kind)
{
	if (c->n > 1) {
		qsort(c->v, c->n, sizeof(*c->v), fs_count_order);
	}
	for (size_t i = 0; i < c->n; i++) {
		faultstats_name(td, kind, c->v[i].value, c->v[i].name);
	}
}

void faultstats_counts_free(struct faultstats_counts *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static uint64_t fs_hash(uint64_t vmid, uint64_t page)
{
	uint64_t x =
		(page >> PAGE_SHIFT) ^ (vmid * UINT64_C(0x9e3779b97f4a7c15));

	/* splitmix64's finaliser: neighbouring pages land far apart. */
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

/* The slot of (@vmid, @page) in @s (@cap a power of two), or an empty one. */
static struct faultstats_slot *fs_slot_find(struct faultstats_slot *s,
					    size_t cap, uint64_t vmid,
					    uint64_t page)
{
	size_t i = fs_hash(vmid, page) & (cap - 1);

	while (s[i].n != 0 && (s[i].vmid != vmid || s[i].page != page)) {
		i = (i + 1) & (cap - 1);
	}
	return &s[i];
}

int faultstats_pagemap_add(struct faultstats_pagemap *m, uint64_t vmid,
			   uint64_t page)
{
	struct faultstats_slot *slot;

	/* At most half full, so probes stay short and always end. */
	if ((m->used + 1) * 2 > m->cap) {
		size_t ncap = m->cap > 0 ? m->cap * 2 : 1024;
		struct faultstats_slot *ns = calloc(ncap, sizeof(*ns));

		if (ns == NULL) {
			return -ERR_NOMEM;
		}
		for (size_t i = 0; i < m->cap; i++) {
			if (m->s[i].n != 0) {
				*fs_slot_find(ns, ncap, m->s[i].vmid,
					      m->s[i].page) = m->s[i];
			}
		}
		free(m->s);
		m->s = ns;
		m->cap = ncap;
	}
	slot = fs_slot_find(m->s, m->cap, vmid, page);
	if (slot->n == 0) {
		*slot = (struct faultstats_slot){vmid, page, 0};
		m->used++;
	}
	slot->n++;
	return 0;
}

void faultstats_pagemap_sum(const struct faultstats_pagemap *m,
			    uint64_t *distinct, uint64_t *again,
			    struct faultstats_page *top)
{
	memset(top, 0, sizeof(*top));
	*distinct = m->used;
	*again = 0;
	for (size_t i = 0; i < m->cap; i++) {
		const struct faultstats_slot *s = &m->s[i];

		if (s->n == 0) {
			continue;
		}
		*again += s->n > 1;
		if (s->n > top->n ||
		    (s->n == top->n &&
		     (s->vmid < top->vmid ||
		      (s->vmid == top->vmid && s->page < top->ipa)))) {
			*top = (struct faultstats_page){s->vmid, s->page, s->n};
		}
	}
}

void faultstats_pagemap_free(struct faultstats_pagemap *m)
{
	free(m->s);
	memset(m, 0, sizeof(*m));
}
