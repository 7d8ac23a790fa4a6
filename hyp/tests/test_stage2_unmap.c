/*
 * stage2_unmap(): whole ranges, blocks straddling an edge, tables freed
 * when they empty, the end of the IPA space (seed 000: the host stage 2
 * unmapped "up to ULONG_MAX" and got -ERANGE), and its trace.
 */
#include <faultline/err.h>
#include <faultline/test.h>
#include <faultline/trace/ring.h>

#include "test_stage2_util.h"

#define UM_PA(ipa) ((ipa) + UINT64_C(0x2000000000))

/* Unmaps under the write lock with @scope. */
static int um_unmap_scope(uint64_t ipa, uint64_t size, enum stage2_scope scope,
			  struct stage2_result *res)
{
	int ret;

	rwlock_write_lock(&test_stage2_pgt.lock);
	ret = stage2_unmap(&test_stage2_pgt, ipa, size, scope, res);
	rwlock_write_unlock(&test_stage2_pgt.lock);
	return ret;
}

/** Unmapping exactly what a greedy map made removes every leaf and frees every table it added. */
TEST(stage2_unmap, full_range_frees_every_table)
{
	struct stage2_result res = {0};
	uint64_t start = S2T_1G - S2T_2M - 2 * S2T_4K;
	uint64_t end = 2 * S2T_1G + S2T_2M + 3 * S2T_4K;
	size_t avail;

	ASSERT_EQ_INT(test_stage2_setup(40, 16), 0);
	avail = stage2_pool_available(&test_stage2_pool);
	ASSERT_EQ_INT(test_stage2_map(start, end - start, UM_PA(start), S2T_RWX,
				      0, &res),
		      0);
	ASSERT_EQ(res.tables_added, 4);
	res = (struct stage2_result){0};
	ASSERT_EQ_INT(test_stage2_unmap(start, end - start, &res), 0);
	EXPECT_EQ(res.removed, 8);
	EXPECT_EQ(res.tables_freed, 4);
	EXPECT_EQ(res.split, 0);
	EXPECT_EQ(stage2_pool_available(&test_stage2_pool), avail);
	for (uint64_t a = start; a < end; a += S2T_2M) {
		test_stage2_expect_none(test_ctx, a);
	}
	test_stage2_expect_none(test_ctx, end - S2T_4K);
	for (unsigned i = 0; i < test_stage2_pgt.root_entries; i++) {
		EXPECT_EQ(test_stage2_pgt.root[i], 0);
	}
}

/** A 1 GiB block straddling both edges is split down to pages at the edges and only the range is removed. */
TEST(stage2_unmap, straddling_block_is_split)
{
	struct stage2_result res = {0};
	uint64_t pa = UINT64_C(0x1c0000000);
	uint64_t lo = S2T_1G + S2T_2M + S2T_4K;
	uint64_t hi = S2T_1G + 3 * S2T_2M;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(S2T_1G, S2T_1G, pa, S2T_RWX, 0, NULL), 0);
	ASSERT_EQ_INT(test_stage2_unmap(lo, hi - lo, &res), 0);
	EXPECT_EQ(res.split, 2);
	EXPECT_EQ(res.tables_added, 2);
	EXPECT_EQ(res.removed, 511 + 1);
	EXPECT_EQ(res.tables_freed, 0);
	test_stage2_expect(test_ctx, S2T_1G, pa, 2, S2T_RWX);
	test_stage2_expect(test_ctx, lo - 1, pa + S2T_2M + S2T_4K - 1, 3,
			   S2T_RWX);
	for (uint64_t a = lo; a < hi; a += S2T_4K) {
		if (!test_stage2_expect_none(test_ctx, a)) {
			break;
		}
	}
	test_stage2_expect(test_ctx, hi, pa + 3 * S2T_2M, 2, S2T_RWX);
	test_stage2_expect(test_ctx, 2 * S2T_1G - 1, pa + S2T_1G - 1, 2,
			   S2T_RWX);
	/* One page out of the middle of a 2 MiB block. */
	res = (struct stage2_result){0};
	ASSERT_EQ_INT(
		test_stage2_unmap(S2T_1G + 8 * S2T_2M + S2T_4K, S2T_4K, &res),
		0);
	EXPECT_EQ(res.split, 1);
	EXPECT_EQ(res.removed, 1);
	test_stage2_expect(test_ctx, S2T_1G + 8 * S2T_2M, pa + 8 * S2T_2M, 3,
			   S2T_RWX);
	test_stage2_expect_none(test_ctx, S2T_1G + 8 * S2T_2M + S2T_4K);
	test_stage2_expect(test_ctx, S2T_1G + 8 * S2T_2M + 2 * S2T_4K,
			   pa + 8 * S2T_2M + 2 * S2T_4K, 3, S2T_RWX);
}

/** A table is freed only when its last entry goes, and the pool gets back to where it was before the map. */
TEST(stage2_unmap, tables_freed_when_empty)
{
	uint64_t a = 7 * S2T_1G + S2T_4K;
	size_t avail;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	avail = stage2_pool_available(&test_stage2_pool);
	ASSERT_EQ_INT(test_stage2_map(a, 2 * S2T_4K, UM_PA(a), S2T_RW, 0, NULL),
		      0);
	EXPECT_EQ(stage2_pool_available(&test_stage2_pool), avail - 2);
	ASSERT_EQ_INT(test_stage2_unmap(a, S2T_4K, NULL), 0);
	EXPECT_EQ(stage2_pool_available(&test_stage2_pool), avail - 2);
	test_stage2_expect(test_ctx, a + S2T_4K, UM_PA(a + S2T_4K), 3, S2T_RW);
	ASSERT_EQ_INT(test_stage2_unmap(a + S2T_4K, S2T_4K, NULL), 0);
	EXPECT_EQ(stage2_pool_available(&test_stage2_pool), avail);
	EXPECT_EQ(test_stage2_pgt.root[7], 0);
	/* The freed pages serve the next map. */
	ASSERT_EQ_INT(test_stage2_map(a, S2T_4K, UM_PA(a), S2T_RW, 0, NULL), 0);
	EXPECT_EQ(stage2_pool_available(&test_stage2_pool), avail - 2);
	EXPECT_EQ(test_stage2_pool.bump, 4);
}

/** Unmapping up to exactly 1 << ia_bits works for every start level; one page more, or ULONG_MAX, is -ERR_RANGE. */
TEST(stage2_unmap, up_to_the_end_of_the_ipa_space)
{
	static const unsigned sizes[] = {32, 34, 36, 39, 40, 43, 44, 48};

	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint64_t top = UINT64_C(1) << sizes[i];
		size_t avail;

		ASSERT_EQ_INT(test_stage2_setup(sizes[i], 40), 0);
		avail = stage2_pool_available(&test_stage2_pool);
		ASSERT_EQ_INT(test_stage2_map(top - S2T_4K, S2T_4K, 0x40000000,
					      S2T_RW, 0, NULL),
			      0);
		ASSERT_EQ_INT(
			test_stage2_map(0, S2T_4K, 0x40001000, S2T_RW, 0, NULL),
			0);
		EXPECT_EQ_INT(test_stage2_unmap(0, top + S2T_4K, NULL),
			      -ERR_RANGE);
		EXPECT_EQ_INT(test_stage2_unmap(S2T_4K, top, NULL), -ERR_RANGE);
		EXPECT_EQ_INT(test_stage2_unmap(top, S2T_4K, NULL), -ERR_RANGE);
		EXPECT_EQ_INT(
			test_stage2_unmap(S2T_4K, UINT64_MAX & PAGE_MASK, NULL),
			-ERR_RANGE);
		test_stage2_expect(test_ctx, top - 1, 0x40000fff, 3, S2T_RW);
		/* From the middle to the very end. */
		EXPECT_EQ_INT(test_stage2_unmap(top / 2, top / 2, NULL), 0);
		test_stage2_expect_none(test_ctx, top - S2T_4K);
		test_stage2_expect(test_ctx, 0, 0x40001000, 3, S2T_RW);
		/* Everything, as seed 000's host stage 2 wants. */
		EXPECT_EQ_INT(test_stage2_unmap(0, top, NULL), 0);
		test_stage2_expect_none(test_ctx, 0);
		if (!EXPECT_EQ(stage2_pool_available(&test_stage2_pool),
			       avail)) {
			test_fail(test_ctx, __FILE__, __LINE__, "ia_bits %u",
				  sizes[i]);
		}
	}
}

/** Misaligned and empty ranges are refused with -ERR_INVAL and remove nothing. */
TEST(stage2_unmap, bad_arguments)
{
	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(0, S2T_2M, S2T_2M, S2T_RW, 0, NULL), 0);
	EXPECT_EQ_INT(test_stage2_unmap(0x800, S2T_4K, NULL), -ERR_INVAL);
	EXPECT_EQ_INT(test_stage2_unmap(0, 0x1800, NULL), -ERR_INVAL);
	EXPECT_EQ_INT(test_stage2_unmap(0, 0, NULL), -ERR_INVAL);
	test_stage2_expect(test_ctx, 0, S2T_2M, 2, S2T_RW);
	test_stage2_expect(test_ctx, S2T_4K, S2T_2M + S2T_4K, 2, S2T_RW);
}

/** Unmapping where nothing is mapped succeeds without any break-before-make or TLBI. */
TEST(stage2_unmap, nothing_mapped)
{
	struct stage2_result res = {0};
	size_t n;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	test_stage2_trace_start();
	EXPECT_EQ_INT(test_stage2_unmap(S2T_1G, 4 * S2T_1G, &res), 0);
	n = test_stage2_trace_take();
	EXPECT_EQ(res.removed + res.tables_freed + res.split, 0);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_bbm_break), 0);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_tlbi), 0);
}

/* Checks a BBM of the entry for @ipa at @level to 0 at test_stage2_trace[*i]. */
static void um_expect_bbm_to_zero(struct test_ctx *test_ctx, size_t n,
				  size_t *i, uint64_t ipa, unsigned level,
				  stage2_pte_t old, bool table,
				  enum stage2_scope scope)
{
	const struct trace_record *r;

	ASSERT_TRUE(*i < n);
	r = &test_stage2_trace[*i];
	ASSERT_EQ(r->id, TRACE_EV_bbm_break);
	EXPECT_EQ(r->f[1], ipa);
	EXPECT_EQ(r->f[2], level);
	EXPECT_EQ(r->f[3], old);
	(*i)++;
	if (table) {
		ASSERT_TRUE(
			test_stage2_expect_inval_vmid(test_ctx, n, i, scope));
	} else {
		ASSERT_TRUE(test_stage2_expect_inval_ipa(test_ctx, n, i, ipa,
							 level, scope));
	}
	ASSERT_TRUE(*i < n);
	r = &test_stage2_trace[*i];
	ASSERT_EQ(r->id, TRACE_EV_bbm_make);
	EXPECT_EQ(r->f[1], ipa);
	EXPECT_EQ(r->f[2], level);
	EXPECT_EQ(r->f[3], 0);
	(*i)++;
	/* stage2_make() publishes with a DSB ISHST. */
	ASSERT_TRUE(*i < n);
	r = &test_stage2_trace[*i];
	EXPECT_EQ(r->id, TRACE_EV_dsb);
	EXPECT_EQ(r->f[0], TRACE_SHARE_ISHST);
	(*i)++;
}

/** Unmapping the only page breaks it (invalidated by IPA), then each emptied table (the whole VMID), each make followed by a DSB. */
TEST(stage2_unmap, trace_of_a_page_and_its_tables)
{
	uint64_t a = 9 * S2T_1G + 3 * S2T_2M + 4 * S2T_4K;
	stage2_pte_t leaf, l2, l1;
	size_t n;
	size_t i = 0;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(a, S2T_4K, 0x44444000, S2T_RO, 0, NULL),
		      0);
	leaf = test_stage2_entry(a, 3);
	l2 = test_stage2_entry(a, 2);
	l1 = test_stage2_entry(a, 1);
	test_stage2_trace_start();
	ASSERT_EQ_INT(um_unmap_scope(a, S2T_4K, STAGE2_SCOPE_LOCAL, NULL), 0);
	n = test_stage2_trace_take();
	um_expect_bbm_to_zero(test_ctx, n, &i, a, 3, leaf, false,
			      STAGE2_SCOPE_LOCAL);
	um_expect_bbm_to_zero(test_ctx, n, &i, ALIGN_DOWN(a, S2T_2M), 2, l2,
			      true, STAGE2_SCOPE_LOCAL);
	um_expect_bbm_to_zero(test_ctx, n, &i, ALIGN_DOWN(a, S2T_1G), 1, l1,
			      true, STAGE2_SCOPE_LOCAL);
	EXPECT_EQ(n, i);
}

/** When a straddling block cannot be split for lack of pages, unmap gives -ERR_NOMEM and the block stays whole. */
TEST(stage2_unmap, nomem_keeps_the_block)
{
	uint64_t pa = UINT64_C(0x1c0000000);
	stage2_pte_t block;
	paddr_t spare;

	ASSERT_EQ_INT(test_stage2_setup(40, 3), 0);
	ASSERT_EQ_INT(test_stage2_map(S2T_1G, S2T_1G, pa, S2T_RW, 0, NULL), 0);
	block = test_stage2_entry(S2T_1G, 1);
	ASSERT_TRUE(stage2_pool_alloc(&test_stage2_pool, 1, &spare) != NULL);
	EXPECT_EQ_INT(test_stage2_unmap(S2T_1G + S2T_4K, S2T_4K, NULL),
		      -ERR_NOMEM);
	EXPECT_EQ(test_stage2_entry(S2T_1G, 1), block);
	test_stage2_expect(test_ctx, S2T_1G + S2T_4K, pa + S2T_4K, 1, S2T_RW);
	/* With a page back, the split (1 GiB into 2 MiB) goes one step. */
	stage2_pool_free(&test_stage2_pool, spare);
	EXPECT_EQ_INT(test_stage2_unmap(S2T_1G + S2T_2M, S2T_2M, NULL), 0);
	test_stage2_expect_none(test_ctx, S2T_1G + S2T_2M);
	test_stage2_expect(test_ctx, S2T_1G, pa, 2, S2T_RW);
	test_stage2_expect(test_ctx, S2T_1G + 2 * S2T_2M, pa + 2 * S2T_2M, 2,
			   S2T_RW);
}
