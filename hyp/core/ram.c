/* Free physical memory as a sorted list of disjoint ranges (ram.h). */
#include <faultline/err.h>
#include <faultline/ram.h>

/*
 * Adds [base, end) to the free list, kept sorted and disjoint: merged with
 * every range it overlaps or touches. A device tree may list memory out of
 * order or overlapping; unmerged, "lowest first" would not hold and the
 * same page could be handed out twice. Dropped when the list is full.
 */
static void ram_add(struct ram *r, uint64_t base, uint64_t end)
{
	unsigned i = 0, j;

	while (i < r->nfree && r->free[i].base + r->free[i].size < base) {
		i++;
	}
	for (j = i; j < r->nfree && r->free[j].base <= end; j++) {
		base = MIN(base, r->free[j].base);
		end = MAX(end, r->free[j].base + r->free[j].size);
	}
	if (j == i) {
		if (r->nfree == RAM_MAX_RANGES) {
			return;
		}
		for (unsigned k = r->nfree; k > i; k--) {
			r->free[k] = r->free[k - 1];
		}
		r->nfree++;
	} else {
		/* free[i, j) become one range at i. */
		for (unsigned k = j; k < r->nfree; k++) {
			r->free[k - (j - i - 1)] = r->free[k];
		}
		r->nfree -= j - i - 1;
	}
	r->free[i].base = base;
	r->free[i].size = end - base;
}

void ram_init(struct ram *r, const struct mem_range *mem, unsigned n)
{
	r->nfree = 0;
	r->used = 0;
	for (unsigned i = 0; i < n; i++) {
		uint64_t base = ALIGN_UP(mem[i].base, PAGE_SIZE);
		uint64_t end = ALIGN_DOWN(mem[i].base + mem[i].size, PAGE_SIZE);

		/* Neither rounding nor the range may wrap around 2^64. */
		if (base >= mem[i].base &&
		    mem[i].base + mem[i].size >= mem[i].base && base < end) {
			ram_add(r, base, end);
		}
	}
}

/* Splits free range @i around [base, base + size), which it contains. */
static int ram_cut(struct ram *r, unsigned i, uint64_t base, uint64_t size)
{
	struct mem_range f = r->free[i];
	uint64_t end = base + size;
	uint64_t fend = f.base + f.size;

	if (base > f.base && end < fend) {
		if (r->nfree == RAM_MAX_RANGES) {
			return -ERR_NOMEM;
		}
		for (unsigned j = r->nfree; j > i + 1; j--) {
			r->free[j] = r->free[j - 1];
		}
		r->nfree++;
		r->free[i].size = base - f.base;
		r->free[i + 1].base = end;
		r->free[i + 1].size = fend - end;
	} else if (base > f.base) {
		r->free[i].size = base - f.base;
	} else if (end < fend) {
		r->free[i].base = end;
		r->free[i].size = fend - end;
	} else {
		for (unsigned j = i; j + 1 < r->nfree; j++) {
			r->free[j] = r->free[j + 1];
		}
		r->nfree--;
	}
	r->used += size;
	return 0;
}

int ram_reserve(struct ram *r, uint64_t base, uint64_t size)
{
	uint64_t b = ALIGN_DOWN(base, PAGE_SIZE);
	uint64_t e = ALIGN_UP(base + size, PAGE_SIZE);

	if (size == 0 || e < b) {
		return -ERR_RANGE;
	}
	for (unsigned i = 0; i < r->nfree; i++) {
		const struct mem_range *f = &r->free[i];

		if (b >= f->base && e <= f->base + f->size) {
			return ram_cut(r, i, b, e - b);
		}
	}
	return -ERR_RANGE;
}

int ram_alloc(struct ram *r, uint64_t size, uint64_t align, paddr_t *pa)
{
	if (size == 0 || align < PAGE_SIZE || (align & (align - 1)) != 0) {
		return -ERR_INVAL;
	}
	size = ALIGN_UP(size, PAGE_SIZE);
	for (unsigned i = 0; i < r->nfree; i++) {
		const struct mem_range *f = &r->free[i];
		uint64_t base = ALIGN_UP(f->base, align);

		if (base >= f->base && base - f->base <= f->size &&
		    size <= f->size - (base - f->base)) {
			int ret = ram_cut(r, i, base, size);

			if (ret == 0) {
				*pa = pa_init(base);
			}
			return ret;
		}
	}
	return -ERR_NOMEM;
}

uint64_t ram_free_bytes(const struct ram *r)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < r->nfree; i++) {
		n += r->free[i].size;
	}
	return n;
}
