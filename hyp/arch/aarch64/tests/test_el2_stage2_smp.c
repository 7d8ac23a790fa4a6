/*
 * The stage-2 library on real (emulated) CPUs at once: the same pages
 * faulted in from every CPU at the same instant, through the read side of
 * the table's lock, with the CAS and back-off paths running on the
 * hardware's exclusives instead of host threads.
 */
#include <stdatomic.h>

#include <faultline/arch/cpu.h>
#include <faultline/console.h>
#include <faultline/cpu.h>
#include <faultline/err.h>
#include <faultline/hyp_layout.h>
#include <faultline/smp.h>
#include <faultline/stage2.h>
#include <faultline/test.h>
#include <faultline/trace/ring.h>

#define SMP_POOL_PAGES 64
#define SMP_PAGES 512
#define SMP_IPA UINT64_C(0x80000000)
#define SMP_PA UINT64_C(0x100000000)
#define SMP_TIMEOUT_NS UINT64_C(10000000000)

static uint8_t smp_pool_mem[SMP_POOL_PAGES][PAGE_SIZE]
	__attribute__((aligned(PAGE_SIZE)));
static struct stage2_pool smp_pool;
static struct stage2_pgtable smp_pgt;
/* CPUs that reached the start line of the current round. */
static _Atomic unsigned smp_arrived;
static unsigned smp_ncpus;

/* Per CPU: what its faults did. */
static struct {
	unsigned installed;
	unsigned identical;
	unsigned retries;
	unsigned failures;
} smp_counts[PLATFORM_MAX_CPUS];

/*
 * Maps every page as a fault handler would (prejudge: identical leaves are
 * left alone), retrying on -ERR_AGAIN; all CPUs start together.
 */
static uint64_t smp_fault_all(uint64_t arg UNUSED)
{
	unsigned me = arch_cpu_index();

	atomic_fetch_add(&smp_arrived, 1);
	while (atomic_load(&smp_arrived) < smp_ncpus) {
	}
	for (unsigned i = 0; i < SMP_PAGES; i++) {
		/* Each CPU starts at a different page, so they overlap. */
		unsigned p = (i + me * 37) % SMP_PAGES;
		uint64_t ipa = SMP_IPA + (uint64_t)p * PAGE_SIZE;

		for (unsigned tries = 0;; tries++) {
			struct stage2_result r = {0};
			int ret;

			stage2_read_lock(&smp_pgt);
			/* Fresh mappings: no CPU can hold an old entry. */
			ret = stage2_map(
				&smp_pgt, ipa, PAGE_SIZE,
				pa_init(SMP_PA + (uint64_t)p * PAGE_SIZE),
				STAGE2_PROT_R | STAGE2_PROT_W, &smp_pool,
				STAGE2_SCOPE_INNER_SHAREABLE,
				STAGE2_SHARED | STAGE2_MAP_SKIP_IDENTICAL, &r);
			stage2_read_unlock(&smp_pgt);
			smp_counts[me].installed += r.installed;
			smp_counts[me].identical += r.identical;
			if (ret == 0) {
				break;
			}
			if (ret != -ERR_AGAIN || tries > 100000) {
				smp_counts[me].failures++;
				break;
			}
			smp_counts[me].retries++;
		}
	}
	return 0;
}

/** Every CPU faulting the same 512 pages at once maps each exactly once, and every page translates right. */
TEST(el2_stage2_smp, same_pages_from_every_cpu)
{
	unsigned installed = 0;
	unsigned identical = 0;
	unsigned retries = 0;

	if (ncpus < 2) {
		TEST_SKIP("needs at least 2 CPUs (run with --smp 2 or more)");
	}
	trace_rings_reset();
	stage2_pool_init(
		&smp_pool, "smp", 9, smp_pool_mem,
		pa_init((uint64_t)(uintptr_t)smp_pool_mem - HYP_VA_OFFSET),
		SMP_POOL_PAGES);
	ASSERT_EQ_INT(stage2_pgtable_init(&smp_pgt, 40, 91, &smp_pool), 0);
	smp_ncpus = ncpus;
	atomic_store(&smp_arrived, 0);
	for (unsigned c = 0; c < PLATFORM_MAX_CPUS; c++) {
		smp_counts[c].installed = 0;
		smp_counts[c].identical = 0;
		smp_counts[c].retries = 0;
		smp_counts[c].failures = 0;
	}
	for (unsigned c = 1; c < ncpus; c++) {
		ASSERT_EQ_INT(smp_post(c, smp_fault_all, 0), 0);
	}
	smp_fault_all(0);
	for (unsigned c = 1; c < ncpus; c++) {
		uint64_t ignored;

		ASSERT_EQ_INT(smp_collect(c, &ignored, SMP_TIMEOUT_NS), 0);
	}
	for (unsigned c = 0; c < ncpus; c++) {
		installed += smp_counts[c].installed;
		identical += smp_counts[c].identical;
		retries += smp_counts[c].retries;
		EXPECT_EQ(smp_counts[c].failures, 0);
	}
	/* Every page once; every other fault found it already there. */
	EXPECT_EQ(installed, SMP_PAGES);
	EXPECT_EQ(installed + identical, (uint64_t)SMP_PAGES * ncpus);
	for (unsigned p = 0; p < SMP_PAGES; p++) {
		struct stage2_leaf leaf;
		uint64_t ipa = SMP_IPA + (uint64_t)p * PAGE_SIZE;

		if (!EXPECT_EQ_INT(stage2_lookup(&smp_pgt, ipa, &leaf), 0)) {
			break;
		}
		EXPECT_EQ(pa_addr(leaf.pa), SMP_PA + (uint64_t)p * PAGE_SIZE);
	}
	/*
	 * The root, one level-2 and one level-3 table (512 pages of one
	 * 2 MiB): the tables of CPUs that lost the race went back.
	 */
	EXPECT_EQ(SMP_POOL_PAGES - stage2_pool_available(&smp_pool),
		  smp_pgt.root_pages + 2);
	stage2_write_lock(&smp_pgt);
	stage2_pgtable_destroy(&smp_pgt);
	stage2_write_unlock(&smp_pgt);
	EXPECT_EQ(stage2_pool_available(&smp_pool), SMP_POOL_PAGES);
	console_printf("    %u CPUs: %u installed, %u found identical, %u "
		       "retries after -ERR_AGAIN\n",
		       ncpus, installed, identical, retries);
}
