/*
 * The stage-2 walker: what it visits (leaves, tables before and after), in
 * which order, what the visitor sees, descending into a table a visitor
 * installed, and stopping at the first error.
 */
#include <stdatomic.h>

#include <faultline/err.h>
#include <faultline/test.h>

#include "test_stage2_util.h"

#define WK_MAX 600

/* One visit as recorded. */
struct wk_visit {
	unsigned visit;
	unsigned level;
	uint64_t addr;
	uint64_t end;
	stage2_pte_t old;
	const _Atomic uint64_t *ptep;
	unsigned flags;
};

/* What the recording visitor does besides recording. */
struct wk_args {
	unsigned n;
	/* Return @err at visit number @fail_at (counting from 1). */
	unsigned fail_at;
	int err;
	/* Install a table in invalid level-1 entries. */
	bool install;
};

static struct wk_visit wk_log[WK_MAX];

static int wk_record(struct stage2_visit_ctx *ctx, enum stage2_visit visit)
{
	struct wk_args *a = ctx->arg;
	paddr_t pa;

	if (a->n < WK_MAX) {
		wk_log[a->n] = (struct wk_visit){
			visit,    ctx->level, ctx->addr, ctx->end,
			ctx->old, ctx->ptep,  ctx->flags};
	}
	a->n++;
	if (a->n == a->fail_at) {
		return a->err;
	}
	if (a->install && visit == STAGE2_VISIT_LEAF && ctx->level == 1 &&
	    ctx->old == 0) {
		if (stage2_pool_alloc(&test_stage2_pool, 1, &pa) == NULL) {
			return -ERR_NOMEM;
		}
		atomic_store(ctx->ptep, stage2_pte_table(pa));
	}
	return 0;
}

/* Walks [@addr, @addr + @size) with @visit, recording into wk_log. */
static int wk_walk(uint64_t addr, uint64_t size, unsigned visit,
		   struct wk_args *a)
{
	struct stage2_walker w = {wk_record, a, visit, STAGE2_SHARED};

	return stage2_walk(&test_stage2_pgt, addr, size, &w);
}

/* Checks visit @i: kind, level and address. */
static bool wk_expect(struct test_ctx *test_ctx, unsigned i, unsigned visit,
		      unsigned level, uint64_t addr)
{
	if (EXPECT_EQ(wk_log[i].visit, visit) &&
	    EXPECT_EQ(wk_log[i].level, level) &&
	    EXPECT_EQ(wk_log[i].addr, addr)) {
		return true;
	}
	test_fail(test_ctx, __FILE__, __LINE__, "visit %u", i);
	return false;
}

/** Tables are visited before and after their children, leaves (valid or not) in IPA order, with the walk's end, flags and the entry's value. */
TEST(stage2_walk, visit_order)
{
	const unsigned all = STAGE2_VISIT_LEAF | STAGE2_VISIT_TABLE_PRE |
			     STAGE2_VISIT_TABLE_POST;
	uint64_t t = S2T_1G + S2T_2M;
	struct wk_args a = {0, 0, 0, false};

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(
		test_stage2_map(t, 2 * S2T_4K, 0x40000000, S2T_RW, 0, NULL), 0);
	ASSERT_EQ_INT(test_stage2_map(t + S2T_2M, S2T_2M, 0x40200000, S2T_RW, 0,
				      NULL),
		      0);
	ASSERT_EQ_INT(wk_walk(t, 2 * S2T_2M, all, &a), 0);
	ASSERT_EQ(a.n, 517);
	wk_expect(test_ctx, 0, STAGE2_VISIT_TABLE_PRE, 1, S2T_1G);
	wk_expect(test_ctx, 1, STAGE2_VISIT_TABLE_PRE, 2, t);
	for (unsigned k = 0; k < 512; k++) {
		if (!wk_expect(test_ctx, 2 + k, STAGE2_VISIT_LEAF, 3,
			       t + k * S2T_4K)) {
			break;
		}
		EXPECT_EQ(wk_log[2 + k].old,
			  k < 2 ? stage2_pte_leaf(
					  pa_init(0x40000000 + k * S2T_4K),
					  S2T_RW, 3)
				: 0);
	}
	wk_expect(test_ctx, 514, STAGE2_VISIT_TABLE_POST, 2, t);
	wk_expect(test_ctx, 515, STAGE2_VISIT_LEAF, 2, t + S2T_2M);
	wk_expect(test_ctx, 516, STAGE2_VISIT_TABLE_POST, 1, S2T_1G);
	EXPECT_EQ(wk_log[515].old,
		  stage2_pte_leaf(pa_init(0x40200000), S2T_RW, 2));
	EXPECT_TRUE(stage2_pte_is_table(wk_log[0].old, 1));
	for (unsigned i = 0; i < 517; i++) {
		EXPECT_EQ(wk_log[i].end, t + 2 * S2T_2M);
		EXPECT_EQ(wk_log[i].flags, STAGE2_SHARED);
		EXPECT_EQ(atomic_load(wk_log[i].ptep), wk_log[i].old);
	}
}

/** With only leaves asked for, tables are walked through silently. */
TEST(stage2_walk, leaves_only)
{
	struct wk_args a = {0, 0, 0, false};
	uint64_t t = S2T_1G + S2T_2M;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(t, S2T_4K, 0x40000000, S2T_RW, 0, NULL),
		      0);
	/* An unaligned range covers the pages it touches. */
	ASSERT_EQ_INT(wk_walk(t + 0x800, S2T_4K, STAGE2_VISIT_LEAF, &a), 0);
	ASSERT_EQ(a.n, 2);
	wk_expect(test_ctx, 0, STAGE2_VISIT_LEAF, 3, t);
	wk_expect(test_ctx, 1, STAGE2_VISIT_LEAF, 3, t + S2T_4K);
	/* Empty root entries are leaves at the start level. */
	a.n = 0;
	ASSERT_EQ_INT(wk_walk(2 * S2T_1G, 3 * S2T_1G, STAGE2_VISIT_LEAF, &a),
		      0);
	ASSERT_EQ(a.n, 3);
	for (unsigned i = 0; i < 3; i++) {
		wk_expect(test_ctx, i, STAGE2_VISIT_LEAF, 1, (2 + i) * S2T_1G);
		EXPECT_EQ(wk_log[i].old, 0);
	}
}

/** The walk crosses from the first concatenated root page into the second. */
TEST(stage2_walk, concatenated_root)
{
	struct wk_args a = {0, 0, 0, false};
	uint64_t half = UINT64_C(1) << 39;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(wk_walk(half - S2T_1G, 2 * S2T_1G, STAGE2_VISIT_LEAF, &a),
		      0);
	ASSERT_EQ(a.n, 2);
	wk_expect(test_ctx, 1, STAGE2_VISIT_LEAF, 1, half);
	EXPECT_TRUE(wk_log[0].ptep == &test_stage2_pgt.root[511]);
	EXPECT_TRUE(wk_log[1].ptep == &test_stage2_pgt.root[512]);
}

/** A leaf visitor that installs a table makes the walk descend into it, and the table is visited after. */
TEST(stage2_walk, installed_table_is_descended)
{
	struct wk_args a = {0, 0, 0, true};

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(wk_walk(S2T_1G, 2 * S2T_2M,
			      STAGE2_VISIT_LEAF | STAGE2_VISIT_TABLE_POST, &a),
		      0);
	ASSERT_EQ(a.n, 4);
	wk_expect(test_ctx, 0, STAGE2_VISIT_LEAF, 1, S2T_1G);
	wk_expect(test_ctx, 1, STAGE2_VISIT_LEAF, 2, S2T_1G);
	wk_expect(test_ctx, 2, STAGE2_VISIT_LEAF, 2, S2T_1G + S2T_2M);
	wk_expect(test_ctx, 3, STAGE2_VISIT_TABLE_POST, 1, S2T_1G);
	EXPECT_TRUE(stage2_pte_is_table(wk_log[3].old, 1));
	EXPECT_EQ(test_stage2_entry(S2T_1G, 1), wk_log[3].old);
}

/** The first error a visitor returns stops the walk and is returned; a table visit's error stops it before the children. */
TEST(stage2_walk, error_stops_the_walk)
{
	struct wk_args a = {0, 3, -ERR_EXIST, false};

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(
		test_stage2_map(S2T_1G, S2T_4K, 0x40000000, S2T_RW, 0, NULL),
		0);
	EXPECT_EQ_INT(wk_walk(0, 8 * S2T_1G, STAGE2_VISIT_LEAF, &a),
		      -ERR_EXIST);
	EXPECT_EQ(a.n, 3);
	a = (struct wk_args){0, 1, -ERR_NOENT, false};
	EXPECT_EQ_INT(wk_walk(S2T_1G, S2T_1G,
			      STAGE2_VISIT_LEAF | STAGE2_VISIT_TABLE_PRE, &a),
		      -ERR_NOENT);
	EXPECT_EQ(a.n, 1);
	EXPECT_EQ(wk_log[0].visit, STAGE2_VISIT_TABLE_PRE);
	a = (struct wk_args){0, 2, -ERR_AGAIN, false};
	EXPECT_EQ_INT(wk_walk(S2T_1G, 4 * S2T_4K,
			      STAGE2_VISIT_LEAF | STAGE2_VISIT_TABLE_POST, &a),
		      -ERR_AGAIN);
	EXPECT_EQ(a.n, 2);
}

/** Ranges past the IPA size are -ERR_RANGE and an empty range is -ERR_INVAL, with no visit. */
TEST(stage2_walk, bad_ranges)
{
	struct wk_args a = {0, 0, 0, false};
	uint64_t top = UINT64_C(1) << 40;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	EXPECT_EQ_INT(wk_walk(top, S2T_4K, STAGE2_VISIT_LEAF, &a), -ERR_RANGE);
	EXPECT_EQ_INT(wk_walk(top - S2T_4K, 2 * S2T_4K, STAGE2_VISIT_LEAF, &a),
		      -ERR_RANGE);
	EXPECT_EQ_INT(wk_walk(0, 0, STAGE2_VISIT_LEAF, &a), -ERR_INVAL);
	EXPECT_EQ(a.n, 0);
	EXPECT_EQ_INT(wk_walk(top - S2T_4K, S2T_4K, STAGE2_VISIT_LEAF, &a), 0);
	EXPECT_EQ(a.n, 1);
}

/** A table descriptor that points outside every pool stops walks, lookups and updates with -ERR_INVAL, and nothing is written. */
TEST(stage2_walk, table_outside_the_pools)
{
	struct wk_args a = {0, 0, 0, false};
	uint64_t ipa = S2T_1G + S2T_2M + S2T_4K;
	stage2_pte_t bad = stage2_pte_table(pa_init(0x12340000));
	stage2_pte_t table;
	struct stage2_leaf leaf;
	struct mem_range r = {0, 4 * S2T_1G};
	struct mem_range out;
	unsigned level;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(ipa, S2T_4K, 0x40000000, S2T_RW, 0, NULL),
		      0);
	table = test_stage2_store_entry(ipa, 2, bad);
	ASSERT_TRUE(stage2_pte_is_table(table, 2));
	EXPECT_EQ_INT(wk_walk(ipa, S2T_4K, STAGE2_VISIT_LEAF, &a), -ERR_INVAL);
	EXPECT_EQ(a.n, 0);
	EXPECT_EQ_INT(stage2_lookup(&test_stage2_pgt, ipa, &leaf), -ERR_INVAL);
	EXPECT_EQ_INT(stage2_find_compatible_range(&test_stage2_pgt, ipa, &r,
						   &out, &level),
		      -ERR_INVAL);
	EXPECT_EQ_INT(test_stage2_map(ipa, S2T_4K, 0x40000000, S2T_RW, 0, NULL),
		      -ERR_INVAL);
	EXPECT_EQ_INT(test_stage2_unmap(ipa, S2T_4K, NULL), -ERR_INVAL);
	EXPECT_EQ(test_stage2_entry(ipa, 2), bad);
	EXPECT_EQ(test_stage2_store_entry(ipa, 2, table), bad);
	test_stage2_expect(test_ctx, ipa, 0x40000000, 3, S2T_RW);
}
