/*
 * A pool of 4 KiB pages for page tables. Pages are handed out zeroed. The
 * pool knows both the address the code uses to write a page (its "va",
 * which is the physical address itself while the MMU is off) and the
 * physical address the table walker sees, so the same code builds tables
 * at EL2 before the MMU is on and on the host in a malloc'd buffer.
 */
#ifndef FAULTLINE_PAGE_POOL_H
#define FAULTLINE_PAGE_POOL_H

#include <faultline/types.h>

/** A contiguous run of pages handed out in order. */
struct page_pool {
	/** Address through which the running code accesses the pages. */
	uint8_t *base;
	/** Physical address of the first page. */
	paddr_t base_pa;
	/** Pages in the pool. */
	size_t npages;
	/** Pages handed out so far. */
	size_t used;
};

/**
 * Sets up @pool over @npages pages at @base (accessible to the caller) that
 * the hardware sees at @base_pa. @base and @base_pa must be page aligned.
 */
void page_pool_init(struct page_pool *pool, void *base, paddr_t base_pa,
		    size_t npages);

/**
 * Takes a zeroed page from @pool. Returns a pointer to it and its physical
 * address in *@pa, or NULL when the pool is exhausted.
 */
void *page_pool_alloc(struct page_pool *pool, paddr_t *pa);

/**
 * Returns the caller-accessible pointer for physical address @pa of a page
 * of @pool, or NULL when @pa is outside the pool (a corrupt table entry).
 */
void *page_pool_ptr(const struct page_pool *pool, paddr_t pa);

#endif /* FAULTLINE_PAGE_POOL_H */
