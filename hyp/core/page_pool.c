/* A bump allocator of zeroed page-table pages. */
#include <faultline/page_pool.h>

void page_pool_init(struct page_pool *pool, void *base, paddr_t base_pa,
		    size_t npages)
{
	pool->base = base;
	pool->base_pa = base_pa;
	pool->npages = npages;
	pool->used = 0;
}

void *page_pool_alloc(struct page_pool *pool, paddr_t *pa)
{
	uint64_t *page;

	if (pool->used == pool->npages) {
		return NULL;
	}
	page = (uint64_t *)(void *)(pool->base + pool->used * PAGE_SIZE);
	/* An explicit loop: the compiler may not call memset before the MMU is on. */
	for (size_t i = 0; i < PAGE_SIZE / sizeof(*page); i++) {
		((volatile uint64_t *)page)[i] = 0;
	}
	*pa = pa_add(pool->base_pa, pool->used * PAGE_SIZE);
	pool->used++;
	return page;
}

void *page_pool_ptr(const struct page_pool *pool, paddr_t pa)
{
	uint64_t off = pa_addr(pa) - pa_addr(pool->base_pa);

	if (pa_addr(pa) < pa_addr(pool->base_pa) ||
	    off >= pool->npages * PAGE_SIZE) {
		return NULL;
	}
	return pool->base + off;
}
