/*
 * Stage-2 operations against the host's TLB model (host_tlb.h), which
 * keeps entries until a TLBI reaches them: what the library invalidates,
 * with which VMID loaded, and who still holds a stale entry afterwards.
 * One thread plays several CPUs through host_set_cpu_index().
 */
#include <faultline/arch/cpu.h>
#include <faultline/err.h>
#include <faultline/test.h>

#include "host_arch.h"
#include "host_tlb.h"
#include "test_stage2_util.h"

#define TH_IPA (3 * S2T_1G + 11 * S2T_2M + 6 * S2T_4K)
#define TH_PA UINT64_C(0x66606000)
#define TH_CPUS 3
#define TH_LOG_MAX 256

static struct host_tlb_op th_log[TH_LOG_MAX];

/* The CPU ids this test plays: the thread's own, then two more. */
static unsigned th_cpu(unsigned self, unsigned i)
{
	return (self + i) % PLATFORM_MAX_CPUS;
}

/* A read of @ipa as CPU @cpu; returns the fault kind. */
static enum host_tlb_fault th_access(unsigned cpu, uint64_t ipa,
				     enum host_tlb_access_kind kind,
				     struct host_tlb_result *out)
{
	unsigned self = arch_cpu_index();

	host_set_cpu_index(cpu);
	host_tlb_access(&test_stage2_pgt, ipa, kind, out);
	host_set_cpu_index(self);
	return out->fault;
}

/* Sets up the table with TH_IPA mapped to TH_PA with @prot, TLBs empty. */
static int th_setup(unsigned prot)
{
	int ret = test_stage2_setup(40, 8);

	if (ret == 0) {
		ret = test_stage2_map(TH_IPA, S2T_4K, TH_PA, prot, 0, NULL);
	}
	host_tlb_reset();
	return ret;
}

/* Caches TH_IPA on every played CPU; true when all of them hold it. */
static bool th_cache_everywhere(struct test_ctx *test_ctx, unsigned self)
{
	struct host_tlb_result r;

	for (unsigned i = 0; i < TH_CPUS; i++) {
		unsigned cpu = th_cpu(self, i);

		if (!EXPECT_EQ(th_access(cpu, TH_IPA, HOST_TLB_READ, &r),
			       HOST_TLB_OK) ||
		    !EXPECT_EQ(host_tlb_cached(cpu, S2T_VMID, TH_IPA), 1)) {
			return false;
		}
	}
	return true;
}

/** A remade leaf's TLBIs run with the table's VMID entered: DSB ISHST, ENTER, TLBI IPAS2E1IS, DSB ISH, TLBI VMALLE1IS, DSB ISH, ISB, EXIT. */
TEST(stage2_tlb_host, op_log_of_a_bbm)
{
	static const unsigned kinds[] = {
		HOST_TLB_OP_BARRIER,      HOST_TLB_OP_ENTER,
		HOST_TLB_OP_TLBI_IPA,     HOST_TLB_OP_BARRIER,
		HOST_TLB_OP_TLBI_VMALLE1, HOST_TLB_OP_BARRIER,
		HOST_TLB_OP_BARRIER,      HOST_TLB_OP_EXIT,
		HOST_TLB_OP_BARRIER,
	};
	static const enum arch_barrier barriers[] = {
		ARCH_DSB_ISHST, 0,        0, ARCH_DSB_ISH,   0,
		ARCH_DSB_ISH,   ARCH_ISB, 0, ARCH_DSB_ISHST,
	};
	size_t n;

	ASSERT_EQ_INT(th_setup(S2T_RW), 0);
	ASSERT_EQ_INT(test_stage2_map(TH_IPA, S2T_4K, TH_PA, S2T_RW, 0, NULL),
		      0);
	n = host_tlb_log(th_log, TH_LOG_MAX);
	ASSERT_EQ(n, ARRAY_SIZE(kinds));
	for (unsigned i = 0; i < n; i++) {
		EXPECT_EQ(th_log[i].kind, kinds[i]);
		EXPECT_EQ(th_log[i].cpu, arch_cpu_index());
		if (kinds[i] == HOST_TLB_OP_BARRIER) {
			EXPECT_EQ(th_log[i].barrier, barriers[i]);
		} else {
			EXPECT_EQ(th_log[i].vmid, S2T_VMID);
		}
		if (kinds[i] == HOST_TLB_OP_TLBI_IPA ||
		    kinds[i] == HOST_TLB_OP_TLBI_VMALLE1) {
			EXPECT_EQ(th_log[i].scope, ARCH_TLBI_INNER_SHAREABLE);
		}
	}
	EXPECT_EQ(th_log[2].ipa, TH_IPA);
}

/** A table's TLBIs, and a collapse's VMALLS12E1, also run with its VMID entered. */
TEST(stage2_tlb_host, op_log_of_a_collapse)
{
	size_t n;
	unsigned vmalls = 0;
	int ret;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(
		test_stage2_map(S2T_1G, S2T_2M, 0x80000000, S2T_RW, 0, NULL),
		0);
	rwlock_write_lock(&test_stage2_pgt.lock);
	ret = stage2_split(&test_stage2_pgt, S2T_1G, &test_stage2_pool,
			   STAGE2_SCOPE_LOCAL, 0, NULL);
	EXPECT_EQ_INT(ret, 0);
	host_tlb_reset();
	ret = stage2_collapse(&test_stage2_pgt, S2T_1G, 2, STAGE2_SCOPE_LOCAL,
			      NULL);
	rwlock_write_unlock(&test_stage2_pgt.lock);
	EXPECT_EQ_INT(ret, 0);
	n = host_tlb_log(th_log, TH_LOG_MAX);
	ASSERT_TRUE(n <= TH_LOG_MAX);
	for (unsigned i = 0; i < n; i++) {
		if (th_log[i].kind == HOST_TLB_OP_TLBI_VMALLS12E1) {
			vmalls++;
			EXPECT_EQ(th_log[i].vmid, S2T_VMID);
			EXPECT_EQ(th_log[i].scope, ARCH_TLBI_LOCAL);
			ASSERT_TRUE(i > 0);
			EXPECT_EQ(th_log[i - 1].kind, HOST_TLB_OP_ENTER);
			EXPECT_EQ(th_log[i - 1].vmid, S2T_VMID);
		}
		EXPECT_TRUE(th_log[i].kind != HOST_TLB_OP_TLBI_IPA);
	}
	EXPECT_EQ(vmalls, 1);
}

/** A guest access caches its leaf: the second access hits, and the entry is counted on that CPU only. */
TEST(stage2_tlb_host, access_caches_the_leaf)
{
	unsigned self = arch_cpu_index();
	struct host_tlb_result r;

	ASSERT_EQ_INT(th_setup(S2T_RW), 0);
	EXPECT_EQ(th_access(self, TH_IPA + 8, HOST_TLB_READ, &r), HOST_TLB_OK);
	EXPECT_TRUE(!r.hit);
	EXPECT_EQ(pa_addr(r.pa), TH_PA + 8);
	EXPECT_EQ(r.level, 3);
	EXPECT_EQ(th_access(self, TH_IPA + 16, HOST_TLB_WRITE, &r),
		  HOST_TLB_OK);
	EXPECT_TRUE(r.hit);
	EXPECT_EQ(host_tlb_cached(self, S2T_VMID, TH_IPA), 1);
	EXPECT_EQ(host_tlb_cached(th_cpu(self, 1), S2T_VMID, TH_IPA), 0);
	EXPECT_EQ(th_access(self, TH_IPA + S2T_4K, HOST_TLB_READ, &r),
		  HOST_TLB_TRANSLATION);
	EXPECT_EQ(host_tlb_cached(self, S2T_VMID, TH_IPA + S2T_4K), 0);
}

/** After an inner-shareable unmap no CPU still caches the entry, and the next access faults. */
TEST(stage2_tlb_host, unmap_reaches_every_cpu)
{
	unsigned self = arch_cpu_index();
	struct host_tlb_result r;

	ASSERT_EQ_INT(th_setup(S2T_RW), 0);
	ASSERT_TRUE(th_cache_everywhere(test_ctx, self));
	ASSERT_EQ_INT(test_stage2_unmap(TH_IPA, S2T_4K, NULL), 0);
	for (unsigned i = 0; i < TH_CPUS; i++) {
		EXPECT_EQ(host_tlb_cached(th_cpu(self, i), S2T_VMID, TH_IPA),
			  0);
		EXPECT_EQ(th_access(th_cpu(self, i), TH_IPA, HOST_TLB_READ, &r),
			  HOST_TLB_TRANSLATION);
	}
}

/** A local-scope unmap removes only this CPU's entry: the others keep using the stale translation. */
TEST(stage2_tlb_host, local_unmap_leaves_other_cpus_stale)
{
	unsigned self = arch_cpu_index();
	struct host_tlb_result r;
	int ret;

	ASSERT_EQ_INT(th_setup(S2T_RW), 0);
	ASSERT_TRUE(th_cache_everywhere(test_ctx, self));
	rwlock_write_lock(&test_stage2_pgt.lock);
	ret = stage2_unmap(&test_stage2_pgt, TH_IPA, S2T_4K, STAGE2_SCOPE_LOCAL,
			   NULL);
	rwlock_write_unlock(&test_stage2_pgt.lock);
	ASSERT_EQ_INT(ret, 0);
	EXPECT_EQ(host_tlb_cached(self, S2T_VMID, TH_IPA), 0);
	for (unsigned i = 1; i < TH_CPUS; i++) {
		EXPECT_EQ(host_tlb_cached(th_cpu(self, i), S2T_VMID, TH_IPA),
			  1);
		EXPECT_EQ(th_access(th_cpu(self, i), TH_IPA, HOST_TLB_READ, &r),
			  HOST_TLB_OK);
		EXPECT_TRUE(r.hit);
	}
	stage2_tlb_inval_vmid(&test_stage2_pgt, STAGE2_SCOPE_INNER_SHAREABLE);
	for (unsigned i = 0; i < TH_CPUS; i++) {
		EXPECT_EQ(host_tlb_cached(th_cpu(self, i), S2T_VMID, TH_IPA),
			  0);
	}
}

/** A permission fault leaves the entry cached (it faults again) until a relax invalidates it. */
TEST(stage2_tlb_host, permission_fault_stays_cached)
{
	unsigned self = arch_cpu_index();
	struct host_tlb_result r;
	int ret;

	ASSERT_EQ_INT(th_setup(S2T_RO), 0);
	EXPECT_EQ(th_access(self, TH_IPA, HOST_TLB_WRITE, &r),
		  HOST_TLB_PERMISSION);
	EXPECT_EQ(host_tlb_cached(self, S2T_VMID, TH_IPA), 1);
	EXPECT_EQ(th_access(self, TH_IPA, HOST_TLB_WRITE, &r),
		  HOST_TLB_PERMISSION);
	EXPECT_TRUE(r.hit);
	EXPECT_EQ(th_access(th_cpu(self, 1), TH_IPA, HOST_TLB_EXEC, &r),
		  HOST_TLB_PERMISSION);
	rwlock_read_lock(&test_stage2_pgt.lock);
	ret = stage2_relax_perms(&test_stage2_pgt, TH_IPA, STAGE2_PROT_W,
				 STAGE2_SCOPE_INNER_SHAREABLE, STAGE2_SHARED,
				 NULL);
	rwlock_read_unlock(&test_stage2_pgt.lock);
	ASSERT_EQ_INT(ret, 0);
	EXPECT_EQ(host_tlb_cached(self, S2T_VMID, TH_IPA), 0);
	EXPECT_EQ(host_tlb_cached(th_cpu(self, 1), S2T_VMID, TH_IPA), 0);
	EXPECT_EQ(th_access(self, TH_IPA, HOST_TLB_WRITE, &r), HOST_TLB_OK);
	EXPECT_TRUE(!r.hit);
}

/** A leaf remade with a new PA is seen by every CPU at once: nobody keeps the old PA. */
TEST(stage2_tlb_host, bbm_replace_reaches_every_cpu)
{
	unsigned self = arch_cpu_index();
	struct host_tlb_result r;

	ASSERT_EQ_INT(th_setup(S2T_RW), 0);
	ASSERT_TRUE(th_cache_everywhere(test_ctx, self));
	ASSERT_EQ_INT(test_stage2_map(TH_IPA, S2T_4K, TH_PA + S2T_1G, S2T_RW,
				      STAGE2_MAP_SKIP_IDENTICAL, NULL),
		      0);
	for (unsigned i = 0; i < TH_CPUS; i++) {
		EXPECT_EQ(th_access(th_cpu(self, i), TH_IPA, HOST_TLB_READ, &r),
			  HOST_TLB_OK);
		EXPECT_EQ(pa_addr(r.pa), TH_PA + S2T_1G);
	}
}

/** Skipping an identical leaf invalidates nothing: cached entries stay, and they are still right. */
TEST(stage2_tlb_host, skip_identical_keeps_cached_entries)
{
	unsigned self = arch_cpu_index();

	ASSERT_EQ_INT(th_setup(S2T_RW), 0);
	ASSERT_TRUE(th_cache_everywhere(test_ctx, self));
	ASSERT_EQ_INT(test_stage2_map(TH_IPA, S2T_4K, TH_PA, S2T_RW,
				      STAGE2_MAP_SKIP_IDENTICAL, NULL),
		      0);
	for (unsigned i = 0; i < TH_CPUS; i++) {
		EXPECT_EQ(host_tlb_cached(th_cpu(self, i), S2T_VMID, TH_IPA),
			  1);
	}
}

/** A locked entry is a translation fault that is not cached. */
TEST(stage2_tlb_host, locked_entry_faults)
{
	unsigned self = arch_cpu_index();
	struct host_tlb_result r;
	stage2_pte_t leaf;

	ASSERT_EQ_INT(th_setup(S2T_RW), 0);
	leaf = test_stage2_store_entry(TH_IPA, 3, S2_PTE_LOCKED);
	EXPECT_EQ(th_access(self, TH_IPA, HOST_TLB_READ, &r),
		  HOST_TLB_TRANSLATION);
	EXPECT_EQ(r.level, 3);
	EXPECT_EQ(host_tlb_cached(self, S2T_VMID, TH_IPA), 0);
	test_stage2_store_entry(TH_IPA, 3, leaf);
	EXPECT_EQ(th_access(self, TH_IPA, HOST_TLB_READ, &r), HOST_TLB_OK);
}

/** Invalidating one table's VMID leaves another VMID's entries for the same IPA alone. */
TEST(stage2_tlb_host, other_vmid_untouched)
{
	static struct stage2_pgtable other;
	unsigned self = arch_cpu_index();
	struct host_tlb_result r;
	int ret;

	ASSERT_EQ_INT(th_setup(S2T_RW), 0);
	ASSERT_EQ_INT(stage2_pgtable_init(&other, 40, S2T_VMID + 1,
					  &test_stage2_dev_pool),
		      0);
	rwlock_write_lock(&other.lock);
	ret = stage2_map(&other, TH_IPA, S2T_4K, pa_init(TH_PA), S2T_RW,
			 &test_stage2_dev_pool, STAGE2_SCOPE_INNER_SHAREABLE, 0,
			 NULL);
	rwlock_write_unlock(&other.lock);
	ASSERT_EQ_INT(ret, 0);
	host_tlb_access(&other, TH_IPA, HOST_TLB_READ, &r);
	EXPECT_EQ(r.fault, HOST_TLB_OK);
	ASSERT_TRUE(th_cache_everywhere(test_ctx, self));
	ASSERT_EQ_INT(test_stage2_unmap(TH_IPA, S2T_4K, NULL), 0);
	EXPECT_EQ(host_tlb_cached(self, S2T_VMID, TH_IPA), 0);
	EXPECT_EQ(host_tlb_cached(self, S2T_VMID + 1, TH_IPA), 1);
}
