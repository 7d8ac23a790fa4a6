/* The page-table page pool: zeroed pages in order, exhaustion, PA lookup. */
#include <faultline/page_pool.h>
#include <faultline/test.h>

#include "test_util.h"

#define PP_NPAGES 4
/* A PA the pool pretends to live at; the memory itself is pp_pages. */
#define PP_BASE_PA UINT64_C(0x80000000)

static uint8_t pp_pages[PP_NPAGES][PAGE_SIZE] __attribute__((aligned(4096)));

/* True when every byte of page @p is @c. */
static bool pp_page_is(const uint8_t *p, uint8_t c)
{
	for (size_t i = 0; i < PAGE_SIZE; i++) {
		if (p[i] != c) {
			return false;
		}
	}
	return true;
}

/** Pages come out in order, each with its PA, and only the handed-out pages are zeroed. */
TEST(page_pool, alloc_in_order_and_zeroed)
{
	struct page_pool pool;

	test_util_fill(pp_pages, 0xaa, sizeof(pp_pages));
	page_pool_init(&pool, pp_pages, pa_init(PP_BASE_PA), PP_NPAGES);
	EXPECT_EQ(pool.used, 0);
	for (unsigned i = 0; i < PP_NPAGES; i++) {
		paddr_t pa = pa_init(0);
		uint8_t *p = page_pool_alloc(&pool, &pa);

		ASSERT_TRUE(p == pp_pages[i]);
		EXPECT_EQ(pa_addr(pa), PP_BASE_PA + i * PAGE_SIZE);
		EXPECT_EQ(pool.used, i + 1);
		EXPECT_TRUE(pp_page_is(p, 0));
		if (i + 1 < PP_NPAGES) {
			EXPECT_TRUE(pp_page_is(pp_pages[i + 1], 0xaa));
		}
	}
}

/** An exhausted pool returns NULL and stays exhausted. */
TEST(page_pool, exhaustion_returns_null)
{
	struct page_pool pool;
	paddr_t pa;

	page_pool_init(&pool, pp_pages, pa_init(PP_BASE_PA), 2);
	EXPECT_TRUE(page_pool_alloc(&pool, &pa) != NULL);
	EXPECT_TRUE(page_pool_alloc(&pool, &pa) != NULL);
	EXPECT_TRUE(page_pool_alloc(&pool, &pa) == NULL);
	EXPECT_TRUE(page_pool_alloc(&pool, &pa) == NULL);
	EXPECT_EQ(pool.used, 2);
	/* The page past the pool was not touched. */
	test_util_fill(pp_pages[2], 0x5c, PAGE_SIZE);
	EXPECT_TRUE(page_pool_alloc(&pool, &pa) == NULL);
	EXPECT_TRUE(pp_page_is(pp_pages[2], 0x5c));
}

/** An empty pool has nothing to give. */
TEST(page_pool, empty_pool)
{
	struct page_pool pool;
	paddr_t pa;

	page_pool_init(&pool, pp_pages, pa_init(PP_BASE_PA), 0);
	EXPECT_TRUE(page_pool_alloc(&pool, &pa) == NULL);
	EXPECT_TRUE(page_pool_ptr(&pool, pa_init(PP_BASE_PA)) == NULL);
}

/** page_pool_ptr maps every PA of the pool to its byte and nothing outside. */
TEST(page_pool, ptr_bounds)
{
	const uint64_t end = PP_BASE_PA + PP_NPAGES * PAGE_SIZE;
	struct page_pool pool;
	uint8_t *base = pp_pages[0];

	page_pool_init(&pool, pp_pages, pa_init(PP_BASE_PA), PP_NPAGES);
	EXPECT_TRUE(page_pool_ptr(&pool, pa_init(PP_BASE_PA)) == base);
	EXPECT_TRUE(page_pool_ptr(&pool, pa_init(PP_BASE_PA + 0x1234)) ==
		    base + 0x1234);
	EXPECT_TRUE(page_pool_ptr(&pool, pa_init(PP_BASE_PA + 3 * PAGE_SIZE)) ==
		    pp_pages[3]);
	EXPECT_TRUE(page_pool_ptr(&pool, pa_init(end - 1)) ==
		    base + PP_NPAGES * PAGE_SIZE - 1);
	EXPECT_TRUE(page_pool_ptr(&pool, pa_init(end)) == NULL);
	EXPECT_TRUE(page_pool_ptr(&pool, pa_init(PP_BASE_PA - 1)) == NULL);
	EXPECT_TRUE(page_pool_ptr(&pool, pa_init(PP_BASE_PA - PAGE_SIZE)) ==
		    NULL);
	EXPECT_TRUE(page_pool_ptr(&pool, pa_init(0)) == NULL);
	EXPECT_TRUE(page_pool_ptr(&pool, pa_init(UINT64_MAX)) == NULL);
	EXPECT_TRUE(page_pool_ptr(&pool, pa_init(PP_BASE_PA +
						 (UINT64_C(1) << 63))) == NULL);
}

/** A pool at PA 0 maps PA 0 to its first byte. */
TEST(page_pool, ptr_at_pa_zero)
{
	struct page_pool pool;

	page_pool_init(&pool, pp_pages, pa_init(0), 1);
	EXPECT_TRUE(page_pool_ptr(&pool, pa_init(0)) == pp_pages[0]);
	EXPECT_TRUE(page_pool_ptr(&pool, pa_init(PAGE_SIZE - 8)) ==
		    pp_pages[0] + PAGE_SIZE - 8);
	EXPECT_TRUE(page_pool_ptr(&pool, pa_init(PAGE_SIZE)) == NULL);
}
