/*
 * Seed 000's greedy identity map: stage2_find_compatible_range() picks the
 * largest block around an address that fits its memory or device range and
 * the table, the caller maps it; a small device pool that runs dry is
 * recycled by unmapping everything that is not memory, and the same range
 * is mapped again without dropping the lock.
 */
#include <faultline/err.h>
#include <faultline/test.h>

#include "test_stage2_util.h"

/* Runs stage2_find_compatible_range() on the test table. */
static int im_find(uint64_t addr, uint64_t base, uint64_t size,
		   struct mem_range *out, unsigned *level)
{
	struct mem_range r = {base, size};

	return stage2_find_compatible_range(&test_stage2_pgt, addr, &r, out,
					    level);
}

/* Checks that @addr in [@base, @base + @size) gives [@ob, @ob + @os). */
static void im_expect(struct test_ctx *test_ctx, uint64_t addr, uint64_t base,
		      uint64_t size, uint64_t ob, uint64_t os, unsigned ol)
{
	struct mem_range out = {0, 0};
	unsigned level = 99;
	int ret = im_find(addr, base, size, &out, &level);

	if (!EXPECT_EQ_INT(ret, 0) || !EXPECT_EQ(out.base, ob) ||
	    !EXPECT_EQ(out.size, os) || !EXPECT_EQ(level, ol)) {
		test_fail(test_ctx, __FILE__, __LINE__,
			  "addr 0x%llx in [0x%llx, +0x%llx)",
			  (unsigned long long)addr, (unsigned long long)base,
			  (unsigned long long)size);
	}
}

/** In an empty table the largest block is the 1 GiB block around the address when the range holds it. */
TEST(stage2_idmap, largest_block_in_an_empty_table)
{
	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	im_expect(test_ctx, 0x12345678, 0, 4 * S2T_1G, 0, S2T_1G, 1);
	im_expect(test_ctx, 3 * S2T_1G + 5, 0, 4 * S2T_1G, 3 * S2T_1G, S2T_1G,
		  1);
	im_expect(test_ctx, 4 * S2T_1G - 1, S2T_1G, 3 * S2T_1G, 3 * S2T_1G,
		  S2T_1G, 1);
}

/** A range that starts or ends inside a 1 GiB or 2 MiB region gives 2 MiB blocks, then pages, at its edges. */
TEST(stage2_idmap, range_edges)
{
	uint64_t base = S2T_1G + S2T_2M;
	uint64_t size = S2T_1G + 2 * S2T_4K;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	im_expect(test_ctx, base + 5, base, size, base, S2T_2M, 2);
	im_expect(test_ctx, 2 * S2T_1G - 1, base, size, 2 * S2T_1G - S2T_2M,
		  S2T_2M, 2);
	im_expect(test_ctx, 2 * S2T_1G + 100, base, size, 2 * S2T_1G, S2T_2M,
		  2);
	im_expect(test_ctx, 2 * S2T_1G + S2T_2M + S2T_4K, base, size,
		  2 * S2T_1G + S2T_2M + S2T_4K, S2T_4K, 3);
	/* Pages before a 2 MiB boundary, after the range's unaligned start. */
	im_expect(test_ctx, S2T_1G + 0x3000, S2T_1G + 0x2000, S2T_1G,
		  S2T_1G + 0x3000, S2T_4K, 3);
	im_expect(test_ctx, S2T_1G + S2T_2M, S2T_1G + 0x2000, S2T_1G,
		  S2T_1G + S2T_2M, S2T_2M, 2);
}

/** Ranges smaller than a page, or holding no whole page around the address, give -ERR_RANGE; one page gives that page. */
TEST(stage2_idmap, ranges_around_a_page)
{
	struct mem_range out;
	unsigned level;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	EXPECT_EQ_INT(im_find(0x5000, 0x5000, 0x800, &out, &level), -ERR_RANGE);
	EXPECT_EQ_INT(im_find(0x5900, 0x5800, 0x1000, &out, &level),
		      -ERR_RANGE);
	im_expect(test_ctx, 0x5fff, 0x5000, S2T_4K, 0x5000, S2T_4K, 3);
	im_expect(test_ctx, 0x6000, 0x5800, 0x2000, 0x6000, S2T_4K, 3);
	/* An address outside its range, or past the IPA size. */
	EXPECT_EQ_INT(im_find(0x4fff, 0x5000, S2T_1G, &out, &level),
		      -ERR_RANGE);
	EXPECT_EQ_INT(im_find(0x5000 + S2T_1G, 0x5000, S2T_1G, &out, &level),
		      -ERR_RANGE);
	EXPECT_EQ_INT(
		im_find(UINT64_C(1) << 40, 0, UINT64_C(1) << 41, &out, &level),
		-ERR_RANGE);
	im_expect(test_ctx, (UINT64_C(1) << 40) - 1, 0, UINT64_C(1) << 41,
		  (UINT64_C(1) << 40) - S2T_1G, S2T_1G, 1);
}

/** An existing table limits the block to the level below it; a mapped address is -ERR_EXIST. */
TEST(stage2_idmap, limited_by_tables_and_mappings)
{
	struct mem_range out;
	unsigned level;

	ASSERT_EQ_INT(test_stage2_setup(40, 8), 0);
	ASSERT_EQ_INT(test_stage2_map(S2T_1G + 3 * S2T_2M / 2, S2T_4K,
				      0x40000000, S2T_RW, 0, NULL),
		      0);
	im_expect(test_ctx, S2T_1G + 10 * S2T_2M + 7, 0, 8 * S2T_1G,
		  S2T_1G + 10 * S2T_2M, S2T_2M, 2);
	im_expect(test_ctx, S2T_1G + S2T_2M + 2 * S2T_4K, 0, 8 * S2T_1G,
		  S2T_1G + S2T_2M + 2 * S2T_4K, S2T_4K, 3);
	im_expect(test_ctx, 0, 0, 8 * S2T_1G, 0, S2T_1G, 1);
	EXPECT_EQ_INT(im_find(S2T_1G + 3 * S2T_2M / 2 + 8, 0, 8 * S2T_1G, &out,
			      &level),
		      -ERR_EXIST);
	ASSERT_EQ_INT(test_stage2_map(2 * S2T_1G, S2T_1G, 2 * S2T_1G, S2T_RW, 0,
				      NULL),
		      0);
	ASSERT_EQ_INT(test_stage2_map(S2T_1G + 20 * S2T_2M, S2T_2M,
				      S2T_1G + 20 * S2T_2M, S2T_RW, 0, NULL),
		      0);
	EXPECT_EQ_INT(im_find(2 * S2T_1G + 5, 0, 8 * S2T_1G, &out, &level),
		      -ERR_EXIST);
	EXPECT_EQ_INT(
		im_find(S2T_1G + 20 * S2T_2M, 0, 8 * S2T_1G, &out, &level),
		-ERR_EXIST);
}

/** A 32-bit table starts at level 2, so even a 4 GiB range gives 2 MiB blocks. */
TEST(stage2_idmap, start_level_two)
{
	ASSERT_EQ_INT(test_stage2_setup(32, 8), 0);
	im_expect(test_ctx, S2T_1G + 5, 0, 4 * S2T_1G, S2T_1G, S2T_2M, 2);
}

/*
 * The host's fault path: find the range around @addr in @r, map it as an
 * identity map from @pool. The caller holds the write lock.
 */
static int im_fault(uint64_t addr, const struct mem_range *r, unsigned prot,
		    struct stage2_pool *pool, struct mem_range *out)
{
	unsigned level;
	int ret = stage2_find_compatible_range(&test_stage2_pgt, addr, r, out,
					       &level);

	if (ret != 0) {
		return ret;
	}
	return stage2_map(&test_stage2_pgt, out->base, out->size,
			  pa_init(out->base), prot, pool,
			  STAGE2_SCOPE_INNER_SHAREABLE, 0, NULL);
}

/* Two memory ranges with unaligned ends: pages, 1 GiB, 2 MiB, pages. */
static const struct mem_range im_mem[] = {
	{UINT64_C(0x3fffd000), UINT64_C(0x80205000) - UINT64_C(0x3fffd000)},
	{UINT64_C(0x100001000), UINT64_C(0x3ff000)},
};

/** Faulting in every page of two memory ranges maps each once, identity, with the largest blocks the ranges allow. */
TEST(stage2_idmap, greedy_identity_map_of_memory)
{
	struct mem_range out;
	unsigned maps = 0;
	int ret = 0;

	ASSERT_EQ_INT(test_stage2_setup(40, 16), 0);
	rwlock_write_lock(&test_stage2_pgt.lock);
	for (unsigned m = 0; m < ARRAY_SIZE(im_mem) && ret == 0; m++) {
		uint64_t end = im_mem[m].base + im_mem[m].size;

		for (uint64_t a = im_mem[m].base; a < end; a += S2T_4K) {
			ret = im_fault(a, &im_mem[m], S2T_RWX,
				       &test_stage2_pool, &out);
			if (ret == -ERR_EXIST) {
				ret = 0;
				continue;
			}
			if (ret != 0) {
				break;
			}
			maps++;
		}
	}
	rwlock_write_unlock(&test_stage2_pgt.lock);
	ASSERT_EQ_INT(ret, 0);
	/* 3 pages + 1 GiB + 2 MiB + 5 pages; then 511 pages + 2 MiB. */
	EXPECT_EQ(maps, 10 + 512);
	test_stage2_expect_none(test_ctx, 0x3fffc000);
	for (uint64_t a = 0x3fffd000; a < 0x40000000; a += S2T_4K) {
		test_stage2_expect(test_ctx, a, a, 3, S2T_RWX);
	}
	for (uint64_t a = 0x40000000; a < 0x80000000; a += S2T_2M + S2T_4K) {
		test_stage2_expect(test_ctx, a, a, 1, S2T_RWX);
	}
	test_stage2_expect(test_ctx, 0x80000000, 0x80000000, 2, S2T_RWX);
	test_stage2_expect(test_ctx, 0x801ff000, 0x801ff000, 2, S2T_RWX);
	for (uint64_t a = 0x80200000; a < 0x80205000; a += S2T_4K) {
		test_stage2_expect(test_ctx, a, a, 3, S2T_RWX);
	}
	test_stage2_expect_none(test_ctx, 0x80205000);
	test_stage2_expect_none(test_ctx, 0x100000000);
	for (uint64_t a = 0x100001000; a < 0x100200000; a += S2T_4K) {
		test_stage2_expect(test_ctx, a, a, 3, S2T_RWX);
	}
	test_stage2_expect(test_ctx, 0x100200000, 0x100200000, 2, S2T_RWX);
	test_stage2_expect(test_ctx, 0x1003fffff, 0x1003fffff, 2, S2T_RWX);
	test_stage2_expect_none(test_ctx, 0x100400000);
}

/* Memory with one-page holes at the end of each 2 MiB region. */
static const struct mem_range im_frag[] = {
	{S2T_1G, S2T_2M - S2T_4K},
	{S2T_1G + S2T_2M, S2T_2M - S2T_4K},
	{S2T_1G + 2 * S2T_2M, S2T_2M - S2T_4K},
	{S2T_1G + 3 * S2T_2M, S2T_2M - S2T_4K},
	{S2T_1G + 4 * S2T_2M, S2T_1G - 4 * S2T_2M},
};

/* The gap (non-memory range) that holds @addr, for im_frag. */
static struct mem_range im_gap(uint64_t addr)
{
	uint64_t lo = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(im_frag); i++) {
		if (addr < im_frag[i].base) {
			return (struct mem_range){lo, im_frag[i].base - lo};
		}
		lo = im_frag[i].base + im_frag[i].size;
	}
	return (struct mem_range){lo, (UINT64_C(1) << 40) - lo};
}

/** Seed 000: when the device pool runs dry, unmapping every non-memory range up to 1 << ia_bits recycles it and the same range maps. */
TEST(stage2_idmap, device_pool_recycling)
{
	struct stage2_pgtable *pgt = &test_stage2_pgt;
	struct stage2_pool *dev = &test_stage2_dev_pool;
	static const uint64_t devs[] = {
		0x09000000,
		S2T_1G + 2 * S2T_2M - S2T_4K,
		S2T_1G + 3 * S2T_2M - S2T_4K,
	};
	uint64_t stuck = S2T_1G + 4 * S2T_2M - S2T_4K;
	struct mem_range gap = im_gap(stuck);
	struct mem_range out;
	uint64_t lo = 0;
	size_t mem_avail;

	ASSERT_EQ_INT(test_stage2_setup(40, 16), 0);
	/* The device pool: room for two level-3 tables. */
	stage2_pool_init(dev, "dev", 2, test_stage2_dev_pages,
			 pa_init(S2T_DEV_PA), 2);
	ASSERT_EQ_INT(stage2_pgtable_add_pool(pgt, dev), 0);
	rwlock_write_lock(&pgt->lock);
	/* Memory first: the first range (pages), a block of the last one. */
	for (uint64_t a = im_frag[0].base;
	     a < im_frag[0].base + im_frag[0].size; a += S2T_4K) {
		EXPECT_EQ_INT(im_fault(a, &im_frag[0], S2T_RWX,
				       &test_stage2_pool, &out),
			      0);
		EXPECT_EQ(out.size, S2T_4K);
	}
	EXPECT_EQ_INT(im_fault(S2T_1G + 4 * S2T_2M, &im_frag[4], S2T_RWX,
			       &test_stage2_pool, &out),
		      0);
	EXPECT_EQ(out.size, S2T_2M);
	mem_avail = stage2_pool_available(&test_stage2_pool);
	/* Devices: a 1 GiB block, then a page in each hole until -ENOMEM. */
	for (unsigned i = 0; i < ARRAY_SIZE(devs); i++) {
		struct mem_range g = im_gap(devs[i]);

		EXPECT_EQ_INT(im_fault(devs[i], &g, S2T_DEV, dev, &out), 0);
	}
	test_stage2_expect(test_ctx, 0x09000000, 0x09000000, 1, S2T_DEV);
	EXPECT_EQ(stage2_pool_available(dev), 0);
	EXPECT_EQ_INT(im_fault(stuck, &gap, S2T_DEV, dev, &out), -ERR_NOMEM);
	EXPECT_EQ(out.base, stuck);
	EXPECT_EQ(out.size, S2T_4K);
	/* Without dropping the lock: unmap every gap, up to 1 << ia_bits. */
	for (unsigned i = 0; i < ARRAY_SIZE(im_frag); i++) {
		EXPECT_EQ_INT(stage2_unmap(pgt, lo, im_frag[i].base - lo,
					   STAGE2_SCOPE_INNER_SHAREABLE, NULL),
			      0);
		lo = im_frag[i].base + im_frag[i].size;
	}
	EXPECT_EQ_INT(stage2_unmap(pgt, lo, (UINT64_C(1) << 40) - lo,
				   STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		      0);
	EXPECT_EQ(stage2_pool_available(dev), 2);
	/* The same range as the call that failed. */
	EXPECT_EQ_INT(stage2_map(pgt, out.base, out.size, pa_init(out.base),
				 S2T_DEV, dev, STAGE2_SCOPE_INNER_SHAREABLE, 0,
				 NULL),
		      0);
	rwlock_write_unlock(&pgt->lock);
	test_stage2_expect(test_ctx, stuck, stuck, 3, S2T_DEV);
	for (unsigned i = 0; i < ARRAY_SIZE(devs); i++) {
		test_stage2_expect_none(test_ctx, devs[i]);
	}
	/* Memory is untouched, and so is its pool. */
	EXPECT_EQ(stage2_pool_available(&test_stage2_pool), mem_avail);
	for (uint64_t a = S2T_1G; a < S2T_1G + S2T_2M - S2T_4K; a += S2T_4K) {
		test_stage2_expect(test_ctx, a, a, 3, S2T_RWX);
	}
	test_stage2_expect(test_ctx, S2T_1G + 4 * S2T_2M, S2T_1G + 4 * S2T_2M,
			   2, S2T_RWX);
}
