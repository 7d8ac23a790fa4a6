/*
 * hyp_mm_build's cache maintenance, checked against the host arch's record
 * of it (hyp/arch/host/host_arch.h): the table pages and the bounce page
 * must reach the point of coherency, because the CPUs that read them first
 * do so with their MMU and caches off (seed 004).
 */
#include <faultline/arch/cache.h>
#include <faultline/err.h>
#include <faultline/test.h>

#include "host_arch.h"
#include "test_hyp_mm.h"

static struct host_cache_op mm_host_ops[64];

/** Every pool page used for tables is cleaned to PoC, last, after all table writes. */
TEST(hyp_mm_host, tables_cleaned_to_poc)
{
	size_t n;
	const struct host_cache_op *last;

	host_cache_log_reset();
	ASSERT_EQ_INT(
		mm_test_build_qemu(MM_IDMAP, MM_IDMAP + 0x400, MM_IDMAP + 0x80),
		0);
	ASSERT_TRUE(mm_test_pool.used > 0);
	EXPECT_TRUE(host_cache_cleaned(mm_test_pages,
				       mm_test_pool.used * PAGE_SIZE));
	for (size_t i = 0; i < mm_test_pool.used; i++) {
		EXPECT_TRUE(host_cache_cleaned(mm_test_pages[i], PAGE_SIZE));
	}
	n = host_cache_log(mm_host_ops, ARRAY_SIZE(mm_host_ops));
	ASSERT_TRUE(n > 0 && n <= ARRAY_SIZE(mm_host_ops));
	last = &mm_host_ops[n - 1];
	EXPECT_EQ(last->kind, HOST_CACHE_CLEAN_INVAL_POC);
	EXPECT_EQ(last->start, (uintptr_t)mm_test_pages);
	EXPECT_TRUE(last->size >= mm_test_pool.used * PAGE_SIZE);
	/* Nothing to bounce: no instruction-cache maintenance either. */
	for (size_t i = 0; i < n; i++) {
		EXPECT_TRUE(mm_host_ops[i].kind != HOST_CACHE_ICACHE_INVAL_ALL);
	}
}

/** The bounce page is cleaned to PoC right after the copy, then the I-cache is invalidated. */
TEST(hyp_mm_host, bounce_page_cleaned_and_icache_invalidated)
{
	const uint8_t *bounce;
	size_t n;

	host_cache_log_reset();
	ASSERT_EQ_INT(mm_test_build_qemu(MM_IDMAP_CROSS - 0x40,
					 MM_IDMAP_CROSS + 0xc0, MM_IDMAP_CROSS),
		      0);
	ASSERT_TRUE(mm_test_mm.bounced);
	bounce = page_pool_ptr(&mm_test_pool, mm_test_mm.init_page);
	ASSERT_TRUE(bounce != NULL);
	EXPECT_TRUE(host_cache_cleaned(bounce, 0x100));
	n = host_cache_log(mm_host_ops, ARRAY_SIZE(mm_host_ops));
	ASSERT_TRUE(n >= 3 && n <= ARRAY_SIZE(mm_host_ops));
	/* Before any table is built: clean the copied code, then the I-cache. */
	EXPECT_EQ(mm_host_ops[0].kind, HOST_CACHE_CLEAN_INVAL_POC);
	EXPECT_EQ(mm_host_ops[0].start, (uintptr_t)bounce);
	EXPECT_TRUE(mm_host_ops[0].size >= 0x100);
	EXPECT_EQ(mm_host_ops[1].kind, HOST_CACHE_ICACHE_INVAL_ALL);
	EXPECT_TRUE(host_cache_cleaned(mm_test_pages,
				       mm_test_pool.used * PAGE_SIZE));
}
