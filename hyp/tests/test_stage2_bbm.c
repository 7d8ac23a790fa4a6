/*
 * The break-before-make helpers and TLB sequences of stage2.h called
 * directly, from a walker's visitor as a fault handler would: the locked
 * entry, the invalidation each kind of entry gets, losing the CAS, and
 * what stage2_make() promises.
 */
#include <stdatomic.h>

#include <faultline/err.h>
#include <faultline/test.h>
#include <faultline/trace/ring.h>

#include "test_stage2_util.h"

#define BB_IPA (4 * S2T_1G + 3 * S2T_2M + 9 * S2T_4K)
#define BB_PA UINT64_C(0x55509000)

/* What the visitor does to the entry at @level. */
struct bb_args {
	unsigned level;
	enum stage2_scope scope;
	/* Pretend the entry held this when read (a lost race) if non-zero. */
	stage2_pte_t stale;
	/* Make this entry after a successful break. */
	bool make;
	stage2_pte_t new_pte;
	int ret;
	bool visited;
	stage2_pte_t seen;
};

static int bb_visit(struct stage2_visit_ctx *ctx,
		    enum stage2_visit visit UNUSED)
{
	struct bb_args *a = ctx->arg;

	if (ctx->level != a->level || a->visited) {
		return 0;
	}
	a->visited = true;
	if (a->stale != 0) {
		ctx->old = a->stale;
	}
	a->ret = stage2_try_break(ctx, a->scope);
	a->seen = atomic_load(ctx->ptep);
	if (a->ret == 0 && a->make) {
		stage2_make(ctx, a->new_pte);
	}
	return 0;
}

/* Runs bb_visit over BB_IPA's page with @a; returns the visitor's result. */
static int bb_walk(struct bb_args *a)
{
	struct stage2_walker w = {
		bb_visit, a, STAGE2_VISIT_LEAF | STAGE2_VISIT_TABLE_PRE, 0};
	int ret;

	rwlock_write_lock(&test_stage2_pgt.lock);
	/* Not visited at all is not a success. */
	a->ret = -ERR_NOENT;
	ret = stage2_walk(&test_stage2_pgt, BB_IPA, S2T_4K, &w);
	rwlock_write_unlock(&test_stage2_pgt.lock);
	return ret != 0 ? ret : a->ret;
}

/** Breaking a valid leaf locks it and invalidates its IPA; making publishes the new leaf. */
TEST(stage2_bbm, break_and_make_a_leaf)
{
	stage2_pte_t old = stage2_pte_leaf(pa_init(BB_PA), S2T_RW, 3);
	stage2_pte_t new_pte = stage2_pte_leaf(pa_init(BB_PA), S2T_RO, 3);
	struct bb_args a = {.level = 3,
			    .scope = STAGE2_SCOPE_INNER_SHAREABLE,
			    .make = true,
			    .new_pte = new_pte};
	size_t n;
	size_t i = 1;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(BB_IPA, S2T_4K, BB_PA, S2T_RW, 0, NULL),
		      0);
	test_stage2_trace_start();
	ASSERT_EQ_INT(bb_walk(&a), 0);
	n = test_stage2_trace_take();
	EXPECT_EQ(a.seen, S2_PTE_LOCKED);
	EXPECT_EQ(test_stage2_entry(BB_IPA, 3), new_pte);
	ASSERT_TRUE(n > 0);
	EXPECT_EQ(test_stage2_trace[0].id, TRACE_EV_bbm_break);
	EXPECT_EQ(test_stage2_trace[0].f[3], old);
	ASSERT_TRUE(test_stage2_expect_inval_ipa(test_ctx, n, &i, BB_IPA, 3,
						 STAGE2_SCOPE_INNER_SHAREABLE));
	ASSERT_TRUE(i < n);
	EXPECT_EQ(test_stage2_trace[i].id, TRACE_EV_bbm_make);
	EXPECT_EQ(test_stage2_trace[i].f[3], new_pte);
}

/** Breaking a table entry invalidates the whole VMID (TLBI VMALLS12E1), and making it again restores every translation below. */
TEST(stage2_bbm, break_a_table_entry)
{
	struct bb_args a = {
		.level = 2, .scope = STAGE2_SCOPE_LOCAL, .make = true};
	size_t n;
	size_t i = 1;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(BB_IPA, S2T_4K, BB_PA, S2T_RW, 0, NULL),
		      0);
	a.new_pte = test_stage2_entry(BB_IPA, 2);
	test_stage2_trace_start();
	ASSERT_EQ_INT(bb_walk(&a), 0);
	n = test_stage2_trace_take();
	EXPECT_EQ(a.seen, S2_PTE_LOCKED);
	ASSERT_TRUE(n > 0);
	EXPECT_EQ(test_stage2_trace[0].id, TRACE_EV_bbm_break);
	EXPECT_EQ(test_stage2_trace[0].f[2], 2);
	EXPECT_TRUE(test_stage2_expect_inval_vmid(test_ctx, n, &i,
						  STAGE2_SCOPE_LOCAL));
	test_stage2_expect(test_ctx, BB_IPA, BB_PA, 3, S2T_RW);
}

/** Breaking an invalid entry locks it without any TLBI (nothing can be cached). */
TEST(stage2_bbm, break_an_invalid_entry)
{
	struct bb_args a = {.level = 3,
			    .scope = STAGE2_SCOPE_INNER_SHAREABLE,
			    .make = true};
	size_t n;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(BB_IPA + S2T_4K, S2T_4K, BB_PA, S2T_RW, 0,
				      NULL),
		      0);
	test_stage2_trace_start();
	ASSERT_EQ_INT(bb_walk(&a), 0);
	n = test_stage2_trace_take();
	EXPECT_EQ(a.seen, S2_PTE_LOCKED);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_bbm_break), 1);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_tlbi), 0);
	EXPECT_EQ(test_stage2_entry(BB_IPA, 3), 0);
}

/** A break from a stale ctx->old loses the CAS: -ERR_AGAIN, traced as cas_lost, and the entry is untouched. */
TEST(stage2_bbm, break_loses_the_cas)
{
	stage2_pte_t leaf = stage2_pte_leaf(pa_init(BB_PA), S2T_RW, 3);
	struct bb_args a = {.level = 3,
			    .scope = STAGE2_SCOPE_INNER_SHAREABLE,
			    .stale = leaf ^ S2_PTE_S2AP_W,
			    .make = true};
	size_t n;
	size_t b;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(BB_IPA, S2T_4K, BB_PA, S2T_RW, 0, NULL),
		      0);
	test_stage2_trace_start();
	EXPECT_EQ_INT(bb_walk(&a), -ERR_AGAIN);
	n = test_stage2_trace_take();
	EXPECT_EQ(a.seen, leaf);
	EXPECT_EQ(test_stage2_entry(BB_IPA, 3), leaf);
	b = test_stage2_trace_find(n, 0, TRACE_EV_s2_backoff);
	ASSERT_TRUE(b < n);
	EXPECT_EQ(test_stage2_trace[b].f[3], TRACE_BACKOFF_CAS_LOST);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_bbm_break), 0);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_tlbi), 0);
}

/** Breaking an entry another CPU holds locked is -ERR_AGAIN, traced as locked. */
TEST(stage2_bbm, break_a_locked_entry)
{
	struct bb_args a = {.level = 3,
			    .scope = STAGE2_SCOPE_INNER_SHAREABLE,
			    .make = true};
	stage2_pte_t leaf;
	size_t n;
	size_t b;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(BB_IPA, S2T_4K, BB_PA, S2T_RW, 0, NULL),
		      0);
	leaf = test_stage2_store_entry(BB_IPA, 3, S2_PTE_LOCKED);
	test_stage2_trace_start();
	EXPECT_EQ_INT(bb_walk(&a), -ERR_AGAIN);
	n = test_stage2_trace_take();
	EXPECT_EQ(a.seen, S2_PTE_LOCKED);
	b = test_stage2_trace_find(n, 0, TRACE_EV_s2_backoff);
	ASSERT_TRUE(b < n);
	EXPECT_EQ(test_stage2_trace[b].f[3], TRACE_BACKOFF_LOCKED);
	test_stage2_store_entry(BB_IPA, 3, leaf);
}

/** stage2_tlb_inval_ipa() and stage2_tlb_inval_vmid() emit the documented sequences in both scopes. */
TEST(stage2_bbm, tlb_sequences)
{
	static const enum stage2_scope scopes[] = {
		STAGE2_SCOPE_LOCAL, STAGE2_SCOPE_INNER_SHAREABLE};

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	for (unsigned s = 0; s < 2; s++) {
		size_t n;
		size_t i = 0;

		test_stage2_trace_start();
		stage2_tlb_inval_ipa(&test_stage2_pgt, BB_IPA, 3, scopes[s]);
		stage2_tlb_inval_vmid(&test_stage2_pgt, scopes[s]);
		n = test_stage2_trace_take();
		EXPECT_TRUE(test_stage2_expect_inval_ipa(test_ctx, n, &i,
							 BB_IPA, 3, scopes[s]));
		EXPECT_TRUE(test_stage2_expect_inval_vmid(test_ctx, n, &i,
							  scopes[s]));
		EXPECT_EQ(n, i);
	}
}

/** stage2_make() is followed by a DSB, as stage2.h documents ("then DSB so walkers see it"). */
TEST(stage2_bbm, make_is_followed_by_a_dsb)
{
	stage2_pte_t new_pte = stage2_pte_leaf(pa_init(BB_PA), S2T_RO, 3);
	struct bb_args a = {.level = 3,
			    .scope = STAGE2_SCOPE_INNER_SHAREABLE,
			    .make = true,
			    .new_pte = new_pte};
	size_t n;
	size_t m;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(BB_IPA, S2T_4K, BB_PA, S2T_RW, 0, NULL),
		      0);
	test_stage2_trace_start();
	ASSERT_EQ_INT(bb_walk(&a), 0);
	n = test_stage2_trace_take();
	m = test_stage2_trace_find(n, 0, TRACE_EV_bbm_make);
	ASSERT_TRUE(m < n);
	if (!EXPECT_TRUE(m + 1 < n &&
			 test_stage2_trace[m + 1].id == TRACE_EV_dsb)) {
		test_fail(test_ctx, __FILE__, __LINE__,
			  "%zu records after bbm_make, none a DSB", n - m - 1);
	}
}
