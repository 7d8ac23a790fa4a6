/*
 * stage2_relax_perms(): permissions are only ever added, in place (Arm ARM
 * D8.16.1: a change of permissions alone needs no break-before-make), and
 * an invalidation follows; everything else backs off with -ERR_AGAIN.
 */
#include <faultline/err.h>
#include <faultline/test.h>
#include <faultline/trace/ring.h>

#include "test_stage2_util.h"

#define RX_IPA (2 * S2T_1G + 5 * S2T_2M + 3 * S2T_4K)
#define RX_PA UINT64_C(0x4a0003000)

/* Relaxes @ipa in test_stage2_pgt with @scope under the write lock. */
static int rx_relax(uint64_t ipa, unsigned prot, enum stage2_scope scope,
		    struct stage2_result *res)
{
	int ret;

	rwlock_write_lock(&test_stage2_pgt.lock);
	ret = stage2_relax_perms(&test_stage2_pgt, ipa, prot, scope, 0, res);
	rwlock_write_unlock(&test_stage2_pgt.lock);
	return ret;
}

/** Adding W to a read-only page rewrites only S2AP[1] in place, then invalidates the IPA. */
TEST(stage2_relax, adds_write)
{
	struct stage2_result res = {0};
	stage2_pte_t ro = stage2_pte_leaf(pa_init(RX_PA), S2T_RO, 3);
	stage2_pte_t rw = stage2_pte_leaf(pa_init(RX_PA), S2T_RW, 3);
	struct stage2_leaf leaf;
	size_t n;
	size_t i = 1;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(RX_IPA, S2T_4K, RX_PA, S2T_RO, 0, NULL),
		      0);
	ASSERT_EQ_INT(stage2_lookup(&test_stage2_pgt, RX_IPA, &leaf), 0);
	test_stage2_trace_start();
	ASSERT_EQ_INT(rx_relax(RX_IPA + 0x10, STAGE2_PROT_W,
			       STAGE2_SCOPE_INNER_SHAREABLE, &res),
		      0);
	n = test_stage2_trace_take();
	EXPECT_EQ(res.relaxed, 1);
	EXPECT_EQ(res.level, 3);
	EXPECT_EQ(res.old, ro);
	EXPECT_EQ(test_stage2_entry(RX_IPA, 3), rw);
	EXPECT_EQ(ro ^ rw, UINT64_C(1) << 7);
	/* pte_write (no break), then the invalidation of the page. */
	ASSERT_TRUE(n > 0);
	ASSERT_EQ(test_stage2_trace[0].id, TRACE_EV_pte_write);
	EXPECT_EQ(test_stage2_trace[0].f[0], pa_addr(leaf.entry_pa));
	EXPECT_EQ(test_stage2_trace[0].f[1], RX_IPA);
	EXPECT_EQ(test_stage2_trace[0].f[2], 3);
	EXPECT_EQ(test_stage2_trace[0].f[3], ro);
	EXPECT_EQ(test_stage2_trace[0].f[4], rw);
	EXPECT_TRUE(test_stage2_expect_inval_ipa(test_ctx, n, &i, RX_IPA, 3,
						 STAGE2_SCOPE_INNER_SHAREABLE));
	EXPECT_EQ(n, i);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_bbm_break), 0);
}

/** Adding X clears XN (bit 54) and nothing else; adding R sets S2AP[0]. */
TEST(stage2_relax, adds_exec_and_read)
{
	stage2_pte_t none = stage2_pte_leaf(pa_init(RX_PA), 0, 3);

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(RX_IPA, S2T_4K, RX_PA, 0, 0, NULL), 0);
	ASSERT_EQ_INT(rx_relax(RX_IPA, STAGE2_PROT_X,
			       STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		      0);
	EXPECT_EQ(test_stage2_entry(RX_IPA, 3), none & ~(UINT64_C(1) << 54));
	ASSERT_EQ_INT(rx_relax(RX_IPA, STAGE2_PROT_R,
			       STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		      0);
	EXPECT_EQ(test_stage2_entry(RX_IPA, 3),
		  stage2_pte_leaf(pa_init(RX_PA), STAGE2_PROT_R | STAGE2_PROT_X,
				  3));
	ASSERT_EQ_INT(rx_relax(RX_IPA, S2T_RWX, STAGE2_SCOPE_LOCAL, NULL), 0);
	test_stage2_expect(test_ctx, RX_IPA, RX_PA, 3, S2T_RWX);
}

/** Relaxing never removes a permission: asking for fewer than the leaf has is -ERR_AGAIN, traced as "already". */
TEST(stage2_relax, never_removes)
{
	struct stage2_result res = {0};
	stage2_pte_t rwx = stage2_pte_leaf(pa_init(RX_PA), S2T_RWX, 3);
	size_t n;
	size_t b;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(RX_IPA, S2T_4K, RX_PA, S2T_RWX, 0, NULL),
		      0);
	test_stage2_trace_start();
	EXPECT_EQ_INT(rx_relax(RX_IPA, STAGE2_PROT_R,
			       STAGE2_SCOPE_INNER_SHAREABLE, &res),
		      -ERR_AGAIN);
	EXPECT_EQ_INT(rx_relax(RX_IPA, 0, STAGE2_SCOPE_INNER_SHAREABLE, &res),
		      -ERR_AGAIN);
	EXPECT_EQ_INT(
		rx_relax(RX_IPA, S2T_RWX, STAGE2_SCOPE_INNER_SHAREABLE, &res),
		-ERR_AGAIN);
	n = test_stage2_trace_take();
	EXPECT_EQ(test_stage2_entry(RX_IPA, 3), rwx);
	EXPECT_EQ(res.relaxed, 0);
	EXPECT_EQ(res.old, rwx);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_s2_backoff), 3);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_tlbi), 0);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_pte_write), 0);
	b = test_stage2_trace_find(n, 0, TRACE_EV_s2_backoff);
	ASSERT_TRUE(b < n);
	EXPECT_EQ(test_stage2_trace[b].f[0], RX_IPA);
	EXPECT_EQ(test_stage2_trace[b].f[1], 3);
	EXPECT_EQ(test_stage2_trace[b].f[2], rwx);
	EXPECT_EQ(test_stage2_trace[b].f[3], TRACE_BACKOFF_ALREADY);
	EXPECT_EQ(test_stage2_trace[b].f[4], S2T_VMID);
}

/** A second relax of the same permission (another CPU won) is -ERR_AGAIN and writes nothing. */
TEST(stage2_relax, already_relaxed)
{
	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(RX_IPA, S2T_4K, RX_PA, S2T_RO, 0, NULL),
		      0);
	EXPECT_EQ_INT(rx_relax(RX_IPA, STAGE2_PROT_W,
			       STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		      0);
	EXPECT_EQ_INT(rx_relax(RX_IPA, STAGE2_PROT_W,
			       STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		      -ERR_AGAIN);
	EXPECT_EQ_INT(
		rx_relax(RX_IPA, S2T_RW, STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		-ERR_AGAIN);
	test_stage2_expect(test_ctx, RX_IPA, RX_PA, 3, S2T_RW);
}

/** An invalid entry has nothing to relax: -ERR_AGAIN (the caller maps it), with no write. */
TEST(stage2_relax, invalid_entry)
{
	struct stage2_result res = {0};
	size_t n;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	test_stage2_trace_start();
	EXPECT_EQ_INT(rx_relax(RX_IPA, STAGE2_PROT_W,
			       STAGE2_SCOPE_INNER_SHAREABLE, &res),
		      -ERR_AGAIN);
	EXPECT_EQ(res.level, 1);
	EXPECT_EQ(res.old, 0);
	ASSERT_EQ_INT(test_stage2_map(RX_IPA, S2T_4K, RX_PA, S2T_RO, 0, NULL),
		      0);
	EXPECT_EQ_INT(rx_relax(RX_IPA + S2T_4K, STAGE2_PROT_W,
			       STAGE2_SCOPE_INNER_SHAREABLE, &res),
		      -ERR_AGAIN);
	EXPECT_EQ(res.level, 3);
	n = test_stage2_trace_take();
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_tlbi), 0);
	EXPECT_EQ(res.relaxed, 0);
	test_stage2_expect_none(test_ctx, RX_IPA + S2T_4K);
}

/** Memory-type and unknown prot bits are -ERR_INVAL; an IPA past the IPA size is -ERR_RANGE. */
TEST(stage2_relax, bad_arguments)
{
	stage2_pte_t ro = stage2_pte_leaf(pa_init(RX_PA), S2T_RO, 3);

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(RX_IPA, S2T_4K, RX_PA, S2T_RO, 0, NULL),
		      0);
	EXPECT_EQ_INT(rx_relax(RX_IPA, STAGE2_PROT_DEVICE,
			       STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		      -ERR_INVAL);
	EXPECT_EQ_INT(rx_relax(RX_IPA, STAGE2_PROT_W | STAGE2_PROT_NORMAL_NC,
			       STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		      -ERR_INVAL);
	EXPECT_EQ_INT(
		rx_relax(RX_IPA, 1u << 9, STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		-ERR_INVAL);
	EXPECT_EQ_INT(rx_relax(UINT64_C(1) << 40, STAGE2_PROT_W,
			       STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		      -ERR_RANGE);
	EXPECT_EQ(test_stage2_entry(RX_IPA, 3), ro);
}

/** Relaxing inside a 2 MiB block relaxes the whole block, keeps its memory type, and invalidates at level 2. */
TEST(stage2_relax, block_keeps_attributes)
{
	struct stage2_result res = {0};
	uint64_t base = 2 * S2T_1G + 6 * S2T_2M;
	unsigned dev_ro = STAGE2_PROT_DEVICE | STAGE2_PROT_R;
	size_t n;
	size_t t;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(
		test_stage2_map(base, S2T_2M, 0x10000000, dev_ro, 0, NULL), 0);
	test_stage2_trace_start();
	ASSERT_EQ_INT(rx_relax(base + 0x12345, STAGE2_PROT_W,
			       STAGE2_SCOPE_INNER_SHAREABLE, &res),
		      0);
	n = test_stage2_trace_take();
	EXPECT_EQ(res.level, 2);
	EXPECT_EQ(test_stage2_entry(base, 2),
		  stage2_pte_leaf(pa_init(0x10000000), dev_ro | STAGE2_PROT_W,
				  2));
	test_stage2_expect(test_ctx, base + S2T_2M - 1, 0x101fffff, 2,
			   dev_ro | STAGE2_PROT_W);
	t = test_stage2_trace_find(n, 0, TRACE_EV_tlbi);
	ASSERT_TRUE(t < n);
	EXPECT_EQ(test_stage2_trace[t].f[0], TRACE_TLBI_OP_IPAS2E1);
	/* Any address inside the block reaches the block's TLB entry. */
	EXPECT_TRUE(test_stage2_trace[t].f[1] >= base &&
		    test_stage2_trace[t].f[1] < base + S2T_2M);
	EXPECT_EQ(test_stage2_trace[t].f[2], 2);
}

/** STAGE2_SHARED under the read lock relaxes the same way. */
TEST(stage2_relax, shared_under_read_lock)
{
	int ret;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(RX_IPA, S2T_4K, RX_PA, S2T_RO, 0, NULL),
		      0);
	rwlock_read_lock(&test_stage2_pgt.lock);
	ret = stage2_relax_perms(&test_stage2_pgt, RX_IPA, S2T_RW,
				 STAGE2_SCOPE_INNER_SHAREABLE, STAGE2_SHARED,
				 NULL);
	rwlock_read_unlock(&test_stage2_pgt.lock);
	EXPECT_EQ_INT(ret, 0);
	test_stage2_expect(test_ctx, RX_IPA, RX_PA, 3, S2T_RW);
}
