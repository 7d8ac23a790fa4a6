/*
 * stage2_map() over existing mappings: seed 002's prejudgement flags
 * (STAGE2_MAP_SKIP_IDENTICAL, STAGE2_MAP_NO_PERM_CHANGE), break-before-make
 * as the trace records it (Arm ARM D8.16.1), blocks split by smaller
 * mappings, and running out of table pages half-way.
 */
#include <faultline/err.h>
#include <faultline/test.h>
#include <faultline/trace/ring.h>

#include "test_stage2_util.h"

#define RP_IPA (3 * S2T_1G + 7 * S2T_4K)
#define RP_PA UINT64_C(0x880007000)

/* The PA of the entry that maps @ipa (its leaf). */
static uint64_t rp_entry_pa(uint64_t ipa)
{
	struct stage2_leaf leaf;

	return stage2_lookup(&test_stage2_pgt, ipa, &leaf) == 0
		       ? pa_addr(leaf.entry_pa)
		       : 0;
}

/* Checks that the trace is exactly one BBM of the leaf at @ipa, @level. */
static void rp_expect_bbm(struct test_ctx *test_ctx, size_t n, uint64_t ipa,
			  unsigned level, uint64_t entry, stage2_pte_t old,
			  stage2_pte_t new_pte, enum stage2_scope scope)
{
	const uint64_t brk[] = {entry, ipa, level, old, S2T_VMID};
	const uint64_t make[] = {entry, ipa, level, new_pte, S2T_VMID};
	size_t i = 0;

	ASSERT_TRUE(n > 0);
	ASSERT_EQ(test_stage2_trace[0].id, TRACE_EV_bbm_break);
	for (unsigned k = 0; k < 5; k++) {
		EXPECT_EQ(test_stage2_trace[0].f[k], brk[k]);
	}
	i = 1;
	ASSERT_TRUE(test_stage2_expect_inval_ipa(test_ctx, n, &i, ipa, level,
						 scope));
	ASSERT_TRUE(i < n);
	ASSERT_EQ(test_stage2_trace[i].id, TRACE_EV_bbm_make);
	for (unsigned k = 0; k < 5; k++) {
		EXPECT_EQ(test_stage2_trace[i].f[k], make[k]);
	}
	/* Then one DSB makes the new entry visible to walkers. */
	ASSERT_EQ(n, i + 2);
	EXPECT_EQ(test_stage2_trace[i + 1].id, TRACE_EV_dsb);
	EXPECT_EQ(test_stage2_trace[i + 1].f[0], TRACE_SHARE_ISHST);
}

/** With STAGE2_MAP_SKIP_IDENTICAL an identical leaf is left alone: counted as identical, nothing written or invalidated. */
TEST(stage2_replace, skip_identical_leaves_the_entry)
{
	struct stage2_result res = {0};
	stage2_pte_t before;
	size_t n;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(RP_IPA, S2T_4K, RP_PA, S2T_RW, 0, NULL),
		      0);
	before = test_stage2_entry(RP_IPA, 3);
	test_stage2_trace_start();
	ASSERT_EQ_INT(test_stage2_map(RP_IPA, S2T_4K, RP_PA, S2T_RW,
				      STAGE2_MAP_SKIP_IDENTICAL, &res),
		      0);
	n = test_stage2_trace_take();
	EXPECT_EQ(res.identical, 1);
	EXPECT_EQ(res.installed + res.replaced, 0);
	EXPECT_EQ(res.old, before);
	EXPECT_EQ(res.level, 3);
	EXPECT_EQ(test_stage2_entry(RP_IPA, 3), before);
	EXPECT_EQ(n, 0);
}

/** Without the flag an identical leaf is remade with break-before-make: break, DSB ISHST, TLBI IPAS2E1IS, DSB ISH, TLBI VMALLE1IS, DSB ISH, ISB, make. */
TEST(stage2_replace, identical_without_flag_is_remade_with_bbm)
{
	struct stage2_result res = {0};
	stage2_pte_t leaf = stage2_pte_leaf(pa_init(RP_PA), S2T_RW, 3);
	size_t n;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(RP_IPA, S2T_4K, RP_PA, S2T_RW, 0, NULL),
		      0);
	test_stage2_trace_start();
	ASSERT_EQ_INT(test_stage2_map(RP_IPA, S2T_4K, RP_PA, S2T_RW, 0, &res),
		      0);
	n = test_stage2_trace_take();
	EXPECT_EQ(res.replaced, 1);
	EXPECT_EQ(res.identical + res.installed, 0);
	EXPECT_EQ(res.old, leaf);
	EXPECT_EQ(test_stage2_entry(RP_IPA, 3), leaf);
	rp_expect_bbm(test_ctx, n, RP_IPA, 3, rp_entry_pa(RP_IPA), leaf, leaf,
		      STAGE2_SCOPE_INNER_SHAREABLE);
}

/** With STAGE2_SCOPE_LOCAL the same break-before-make uses DSB NSHST, TLBI IPAS2E1, DSB NSH, TLBI VMALLE1, DSB NSH. */
TEST(stage2_replace, local_scope_uses_nsh_forms)
{
	stage2_pte_t old = stage2_pte_leaf(pa_init(RP_PA), S2T_RW, 3);
	stage2_pte_t new_pte =
		stage2_pte_leaf(pa_init(RP_PA + S2T_4K), S2T_RO, 3);
	int ret;
	size_t n;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(RP_IPA, S2T_4K, RP_PA, S2T_RW, 0, NULL),
		      0);
	test_stage2_trace_start();
	rwlock_write_lock(&test_stage2_pgt.lock);
	ret = stage2_map(&test_stage2_pgt, RP_IPA, S2T_4K,
			 pa_init(RP_PA + S2T_4K), S2T_RO, &test_stage2_pool,
			 STAGE2_SCOPE_LOCAL, 0, NULL);
	rwlock_write_unlock(&test_stage2_pgt.lock);
	n = test_stage2_trace_take();
	ASSERT_EQ_INT(ret, 0);
	rp_expect_bbm(test_ctx, n, RP_IPA, 3, rp_entry_pa(RP_IPA), old, new_pte,
		      STAGE2_SCOPE_LOCAL);
	test_stage2_expect(test_ctx, RP_IPA, RP_PA + S2T_4K, 3, S2T_RO);
}

/** A 2 MiB block replaced by another block is invalidated by its base IPA at level 2. */
TEST(stage2_replace, block_bbm_names_the_block)
{
	uint64_t ipa = 3 * S2T_1G + 5 * S2T_2M;
	stage2_pte_t old = stage2_pte_leaf(pa_init(0x80000000), S2T_RW, 2);
	stage2_pte_t new_pte = stage2_pte_leaf(pa_init(0x80400000), S2T_RW, 2);
	uint64_t entry;
	size_t n;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(ipa, S2T_2M, 0x80000000, S2T_RW, 0, NULL),
		      0);
	entry = rp_entry_pa(ipa + 0x1234);
	test_stage2_trace_start();
	ASSERT_EQ_INT(test_stage2_map(ipa, S2T_2M, 0x80400000, S2T_RW,
				      STAGE2_MAP_SKIP_IDENTICAL |
					      STAGE2_MAP_NO_PERM_CHANGE,
				      NULL),
		      0);
	n = test_stage2_trace_take();
	rp_expect_bbm(test_ctx, n, ipa, 2, entry, old, new_pte,
		      STAGE2_SCOPE_INNER_SHAREABLE);
	test_stage2_expect(test_ctx, ipa + 0x1234, 0x80401234, 2, S2T_RW);
}

/** With STAGE2_MAP_NO_PERM_CHANGE a change of permissions alone gives -ERR_PERM and leaves the entry as it was. */
TEST(stage2_replace, no_perm_change_refuses_permission_changes)
{
	struct stage2_result res = {0};
	stage2_pte_t ro = stage2_pte_leaf(pa_init(RP_PA), S2T_RO, 3);
	size_t n;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(RP_IPA, S2T_4K, RP_PA, S2T_RO, 0, NULL),
		      0);
	test_stage2_trace_start();
	EXPECT_EQ_INT(test_stage2_map(RP_IPA, S2T_4K, RP_PA, S2T_RWX,
				      STAGE2_MAP_NO_PERM_CHANGE, &res),
		      -ERR_PERM);
	EXPECT_EQ_INT(test_stage2_map(RP_IPA, S2T_4K, RP_PA, 0,
				      STAGE2_MAP_NO_PERM_CHANGE |
					      STAGE2_MAP_SKIP_IDENTICAL,
				      &res),
		      -ERR_PERM);
	n = test_stage2_trace_take();
	EXPECT_EQ(test_stage2_entry(RP_IPA, 3), ro);
	EXPECT_EQ(res.replaced + res.installed + res.identical, 0);
	EXPECT_EQ(res.old, ro);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_bbm_break), 0);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_pte_write), 0);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_tlbi), 0);
	/* An identical leaf is not a permission change. */
	EXPECT_EQ_INT(test_stage2_map(RP_IPA, S2T_4K, RP_PA, S2T_RO,
				      STAGE2_MAP_NO_PERM_CHANGE |
					      STAGE2_MAP_SKIP_IDENTICAL,
				      &res),
		      0);
	EXPECT_EQ(res.identical, 1);
}

/** With STAGE2_MAP_NO_PERM_CHANGE a new PA or memory type is still remade with break-before-make. */
TEST(stage2_replace, no_perm_change_allows_other_changes)
{
	struct stage2_result res = {0};

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(RP_IPA, S2T_4K, RP_PA, S2T_RO, 0, NULL),
		      0);
	EXPECT_EQ_INT(test_stage2_map(RP_IPA, S2T_4K, RP_PA + S2T_4K, S2T_RW,
				      STAGE2_MAP_NO_PERM_CHANGE, &res),
		      0);
	EXPECT_EQ_INT(test_stage2_map(RP_IPA, S2T_4K, RP_PA + S2T_4K,
				      S2T_RW | STAGE2_PROT_NORMAL_NC,
				      STAGE2_MAP_NO_PERM_CHANGE, &res),
		      0);
	EXPECT_EQ(res.replaced, 2);
	test_stage2_expect(test_ctx, RP_IPA, RP_PA + S2T_4K, 3,
			   S2T_RW | STAGE2_PROT_NORMAL_NC);
}

/** Without flags a permission change is remade with break-before-make and takes effect. */
TEST(stage2_replace, permission_change_without_flag)
{
	struct stage2_result res = {0};
	size_t n;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(RP_IPA, S2T_4K, RP_PA, S2T_RW, 0, NULL),
		      0);
	test_stage2_trace_start();
	EXPECT_EQ_INT(test_stage2_map(RP_IPA, S2T_4K, RP_PA, S2T_RO,
				      STAGE2_MAP_SKIP_IDENTICAL, &res),
		      0);
	n = test_stage2_trace_take();
	EXPECT_EQ(res.replaced, 1);
	test_stage2_expect(test_ctx, RP_IPA, RP_PA, 3, S2T_RO);
	rp_expect_bbm(test_ctx, n, RP_IPA, 3, rp_entry_pa(RP_IPA),
		      stage2_pte_leaf(pa_init(RP_PA), S2T_RW, 3),
		      stage2_pte_leaf(pa_init(RP_PA), S2T_RO, 3),
		      STAGE2_SCOPE_INNER_SHAREABLE);
}

/** Over a range, identical leaves are skipped, new ones installed; -ERR_PERM stops the map with what came before it mapped. */
TEST(stage2_replace, mixed_range_counts)
{
	struct stage2_result res = {0};
	uint64_t a = RP_IPA;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(a + S2T_4K, S2T_4K, RP_PA + S2T_4K,
				      S2T_RO, 0, NULL),
		      0);
	EXPECT_EQ_INT(test_stage2_map(a, 3 * S2T_4K, RP_PA, S2T_RO,
				      STAGE2_MAP_SKIP_IDENTICAL, &res),
		      0);
	EXPECT_EQ(res.installed, 2);
	EXPECT_EQ(res.identical, 1);
	EXPECT_EQ(res.replaced, 0);
	ASSERT_EQ_INT(test_stage2_unmap(a, S2T_4K, NULL), 0);
	ASSERT_EQ_INT(test_stage2_unmap(a + 2 * S2T_4K, S2T_4K, NULL), 0);
	EXPECT_EQ_INT(test_stage2_map(a, 3 * S2T_4K, RP_PA, S2T_RW,
				      STAGE2_MAP_NO_PERM_CHANGE, NULL),
		      -ERR_PERM);
	test_stage2_expect(test_ctx, a, RP_PA, 3, S2T_RW);
	test_stage2_expect(test_ctx, a + S2T_4K, RP_PA + S2T_4K, 3, S2T_RO);
	test_stage2_expect_none(test_ctx, a + 2 * S2T_4K);
}

/** A page mapped inside a 1 GiB block splits it twice; every other address keeps its translation, through 2 MiB blocks and pages. */
TEST(stage2_replace, page_inside_block_splits_and_keeps_the_rest)
{
	struct stage2_result res = {0};
	uint64_t base = S2T_1G;
	uint64_t pa = UINT64_C(0x1c0000000);
	uint64_t x = base + 3 * S2T_2M + 5 * S2T_4K;
	size_t avail;
	size_t n;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(base, S2T_1G, pa, S2T_RWX, 0, NULL), 0);
	avail = stage2_pool_available(&test_stage2_pool);
	test_stage2_trace_start();
	ASSERT_EQ_INT(test_stage2_map(x, S2T_4K, 0x50000000, S2T_RO,
				      STAGE2_MAP_SKIP_IDENTICAL, &res),
		      0);
	n = test_stage2_trace_take();
	EXPECT_EQ(res.split, 2);
	EXPECT_EQ(res.tables_added, 2);
	EXPECT_EQ(res.replaced, 1);
	EXPECT_EQ(res.installed, 0);
	EXPECT_EQ(stage2_pool_available(&test_stage2_pool), avail - 2);
	/* Three breaks: the 1 GiB block, the 2 MiB block, the page. */
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_bbm_break), 3);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_bbm_make), 3);
	test_stage2_expect(test_ctx, x + 0x42, 0x50000042, 3, S2T_RO);
	for (unsigned i = 0; i < 512; i++) {
		uint64_t off = i * S2T_2M + 0x1ff000;

		if (i != 3) {
			test_stage2_expect(test_ctx, base + off, pa + off, 2,
					   S2T_RWX);
		}
	}
	for (unsigned i = 0; i < 512; i++) {
		uint64_t off = 3 * S2T_2M + i * S2T_4K;

		if (i != 5) {
			test_stage2_expect(test_ctx, base + off + 8,
					   pa + off + 8, 3, S2T_RWX);
		}
	}
}

/** -ERR_NOMEM half-way leaves what was mapped so far, changes nothing else, and the same call succeeds once pages are freed. */
TEST(stage2_replace, nomem_half_way_then_retry)
{
	struct stage2_result res = {0};
	uint64_t ipa = S2T_1G + S2T_4K;
	uint64_t size = 3 * S2T_2M;
	uint64_t other = 5 * S2T_1G;
	uint64_t failures;
	size_t n;
	size_t ex;

	/* Root (2 pages), the other mapping (2), and 2 of the 3 tables. */
	ASSERT_EQ_INT(test_stage2_setup(40, 6), 0);
	ASSERT_EQ_INT(
		test_stage2_map(other, S2T_4K, 0x30000000, S2T_RW, 0, NULL), 0);
	ASSERT_EQ(stage2_pool_available(&test_stage2_pool), 2);
	failures = test_stage2_pool.failures;
	test_stage2_trace_start();
	EXPECT_EQ_INT(test_stage2_map(ipa, size, 0x60000000 + S2T_4K, S2T_RW, 0,
				      &res),
		      -ERR_NOMEM);
	n = test_stage2_trace_take();
	EXPECT_EQ(test_stage2_pool.failures, failures + 1);
	ex = test_stage2_trace_find(n, 0, TRACE_EV_pool_exhausted);
	ASSERT_TRUE(ex < n);
	EXPECT_EQ(test_stage2_trace[ex].f[0], test_stage2_pool.id);
	EXPECT_EQ(test_stage2_trace[ex].f[1], 0);
	/* 511 pages, then two 2 MiB blocks; the last page needed a table. */
	EXPECT_EQ(res.installed, 511 + 2);
	test_stage2_expect(test_ctx, ipa, 0x60001000, 3, S2T_RW);
	test_stage2_expect(test_ctx, S2T_1G + S2T_2M, 0x60200000, 2, S2T_RW);
	test_stage2_expect(test_ctx, S2T_1G + 3 * S2T_2M - 1, 0x605fffff, 2,
			   S2T_RW);
	test_stage2_expect_none(test_ctx, S2T_1G + 3 * S2T_2M);
	test_stage2_expect_none(test_ctx, S2T_1G);
	test_stage2_expect(test_ctx, other, 0x30000000, 3, S2T_RW);
	for (unsigned i = 0; i < test_stage2_pgt.root_entries; i++) {
		if (i != 1 && i != 5) {
			EXPECT_EQ(test_stage2_pgt.root[i], 0);
		}
	}
	/* Recycle the other mapping's tables and retry the same call. */
	ASSERT_EQ_INT(test_stage2_unmap(other, S2T_4K, NULL), 0);
	EXPECT_EQ(stage2_pool_available(&test_stage2_pool), 2);
	res = (struct stage2_result){0};
	EXPECT_EQ_INT(test_stage2_map(ipa, size, 0x60000000 + S2T_4K, S2T_RW, 0,
				      &res),
		      0);
	EXPECT_EQ(res.replaced, 513);
	EXPECT_EQ(res.installed, 1);
	EXPECT_EQ(res.tables_added, 1);
	test_stage2_expect(test_ctx, S2T_1G + 3 * S2T_2M, 0x60600000, 3,
			   S2T_RW);
	test_stage2_expect_none(test_ctx, S2T_1G + 3 * S2T_2M + S2T_4K);
}

/** With STAGE2_MAP_SKIP_IDENTICAL, a page inside a block that already maps it the same way is left alone: no split. */
TEST(stage2_replace, page_inside_identical_block_is_not_split)
{
	struct stage2_result res = {0};
	uint64_t ipa = 2 * S2T_2M;
	stage2_pte_t block;

	ASSERT_EQ_INT(test_stage2_setup(40, S2T_POOL_PAGES), 0);
	ASSERT_EQ_INT(test_stage2_map(ipa, S2T_2M, 0x40000000, S2T_RW, 0, NULL),
		      0);
	block = test_stage2_entry(ipa, 2);
	test_stage2_trace_start();
	EXPECT_EQ_INT(test_stage2_map(ipa + 5 * S2T_4K, S2T_4K,
				      0x40000000 + 5 * S2T_4K, S2T_RW,
				      STAGE2_MAP_SKIP_IDENTICAL, &res),
		      0);
	EXPECT_EQ(res.identical, 1);
	EXPECT_EQ(res.split, 0);
	EXPECT_EQ(test_stage2_entry(ipa, 2), block);
	EXPECT_EQ(test_stage2_trace_count(test_stage2_trace_take(),
					  TRACE_EV_bbm_break),
		  0);
}

/** With STAGE2_MAP_NO_PERM_CHANGE, a page inside a block at the same PA but with other permissions stops with -ERR_PERM, block intact. */
TEST(stage2_replace, page_inside_block_perm_only_is_refused)
{
	struct stage2_result res = {0};
	uint64_t ipa = 2 * S2T_2M;
	stage2_pte_t block;

	ASSERT_EQ_INT(test_stage2_setup(40, S2T_POOL_PAGES), 0);
	ASSERT_EQ_INT(test_stage2_map(ipa, S2T_2M, 0x40000000, S2T_RO, 0, NULL),
		      0);
	block = test_stage2_entry(ipa, 2);
	EXPECT_EQ_INT(test_stage2_map(ipa + 5 * S2T_4K, S2T_4K,
				      0x40000000 + 5 * S2T_4K, S2T_RW,
				      STAGE2_MAP_NO_PERM_CHANGE, &res),
		      -ERR_PERM);
	EXPECT_EQ(res.level, 2);
	EXPECT_EQ(res.old, block);
	EXPECT_EQ(test_stage2_entry(ipa, 2), block);
}

/** Without the flags (legacy), the same page inside an identical block splits the block and rebuilds that page. */
TEST(stage2_replace, page_inside_block_without_flags_splits)
{
	struct stage2_result res = {0};
	uint64_t ipa = 2 * S2T_2M;

	ASSERT_EQ_INT(test_stage2_setup(40, S2T_POOL_PAGES), 0);
	ASSERT_EQ_INT(test_stage2_map(ipa, S2T_2M, 0x40000000, S2T_RW, 0, NULL),
		      0);
	EXPECT_EQ_INT(test_stage2_map(ipa + 5 * S2T_4K, S2T_4K,
				      0x40000000 + 5 * S2T_4K, S2T_RW, 0, &res),
		      0);
	EXPECT_EQ(res.split, 1);
	EXPECT_EQ(res.replaced, 1);
	test_stage2_expect(test_ctx, ipa + 5 * S2T_4K, 0x40000000 + 5 * S2T_4K,
			   3, S2T_RW);
	test_stage2_expect(test_ctx, ipa + 9 * S2T_4K, 0x40000000 + 9 * S2T_4K,
			   3, S2T_RW);
}
