/*
 * The host TLB model's walk caches: a table entry removed without the
 * whole-VMID invalidation leaves other CPUs walking through the old table,
 * as it can on hardware; with the invalidation they fault.
 */
#include <stdatomic.h>

#include <faultline/err.h>
#include <faultline/stage2.h>
#include <faultline/test.h>
#include <faultline/trace/ring.h>

#include "host_arch.h"
#include "host_tlb.h"

#define WC_PAGES 32
#define WC_IPA UINT64_C(0x40000000)
#define WC_PA UINT64_C(0x90000000)
#define WC_2M UINT64_C(0x200000)
/* Another 2 MiB under the same level-1 entry: its own level-3 table. */
#define WC_OTHER_2M (WC_IPA + WC_2M)

static uint8_t wc_mem[WC_PAGES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));
static struct stage2_pool wc_pool;
static struct stage2_pgtable wc_pgt;

/* Finds the level-1 entry (a table) on the way to @ipa. */
static int wc_find(struct stage2_visit_ctx *ctx, enum stage2_visit visit)
{
	_Atomic uint64_t **out = ctx->arg;

	if (visit == STAGE2_VISIT_TABLE_PRE && ctx->level == 1) {
		*out = ctx->ptep;
	}
	return 0;
}

static void wc_setup(struct test_ctx *test_ctx)
{
	struct stage2_result r = {0};

	trace_rings_reset();
	host_tlb_reset();
	stage2_pool_init(&wc_pool, "wc", 3, wc_mem, pa_init(0x7a000000),
			 WC_PAGES);
	ASSERT_EQ_INT(stage2_pgtable_init(&wc_pgt, 40, 12, &wc_pool), 0);
	/*
	 * Pages in two 2 MiB regions of one 1 GiB: one level-2 table below
	 * the level-1 entry, two level-3 tables below that.
	 */
	rwlock_write_lock(&wc_pgt.lock);
	EXPECT_EQ_INT(stage2_map(&wc_pgt, WC_IPA, 16 * PAGE_SIZE,
				 pa_init(WC_PA), STAGE2_PROT_R | STAGE2_PROT_W,
				 &wc_pool, STAGE2_SCOPE_INNER_SHAREABLE, 0, &r),
		      0);
	EXPECT_EQ_INT(stage2_map(&wc_pgt, WC_OTHER_2M, 16 * PAGE_SIZE,
				 pa_init(WC_PA + WC_2M),
				 STAGE2_PROT_R | STAGE2_PROT_W, &wc_pool,
				 STAGE2_SCOPE_INNER_SHAREABLE, 0, &r),
		      0);
	rwlock_write_unlock(&wc_pgt.lock);
}

/* Acts as CPU @cpu for one read of @ipa. */
static struct host_tlb_result wc_read(unsigned cpu, uint64_t ipa)
{
	struct host_tlb_result r;

	host_set_cpu_index(cpu);
	host_tlb_access(&wc_pgt, ipa, HOST_TLB_READ, &r);
	host_set_cpu_index(0);
	return r;
}

/*
 * Removes the level-1 table entry for WC_IPA, invalidating with @vmid_wide
 * (VMALLS12E1) or only by IPA and VMALLE1 (the bug).
 */
static void wc_remove_table(struct test_ctx *test_ctx, bool vmid_wide)
{
	_Atomic uint64_t *l2 = NULL;
	struct stage2_walker w = {wc_find, &l2, STAGE2_VISIT_TABLE_PRE, 0};

	ASSERT_EQ_INT(stage2_walk(&wc_pgt, WC_IPA, PAGE_SIZE, &w), 0);
	ASSERT_TRUE(l2 != NULL);
	atomic_store(l2, 0);
	if (vmid_wide) {
		stage2_tlb_inval_vmid(&wc_pgt, STAGE2_SCOPE_INNER_SHAREABLE);
	} else {
		stage2_tlb_inval_ipa(&wc_pgt, WC_IPA, 1,
				     STAGE2_SCOPE_INNER_SHAREABLE);
	}
}

/** A table replaced with only an invalidation by IPA leaves another CPU's walk going through the old table for other IPAs. */
TEST(stage2_walkcache, table_removed_without_vmid_invalidation_is_stale)
{
	struct host_tlb_result r;
	struct stage2_leaf leaf;
	uint64_t other = WC_OTHER_2M + 5 * PAGE_SIZE;

	wc_setup(test_ctx);
	/* CPU 1 walks to both pages: leaves and table entries cached. */
	EXPECT_EQ(wc_read(1, WC_IPA).fault, HOST_TLB_OK);
	EXPECT_EQ(wc_read(1, other).fault, HOST_TLB_OK);
	wc_remove_table(test_ctx, false);
	EXPECT_EQ_INT(stage2_lookup(&wc_pgt, other, &leaf), -ERR_NOENT);
	/*
	 * The leaf went (VMALLE1), but the cached level-3 table of @other's
	 * 2 MiB does not cover WC_IPA: the walk resumes there, below a
	 * table that is no longer in the tree, and translates.
	 */
	r = wc_read(1, other);
	EXPECT_TRUE(!r.hit);
	EXPECT_EQ(r.fault, HOST_TLB_OK);
	EXPECT_EQ(pa_addr(r.pa), WC_PA + WC_2M + 5 * PAGE_SIZE);
	/* The IPA that was invalidated walks from the root and faults. */
	EXPECT_EQ(wc_read(1, WC_IPA).fault, HOST_TLB_TRANSLATION);
}

/** With the whole-VMID invalidation that replacing a table needs, every IPA below it faults on every CPU. */
TEST(stage2_walkcache, table_removed_with_vmid_invalidation_faults)
{
	uint64_t other = WC_OTHER_2M + 5 * PAGE_SIZE;

	wc_setup(test_ctx);
	EXPECT_EQ(wc_read(1, WC_IPA).fault, HOST_TLB_OK);
	EXPECT_EQ(wc_read(1, other).fault, HOST_TLB_OK);
	EXPECT_EQ(wc_read(2, other).fault, HOST_TLB_OK);
	wc_remove_table(test_ctx, true);
	EXPECT_EQ(wc_read(1, other).fault, HOST_TLB_TRANSLATION);
	EXPECT_EQ(wc_read(2, other).fault, HOST_TLB_TRANSLATION);
	EXPECT_EQ(wc_read(1, WC_IPA).fault, HOST_TLB_TRANSLATION);
}
