/*
 * Back-off from a locked entry: while another CPU's break-before-make holds
 * S2_PTE_LOCKED in an entry, every operation that meets it stops with
 * -ERR_AGAIN ("retry the guest") and leaves it alone. The lock is put in
 * place the way another CPU would, with an atomic store.
 */
#include <faultline/err.h>
#include <faultline/test.h>
#include <faultline/trace/ring.h>

#include "test_stage2_util.h"

#define LK_IPA (6 * S2T_1G + 9 * S2T_2M + 4 * S2T_4K)
#define LK_PA UINT64_C(0x77704000)

/* Relaxes @ipa to RW with the write lock held. */
static int lk_relax(uint64_t ipa)
{
	int ret;

	rwlock_write_lock(&test_stage2_pgt.lock);
	ret = stage2_relax_perms(&test_stage2_pgt, ipa, S2T_RW,
				 STAGE2_SCOPE_INNER_SHAREABLE, 0, NULL);
	rwlock_write_unlock(&test_stage2_pgt.lock);
	return ret;
}

/* Splits @ipa's block from the main pool. */
static int lk_split(uint64_t ipa)
{
	int ret;

	rwlock_write_lock(&test_stage2_pgt.lock);
	ret = stage2_split(&test_stage2_pgt, ipa, &test_stage2_pool,
			   STAGE2_SCOPE_INNER_SHAREABLE, 0, NULL);
	rwlock_write_unlock(&test_stage2_pgt.lock);
	return ret;
}

/* Runs stage2_find_compatible_range() for @addr in the first 16 GiB. */
static int lk_find(uint64_t addr)
{
	struct mem_range r = {0, 16 * S2T_1G};
	struct mem_range out;
	unsigned level;

	return stage2_find_compatible_range(&test_stage2_pgt, addr, &r, &out,
					    &level);
}

/* Checks @n trace records hold a "locked" back-off at @ipa, @level. */
static void lk_expect_backoff(struct test_ctx *test_ctx, size_t n, uint64_t ipa,
			      unsigned level)
{
	size_t b = test_stage2_trace_find(n, 0, TRACE_EV_s2_backoff);

	ASSERT_TRUE(b < n);
	EXPECT_EQ(test_stage2_trace[b].f[0], ipa);
	EXPECT_EQ(test_stage2_trace[b].f[1], level);
	EXPECT_EQ(test_stage2_trace[b].f[2], S2_PTE_LOCKED);
	EXPECT_EQ(test_stage2_trace[b].f[3], TRACE_BACKOFF_LOCKED);
	EXPECT_EQ(test_stage2_trace[b].f[4], S2T_VMID);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_bbm_break), 0);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_pte_write), 0);
}

/** A locked page makes map, relax, find_compatible_range and lookup back off with -ERR_AGAIN; restored, it works again. */
TEST(stage2_locked, locked_page)
{
	stage2_pte_t leaf = stage2_pte_leaf(pa_init(LK_PA), S2T_RO, 3);
	struct stage2_leaf out;
	size_t n;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(LK_IPA, S2T_4K, LK_PA, S2T_RO, 0, NULL),
		      0);
	ASSERT_EQ(test_stage2_store_entry(LK_IPA, 3, S2_PTE_LOCKED), leaf);
	test_stage2_trace_start();
	EXPECT_EQ_INT(test_stage2_map(LK_IPA, S2T_4K, LK_PA, S2T_RO,
				      STAGE2_MAP_SKIP_IDENTICAL, NULL),
		      -ERR_AGAIN);
	n = test_stage2_trace_take();
	lk_expect_backoff(test_ctx, n, LK_IPA, 3);
	EXPECT_EQ_INT(test_stage2_map(LK_IPA, S2T_4K, LK_PA + S2T_4K, S2T_RW, 0,
				      NULL),
		      -ERR_AGAIN);
	test_stage2_trace_start();
	EXPECT_EQ_INT(lk_relax(LK_IPA), -ERR_AGAIN);
	n = test_stage2_trace_take();
	lk_expect_backoff(test_ctx, n, LK_IPA, 3);
	EXPECT_EQ_INT(lk_find(LK_IPA), -ERR_AGAIN);
	EXPECT_EQ_INT(stage2_lookup(&test_stage2_pgt, LK_IPA, &out),
		      -ERR_AGAIN);
	EXPECT_EQ(out.pte, S2_PTE_LOCKED);
	EXPECT_EQ(out.level, 3);
	EXPECT_EQ(test_stage2_entry(LK_IPA, 3), S2_PTE_LOCKED);
	/* The neighbours are not affected. */
	EXPECT_EQ_INT(test_stage2_map(LK_IPA + S2T_4K, S2T_4K, LK_PA, S2T_RO, 0,
				      NULL),
		      0);
	EXPECT_EQ(test_stage2_store_entry(LK_IPA, 3, leaf), S2_PTE_LOCKED);
	test_stage2_expect(test_ctx, LK_IPA, LK_PA, 3, S2T_RO);
	EXPECT_EQ_INT(lk_relax(LK_IPA), 0);
	EXPECT_EQ_INT(lk_find(LK_IPA), -ERR_EXIST);
}

/** A locked block cannot be split or mapped into until it is restored. */
TEST(stage2_locked, locked_block)
{
	uint64_t blk = ALIGN_DOWN(LK_IPA, S2T_2M);
	stage2_pte_t block;
	size_t avail;
	size_t n;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(blk, S2T_2M, 0x80000000, S2T_RW, 0, NULL),
		      0);
	block = test_stage2_store_entry(blk, 2, S2_PTE_LOCKED);
	ASSERT_TRUE(stage2_pte_is_leaf(block, 2));
	avail = stage2_pool_available(&test_stage2_pool);
	test_stage2_trace_start();
	EXPECT_EQ_INT(lk_split(LK_IPA), -ERR_AGAIN);
	n = test_stage2_trace_take();
	lk_expect_backoff(test_ctx, n, blk, 2);
	EXPECT_EQ_INT(test_stage2_map(LK_IPA, S2T_4K, LK_PA, S2T_RW, 0, NULL),
		      -ERR_AGAIN);
	EXPECT_EQ(stage2_pool_available(&test_stage2_pool), avail);
	EXPECT_EQ(test_stage2_entry(blk, 2), S2_PTE_LOCKED);
	EXPECT_EQ(test_stage2_store_entry(blk, 2, block), S2_PTE_LOCKED);
	EXPECT_EQ_INT(lk_split(LK_IPA), 0);
	test_stage2_expect(test_ctx, LK_IPA, 0x80000000 + (LK_IPA - blk), 3,
			   S2T_RW);
}

/** A locked table entry stops every walk that has to go through it, at its level. */
TEST(stage2_locked, locked_table_entry)
{
	stage2_pte_t table;
	struct stage2_leaf out;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(LK_IPA, S2T_4K, LK_PA, S2T_RO, 0, NULL),
		      0);
	table = test_stage2_store_entry(LK_IPA, 2, S2_PTE_LOCKED);
	ASSERT_TRUE(stage2_pte_is_table(table, 2));
	EXPECT_EQ_INT(stage2_lookup(&test_stage2_pgt, LK_IPA, &out),
		      -ERR_AGAIN);
	EXPECT_EQ(out.level, 2);
	EXPECT_EQ_INT(test_stage2_map(LK_IPA + S2T_4K, S2T_4K, LK_PA, S2T_RO, 0,
				      NULL),
		      -ERR_AGAIN);
	EXPECT_EQ_INT(lk_relax(LK_IPA), -ERR_AGAIN);
	EXPECT_EQ_INT(lk_find(LK_IPA + S2T_4K), -ERR_AGAIN);
	EXPECT_EQ_INT(lk_split(LK_IPA), -ERR_AGAIN);
	/* The rest of the 1 GiB region is still reachable. */
	EXPECT_EQ_INT(lk_find(LK_IPA + S2T_2M), 0);
	EXPECT_EQ(test_stage2_store_entry(LK_IPA, 2, table), S2_PTE_LOCKED);
	test_stage2_expect(test_ctx, LK_IPA, LK_PA, 3, S2T_RO);
	test_stage2_expect_none(test_ctx, LK_IPA + S2T_4K);
}

/** A shared map that meets a locked entry half-way keeps what it mapped before it and maps nothing after. */
TEST(stage2_locked, shared_map_stops_at_the_lock)
{
	struct stage2_pgtable *pgt = &test_stage2_pgt;
	struct stage2_result res = {0};
	stage2_pte_t leaf;
	int ret;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(LK_IPA + S2T_4K, S2T_4K, LK_PA + S2T_4K,
				      S2T_RW, 0, NULL),
		      0);
	leaf = test_stage2_store_entry(LK_IPA + S2T_4K, 3, S2_PTE_LOCKED);
	rwlock_read_lock(&pgt->lock);
	ret = stage2_map(pgt, LK_IPA, 3 * S2T_4K, pa_init(LK_PA), S2T_RW,
			 &test_stage2_pool, STAGE2_SCOPE_INNER_SHAREABLE,
			 STAGE2_SHARED | STAGE2_MAP_SKIP_IDENTICAL, &res);
	rwlock_read_unlock(&pgt->lock);
	EXPECT_EQ_INT(ret, -ERR_AGAIN);
	EXPECT_EQ(res.installed, 1);
	test_stage2_expect(test_ctx, LK_IPA, LK_PA, 3, S2T_RW);
	EXPECT_EQ(test_stage2_entry(LK_IPA + S2T_4K, 3), S2_PTE_LOCKED);
	test_stage2_expect_none(test_ctx, LK_IPA + 2 * S2T_4K);
	/* The other CPU finishes; the retry completes the range. */
	EXPECT_EQ(test_stage2_store_entry(LK_IPA + S2T_4K, 3, leaf),
		  S2_PTE_LOCKED);
	res = (struct stage2_result){0};
	rwlock_read_lock(&pgt->lock);
	ret = stage2_map(pgt, LK_IPA, 3 * S2T_4K, pa_init(LK_PA), S2T_RW,
			 &test_stage2_pool, STAGE2_SCOPE_INNER_SHAREABLE,
			 STAGE2_SHARED | STAGE2_MAP_SKIP_IDENTICAL, &res);
	rwlock_read_unlock(&pgt->lock);
	EXPECT_EQ_INT(ret, 0);
	EXPECT_EQ(res.identical, 2);
	EXPECT_EQ(res.installed, 1);
	test_stage2_expect(test_ctx, LK_IPA + 2 * S2T_4K, LK_PA + 2 * S2T_4K, 3,
			   S2T_RW);
}
