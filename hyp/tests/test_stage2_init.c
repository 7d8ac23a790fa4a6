/*
 * Stage-2 table set-up: the shape of the root for every supported IPA size
 * (Arm ARM D8.2 "Translation table walk", concatenated start tables),
 * VTTBR_EL2, pools, and teardown.
 */
#include <faultline/err.h>
#include <faultline/test.h>

#include "test_stage2_util.h"

/* A pool base 3 pages past a 16-page boundary: roots must be aligned. */
#define INIT_MISALIGNED_PA (S2T_POOL_PA + 3 * S2T_4K)

/* The shape KVM gives each IPA size, written out by hand. */
struct init_shape {
	unsigned ia_bits;
	unsigned start_level;
	unsigned root_entries;
	unsigned root_pages;
};

static const struct init_shape init_shapes[] = {
	{32, 2, 2048, 4}, {33, 2, 4096, 8}, {34, 2, 8192, 16},
	{35, 1, 32, 1},   {36, 1, 64, 1},   {37, 1, 128, 1},
	{38, 1, 256, 1},  {39, 1, 512, 1},  {40, 1, 1024, 2},
	{41, 1, 2048, 4}, {42, 1, 4096, 8}, {43, 1, 8192, 16},
	{44, 0, 32, 1},   {45, 0, 64, 1},   {46, 0, 128, 1},
	{47, 0, 256, 1},  {48, 0, 512, 1},
};

/* Sets up the main pool at @pa with @npages pages of 0xa5 bytes. */
static void init_pool(uint64_t pa, size_t npages)
{
	for (size_t p = 0; p < S2T_POOL_PAGES; p++) {
		for (size_t i = 0; i < PAGE_SIZE; i++) {
			test_stage2_pages[p][i] = 0xa5;
		}
	}
	stage2_pool_init(&test_stage2_pool, "mem", 1, test_stage2_pages,
			 pa_init(pa), npages);
}

/* True when the @n bytes at @p are all zero. */
static bool init_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		if (b[i] != 0) {
			return false;
		}
	}
	return true;
}

/** Every IPA size from 32 to 48 bits gets KVM's start level, root entries and concatenated pages, in a zeroed root aligned to its size. */
TEST(stage2_init, shape_for_every_ia_size)
{
	struct stage2_pgtable pgt;

	for (unsigned i = 0; i < ARRAY_SIZE(init_shapes); i++) {
		const struct init_shape *s = &init_shapes[i];
		uint64_t root_size = s->root_pages * S2T_4K;
		uint64_t pa;

		init_pool(INIT_MISALIGNED_PA, 32);
		ASSERT_EQ_INT(stage2_pgtable_init(&pgt, s->ia_bits, 9,
						  &test_stage2_pool),
			      0);
		pa = pa_addr(pgt.root_pa);
		EXPECT_EQ(pgt.ia_bits, s->ia_bits);
		EXPECT_EQ(pgt.start_level, s->start_level);
		EXPECT_EQ(pgt.root_entries, s->root_entries);
		EXPECT_EQ(pgt.root_pages, s->root_pages);
		EXPECT_TRUE(pgt.root_pages <= 16);
		/* The root resolves every IPA bit, no more. */
		EXPECT_EQ((uint64_t)pgt.root_entries *
				  stage2_level_size(pgt.start_level),
			  UINT64_C(1) << s->ia_bits);
		if (!EXPECT_EQ(pa & (root_size - 1), 0)) {
			test_fail(test_ctx, __FILE__, __LINE__,
				  "ia_bits %u: root at 0x%llx", s->ia_bits,
				  (unsigned long long)pa);
		}
		EXPECT_TRUE(stage2_pool_owns(&test_stage2_pool, pgt.root_pa));
		EXPECT_TRUE((void *)pgt.root ==
			    stage2_pool_ptr(&test_stage2_pool, pgt.root_pa));
		EXPECT_TRUE(init_zero((const void *)pgt.root, root_size));
		EXPECT_EQ(stage2_pool_available(&test_stage2_pool),
			  32 - s->root_pages);
		EXPECT_EQ(pgt.vmid, 9);
		EXPECT_EQ(pgt.npools, 1);
		EXPECT_TRUE(pgt.pools[0] == &test_stage2_pool);
	}
}

/** IPA sizes outside 32..48 bits are refused with -ERR_RANGE and take no page. */
TEST(stage2_init, unsupported_ia_size)
{
	static const unsigned bad[] = {0, 8, 30, 31, 49, 52, 64, 200};
	struct stage2_pgtable pgt;

	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		init_pool(S2T_POOL_PA, 32);
		EXPECT_EQ_INT(
			stage2_pgtable_init(&pgt, bad[i], 1, &test_stage2_pool),
			-ERR_RANGE);
		EXPECT_EQ(stage2_pool_available(&test_stage2_pool), 32);
		EXPECT_EQ(test_stage2_pool.allocs, 0);
	}
}

/** A pool too small for the root, or too small once the root is aligned, gives -ERR_NOMEM. */
TEST(stage2_init, tiny_pool)
{
	struct stage2_pgtable pgt;

	init_pool(S2T_POOL_PA, 0);
	EXPECT_EQ_INT(stage2_pgtable_init(&pgt, 39, 1, &test_stage2_pool),
		      -ERR_NOMEM);
	EXPECT_EQ(test_stage2_pool.failures, 1);
	init_pool(S2T_POOL_PA, 1);
	EXPECT_EQ_INT(stage2_pgtable_init(&pgt, 40, 1, &test_stage2_pool),
		      -ERR_NOMEM);
	/* 16 pages, but 3 of them before the first 64 KiB boundary. */
	init_pool(INIT_MISALIGNED_PA, 16);
	EXPECT_EQ_INT(stage2_pgtable_init(&pgt, 43, 1, &test_stage2_pool),
		      -ERR_NOMEM);
	init_pool(INIT_MISALIGNED_PA, 29);
	EXPECT_EQ_INT(stage2_pgtable_init(&pgt, 43, 1, &test_stage2_pool), 0);
	EXPECT_EQ(pa_addr(pgt.root_pa), S2T_POOL_PA + 16 * S2T_4K);
}

/** VTTBR_EL2 is the root's PA with the VMID in bits 63:48 and nothing else. */
TEST(stage2_init, vttbr)
{
	static const uint16_t vmids[] = {0, 1, 77, 0x1234, 0xffff};
	struct stage2_pgtable pgt;

	for (unsigned i = 0; i < ARRAY_SIZE(vmids); i++) {
		init_pool(INIT_MISALIGNED_PA, 32);
		ASSERT_EQ_INT(stage2_pgtable_init(&pgt, 40, vmids[i],
						  &test_stage2_pool),
			      0);
		EXPECT_EQ(stage2_vttbr(&pgt),
			  pa_addr(pgt.root_pa) | (uint64_t)vmids[i] << 48);
		/* BADDR is aligned to the concatenated root: CnP (bit 0) clear. */
		EXPECT_EQ(stage2_vttbr(&pgt) & 0x1fff, 0);
	}
}

/** A table takes up to four pools, each once, and refuses a fifth with -ERR_NOMEM. */
TEST(stage2_init, add_pools)
{
	struct stage2_pool extra[4];

	ASSERT_EQ_INT(test_stage2_setup(40, S2T_POOL_PAGES), 0);
	for (unsigned i = 0; i < 4; i++) {
		stage2_pool_init(&extra[i], "extra", (uint16_t)(10 + i),
				 test_stage2_dev_pages[i],
				 pa_init(S2T_DEV_PA + i * S2T_4K), 1);
	}
	EXPECT_EQ_INT(
		stage2_pgtable_add_pool(&test_stage2_pgt, &test_stage2_pool),
		0);
	EXPECT_EQ(test_stage2_pgt.npools, 1);
	for (unsigned i = 0; i < 3; i++) {
		EXPECT_EQ_INT(
			stage2_pgtable_add_pool(&test_stage2_pgt, &extra[i]),
			0);
		EXPECT_EQ_INT(
			stage2_pgtable_add_pool(&test_stage2_pgt, &extra[i]),
			0);
	}
	EXPECT_EQ(test_stage2_pgt.npools, STAGE2_MAX_POOLS);
	EXPECT_EQ_INT(stage2_pgtable_add_pool(&test_stage2_pgt, &extra[3]),
		      -ERR_NOMEM);
	EXPECT_EQ(test_stage2_pgt.npools, STAGE2_MAX_POOLS);
}

/** Destroying a table with blocks, pages and tables from two pools gives every page back, the root included. */
TEST(stage2_init, destroy_frees_everything)
{
	struct stage2_pgtable *pgt = &test_stage2_pgt;
	size_t dev_before;
	int ret;

	ASSERT_EQ_INT(test_stage2_setup(40, 32), 0);
	dev_before = stage2_pool_available(&test_stage2_dev_pool);
	ASSERT_EQ_INT(stage2_pgtable_add_pool(pgt, &test_stage2_dev_pool), 0);
	ASSERT_EQ_INT(
		test_stage2_map(S2T_1G, S2T_1G, 0x80000000, S2T_RWX, 0, NULL),
		0);
	ASSERT_EQ_INT(test_stage2_map(3 * S2T_1G + S2T_4K, 6 * S2T_2M,
				      0x90001000, S2T_RW, 0, NULL),
		      0);
	rwlock_write_lock(&pgt->lock);
	ret = stage2_map(pgt, UINT64_C(0x8000000000), S2T_4K,
			 pa_init(0x09000000), S2T_DEV, &test_stage2_dev_pool,
			 STAGE2_SCOPE_INNER_SHAREABLE, 0, NULL);
	EXPECT_EQ_INT(ret, 0);
	EXPECT_TRUE(stage2_pool_available(&test_stage2_pool) < 30);
	EXPECT_TRUE(stage2_pool_available(&test_stage2_dev_pool) < dev_before);
	stage2_pgtable_destroy(pgt);
	rwlock_write_unlock(&pgt->lock);
	EXPECT_TRUE(pgt->root == NULL);
	EXPECT_EQ(stage2_pool_available(&test_stage2_pool), 32);
	EXPECT_EQ(stage2_pool_available(&test_stage2_dev_pool), dev_before);
}
