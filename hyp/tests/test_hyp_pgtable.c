/*
 * EL2 stage 1 tables: block sizes chosen greedily, the exact descriptor
 * bits (Arm ARM D8.3, stage 1 with one VA range), refusals and corrupt
 * tables. The assertions read the real table memory.
 */
#include <faultline/err.h>
#include <faultline/hyp_pgtable.h>
#include <faultline/test.h>

#include "test_util.h"

#define PGT_NPAGES 32
#define PGT_POOL_PA UINT64_C(0x80000000)

#define SZ_4K UINT64_C(0x1000)
#define SZ_2M UINT64_C(0x200000)
#define SZ_1G UINT64_C(0x40000000)

/* Descriptor fields, spelled out here independently of hyp_pgtable.c. */
#define D_VALID (UINT64_C(1) << 0)
#define D_TABLE_OR_PAGE (UINT64_C(1) << 1)
#define D_ATTRIDX(i) ((uint64_t)(i) << 2)
#define D_NS (UINT64_C(1) << 5)
#define D_AP1 (UINT64_C(1) << 6)
#define D_AP2 (UINT64_C(1) << 7)
#define D_SH_INNER (UINT64_C(3) << 8)
#define D_AF (UINT64_C(1) << 10)
#define D_NG (UINT64_C(1) << 11)
#define D_PXN (UINT64_C(1) << 53)
#define D_XN (UINT64_C(1) << 54)
#define D_OA(d) ((d)&UINT64_C(0x0000fffffffff000))

static uint8_t pgt_pages[PGT_NPAGES][PAGE_SIZE] __attribute__((aligned(4096)));
static struct page_pool pgt_pool;
static struct hyp_pgtable pgt;

/* Sets up an empty table over the first @npages pages of the pool. */
static int pgt_setup(size_t npages)
{
	page_pool_init(&pgt_pool, pgt_pages, pa_init(PGT_POOL_PA), npages);
	return hyp_pgtable_init(&pgt, &pgt_pool);
}

static int pgt_map(uint64_t va, uint64_t pa, uint64_t size, unsigned prot)
{
	return hyp_pgtable_map(&pgt, va_init(va), pa_init(pa), size, prot);
}

/* Looks @va up and checks the PA, the level and the prot of the leaf. */
static bool pgt_expect(struct test_ctx *test_ctx, uint64_t va, uint64_t pa,
		       unsigned level, unsigned prot)
{
	struct hyp_pgtable_entry e;

	if (!EXPECT_EQ_INT(hyp_pgtable_lookup(&pgt, va_init(va), &e), 0)) {
		test_fail(test_ctx, __FILE__, __LINE__, "va 0x%llx",
			  (unsigned long long)va);
		return false;
	}
	return EXPECT_EQ(pa_addr(e.pa), pa) && EXPECT_EQ(e.level, level) &&
	       EXPECT_EQ(e.prot, prot);
}

static int pgt_lookup_ret(uint64_t va)
{
	struct hyp_pgtable_entry e;

	return hyp_pgtable_lookup(&pgt, va_init(va), &e);
}

/* The table a table descriptor points to, in pool memory (NULL if none). */
static uint64_t *pgt_next(uint64_t desc)
{
	return page_pool_ptr(&pgt_pool, pa_init(D_OA(desc)));
}

/** The root is the pool's first page, zeroed, and an empty pool cannot hold one. */
TEST(hyp_pgtable, init_root)
{
	test_util_fill(pgt_pages[0], 0xee, PAGE_SIZE);
	ASSERT_EQ_INT(pgt_setup(PGT_NPAGES), 0);
	EXPECT_TRUE((uint8_t *)pgt.root == pgt_pages[0]);
	EXPECT_EQ(pa_addr(pgt.root_pa), PGT_POOL_PA);
	EXPECT_TRUE(pgt.pool == &pgt_pool);
	for (unsigned i = 0; i < 512; i++) {
		EXPECT_EQ(pgt.root[i], 0);
	}
	EXPECT_EQ_INT(pgt_setup(0), -ERR_NOMEM);
}

/** A 4 KiB mapping goes through three table levels to a page descriptor at index 1. */
TEST(hyp_pgtable, page_walk_in_memory)
{
	uint64_t *l1, *l2, *l3;

	ASSERT_EQ_INT(pgt_setup(PGT_NPAGES), 0);
	ASSERT_EQ_INT(pgt_map(0x1000, 0x40000000, SZ_4K, HYP_PROT_DATA), 0);
	EXPECT_EQ(pgt_pool.used, 4);
	/* Table descriptors: bits[1:0] = 0b11 and the next table's PA only. */
	EXPECT_EQ(pgt.root[0], (PGT_POOL_PA + 1 * SZ_4K) | 3);
	l1 = pgt_next(pgt.root[0]);
	ASSERT_TRUE(l1 != NULL);
	EXPECT_EQ(l1[0], (PGT_POOL_PA + 2 * SZ_4K) | 3);
	l2 = pgt_next(l1[0]);
	ASSERT_TRUE(l2 != NULL);
	EXPECT_EQ(l2[0], (PGT_POOL_PA + 3 * SZ_4K) | 3);
	l3 = pgt_next(l2[0]);
	ASSERT_TRUE(l3 != NULL);
	EXPECT_EQ(l3[0], 0);
	EXPECT_EQ(l3[1], 0x40000000 | D_VALID | D_TABLE_OR_PAGE |
				 D_ATTRIDX(HYP_MAIR_IDX_NORMAL) | D_AP1 |
				 D_SH_INNER | D_AF | D_XN);
	EXPECT_EQ(l3[2], 0);
	pgt_expect(test_ctx, 0x1000, 0x40000000, 3, HYP_PROT_DATA);
	pgt_expect(test_ctx, 0x1abc, 0x40000abc, 3, HYP_PROT_DATA);
	EXPECT_EQ_INT(pgt_lookup_ret(0x0), -ERR_NOENT);
	EXPECT_EQ_INT(pgt_lookup_ret(0x2000), -ERR_NOENT);
}

/** Leaf descriptors carry exactly the bits the Arm ARM requires for each kind of mapping. */
TEST(hyp_pgtable, leaf_descriptor_bits)
{
	const uint64_t pa = 0x123456789000ull;
	const uint64_t normal = D_VALID | D_ATTRIDX(HYP_MAIR_IDX_NORMAL) |
				D_AP1 | D_SH_INNER | D_AF;
	const uint64_t device =
		D_VALID | D_ATTRIDX(HYP_MAIR_IDX_DEVICE) | D_AP1 | D_AF;

	EXPECT_EQ(hyp_pgtable_leaf_desc(pa_init(pa), HYP_PROT_DATA, 3),
		  pa | normal | D_TABLE_OR_PAGE | D_XN);
	EXPECT_EQ(hyp_pgtable_leaf_desc(pa_init(pa), HYP_PROT_TEXT, 3),
		  pa | normal | D_TABLE_OR_PAGE | D_AP2);
	EXPECT_EQ(hyp_pgtable_leaf_desc(pa_init(pa), HYP_PROT_RODATA, 3),
		  pa | normal | D_TABLE_OR_PAGE | D_AP2 | D_XN);
	EXPECT_EQ(hyp_pgtable_leaf_desc(pa_init(pa), HYP_PROT_MMIO, 3),
		  pa | device | D_TABLE_OR_PAGE | D_XN);
	/* Blocks: bit 1 clear, the rest unchanged. */
	EXPECT_EQ(hyp_pgtable_leaf_desc(pa_init(0x40200000), HYP_PROT_DATA, 2),
		  0x40200000 | normal | D_XN);
	EXPECT_EQ(hyp_pgtable_leaf_desc(pa_init(0x40000000), HYP_PROT_TEXT, 1),
		  0x40000000 | normal | D_AP2);
	EXPECT_EQ(hyp_pgtable_leaf_desc(pa_init(0x8000000), HYP_PROT_MMIO, 2),
		  0x8000000 | device | D_XN);
}

/** No leaf sets NS, nG, PXN or any bit above XN: they are RES0 or wrong at EL2. */
TEST(hyp_pgtable, leaf_descriptor_res0_bits_clear)
{
	static const unsigned prots[] = {HYP_PROT_DATA, HYP_PROT_TEXT,
					 HYP_PROT_RODATA, HYP_PROT_MMIO};

	for (unsigned i = 0; i < ARRAY_SIZE(prots); i++) {
		for (unsigned level = 1; level <= 3; level++) {
			uint64_t d = hyp_pgtable_leaf_desc(
				pa_init(0xfffffffff000ull), prots[i], level);

			EXPECT_EQ(d & (D_NS | D_NG | D_PXN), 0);
			EXPECT_EQ(d >> 55, 0);
			EXPECT_EQ(d & (UINT64_C(0xf) << 50), 0);
			EXPECT_EQ(D_OA(d), 0xfffffffff000ull);
		}
	}
}

/** Decoding a leaf gives back the HYP_PROT_* it was encoded with, at every level. */
TEST(hyp_pgtable, desc_prot_round_trip)
{
	static const unsigned prots[] = {
		HYP_PROT_R,      HYP_PROT_DATA, HYP_PROT_TEXT,
		HYP_PROT_RODATA, HYP_PROT_MMIO, HYP_PROT_R | HYP_PROT_DEVICE,
	};

	for (unsigned i = 0; i < ARRAY_SIZE(prots); i++) {
		for (unsigned level = 1; level <= 3; level++) {
			uint64_t d = hyp_pgtable_leaf_desc(pa_init(0x40000000),
							   prots[i], level);

			EXPECT_EQ(hyp_pgtable_desc_prot(d), prots[i]);
		}
	}
}

/** MAIR_EL2 holds Device-nGnRE, Normal WB RWA and Normal NC at the indices the descriptors use. */
TEST(hyp_pgtable, mair_attributes)
{
	EXPECT_EQ((HYP_MAIR_VALUE >> (8 * HYP_MAIR_IDX_DEVICE)) & 0xff, 0x04);
	EXPECT_EQ((HYP_MAIR_VALUE >> (8 * HYP_MAIR_IDX_NORMAL)) & 0xff, 0xff);
	EXPECT_EQ((HYP_MAIR_VALUE >> (8 * HYP_MAIR_IDX_NORMAL_NC)) & 0xff,
		  0x44);
}

/** An aligned 1 GiB range becomes one level-1 block: root and one level-1 table only. */
TEST(hyp_pgtable, one_gib_block)
{
	uint64_t *l1;

	ASSERT_EQ_INT(pgt_setup(PGT_NPAGES), 0);
	ASSERT_EQ_INT(pgt_map(SZ_1G, 0x80000000, SZ_1G, HYP_PROT_DATA), 0);
	EXPECT_EQ(pgt_pool.used, 2);
	l1 = pgt_next(pgt.root[0]);
	ASSERT_TRUE(l1 != NULL);
	EXPECT_EQ(l1[1] & 3, D_VALID);
	EXPECT_EQ(D_OA(l1[1]), 0x80000000);
	pgt_expect(test_ctx, SZ_1G, 0x80000000, 1, HYP_PROT_DATA);
	pgt_expect(test_ctx, 2 * SZ_1G - 1, 0x80000000 + SZ_1G - 1, 1,
		   HYP_PROT_DATA);
	EXPECT_EQ_INT(pgt_lookup_ret(SZ_1G - 1), -ERR_NOENT);
	EXPECT_EQ_INT(pgt_lookup_ret(2 * SZ_1G), -ERR_NOENT);
}

/** An aligned 4 MiB range becomes two level-2 blocks. */
TEST(hyp_pgtable, two_mib_blocks)
{
	ASSERT_EQ_INT(pgt_setup(PGT_NPAGES), 0);
	ASSERT_EQ_INT(pgt_map(SZ_2M, 0x40200000, 2 * SZ_2M, HYP_PROT_TEXT), 0);
	EXPECT_EQ(pgt_pool.used, 3);
	pgt_expect(test_ctx, SZ_2M, 0x40200000, 2, HYP_PROT_TEXT);
	pgt_expect(test_ctx, 2 * SZ_2M + 0x1234, 0x40400000 + 0x1234, 2,
		   HYP_PROT_TEXT);
	EXPECT_EQ_INT(pgt_lookup_ret(3 * SZ_2M), -ERR_NOENT);
}

/** A range with ragged ends gets pages at the ends and the largest blocks in between. */
TEST(hyp_pgtable, greedy_mixed_sizes)
{
	/* 4 KiB below 1 GiB, one 1 GiB block, then 8 KiB of pages. */
	uint64_t va = SZ_1G - SZ_4K;
	uint64_t size = SZ_4K + SZ_1G + 2 * SZ_4K;

	ASSERT_EQ_INT(pgt_setup(PGT_NPAGES), 0);
	ASSERT_EQ_INT(pgt_map(va, va, size, HYP_PROT_DATA), 0);
	pgt_expect(test_ctx, va, va, 3, HYP_PROT_DATA);
	pgt_expect(test_ctx, SZ_1G, SZ_1G, 1, HYP_PROT_DATA);
	pgt_expect(test_ctx, 2 * SZ_1G - SZ_4K, 2 * SZ_1G - SZ_4K, 1,
		   HYP_PROT_DATA);
	pgt_expect(test_ctx, 2 * SZ_1G, 2 * SZ_1G, 3, HYP_PROT_DATA);
	pgt_expect(test_ctx, 2 * SZ_1G + SZ_4K, 2 * SZ_1G + SZ_4K, 3,
		   HYP_PROT_DATA);
	EXPECT_EQ_INT(pgt_lookup_ret(va - SZ_4K), -ERR_NOENT);
	EXPECT_EQ_INT(pgt_lookup_ret(2 * SZ_1G + 2 * SZ_4K), -ERR_NOENT);
	/* 4 KiB, then a 2 MiB block, then 4 KiB. */
	ASSERT_EQ_INT(pgt_map(0x83ff000, 0x403ff000, SZ_4K + SZ_2M + SZ_4K,
			      HYP_PROT_RODATA),
		      0);
	pgt_expect(test_ctx, 0x83ff000, 0x403ff000, 3, HYP_PROT_RODATA);
	pgt_expect(test_ctx, 0x8400000, 0x40400000, 2, HYP_PROT_RODATA);
	pgt_expect(test_ctx, 0x85fffff, 0x405fffff, 2, HYP_PROT_RODATA);
	pgt_expect(test_ctx, 0x8600000, 0x40600000, 3, HYP_PROT_RODATA);
}

/** Blocks need the PA aligned too: a 2 MiB-aligned VA on a 4 KiB-aligned PA gets pages. */
TEST(hyp_pgtable, block_needs_aligned_pa)
{
	ASSERT_EQ_INT(pgt_setup(PGT_NPAGES), 0);
	ASSERT_EQ_INT(pgt_map(SZ_2M, 0x40201000, SZ_2M, HYP_PROT_DATA), 0);
	EXPECT_EQ(pgt_pool.used, 4);
	pgt_expect(test_ctx, SZ_2M, 0x40201000, 3, HYP_PROT_DATA);
	pgt_expect(test_ctx, 2 * SZ_2M - SZ_4K, 0x40400000, 3, HYP_PROT_DATA);
	/* A 1 GiB-aligned VA on a 2 MiB-aligned PA gets 2 MiB blocks. */
	ASSERT_EQ_INT(pgt_map(4 * SZ_1G, 0x40200000, SZ_1G, HYP_PROT_DATA), 0);
	pgt_expect(test_ctx, 4 * SZ_1G, 0x40200000, 2, HYP_PROT_DATA);
	pgt_expect(test_ctx, 5 * SZ_1G - 1, 0x40200000 + SZ_1G - 1, 2,
		   HYP_PROT_DATA);
}

/** The last page of the 48-bit space (the trampoline) can be mapped; anything past it cannot. */
TEST(hyp_pgtable, va_limit)
{
	const uint64_t last = (UINT64_C(1) << HYP_VA_BITS) - SZ_4K;

	ASSERT_EQ_INT(pgt_setup(PGT_NPAGES), 0);
	EXPECT_EQ_INT(pgt_map(last, 0x40000000, SZ_4K, HYP_PROT_TEXT), 0);
	pgt_expect(test_ctx, last + 0xffc, 0x40000ffc, 3, HYP_PROT_TEXT);
	EXPECT_EQ(pgt.root[511] & 3, 3);
	EXPECT_EQ_INT(pgt_map(last, 0x40000000, 2 * SZ_4K, HYP_PROT_TEXT),
		      -ERR_RANGE);
	EXPECT_EQ_INT(pgt_map(last + SZ_4K, 0x40000000, SZ_4K, HYP_PROT_TEXT),
		      -ERR_RANGE);
	EXPECT_EQ_INT(pgt_map(0xffff000000000000ull, 0, SZ_4K, HYP_PROT_DATA),
		      -ERR_RANGE);
	EXPECT_EQ_INT(pgt_map(SZ_4K, 0, UINT64_MAX & PAGE_MASK, HYP_PROT_DATA),
		      -ERR_RANGE);
	/* A VA above 48 bits is never found, whatever its low bits. */
	EXPECT_EQ_INT(pgt_lookup_ret(last + SZ_4K + 0xffc), -ERR_NOENT);
	EXPECT_EQ_INT(pgt_lookup_ret((UINT64_C(1) << 63) | last), -ERR_NOENT);
}

/** Writable and executable together is refused (SCTLR_EL2.WXN), mapping nothing. */
TEST(hyp_pgtable, write_and_execute_refused)
{
	ASSERT_EQ_INT(pgt_setup(PGT_NPAGES), 0);
	EXPECT_EQ_INT(pgt_map(0x1000, 0x1000, SZ_4K,
			      HYP_PROT_R | HYP_PROT_W | HYP_PROT_X),
		      -ERR_RANGE);
	EXPECT_EQ_INT(
		pgt_map(0x1000, 0x1000, SZ_4K, HYP_PROT_MMIO | HYP_PROT_X),
		-ERR_RANGE);
	EXPECT_EQ(pgt_pool.used, 1);
	EXPECT_EQ_INT(pgt_lookup_ret(0x1000), -ERR_NOENT);
}

/** Unaligned addresses or sizes, an empty range and a mapping without R are invalid. */
TEST(hyp_pgtable, invalid_arguments)
{
	ASSERT_EQ_INT(pgt_setup(PGT_NPAGES), 0);
	EXPECT_EQ_INT(pgt_map(0x1001, 0x1000, SZ_4K, HYP_PROT_DATA),
		      -ERR_INVAL);
	EXPECT_EQ_INT(pgt_map(0x1000, 0x1800, SZ_4K, HYP_PROT_DATA),
		      -ERR_INVAL);
	EXPECT_EQ_INT(pgt_map(0x1000, 0x1000, 0x800, HYP_PROT_DATA),
		      -ERR_INVAL);
	EXPECT_EQ_INT(pgt_map(0x1000, 0x1000, 0, HYP_PROT_DATA), -ERR_INVAL);
	EXPECT_EQ_INT(pgt_map(0x1000, 0x1000, SZ_4K, HYP_PROT_W), -ERR_INVAL);
	EXPECT_EQ_INT(pgt_map(0x1000, 0x1000, SZ_4K, 0), -ERR_INVAL);
	EXPECT_EQ(pgt_pool.used, 1);
}

/** Mapping a mapped page to another PA or with other permissions gives -ERR_EXIST. */
TEST(hyp_pgtable, overlap_refused)
{
	struct hyp_pgtable_entry e;

	ASSERT_EQ_INT(pgt_setup(PGT_NPAGES), 0);
	ASSERT_EQ_INT(pgt_map(0x5000, 0x40005000, 2 * SZ_4K, HYP_PROT_DATA), 0);
	EXPECT_EQ_INT(pgt_map(0x6000, 0x40007000, SZ_4K, HYP_PROT_DATA),
		      -ERR_EXIST);
	EXPECT_EQ_INT(pgt_map(0x6000, 0x40006000, SZ_4K, HYP_PROT_RODATA),
		      -ERR_EXIST);
	EXPECT_EQ_INT(pgt_map(0x6000, 0x40006000, SZ_4K, HYP_PROT_MMIO),
		      -ERR_EXIST);
	/* A range that only partly overlaps is refused as well. */
	EXPECT_EQ_INT(pgt_map(0x3000, 0x50003000, 3 * SZ_4K, HYP_PROT_DATA),
		      -ERR_EXIST);
	/* The original mapping is intact. */
	ASSERT_EQ_INT(hyp_pgtable_lookup(&pgt, va_init(0x6000), &e), 0);
	EXPECT_EQ(pa_addr(e.pa), 0x40006000);
	EXPECT_EQ(e.prot, HYP_PROT_DATA);
}

/** Mapping the same range again with the same PA and prot is accepted and changes nothing. */
TEST(hyp_pgtable, identical_remap_accepted)
{
	size_t used;

	ASSERT_EQ_INT(pgt_setup(PGT_NPAGES), 0);
	ASSERT_EQ_INT(
		pgt_map(0x3ff000, 0x403ff000, SZ_4K + SZ_2M, HYP_PROT_TEXT), 0);
	used = pgt_pool.used;
	EXPECT_EQ_INT(
		pgt_map(0x3ff000, 0x403ff000, SZ_4K + SZ_2M, HYP_PROT_TEXT), 0);
	EXPECT_EQ_INT(pgt_map(0x400000, 0x40400000, SZ_2M, HYP_PROT_TEXT), 0);
	EXPECT_EQ(pgt_pool.used, used);
	pgt_expect(test_ctx, 0x400000, 0x40400000, 2, HYP_PROT_TEXT);
}

/** Over a range mapped with pages, an identical 2 MiB map reuses them; a different one is refused. */
TEST(hyp_pgtable, block_over_pages)
{
	ASSERT_EQ_INT(pgt_setup(PGT_NPAGES), 0);
	for (uint64_t off = 0; off < SZ_2M; off += SZ_4K) {
		ASSERT_EQ_INT(pgt_map(SZ_2M + off, 0x40200000 + off, SZ_4K,
				      HYP_PROT_DATA),
			      0);
	}
	EXPECT_EQ_INT(pgt_map(SZ_2M, 0x40200000, SZ_2M, HYP_PROT_DATA), 0);
	pgt_expect(test_ctx, SZ_2M, 0x40200000, 3, HYP_PROT_DATA);
	EXPECT_EQ_INT(pgt_map(SZ_2M, 0x40400000, SZ_2M, HYP_PROT_DATA),
		      -ERR_EXIST);
}

/** A different page inside a block is refused: blocks are never split. */
TEST(hyp_pgtable, page_inside_block_refused)
{
	ASSERT_EQ_INT(pgt_setup(PGT_NPAGES), 0);
	ASSERT_EQ_INT(pgt_map(SZ_2M, 0x40200000, SZ_2M, HYP_PROT_DATA), 0);
	EXPECT_EQ_INT(pgt_map(SZ_2M + SZ_4K, 0x50000000, SZ_4K, HYP_PROT_DATA),
		      -ERR_EXIST);
	EXPECT_EQ_INT(
		pgt_map(SZ_2M + SZ_4K, 0x40201000, SZ_4K, HYP_PROT_RODATA),
		-ERR_EXIST);
	pgt_expect(test_ctx, SZ_2M + SZ_4K, 0x40201000, 2, HYP_PROT_DATA);
}

/** hyp_pgtable.h: "A VA that is already mapped to the same PA with the same prot is accepted", inside a block too. */
TEST(hyp_pgtable, identical_subrange_of_block_accepted)
{
	ASSERT_EQ_INT(pgt_setup(PGT_NPAGES), 0);
	ASSERT_EQ_INT(pgt_map(SZ_1G, SZ_1G, SZ_1G, HYP_PROT_DATA), 0);
	EXPECT_EQ_INT(
		pgt_map(SZ_1G + SZ_4K, SZ_1G + SZ_4K, SZ_4K, HYP_PROT_DATA), 0);
	EXPECT_EQ_INT(
		pgt_map(SZ_1G + SZ_2M, SZ_1G + SZ_2M, SZ_2M, HYP_PROT_DATA), 0);
	pgt_expect(test_ctx, SZ_1G + SZ_4K, SZ_1G + SZ_4K, 1, HYP_PROT_DATA);
}

/** Running out of table pages gives -ERR_NOMEM; what was mapped before stays mapped. */
TEST(hyp_pgtable, pool_exhaustion)
{
	/* Root, L1, L2 and one L3: room for the first 2 MiB of pages only. */
	ASSERT_EQ_INT(pgt_setup(4), 0);
	EXPECT_EQ_INT(
		pgt_map(SZ_2M - SZ_4K, 0x40001000, 2 * SZ_4K, HYP_PROT_DATA),
		-ERR_NOMEM);
	EXPECT_EQ(pgt_pool.used, 4);
	pgt_expect(test_ctx, SZ_2M - SZ_4K, 0x40001000, 3, HYP_PROT_DATA);
	EXPECT_EQ_INT(pgt_lookup_ret(SZ_2M), -ERR_NOENT);
	/* A block needs no new table and still fits. */
	EXPECT_EQ_INT(pgt_map(2 * SZ_2M, 0x40400000, SZ_2M, HYP_PROT_DATA), 0);
	/* The root alone cannot hold a page. */
	ASSERT_EQ_INT(pgt_setup(1), 0);
	EXPECT_EQ_INT(pgt_map(0, 0, SZ_4K, HYP_PROT_DATA), -ERR_NOMEM);
}

/** A table entry pointing outside the pool is reported as -ERR_INVAL by lookup and map. */
TEST(hyp_pgtable, corrupt_table_pointer)
{
	ASSERT_EQ_INT(pgt_setup(PGT_NPAGES), 0);
	pgt.root[0] = 0x1000 | 3;
	EXPECT_EQ_INT(pgt_lookup_ret(0x1000), -ERR_INVAL);
	EXPECT_EQ_INT(pgt_map(0x1000, 0x1000, SZ_4K, HYP_PROT_DATA),
		      -ERR_INVAL);
	pgt.root[0] = (PGT_POOL_PA + PGT_NPAGES * SZ_4K) | 3;
	EXPECT_EQ_INT(pgt_lookup_ret(0x1000), -ERR_INVAL);
}

/** A block at level 0 and a level-3 entry with bit 1 clear are reserved encodings. */
TEST(hyp_pgtable, reserved_encodings)
{
	uint64_t *l1, *l2, *l3;

	ASSERT_EQ_INT(pgt_setup(PGT_NPAGES), 0);
	pgt.root[1] = (UINT64_C(1) << 39) | D_VALID | D_AF;
	EXPECT_EQ_INT(pgt_lookup_ret(UINT64_C(1) << 39), -ERR_INVAL);
	ASSERT_EQ_INT(pgt_map(0x1000, 0x1000, SZ_4K, HYP_PROT_DATA), 0);
	l1 = pgt_next(pgt.root[0]);
	ASSERT_TRUE(l1 != NULL);
	l2 = pgt_next(l1[0]);
	ASSERT_TRUE(l2 != NULL);
	l3 = pgt_next(l2[0]);
	ASSERT_TRUE(l3 != NULL);
	l3[1] &= ~D_TABLE_OR_PAGE;
	EXPECT_EQ_INT(pgt_lookup_ret(0x1000), -ERR_INVAL);
	/* An entry without the valid bit is simply unmapped. */
	l3[1] &= ~D_VALID;
	EXPECT_EQ_INT(pgt_lookup_ret(0x1000), -ERR_NOENT);
}

/** lookup reports the raw leaf descriptor as it is in memory. */
TEST(hyp_pgtable, lookup_returns_raw_desc)
{
	struct hyp_pgtable_entry e;
	uint64_t *l1;

	ASSERT_EQ_INT(pgt_setup(PGT_NPAGES), 0);
	ASSERT_EQ_INT(pgt_map(3 * SZ_1G, 0x80000000, SZ_1G, HYP_PROT_MMIO), 0);
	l1 = pgt_next(pgt.root[0]);
	ASSERT_TRUE(l1 != NULL);
	ASSERT_EQ_INT(hyp_pgtable_lookup(&pgt, va_init(3 * SZ_1G + 5), &e), 0);
	EXPECT_EQ(e.desc, l1[3]);
	EXPECT_EQ(e.desc,
		  hyp_pgtable_leaf_desc(pa_init(0x80000000), HYP_PROT_MMIO, 1));
	EXPECT_EQ(pa_addr(e.pa), 0x80000005);
	EXPECT_EQ(e.level, 1);
}

/** A PA beyond the 48-bit output range is refused, not silently truncated. */
TEST(hyp_pgtable, pa_beyond_48_bits_not_truncated)
{
	const uint64_t pa = UINT64_C(1) << 48;
	int ret;

	ASSERT_EQ_INT(pgt_setup(PGT_NPAGES), 0);
	ret = pgt_map(0x1000, pa, SZ_4K, HYP_PROT_DATA);
	if (ret == 0) {
		pgt_expect(test_ctx, 0x1000, pa, 3, HYP_PROT_DATA);
	} else {
		EXPECT_EQ_INT(ret, -ERR_RANGE);
	}
}
