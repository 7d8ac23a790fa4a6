/*
 * Pools of page-table pages for stage 2. A pool owns a contiguous region;
 * pages are handed out zeroed and given back one by one when tables are
 * freed. Running dry is a normal outcome (-ERR_NOMEM), counted and traced
 * (pool_exhausted), that callers handle (seed 000: the host stage 2 keeps
 * memory and device mappings in separate pools and recycles the device
 * pool by unmapping device ranges).
 *
 * Locking: each pool has its own spinlock, taken inside any stage-2 lock
 * (lock order: stage2_pgtable.lock, then stage2_pool.lock).
 */
#ifndef FAULTLINE_STAGE2_POOL_H
#define FAULTLINE_STAGE2_POOL_H

#include <faultline/spinlock.h>
#include <faultline/types.h>

/** A pool of page-table pages. */
struct stage2_pool {
	/** Short name for messages and traces ("mem", "dev", ...). */
	const char *name;
	/** Number used for this pool in trace events. */
	uint16_t id;
	/** Address through which the code reaches the first page. */
	uint8_t *base;
	/** Physical address of the first page. */
	paddr_t base_pa;
	/** Pages in the region. */
	size_t npages;
	struct spinlock lock;
	/** Index + 1 of the first page on the free list; 0 when empty. */
	size_t free_head;
	/** Pages from here on were never handed out. */
	size_t bump;
	/** Pages available (free list + never handed out). */
	size_t nfree;
	/** Lowest nfree seen. */
	size_t low_water;
	/** Allocations that succeeded. */
	uint64_t allocs;
	/** Pages given back. */
	uint64_t frees;
	/** Allocations refused because the pool was empty. */
	uint64_t failures;
};

/**
 * Sets up @pool over @npages pages at @base, which the hardware sees at
 * @base_pa (both page aligned). @name must outlive the pool.
 */
void stage2_pool_init(struct stage2_pool *pool, const char *name, uint16_t id,
		      void *base, paddr_t base_pa, size_t npages);

/**
 * Takes @n contiguous zeroed pages aligned to @n pages (@n a power of two,
 * for concatenated root tables) from the never-used part of the pool, or
 * one page from the free list when @n is 1. Returns a pointer and the PA
 * in *@pa, or NULL (counted as a failure, traced as pool_exhausted).
 */
void *stage2_pool_alloc(struct stage2_pool *pool, size_t n, paddr_t *pa);

/** Gives page @pa (from this pool) back. */
void stage2_pool_free(struct stage2_pool *pool, paddr_t pa);

/** True when @pa lies in @pool's region. */
bool stage2_pool_owns(const struct stage2_pool *pool, paddr_t pa);

/** The caller-accessible pointer of page @pa of @pool, or NULL. */
void *stage2_pool_ptr(const struct stage2_pool *pool, paddr_t pa);

/** Pages currently available in @pool. */
size_t stage2_pool_available(struct stage2_pool *pool);

#endif /* FAULTLINE_STAGE2_POOL_H */
