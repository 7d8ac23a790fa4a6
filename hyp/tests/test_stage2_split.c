/*
 * stage2_split() and stage2_collapse(): a block becomes a table of the
 * next level with the same translations, and a table whose leaves form one
 * aligned, contiguous range with identical attributes becomes a block.
 */
#include <faultline/err.h>
#include <faultline/test.h>
#include <faultline/trace/ring.h>

#include "test_stage2_util.h"

#define SP_BASE S2T_1G
#define SP_PA UINT64_C(0x1c0000000)

/* Splits @ipa's block from the main pool with @scope. */
static int sp_split(uint64_t ipa, enum stage2_scope scope,
		    struct stage2_result *res)
{
	int ret;

	rwlock_write_lock(&test_stage2_pgt.lock);
	ret = stage2_split(&test_stage2_pgt, ipa, &test_stage2_pool, scope, 0,
			   res);
	rwlock_write_unlock(&test_stage2_pgt.lock);
	return ret;
}

/* Collapses the table at @level for @ipa with @scope. */
static int sp_collapse(uint64_t ipa, unsigned level, enum stage2_scope scope,
		       struct stage2_result *res)
{
	int ret;

	rwlock_write_lock(&test_stage2_pgt.lock);
	ret = stage2_collapse(&test_stage2_pgt, ipa, level, scope, res);
	rwlock_write_unlock(&test_stage2_pgt.lock);
	return ret;
}

/* The table page the table entry at @level for @ipa points to. */
static const uint64_t *sp_table(uint64_t ipa, unsigned level)
{
	stage2_pte_t d = test_stage2_entry(ipa, level);

	if (!stage2_pte_is_table(d, level)) {
		return NULL;
	}
	return stage2_pool_ptr(&test_stage2_pool, stage2_pte_oa(d, level));
}

/** Splitting a 1 GiB block gives 512 exact 2 MiB blocks, with break-before-make invalidated by the block's IPA. */
TEST(stage2_split, gib_block_into_2m_blocks)
{
	struct stage2_result res = {0};
	stage2_pte_t block = stage2_pte_leaf(pa_init(SP_PA), S2T_RWX, 1);
	struct stage2_leaf leaf;
	const uint64_t *l2;
	size_t avail;
	size_t n;
	size_t i = 1;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(SP_BASE, S2T_1G, SP_PA, S2T_RWX, 0, NULL),
		      0);
	ASSERT_EQ_INT(stage2_lookup(&test_stage2_pgt, SP_BASE, &leaf), 0);
	avail = stage2_pool_available(&test_stage2_pool);
	test_stage2_trace_start();
	ASSERT_EQ_INT(sp_split(SP_BASE + 5 * S2T_2M + 0x321,
			       STAGE2_SCOPE_INNER_SHAREABLE, &res),
		      0);
	n = test_stage2_trace_take();
	EXPECT_EQ(res.split, 1);
	EXPECT_EQ(res.tables_added, 1);
	EXPECT_EQ(res.level, 1);
	EXPECT_EQ(res.old, block);
	EXPECT_EQ(stage2_pool_available(&test_stage2_pool), avail - 1);
	l2 = sp_table(SP_BASE, 1);
	ASSERT_TRUE(l2 != NULL);
	for (unsigned k = 0; k < 512; k++) {
		uint64_t off = k * S2T_2M + k * S2T_4K + 0x123;

		EXPECT_EQ(l2[k], stage2_pte_leaf(pa_init(SP_PA + k * S2T_2M),
						 S2T_RWX, 2));
		test_stage2_expect(test_ctx, SP_BASE + off, SP_PA + off, 2,
				   S2T_RWX);
	}
	ASSERT_TRUE(n > 0);
	ASSERT_EQ(test_stage2_trace[0].id, TRACE_EV_bbm_break);
	EXPECT_EQ(test_stage2_trace[0].f[0], pa_addr(leaf.entry_pa));
	EXPECT_EQ(test_stage2_trace[0].f[1], SP_BASE);
	EXPECT_EQ(test_stage2_trace[0].f[3], block);
	ASSERT_TRUE(test_stage2_expect_inval_ipa(test_ctx, n, &i, SP_BASE, 1,
						 STAGE2_SCOPE_INNER_SHAREABLE));
	ASSERT_TRUE(i < n);
	EXPECT_EQ(test_stage2_trace[i].id, TRACE_EV_bbm_make);
	EXPECT_EQ(test_stage2_trace[i].f[3], test_stage2_entry(SP_BASE, 1));
}

/** Splitting a 2 MiB block gives 512 exact pages; every address of the block keeps its PA. */
TEST(stage2_split, two_mib_block_into_pages)
{
	struct stage2_result res = {0};
	uint64_t blk = SP_BASE + 7 * S2T_2M;
	const uint64_t *l3;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(SP_BASE, S2T_1G, SP_PA, S2T_RW, 0, NULL),
		      0);
	ASSERT_EQ_INT(sp_split(blk, STAGE2_SCOPE_INNER_SHAREABLE, NULL), 0);
	ASSERT_EQ_INT(
		sp_split(blk + S2T_2M - 1, STAGE2_SCOPE_INNER_SHAREABLE, &res),
		0);
	EXPECT_EQ(res.level, 2);
	l3 = sp_table(blk, 2);
	ASSERT_TRUE(l3 != NULL);
	for (unsigned k = 0; k < 512; k++) {
		uint64_t off = 7 * S2T_2M + k * S2T_4K;

		EXPECT_EQ(l3[k],
			  stage2_pte_leaf(pa_init(SP_PA + off), S2T_RW, 3));
		test_stage2_expect(test_ctx, SP_BASE + off + (k & 0xfff),
				   SP_PA + off + (k & 0xfff), 3, S2T_RW);
	}
	test_stage2_expect(test_ctx, blk - 1, SP_PA + 7 * S2T_2M - 1, 2,
			   S2T_RW);
	test_stage2_expect(test_ctx, blk + S2T_2M, SP_PA + 8 * S2T_2M, 2,
			   S2T_RW);
}

/** A split keeps the memory type and permissions: a read-only Device block gives read-only Device pages. */
TEST(stage2_split, keeps_attributes)
{
	unsigned prot = STAGE2_PROT_DEVICE | STAGE2_PROT_R;
	const uint64_t *l3;

	ASSERT_EQ_INT(test_stage2_setup(32, 8), 0);
	ASSERT_EQ_INT(
		test_stage2_map(S2T_2M, S2T_2M, 0x08000000, prot, 0, NULL), 0);
	ASSERT_EQ_INT(sp_split(S2T_2M, STAGE2_SCOPE_LOCAL, NULL), 0);
	l3 = sp_table(S2T_2M, 2);
	ASSERT_TRUE(l3 != NULL);
	for (unsigned k = 0; k < 512; k++) {
		EXPECT_EQ(l3[k],
			  stage2_pte_leaf(pa_init(0x08000000 + k * S2T_4K),
					  prot, 3));
	}
}

/** A page or an unmapped IPA cannot be split (-ERR_NOENT); a pool the table does not own is -ERR_INVAL. */
TEST(stage2_split, refusals)
{
	struct stage2_pgtable *pgt = &test_stage2_pgt;
	stage2_pte_t block;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(0, S2T_4K, 0x40000000, S2T_RW, 0, NULL),
		      0);
	ASSERT_EQ_INT(test_stage2_map(S2T_1G, S2T_1G, SP_PA, S2T_RW, 0, NULL),
		      0);
	block = test_stage2_entry(S2T_1G, 1);
	EXPECT_EQ_INT(sp_split(0, STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		      -ERR_NOENT);
	EXPECT_EQ_INT(sp_split(S2T_4K, STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		      -ERR_NOENT);
	EXPECT_EQ_INT(sp_split(5 * S2T_1G, STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		      -ERR_NOENT);
	rwlock_write_lock(&pgt->lock);
	EXPECT_EQ_INT(stage2_split(pgt, S2T_1G, &test_stage2_dev_pool,
				   STAGE2_SCOPE_INNER_SHAREABLE, 0, NULL),
		      -ERR_INVAL);
	EXPECT_EQ_INT(stage2_split(pgt, S2T_1G, NULL,
				   STAGE2_SCOPE_INNER_SHAREABLE, 0, NULL),
		      -ERR_INVAL);
	rwlock_write_unlock(&pgt->lock);
	EXPECT_EQ(test_stage2_entry(S2T_1G, 1), block);
	test_stage2_expect(test_ctx, 0, 0x40000000, 3, S2T_RW);
}

/** Without a page for the new table the split is -ERR_NOMEM and the block stays as it was. */
TEST(stage2_split, nomem_keeps_the_block)
{
	stage2_pte_t block;
	size_t n;

	ASSERT_EQ_INT(test_stage2_setup(40, 2), 0);
	ASSERT_EQ_INT(test_stage2_map(S2T_1G, S2T_1G, SP_PA, S2T_RW, 0, NULL),
		      0);
	block = test_stage2_entry(S2T_1G, 1);
	test_stage2_trace_start();
	EXPECT_EQ_INT(sp_split(S2T_1G, STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		      -ERR_NOMEM);
	n = test_stage2_trace_take();
	EXPECT_EQ(test_stage2_entry(S2T_1G, 1), block);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_pool_exhausted), 1);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_bbm_break), 0);
}

/** Split then collapse twice gives back the original 1 GiB block descriptor and every table page. */
TEST(stage2_collapse, round_trip_through_split)
{
	struct stage2_result res = {0};
	stage2_pte_t block = stage2_pte_leaf(pa_init(SP_PA), S2T_RWX, 1);
	stage2_pte_t child;
	size_t avail;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(SP_BASE, S2T_1G, SP_PA, S2T_RWX, 0, NULL),
		      0);
	avail = stage2_pool_available(&test_stage2_pool);
	ASSERT_EQ_INT(sp_split(SP_BASE + 9 * S2T_2M,
			       STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		      0);
	child = test_stage2_entry(SP_BASE + 9 * S2T_2M, 2);
	ASSERT_EQ_INT(sp_split(SP_BASE + 9 * S2T_2M,
			       STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		      0);
	EXPECT_EQ(stage2_pool_available(&test_stage2_pool), avail - 2);
	EXPECT_EQ_INT(sp_collapse(SP_BASE + 9 * S2T_2M + 0x5000, 2,
				  STAGE2_SCOPE_INNER_SHAREABLE, &res),
		      0);
	EXPECT_EQ(res.collapsed, 1);
	EXPECT_EQ(res.tables_freed, 1);
	EXPECT_EQ(res.level, 2);
	EXPECT_EQ(test_stage2_entry(SP_BASE + 9 * S2T_2M, 2), child);
	EXPECT_EQ(stage2_pool_available(&test_stage2_pool), avail - 1);
	EXPECT_EQ_INT(
		sp_collapse(SP_BASE, 1, STAGE2_SCOPE_INNER_SHAREABLE, NULL), 0);
	EXPECT_EQ(test_stage2_entry(SP_BASE, 1), block);
	EXPECT_EQ(stage2_pool_available(&test_stage2_pool), avail);
	test_stage2_expect(test_ctx, SP_BASE + 9 * S2T_2M + 0x5123,
			   SP_PA + 9 * S2T_2M + 0x5123, 1, S2T_RWX);
}

/** 512 pages mapped one by one with contiguous PAs and equal attributes collapse into a block; the trace shows a table replaced (VMALLS12E1). */
TEST(stage2_collapse, pages_into_block)
{
	uint64_t base = 4 * S2T_1G + 10 * S2T_2M;
	stage2_pte_t table;
	size_t n;
	size_t i = 1;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	for (unsigned k = 0; k < 512; k++) {
		ASSERT_EQ_INT(test_stage2_map(base + k * S2T_4K, S2T_4K,
					      0x60000000 + k * S2T_4K, S2T_RO,
					      0, NULL),
			      0);
	}
	table = test_stage2_entry(base, 2);
	ASSERT_TRUE(stage2_pte_is_table(table, 2));
	test_stage2_trace_start();
	ASSERT_EQ_INT(sp_collapse(base, 2, STAGE2_SCOPE_LOCAL, NULL), 0);
	n = test_stage2_trace_take();
	EXPECT_EQ(test_stage2_entry(base, 2),
		  stage2_pte_leaf(pa_init(0x60000000), S2T_RO, 2));
	test_stage2_expect(test_ctx, base + 0x1fffff, 0x601fffff, 2, S2T_RO);
	ASSERT_TRUE(n > 0);
	ASSERT_EQ(test_stage2_trace[0].id, TRACE_EV_bbm_break);
	EXPECT_EQ(test_stage2_trace[0].f[1], base);
	EXPECT_EQ(test_stage2_trace[0].f[2], 2);
	EXPECT_EQ(test_stage2_trace[0].f[3], table);
	ASSERT_TRUE(test_stage2_expect_inval_vmid(test_ctx, n, &i,
						  STAGE2_SCOPE_LOCAL));
	ASSERT_TRUE(i < n);
	EXPECT_EQ(test_stage2_trace[i].id, TRACE_EV_bbm_make);
	EXPECT_EQ(test_stage2_trace[i].f[3],
		  stage2_pte_leaf(pa_init(0x60000000), S2T_RO, 2));
}

/*
 * Maps 512 pages at @base to contiguous PAs from @pa with @prot: in two
 * parts, each smaller than a block, so that no block is chosen.
 */
static int sp_map_pages(uint64_t base, uint64_t pa, unsigned prot)
{
	int ret = test_stage2_map(base, S2T_4K, pa, prot, 0, NULL);

	if (ret != 0) {
		return ret;
	}
	return test_stage2_map(base + S2T_4K, S2T_2M - S2T_4K, pa + S2T_4K,
			       prot, 0, NULL);
}

/* Checks collapse of @base at level 2 is -ERR_EXIST and changes nothing. */
static void sp_expect_refused(struct test_ctx *test_ctx, uint64_t base)
{
	stage2_pte_t table = test_stage2_entry(base, 2);
	size_t avail = stage2_pool_available(&test_stage2_pool);

	EXPECT_EQ_INT(sp_collapse(base, 2, STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		      -ERR_EXIST);
	EXPECT_EQ(test_stage2_entry(base, 2), table);
	EXPECT_EQ(stage2_pool_available(&test_stage2_pool), avail);
}

/** A table with a hole, a non-contiguous PA, mixed attributes or a misaligned first PA is refused with -ERR_EXIST. */
TEST(stage2_collapse, refuses_what_one_block_cannot_map)
{
	uint64_t b = 4 * S2T_1G;

	ASSERT_EQ_INT(test_stage2_setup(40, 16), 0);
	/* A hole. */
	ASSERT_EQ_INT(sp_map_pages(b, 0x60000000, S2T_RW), 0);
	ASSERT_EQ_INT(sp_split(b, STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		      -ERR_NOENT);
	ASSERT_EQ_INT(test_stage2_unmap(b + 77 * S2T_4K, S2T_4K, NULL), 0);
	sp_expect_refused(test_ctx, b);
	/* One page elsewhere. */
	b += S2T_2M;
	ASSERT_EQ_INT(sp_map_pages(b, 0x60200000, S2T_RW), 0);
	ASSERT_EQ_INT(test_stage2_map(b + 511 * S2T_4K, S2T_4K, 0x70000000,
				      S2T_RW, 0, NULL),
		      0);
	sp_expect_refused(test_ctx, b);
	/* One page with other permissions. */
	b += S2T_2M;
	ASSERT_EQ_INT(sp_map_pages(b, 0x60400000, S2T_RO), 0);
	ASSERT_EQ_INT(test_stage2_map(b, S2T_4K, 0x60400000, S2T_RW, 0, NULL),
		      0);
	sp_expect_refused(test_ctx, b);
	/* One page of another memory type. */
	b += S2T_2M;
	ASSERT_EQ_INT(sp_map_pages(b, 0x60600000, S2T_RW), 0);
	ASSERT_EQ_INT(test_stage2_map(b + S2T_4K, S2T_4K, 0x60601000,
				      S2T_RW | STAGE2_PROT_NORMAL_NC, 0, NULL),
		      0);
	sp_expect_refused(test_ctx, b);
	/* Contiguous and uniform, but the PA is not 2 MiB aligned. */
	b += S2T_2M;
	ASSERT_EQ_INT(sp_map_pages(b, 0x60801000, S2T_RW), 0);
	sp_expect_refused(test_ctx, b);
	/* The control: the same pages, aligned, do collapse. */
	b += S2T_2M;
	ASSERT_EQ_INT(sp_map_pages(b, 0x60a00000, S2T_RW), 0);
	EXPECT_EQ_INT(sp_collapse(b, 2, STAGE2_SCOPE_INNER_SHAREABLE, NULL), 0);
}

/** A level-1 table with a table among its entries cannot be one 1 GiB block. */
TEST(stage2_collapse, refuses_nested_tables)
{
	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(S2T_1G, S2T_1G, SP_PA, S2T_RW, 0, NULL),
		      0);
	ASSERT_EQ_INT(
		sp_split(S2T_1G + S2T_2M, STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		0);
	ASSERT_EQ_INT(
		sp_split(S2T_1G + S2T_2M, STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		0);
	EXPECT_EQ_INT(
		sp_collapse(S2T_1G, 1, STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		-ERR_EXIST);
	EXPECT_EQ_INT(sp_collapse(S2T_1G + S2T_2M, 2,
				  STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		      0);
	EXPECT_EQ_INT(
		sp_collapse(S2T_1G, 1, STAGE2_SCOPE_INNER_SHAREABLE, NULL), 0);
	test_stage2_expect(test_ctx, S2T_1G + 0x12345678, SP_PA + 0x12345678, 1,
			   S2T_RW);
}

/** Without a table at the level (nothing mapped, or a block there) collapse is -ERR_NOENT; levels 0 and 3 are -ERR_INVAL. */
TEST(stage2_collapse, no_table_and_bad_levels)
{
	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	EXPECT_EQ_INT(
		sp_collapse(S2T_1G, 1, STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		-ERR_NOENT);
	EXPECT_EQ_INT(
		sp_collapse(S2T_1G, 2, STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		-ERR_NOENT);
	ASSERT_EQ_INT(test_stage2_map(S2T_1G, S2T_1G, SP_PA, S2T_RW, 0, NULL),
		      0);
	EXPECT_EQ_INT(
		sp_collapse(S2T_1G, 1, STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		-ERR_NOENT);
	EXPECT_EQ_INT(
		sp_collapse(S2T_1G, 2, STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		-ERR_NOENT);
	EXPECT_EQ_INT(
		sp_collapse(S2T_1G, 0, STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		-ERR_INVAL);
	EXPECT_EQ_INT(
		sp_collapse(S2T_1G, 3, STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		-ERR_INVAL);
	test_stage2_expect(test_ctx, S2T_1G, SP_PA, 1, S2T_RW);
	/* A 32-bit table starts at level 2: it has no level-1 entries. */
	ASSERT_EQ_INT(test_stage2_setup(32, 8), 0);
	EXPECT_EQ_INT(
		sp_collapse(S2T_1G, 1, STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		-ERR_INVAL);
}

/** res->old is the entry's value before the collapse (the table descriptor), as struct stage2_result documents. */
TEST(stage2_collapse, result_old_is_the_table_entry)
{
	struct stage2_result res = {0};
	stage2_pte_t table;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(S2T_1G, S2T_2M, SP_PA, S2T_RW, 0, NULL),
		      0);
	ASSERT_EQ_INT(sp_split(S2T_1G, STAGE2_SCOPE_INNER_SHAREABLE, NULL), 0);
	table = test_stage2_entry(S2T_1G, 2);
	ASSERT_EQ_INT(
		sp_collapse(S2T_1G, 2, STAGE2_SCOPE_INNER_SHAREABLE, &res), 0);
	EXPECT_EQ(res.old, table);
	EXPECT_NE(res.old, test_stage2_entry(S2T_1G, 2));
}
