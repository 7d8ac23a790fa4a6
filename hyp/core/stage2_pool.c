/*
 * Page-table page pools. Freed pages are chained through their first word;
 * pages never handed out are taken from the top (bump), which also serves
 * the aligned multi-page requests of concatenated roots.
 */
#include <faultline/check.h>
#include <faultline/stage2_pool.h>
#include <faultline/trace/ring.h>

void stage2_pool_init(struct stage2_pool *pool, const char *name, uint16_t id,
		      void *base, paddr_t base_pa, size_t npages)
{
	pool->name = name;
	pool->id = id;
	pool->base = base;
	pool->base_pa = base_pa;
	pool->npages = npages;
	pool->lock = (struct spinlock)SPINLOCK_INIT;
	pool->free_head = 0;
	pool->bump = 0;
	pool->nfree = npages;
	pool->low_water = npages;
	pool->allocs = 0;
	pool->frees = 0;
	pool->failures = 0;
}

static void pool_zero(void *page, size_t n)
{
	uint64_t *w = page;

	for (size_t i = 0; i < n * PAGE_SIZE / sizeof(*w); i++) {
		w[i] = 0;
	}
}

/* Takes @n aligned pages from the never-used part; the lock is held. */
static void *pool_take_fresh(struct stage2_pool *pool, size_t n, size_t *idx)
{
	uint64_t pa = pa_addr(pool->base_pa) + pool->bump * PAGE_SIZE;
	uint64_t align = n * PAGE_SIZE;
	size_t skip = (size_t)((ALIGN_UP(pa, align) - pa) / PAGE_SIZE);

	if (pool->bump + skip + n > pool->npages) {
		return NULL;
	}
	/* Pages skipped for alignment go to the free list, not to waste. */
	for (size_t i = 0; i < skip; i++) {
		uint64_t *page =
			(uint64_t *)(void *)(pool->base +
					     (pool->bump + i) * PAGE_SIZE);

		page[0] = pool->free_head;
		pool->free_head = pool->bump + i + 1;
	}
	*idx = pool->bump + skip;
	pool->bump += skip + n;
	return pool->base + *idx * PAGE_SIZE;
}

void *stage2_pool_alloc(struct stage2_pool *pool, size_t n, paddr_t *pa)
{
	void *page = NULL;
	size_t idx = 0;
	size_t left;

	spinlock_lock(&pool->lock);
	if (n == 1 && pool->free_head != 0) {
		idx = pool->free_head - 1;
		page = pool->base + idx * PAGE_SIZE;
		pool->free_head = (size_t)((uint64_t *)page)[0];
	} else if (n >= 1 && (n & (n - 1)) == 0) {
		page = pool_take_fresh(pool, n, &idx);
	}
	if (page != NULL) {
		pool->nfree -= n;
		pool->allocs++;
		if (pool->nfree < pool->low_water) {
			pool->low_water = pool->nfree;
		}
	} else {
		pool->failures++;
	}
	left = pool->nfree;
	spinlock_unlock(&pool->lock);

	if (page == NULL) {
		trace_pool_exhausted(pool->id, left);
		return NULL;
	}
	/* Table pages are few (one per 512 entries): cheap to trace. */
	trace_pool_level(pool->id, TRACE_POOL_OP_ALLOC, n, left);
	pool_zero(page, n);
	*pa = pa_add(pool->base_pa, idx * PAGE_SIZE);
	return page;
}

bool stage2_pool_owns(const struct stage2_pool *pool, paddr_t pa)
{
	uint64_t base = pa_addr(pool->base_pa);

	return pa_addr(pa) >= base &&
	       pa_addr(pa) - base < pool->npages * PAGE_SIZE;
}

void *stage2_pool_ptr(const struct stage2_pool *pool, paddr_t pa)
{
	if (!stage2_pool_owns(pool, pa)) {
		return NULL;
	}
	return pool->base + (pa_addr(pa) - pa_addr(pool->base_pa));
}

void stage2_pool_free(struct stage2_pool *pool, paddr_t pa)
{
	size_t idx =
		(size_t)((pa_addr(pa) - pa_addr(pool->base_pa)) / PAGE_SIZE);
	uint64_t *page = stage2_pool_ptr(pool, pa);

	if (page != NULL) {
		size_t left;

		spinlock_lock(&pool->lock);
		page[0] = pool->free_head;
		pool->free_head = idx + 1;
		left = ++pool->nfree;
		pool->frees++;
		spinlock_unlock(&pool->lock);
		trace_pool_level(pool->id, TRACE_POOL_OP_FREE, 1, left);
		return;
	}
	/* A page from elsewhere means a corrupt table: a bug. */
	panic("stage-2 pool %s: freeing 0x%llx, which it does not own",
	      pool->name, (unsigned long long)pa_addr(pa));
}

size_t stage2_pool_available(struct stage2_pool *pool)
{
	size_t n;

	spinlock_lock(&pool->lock);
	n = pool->nfree;
	spinlock_unlock(&pool->lock);
	return n;
}
