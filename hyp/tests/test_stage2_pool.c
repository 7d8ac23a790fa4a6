/*
 * Stage-2 page pools: zeroed pages, exhaustion (counted and traced), the
 * free list, and the aligned multi-page allocations of concatenated roots.
 */
#include <faultline/arch/cpu.h>
#include <faultline/stage2_pool.h>
#include <faultline/test.h>
#include <faultline/trace/ring.h>

#include "test_stage2_util.h"
#include "test_util.h"

#define PL_PA S2T_POOL_PA

/* Sets up test_stage2_pool over @npages pages at @pa, memory 0xa5. */
static struct stage2_pool *pl_setup(uint64_t pa, size_t npages)
{
	test_util_fill(test_stage2_pages, 0xa5, sizeof(test_stage2_pages));
	stage2_pool_init(&test_stage2_pool, "pl", 7, test_stage2_pages,
			 pa_init(pa), npages);
	return &test_stage2_pool;
}

/* True when the @n pages at @p are all zero. */
static bool pl_zero(const void *p, size_t n)
{
	const uint64_t *w = p;

	for (size_t i = 0; i < n * PAGE_SIZE / 8; i++) {
		if (w[i] != 0) {
			return false;
		}
	}
	return true;
}

/** Pages come out in order, zeroed, with their PA; the pointer and PA agree through stage2_pool_ptr(). */
TEST(stage2_pool, alloc_in_order_and_zeroed)
{
	struct stage2_pool *pool = pl_setup(PL_PA, 4);
	paddr_t pa;

	EXPECT_EQ(stage2_pool_available(pool), 4);
	EXPECT_STREQ(pool->name, "pl");
	for (unsigned i = 0; i < 4; i++) {
		void *p = stage2_pool_alloc(pool, 1, &pa);

		ASSERT_TRUE(p == test_stage2_pages[i]);
		EXPECT_EQ(pa_addr(pa), PL_PA + i * S2T_4K);
		EXPECT_TRUE(pl_zero(p, 1));
		EXPECT_TRUE(stage2_pool_ptr(pool, pa) == p);
		EXPECT_EQ(stage2_pool_available(pool), 3 - i);
	}
	/* The page past the pool was not touched. */
	EXPECT_EQ(test_stage2_pages[4][0], 0xa5);
	EXPECT_EQ(pool->allocs, 4);
	EXPECT_EQ(pool->low_water, 0);
}

/** An empty pool returns NULL, counts a failure and traces pool_exhausted with its id, every time. */
TEST(stage2_pool, exhaustion)
{
	struct stage2_pool *pool = pl_setup(PL_PA, 2);
	paddr_t pa;
	size_t n;
	size_t i;

	ASSERT_TRUE(stage2_pool_alloc(pool, 1, &pa) != NULL);
	ASSERT_TRUE(stage2_pool_alloc(pool, 1, &pa) != NULL);
	test_stage2_trace_start();
	EXPECT_TRUE(stage2_pool_alloc(pool, 1, &pa) == NULL);
	EXPECT_TRUE(stage2_pool_alloc(pool, 1, &pa) == NULL);
	n = test_stage2_trace_take();
	EXPECT_EQ(pool->failures, 2);
	EXPECT_EQ(pool->allocs, 2);
	EXPECT_EQ(stage2_pool_available(pool), 0);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_pool_exhausted), 2);
	i = test_stage2_trace_find(n, 0, TRACE_EV_pool_exhausted);
	ASSERT_TRUE(i < n);
	EXPECT_EQ(test_stage2_trace[i].f[0], 7);
	EXPECT_EQ(test_stage2_trace[i].f[1], 0);
}

/** Every page given out or taken back is traced as pool_level with what is left (the free-pages counter of the exporters). */
TEST(stage2_pool, level_traced_on_alloc_and_free)
{
	struct stage2_pool *pool = pl_setup(PL_PA, 8);
	struct trace_record rec[8];
	paddr_t pa, four;
	size_t n;

	test_stage2_trace_start();
	ASSERT_TRUE(stage2_pool_alloc(pool, 1, &pa) != NULL);
	ASSERT_TRUE(stage2_pool_alloc(pool, 4, &four) != NULL);
	stage2_pool_free(pool, pa);
	/* test_stage2_trace_take() leaves pool_level out: read the ring. */
	n = trace_ring_drain(arch_cpu_index(), rec, 8);
	ASSERT_EQ(n, 3);
	for (size_t i = 0; i < n; i++) {
		EXPECT_EQ(rec[i].id, TRACE_EV_pool_level);
		EXPECT_EQ(rec[i].f[0], 7);
	}
	EXPECT_EQ(rec[0].f[1], TRACE_POOL_OP_ALLOC);
	EXPECT_EQ(rec[0].f[2], 1);
	EXPECT_EQ(rec[0].f[3], 7);
	EXPECT_EQ(rec[1].f[2], 4);
	EXPECT_EQ(rec[1].f[3], 3);
	EXPECT_EQ(rec[2].f[1], TRACE_POOL_OP_FREE);
	EXPECT_EQ(rec[2].f[3], stage2_pool_available(pool));
}

/** Freed pages are reused last-in first-out, zeroed again, and counted. */
TEST(stage2_pool, free_list_reuse)
{
	struct stage2_pool *pool = pl_setup(PL_PA, 4);
	paddr_t pa[4];
	paddr_t again;
	uint8_t *p;

	for (unsigned i = 0; i < 4; i++) {
		ASSERT_TRUE(stage2_pool_alloc(pool, 1, &pa[i]) != NULL);
		test_util_fill(test_stage2_pages[i], 0x77, PAGE_SIZE);
	}
	stage2_pool_free(pool, pa[1]);
	stage2_pool_free(pool, pa[3]);
	EXPECT_EQ(stage2_pool_available(pool), 2);
	EXPECT_EQ(pool->frees, 2);
	p = stage2_pool_alloc(pool, 1, &again);
	EXPECT_EQ(pa_addr(again), pa_addr(pa[3]));
	EXPECT_TRUE(p == test_stage2_pages[3]);
	EXPECT_TRUE(pl_zero(p, 1));
	p = stage2_pool_alloc(pool, 1, &again);
	EXPECT_EQ(pa_addr(again), pa_addr(pa[1]));
	EXPECT_TRUE(pl_zero(p, 1));
	EXPECT_TRUE(stage2_pool_alloc(pool, 1, &again) == NULL);
	/* The others kept their contents. */
	EXPECT_EQ(test_stage2_pages[0][100], 0x77);
	EXPECT_EQ(test_stage2_pages[2][PAGE_SIZE - 1], 0x77);
}

/** Multi-page allocations are aligned to their size in PA; the pages skipped for alignment go to the free list. */
TEST(stage2_pool, aligned_multi_page)
{
	struct stage2_pool *pool = pl_setup(PL_PA + S2T_4K, 16);
	paddr_t pa;
	paddr_t one;
	void *p;

	p = stage2_pool_alloc(pool, 4, &pa);
	ASSERT_TRUE(p != NULL);
	EXPECT_EQ(pa_addr(pa), PL_PA + 4 * S2T_4K);
	EXPECT_TRUE(p == test_stage2_pages[3]);
	EXPECT_TRUE(pl_zero(p, 4));
	EXPECT_EQ(stage2_pool_available(pool), 12);
	/* The three skipped pages come back one by one. */
	for (unsigned i = 0; i < 3; i++) {
		ASSERT_TRUE(stage2_pool_alloc(pool, 1, &one) != NULL);
		EXPECT_TRUE(pa_addr(one) < PL_PA + 4 * S2T_4K);
	}
	/* 8 pages, 32 KiB aligned: right after the first allocation. */
	p = stage2_pool_alloc(pool, 8, &pa);
	ASSERT_TRUE(p != NULL);
	EXPECT_EQ(pa_addr(pa), PL_PA + 8 * S2T_4K);
	EXPECT_TRUE(pl_zero(p, 8));
	/* One page is left: two do not fit, one does. */
	EXPECT_EQ(stage2_pool_available(pool), 1);
	EXPECT_TRUE(stage2_pool_alloc(pool, 2, &pa) == NULL);
	ASSERT_TRUE(stage2_pool_alloc(pool, 1, &pa) != NULL);
	EXPECT_EQ(pa_addr(pa), PL_PA + 16 * S2T_4K);
	EXPECT_EQ(stage2_pool_available(pool), 0);
}

/** Sizes that are not a power of two (or zero) are refused and counted as failures. */
TEST(stage2_pool, bad_sizes)
{
	struct stage2_pool *pool = pl_setup(PL_PA, 16);
	paddr_t pa;

	EXPECT_TRUE(stage2_pool_alloc(pool, 3, &pa) == NULL);
	EXPECT_TRUE(stage2_pool_alloc(pool, 0, &pa) == NULL);
	EXPECT_TRUE(stage2_pool_alloc(pool, 17, &pa) == NULL);
	EXPECT_EQ(pool->failures, 3);
	EXPECT_EQ(stage2_pool_available(pool), 16);
}

/** stage2_pool_owns() and stage2_pool_ptr() accept exactly the pool's PA range. */
TEST(stage2_pool, owns_its_range)
{
	struct stage2_pool *pool = pl_setup(PL_PA, 8);

	EXPECT_TRUE(stage2_pool_owns(pool, pa_init(PL_PA)));
	EXPECT_TRUE(stage2_pool_owns(pool, pa_init(PL_PA + 8 * S2T_4K - 1)));
	EXPECT_TRUE(!stage2_pool_owns(pool, pa_init(PL_PA - 1)));
	EXPECT_TRUE(!stage2_pool_owns(pool, pa_init(PL_PA + 8 * S2T_4K)));
	EXPECT_TRUE(!stage2_pool_owns(pool, pa_init(0)));
	EXPECT_TRUE(stage2_pool_ptr(pool, pa_init(PL_PA + 3 * S2T_4K + 8)) ==
		    &test_stage2_pages[3][8]);
	EXPECT_TRUE(stage2_pool_ptr(pool, pa_init(PL_PA + 8 * S2T_4K)) == NULL);
}

/** The lowest number of available pages is remembered after pages come back. */
TEST(stage2_pool, low_water_mark)
{
	struct stage2_pool *pool = pl_setup(PL_PA, 8);
	paddr_t pa[5];

	for (unsigned i = 0; i < 5; i++) {
		ASSERT_TRUE(stage2_pool_alloc(pool, 1, &pa[i]) != NULL);
	}
	for (unsigned i = 0; i < 5; i++) {
		stage2_pool_free(pool, pa[i]);
	}
	EXPECT_EQ(stage2_pool_available(pool), 8);
	EXPECT_EQ(pool->low_water, 3);
}
