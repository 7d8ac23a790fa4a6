/*
 * stage2_map() into empty entries: greedy block sizes, pages at the edges,
 * exact translations read back by stage2_lookup() and from table memory,
 * and the arguments it must refuse.
 */
#include <faultline/err.h>
#include <faultline/test.h>

#include "test_stage2_util.h"

/* The PA that the map tests give IPA @ipa: same alignment, other place. */
#define MAP_PA(ipa) ((ipa) + UINT64_C(0x1000000000))

/* Checks every page of [@ipa, @ipa + @size) maps at @level to MAP_PA. */
static void map_expect_range(struct test_ctx *test_ctx, uint64_t ipa,
			     uint64_t size, uint64_t pa, unsigned level,
			     unsigned prot)
{
	for (uint64_t off = 0; off < size; off += S2T_4K) {
		if (!test_stage2_expect(test_ctx, ipa + off, pa + off, level,
					prot)) {
			return;
		}
	}
}

/** A 1 GiB-aligned IPA, PA and size give one level-1 block written straight into the root. */
TEST(stage2_map, one_gib_block)
{
	struct stage2_result res = {0};
	uint64_t pa = UINT64_C(0x140000000);
	size_t avail;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	avail = stage2_pool_available(&test_stage2_pool);
	ASSERT_EQ_INT(test_stage2_map(S2T_1G, S2T_1G, pa, S2T_RWX, 0, &res), 0);
	EXPECT_EQ(res.installed, 1);
	EXPECT_EQ(res.tables_added, 0);
	EXPECT_EQ(res.replaced, 0);
	EXPECT_EQ(res.level, 1);
	EXPECT_EQ(res.old, 0);
	EXPECT_EQ(stage2_pool_available(&test_stage2_pool), avail);
	EXPECT_EQ(test_stage2_pgt.root[1],
		  stage2_pte_leaf(pa_init(pa), S2T_RWX, 1));
	EXPECT_EQ(test_stage2_pgt.root[0], 0);
	EXPECT_EQ(test_stage2_pgt.root[2], 0);
	for (uint64_t off = 0; off < S2T_1G; off += S2T_2M + 0x5123) {
		test_stage2_expect(test_ctx, S2T_1G + off, pa + off, 1,
				   S2T_RWX);
	}
	test_stage2_expect(test_ctx, 2 * S2T_1G - 1, pa + S2T_1G - 1, 1,
			   S2T_RWX);
	test_stage2_expect_none(test_ctx, S2T_1G - S2T_4K);
	test_stage2_expect_none(test_ctx, 2 * S2T_1G);
}

/** A PA aligned to 2 MiB but not 1 GiB turns a 1 GiB range into 512 level-2 blocks in one table. */
TEST(stage2_map, two_mib_blocks_when_pa_is_not_gib_aligned)
{
	struct stage2_result res = {0};
	uint64_t pa = UINT64_C(0x140200000);
	const uint64_t *l2;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(S2T_1G, S2T_1G, pa, S2T_RW, 0, &res), 0);
	EXPECT_EQ(res.installed, 512);
	EXPECT_EQ(res.tables_added, 1);
	ASSERT_TRUE(stage2_pte_is_table(test_stage2_pgt.root[1], 1));
	l2 = stage2_pool_ptr(&test_stage2_pool,
			     stage2_pte_oa(test_stage2_pgt.root[1], 1));
	ASSERT_TRUE(l2 != NULL);
	for (unsigned i = 0; i < 512; i++) {
		EXPECT_EQ(l2[i],
			  stage2_pte_leaf(pa_init(pa + i * S2T_2M), S2T_RW, 2));
		test_stage2_expect(test_ctx, S2T_1G + i * S2T_2M + 0x1f0008,
				   pa + i * S2T_2M + 0x1f0008, 2, S2T_RW);
	}
}

/** Blocks are chosen greedily: pages, a 2 MiB block, a 1 GiB block, a 2 MiB block, pages. */
TEST(stage2_map, greedy_blocks_and_page_edges)
{
	struct stage2_result res = {0};
	uint64_t start = S2T_1G - S2T_2M - 2 * S2T_4K;
	uint64_t end = 2 * S2T_1G + S2T_2M + 3 * S2T_4K;

	ASSERT_EQ_INT(test_stage2_setup(40, 16), 0);
	ASSERT_EQ_INT(test_stage2_map(start, end - start, MAP_PA(start),
				      S2T_RWX, 0, &res),
		      0);
	EXPECT_EQ(res.installed, 2 + 1 + 1 + 1 + 3);
	EXPECT_EQ(res.tables_added, 4);
	test_stage2_expect_none(test_ctx, start - S2T_4K);
	map_expect_range(test_ctx, start, 2 * S2T_4K, MAP_PA(start), 3,
			 S2T_RWX);
	test_stage2_expect(test_ctx, S2T_1G - S2T_2M, MAP_PA(S2T_1G - S2T_2M),
			   2, S2T_RWX);
	test_stage2_expect(test_ctx, S2T_1G - 1, MAP_PA(S2T_1G - 1), 2,
			   S2T_RWX);
	test_stage2_expect(test_ctx, S2T_1G, MAP_PA(S2T_1G), 1, S2T_RWX);
	test_stage2_expect(test_ctx, 2 * S2T_1G - 8, MAP_PA(2 * S2T_1G - 8), 1,
			   S2T_RWX);
	test_stage2_expect(test_ctx, 2 * S2T_1G, MAP_PA(2 * S2T_1G), 2,
			   S2T_RWX);
	map_expect_range(test_ctx, 2 * S2T_1G + S2T_2M, 3 * S2T_4K,
			 MAP_PA(2 * S2T_1G + S2T_2M), 3, S2T_RWX);
	test_stage2_expect_none(test_ctx, end);
	test_stage2_expect_none(test_ctx, start - S2T_2M);
}

/** A PA misaligned to the IPA by one page forces pages everywhere, even where the IPA allows blocks. */
TEST(stage2_map, misaligned_pa_forces_pages)
{
	struct stage2_result res = {0};
	uint64_t ipa = 3 * S2T_1G;
	uint64_t pa = UINT64_C(0x200001000);

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(ipa, 2 * S2T_2M, pa, S2T_RO, 0, &res), 0);
	EXPECT_EQ(res.installed, 1024);
	EXPECT_EQ(res.tables_added, 3);
	map_expect_range(test_ctx, ipa, 2 * S2T_2M, pa, 3, S2T_RO);
}

/** A range smaller than a block maps pages even when its start is block aligned. */
TEST(stage2_map, short_range_gives_pages)
{
	struct stage2_result res = {0};

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(
		test_stage2_map(0, S2T_2M - S2T_4K, MAP_PA(0), S2T_RW, 0, &res),
		0);
	EXPECT_EQ(res.installed, 511);
	map_expect_range(test_ctx, 0, S2T_2M - S2T_4K, MAP_PA(0), 3, S2T_RW);
	test_stage2_expect_none(test_ctx, S2T_2M - S2T_4K);
}

/** A lookup inside a page or block returns the PA with the same offset, the level and the exact permissions. */
TEST(stage2_map, lookup_is_exact_for_every_prot)
{
	static const unsigned prots[] = {
		0,
		STAGE2_PROT_R,
		STAGE2_PROT_W,
		STAGE2_PROT_X,
		S2T_RW,
		S2T_RWX,
		S2T_DEV,
		STAGE2_PROT_R | STAGE2_PROT_NORMAL_NC,
		STAGE2_PROT_DEVICE | STAGE2_PROT_X,
	};
	struct stage2_leaf leaf;

	ASSERT_EQ_INT(test_stage2_setup(40, 16), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(prots); i++) {
		uint64_t page = 5 * S2T_1G + i * S2T_4K;
		uint64_t block = 6 * S2T_1G + i * S2T_2M;

		ASSERT_EQ_INT(test_stage2_map(page, S2T_4K, MAP_PA(page),
					      prots[i], 0, NULL),
			      0);
		ASSERT_EQ_INT(test_stage2_map(block, S2T_2M, MAP_PA(block),
					      prots[i], 0, NULL),
			      0);
		test_stage2_expect(test_ctx, page + 0xabc, MAP_PA(page) + 0xabc,
				   3, prots[i]);
		test_stage2_expect(test_ctx, block + 0x1ffff,
				   MAP_PA(block) + 0x1ffff, 2, prots[i]);
		ASSERT_EQ_INT(stage2_lookup(&test_stage2_pgt, page, &leaf), 0);
		EXPECT_EQ(leaf.pte,
			  stage2_pte_leaf(pa_init(MAP_PA(page)), prots[i], 3));
		/* entry_pa is the entry's own address, inside the pool. */
		EXPECT_TRUE(stage2_pool_owns(&test_stage2_pool, leaf.entry_pa));
		EXPECT_EQ(*(const uint64_t *)stage2_pool_ptr(&test_stage2_pool,
							     leaf.entry_pa),
			  leaf.pte);
	}
}

/** Every level of a 4 KiB mapping at the top of a 48-bit space is a table descriptor into the pool. */
TEST(stage2_map, four_levels_in_memory)
{
	uint64_t ipa = (UINT64_C(1) << 48) - S2T_4K;
	const uint64_t *t;
	uint64_t d;

	ASSERT_EQ_INT(test_stage2_setup(48, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(ipa, S2T_4K, 0x40000000, S2T_RW, 0, NULL),
		      0);
	EXPECT_EQ(stage2_pool_available(&test_stage2_pool), 8 - 1 - 3);
	d = test_stage2_pgt.root[511];
	for (unsigned level = 0; level < 3; level++) {
		ASSERT_TRUE(stage2_pte_is_table(d, level));
		EXPECT_EQ(d & ~UINT64_C(0x0000fffffffff000), 3);
		t = stage2_pool_ptr(&test_stage2_pool, stage2_pte_oa(d, level));
		ASSERT_TRUE(t != NULL);
		d = t[511];
		EXPECT_EQ(t[510], 0);
	}
	EXPECT_EQ(d, stage2_pte_leaf(pa_init(0x40000000), S2T_RW, 3));
	test_stage2_expect(test_ctx, ipa + 0xfff, 0x40000fff, 3, S2T_RW);
}

/** With a 32-bit IPA the root is at level 2, so the largest block is 2 MiB. */
TEST(stage2_map, start_level_two_has_no_gib_blocks)
{
	struct stage2_result res = {0};

	ASSERT_EQ_INT(test_stage2_setup(32, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(S2T_1G, S2T_1G, S2T_1G, S2T_RW, 0, &res),
		      0);
	EXPECT_EQ(res.installed, 512);
	EXPECT_EQ(res.tables_added, 0);
	test_stage2_expect(test_ctx, S2T_1G + 12345, S2T_1G + 12345, 2, S2T_RW);
	/* The last 2 MiB of the 4 GiB space, in the fourth root page. */
	ASSERT_EQ_INT(test_stage2_map(4 * S2T_1G - S2T_2M, S2T_2M, S2T_2M,
				      S2T_RW, 0, NULL),
		      0);
	EXPECT_EQ(test_stage2_pgt.root[2047],
		  stage2_pte_leaf(pa_init(S2T_2M), S2T_RW, 2));
}

/** Misaligned or empty ranges, ranges past the IPA size, bad PAs, pools and prot bits are refused and map nothing. */
TEST(stage2_map, bad_arguments)
{
	struct stage2_pgtable *pgt = &test_stage2_pgt;
	struct stage2_pool *pool = &test_stage2_pool;
	const enum stage2_scope is = STAGE2_SCOPE_INNER_SHAREABLE;
	uint64_t top = UINT64_C(1) << 40;
	paddr_t pa = pa_init(0x40000000);

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	rwlock_write_lock(&pgt->lock);
	EXPECT_EQ_INT(
		stage2_map(pgt, 0x800, S2T_4K, pa, S2T_RW, pool, is, 0, NULL),
		-ERR_INVAL);
	EXPECT_EQ_INT(stage2_map(pgt, 0, 0x800, pa, S2T_RW, pool, is, 0, NULL),
		      -ERR_INVAL);
	EXPECT_EQ_INT(stage2_map(pgt, 0, 0, pa, S2T_RW, pool, is, 0, NULL),
		      -ERR_INVAL);
	EXPECT_EQ_INT(
		stage2_map(pgt, top, S2T_4K, pa, S2T_RW, pool, is, 0, NULL),
		-ERR_RANGE);
	EXPECT_EQ_INT(stage2_map(pgt, top - S2T_4K, 2 * S2T_4K, pa, S2T_RW,
				 pool, is, 0, NULL),
		      -ERR_RANGE);
	/* ipa + size wraps around 2^64. */
	EXPECT_EQ_INT(stage2_map(pgt, S2T_4K, UINT64_MAX & PAGE_MASK, pa,
				 S2T_RW, pool, is, 0, NULL),
		      -ERR_RANGE);
	EXPECT_EQ_INT(stage2_map(pgt, 0, S2T_4K, pa_init(0x40000800), S2T_RW,
				 pool, is, 0, NULL),
		      -ERR_INVAL);
	EXPECT_EQ_INT(stage2_map(pgt, 0, S2T_4K, pa_init(UINT64_C(1) << 48),
				 S2T_RW, pool, is, 0, NULL),
		      -ERR_INVAL);
	EXPECT_EQ_INT(stage2_map(pgt, 0, S2T_2M,
				 pa_init((UINT64_C(1) << 48) - S2T_4K), S2T_RW,
				 pool, is, 0, NULL),
		      -ERR_INVAL);
	EXPECT_EQ_INT(stage2_map(pgt, 0, S2T_4K, pa, S2T_RW, NULL, is, 0, NULL),
		      -ERR_INVAL);
	EXPECT_EQ_INT(
		stage2_map(pgt, 0, S2T_4K, pa, 1u << 5, pool, is, 0, NULL),
		-ERR_INVAL);
	EXPECT_EQ_INT(stage2_map(pgt, 0, S2T_4K, pa, 0x80000000u | S2T_RW, pool,
				 is, 0, NULL),
		      -ERR_INVAL);
	rwlock_write_unlock(&pgt->lock);
	EXPECT_EQ(stage2_pool_available(pool), 8 - 2);
	for (unsigned i = 0; i < pgt->root_entries; i++) {
		EXPECT_EQ(pgt->root[i], 0);
	}
}

/** The last page below the 48-bit PA limit can be mapped; mapping up to the limit exactly is allowed. */
TEST(stage2_map, pa_up_to_the_limit)
{
	uint64_t last = (UINT64_C(1) << 48) - S2T_4K;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(0, S2T_4K, last, S2T_RW, 0, NULL), 0);
	test_stage2_expect(test_ctx, 0x10, last + 0x10, 3, S2T_RW);
}

/** A PA whose end wraps past 2^64 is refused, not masked into a 48-bit PA (stage2_map's pa + size check overflows). */
TEST(stage2_map, wrapping_pa_is_refused)
{
	uint64_t pa = UINT64_C(0xfffffffffffff000);
	struct stage2_leaf leaf;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	EXPECT_EQ_INT(test_stage2_map(0, S2T_4K, pa, S2T_RW, 0, NULL),
		      -ERR_INVAL);
	if (!EXPECT_EQ_INT(stage2_lookup(&test_stage2_pgt, 0, &leaf),
			   -ERR_NOENT)) {
		test_fail(test_ctx, __FILE__, __LINE__,
			  "PA 0x%llx was mapped as 0x%llx",
			  (unsigned long long)pa,
			  (unsigned long long)pa_addr(leaf.pa));
	}
}

/** A pool that is not one of the table's pools is refused; once added, its pages hold the new tables. */
TEST(stage2_map, pool_must_be_registered)
{
	struct stage2_pgtable *pgt = &test_stage2_pgt;
	struct stage2_pool *dev = &test_stage2_dev_pool;
	struct stage2_leaf leaf;
	int ret;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	rwlock_write_lock(&pgt->lock);
	ret = stage2_map(pgt, 0, S2T_4K, pa_init(0x09000000), S2T_DEV, dev,
			 STAGE2_SCOPE_INNER_SHAREABLE, 0, NULL);
	EXPECT_EQ_INT(ret, -ERR_INVAL);
	EXPECT_EQ(stage2_pool_available(dev), S2T_DEV_PAGES);
	EXPECT_EQ(pgt->root[0], 0);
	ASSERT_EQ_INT(stage2_pgtable_add_pool(pgt, dev), 0);
	ret = stage2_map(pgt, 0, S2T_4K, pa_init(0x09000000), S2T_DEV, dev,
			 STAGE2_SCOPE_INNER_SHAREABLE, 0, NULL);
	rwlock_write_unlock(&pgt->lock);
	EXPECT_EQ_INT(ret, 0);
	EXPECT_EQ(stage2_pool_available(dev), S2T_DEV_PAGES - 2);
	EXPECT_EQ(stage2_pool_available(&test_stage2_pool), 8 - 2);
	EXPECT_TRUE(stage2_pool_owns(dev, stage2_pte_oa(pgt->root[0], 1)));
	ASSERT_EQ_INT(stage2_lookup(pgt, 0, &leaf), 0);
	EXPECT_TRUE(stage2_pool_owns(dev, leaf.entry_pa));
	EXPECT_EQ(leaf.prot, S2T_DEV);
}

/** Mapping under the read lock with STAGE2_SHARED installs the same leaves as the exclusive path. */
TEST(stage2_map, shared_under_read_lock)
{
	struct stage2_pgtable *pgt = &test_stage2_pgt;
	struct stage2_result res = {0};
	int ret;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	rwlock_read_lock(&pgt->lock);
	ret = stage2_map(pgt, S2T_1G - S2T_4K, S2T_2M + S2T_4K,
			 pa_init(MAP_PA(S2T_1G - S2T_4K)), S2T_RW,
			 &test_stage2_pool, STAGE2_SCOPE_INNER_SHAREABLE,
			 STAGE2_SHARED, &res);
	rwlock_read_unlock(&pgt->lock);
	EXPECT_EQ_INT(ret, 0);
	EXPECT_EQ(res.installed, 2);
	test_stage2_expect(test_ctx, S2T_1G - S2T_4K, MAP_PA(S2T_1G - S2T_4K),
			   3, S2T_RW);
	test_stage2_expect(test_ctx, S2T_1G, MAP_PA(S2T_1G), 2, S2T_RW);
}

/** In a 48-bit table a range across a 512 GiB boundary gets a 1 GiB block under each of two level-0 entries. */
TEST(stage2_map, across_level_zero_entries)
{
	uint64_t edge = UINT64_C(1) << 39;
	struct stage2_result res = {0};

	ASSERT_EQ_INT(test_stage2_setup(48, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(edge - S2T_1G, 2 * S2T_1G, MAP_PA(0),
				      S2T_RWX, 0, &res),
		      0);
	EXPECT_EQ(res.installed, 2);
	EXPECT_EQ(res.tables_added, 2);
	EXPECT_TRUE(stage2_pte_is_table(test_stage2_pgt.root[0], 0));
	EXPECT_TRUE(stage2_pte_is_table(test_stage2_pgt.root[1], 0));
	test_stage2_expect(test_ctx, edge - 1, MAP_PA(0) + S2T_1G - 1, 1,
			   S2T_RWX);
	test_stage2_expect(test_ctx, edge, MAP_PA(0) + S2T_1G, 1, S2T_RWX);
	test_stage2_expect_none(test_ctx, edge + S2T_1G);
	test_stage2_expect_none(test_ctx, edge - S2T_1G - S2T_4K);
}
