/*
 * EL2-only: the stage-2 library's tables walked by the real (QEMU) stage-2
 * walker. A table of VMID 77 is loaded for a moment (VTCR_EL2, VTTBR_EL2,
 * HCR_EL2.VM with EL1's stage 1 off, so VA == IPA) and AT S12E1R/W
 * translates IPAs through it (Arm ARM C5.5 "A64 address translation
 * instructions"; PAR_EL1 in D19.2). Mapped IPAs must give their PA,
 * unmapped ones a stage-2 translation fault at the right level, writes to
 * read-only leaves a stage-2 permission fault, and the hardware must see
 * the state after split, collapse, relax, unmap and remap.
 */
#include <faultline/err.h>
#include <faultline/hyp_layout.h>
#include <faultline/stage2.h>
#include <faultline/test.h>

#include "../stage2_regs.h"
#include "../sysreg.h"

#define ES_VMID 77
#define ES_PAGES 40

#define ES_HCR_VM SYSREG_BIT(0)
#define ES_SCTLR_EL1_M SYSREG_BIT(0)
#define ES_PAR_F SYSREG_BIT(0)
/* PAR_EL1.S (F == 1): the fault came from stage 2. */
#define ES_PAR_S SYSREG_BIT(9)
#define ES_PAR_FST(par) (((par) >> 1) & 0x3f)
#define ES_PAR_PA(par) ((par)&UINT64_C(0x0000fffffffff000))
/* FST: translation fault 0b0001LL, permission fault 0b0011LL. */
#define ES_FST_TRANSLATION(level) (0x4u | (level))
#define ES_FST_PERMISSION(level) (0xcu | (level))

#define ES_4K UINT64_C(0x1000)
#define ES_2M UINT64_C(0x200000)
#define ES_1G UINT64_C(0x40000000)

/* RAM of QEMU virt that the mappings point to (never accessed: AT only). */
#define ES_RAM UINT64_C(0x40000000)
#define ES_UART UINT64_C(0x09000000)

#define ES_RW (STAGE2_PROT_R | STAGE2_PROT_W)
#define ES_RWX (ES_RW | STAGE2_PROT_X)
#define ES_DEV (STAGE2_PROT_DEVICE | ES_RW)

static uint8_t es_pages[ES_PAGES][PAGE_SIZE] __attribute__((aligned(4096)));
static struct stage2_pool es_pool;
static struct stage2_pgtable es_pgt;

/* Sets up es_pgt for @ia_bits over es_pages, at their real PA. */
static int es_setup(unsigned ia_bits)
{
	uint64_t pa = (uint64_t)(uintptr_t)es_pages - HYP_VA_OFFSET;

	int ret;

	stage2_pool_init(&es_pool, "el2", 77, es_pages, pa_init(pa), ES_PAGES);
	ret = stage2_pgtable_init(&es_pgt, ia_bits, ES_VMID, &es_pool);
	if (ret == 0) {
		/* Nothing an earlier table of this VMID left may be used. */
		stage2_tlb_inval_vmid(&es_pgt, STAGE2_SCOPE_LOCAL);
	}
	return ret;
}

/* Frees every page of es_pgt. */
static void es_teardown(void)
{
	stage2_write_lock(&es_pgt);
	stage2_pgtable_destroy(&es_pgt);
	stage2_write_unlock(&es_pgt);
}

static int es_map(uint64_t ipa, uint64_t size, uint64_t pa, unsigned prot)
{
	int ret;

	stage2_write_lock(&es_pgt);
	ret = stage2_map(&es_pgt, ipa, size, pa_init(pa), prot, &es_pool,
			 STAGE2_SCOPE_INNER_SHAREABLE, 0, NULL);
	stage2_write_unlock(&es_pgt);
	return ret;
}

/*
 * Translates @ipa as an EL1 read (or write) through es_pgt and returns
 * PAR_EL1. Every register it changes is restored before it returns.
 */
static uint64_t es_at(uint64_t ipa, bool write)
{
	uint64_t vtcr = read_sysreg(vtcr_el2);
	uint64_t vttbr = read_sysreg(vttbr_el2);
	uint64_t hcr = read_sysreg(hcr_el2);
	uint64_t sctlr = read_sysreg(sctlr_el1);
	uint64_t par;

	write_sysreg(stage2_regs_vtcr(&es_pgt), vtcr_el2);
	write_sysreg(stage2_vttbr(&es_pgt), vttbr_el2);
	write_sysreg(sctlr & ~ES_SCTLR_EL1_M, sctlr_el1);
	write_sysreg(hcr | ES_HCR_VM, hcr_el2);
	isb();
	if (write) {
		__asm__ volatile("at s12e1w, %0" : : "r"(ipa) : "memory");
	} else {
		__asm__ volatile("at s12e1r, %0" : : "r"(ipa) : "memory");
	}
	isb();
	par = read_sysreg(par_el1);
	write_sysreg(hcr, hcr_el2);
	write_sysreg(sctlr, sctlr_el1);
	write_sysreg(vttbr, vttbr_el2);
	write_sysreg(vtcr, vtcr_el2);
	isb();
	return par;
}

/* Checks that the hardware translates @ipa to @pa (reads, and writes if @w). */
static void es_expect_pa(struct test_ctx *test_ctx, uint64_t ipa, uint64_t pa,
			 bool w)
{
	uint64_t par = es_at(ipa, false);

	if (!EXPECT_EQ(par & ES_PAR_F, 0) ||
	    !EXPECT_EQ(ES_PAR_PA(par), pa & ~(ES_4K - 1))) {
		test_fail(test_ctx, __FILE__, __LINE__,
			  "AT S12E1R 0x%llx: PAR 0x%llx, expected PA 0x%llx",
			  (unsigned long long)ipa, (unsigned long long)par,
			  (unsigned long long)pa);
		return;
	}
	par = es_at(ipa, true);
	if (!EXPECT_EQ((par & ES_PAR_F) == 0, w)) {
		test_fail(test_ctx, __FILE__, __LINE__,
			  "AT S12E1W 0x%llx: PAR 0x%llx",
			  (unsigned long long)ipa, (unsigned long long)par);
	}
}

/* Checks that an access to @ipa takes a stage-2 fault with status @fst. */
static void es_expect_fault(struct test_ctx *test_ctx, uint64_t ipa, bool w,
			    unsigned fst)
{
	uint64_t par = es_at(ipa, w);

	if (!EXPECT_EQ(par & ES_PAR_F, ES_PAR_F) ||
	    !EXPECT_EQ(par & ES_PAR_S, ES_PAR_S) ||
	    !EXPECT_EQ(ES_PAR_FST(par), fst)) {
		test_fail(test_ctx, __FILE__, __LINE__,
			  "AT S12E1%c 0x%llx: PAR 0x%llx, expected FST 0x%x",
			  w ? 'W' : 'R', (unsigned long long)ipa,
			  (unsigned long long)par, fst);
	}
}

/** VTCR_EL2 for a 40-bit and a 48-bit table: T0SZ, SL0, 4 KiB granule, as the Arm ARM encodes them. */
TEST(el2_stage2, vtcr_fields)
{
	uint64_t vtcr;

	ASSERT_EQ_INT(es_setup(40), 0);
	vtcr = stage2_regs_vtcr(&es_pgt);
	EXPECT_EQ(vtcr & 0x3f, 24);
	EXPECT_EQ((vtcr >> 6) & 3, 1);
	EXPECT_EQ((vtcr >> 14) & 3, 0);
	es_teardown();
	ASSERT_EQ_INT(es_setup(48), 0);
	vtcr = stage2_regs_vtcr(&es_pgt);
	EXPECT_EQ(vtcr & 0x3f, 16);
	EXPECT_EQ((vtcr >> 6) & 3, 2);
	es_teardown();
	ASSERT_EQ_INT(es_setup(32), 0);
	EXPECT_EQ((stage2_regs_vtcr(&es_pgt) >> 6) & 3, 0);
	es_teardown();
}

/** The hardware translates a 40-bit table's blocks, pages and device page as mapped, and faults where it must. */
TEST(el2_stage2, hardware_walks_a_40_bit_table)
{
	uint64_t hi = UINT64_C(1) << 39;
	uint64_t pg = 8 * ES_1G + ES_4K;

	ASSERT_EQ_INT(es_setup(40), 0);
	ASSERT_EQ_INT(es_map(ES_1G, ES_1G, ES_RAM, ES_RWX), 0);
	/* In the second concatenated root page, read-only 2 MiB blocks. */
	ASSERT_EQ_INT(es_map(hi + 3 * ES_2M, 2 * ES_2M, ES_RAM + 2 * ES_2M,
			     STAGE2_PROT_R),
		      0);
	ASSERT_EQ_INT(es_map(pg, 3 * ES_4K, ES_RAM + 3 * ES_2M + ES_4K, ES_RW),
		      0);
	ASSERT_EQ_INT(es_map(12 * ES_1G, ES_4K, ES_UART, ES_DEV), 0);

	es_expect_pa(test_ctx, ES_1G, ES_RAM, true);
	es_expect_pa(test_ctx, ES_1G + 0x12345678, ES_RAM + 0x12345678, true);
	es_expect_pa(test_ctx, 2 * ES_1G - 8, ES_RAM + ES_1G - 8, true);
	es_expect_pa(test_ctx, hi + 3 * ES_2M + 0x23456,
		     ES_RAM + 2 * ES_2M + 0x23456, false);
	es_expect_fault(test_ctx, hi + 5 * ES_2M - 8, true,
			ES_FST_PERMISSION(2));
	for (unsigned i = 0; i < 3; i++) {
		es_expect_pa(test_ctx, pg + i * ES_4K + 0x10,
			     ES_RAM + 3 * ES_2M + (i + 1) * ES_4K, true);
	}
	es_expect_pa(test_ctx, 12 * ES_1G, ES_UART, true);
	/* Translation faults where the walk ends: levels 1, 2 and 3. */
	es_expect_fault(test_ctx, 5 * ES_1G, false, ES_FST_TRANSLATION(1));
	es_expect_fault(test_ctx, 8 * ES_1G + ES_2M, false,
			ES_FST_TRANSLATION(2));
	es_expect_fault(test_ctx, pg - ES_4K, false, ES_FST_TRANSLATION(3));
	es_expect_fault(test_ctx, pg + 3 * ES_4K, true, ES_FST_TRANSLATION(3));
	es_teardown();
}

/** After split, collapse, relax, unmap and remap (with their real TLBIs) the hardware sees the new state. */
TEST(el2_stage2, hardware_sees_every_update)
{
	uint64_t blk = 2 * ES_1G;
	uint64_t ro = 3 * ES_1G + 4 * ES_2M;
	int ret;

	ASSERT_EQ_INT(es_setup(40), 0);
	ASSERT_EQ_INT(es_map(blk, ES_1G, ES_RAM, ES_RW), 0);
	ASSERT_EQ_INT(es_map(ro, ES_2M, ES_RAM + ES_2M, STAGE2_PROT_R), 0);
	es_expect_pa(test_ctx, blk + 5 * ES_2M + 0x3000,
		     ES_RAM + 5 * ES_2M + 0x3000, true);
	es_expect_fault(test_ctx, ro, true, ES_FST_PERMISSION(2));

	/* Split twice: same translations through a level-3 page. */
	stage2_write_lock(&es_pgt);
	ret = stage2_split(&es_pgt, blk + 5 * ES_2M, &es_pool,
			   STAGE2_SCOPE_INNER_SHAREABLE, 0, NULL);
	EXPECT_EQ_INT(ret, 0);
	ret = stage2_split(&es_pgt, blk + 5 * ES_2M, &es_pool,
			   STAGE2_SCOPE_INNER_SHAREABLE, 0, NULL);
	stage2_write_unlock(&es_pgt);
	EXPECT_EQ_INT(ret, 0);
	es_expect_pa(test_ctx, blk + 5 * ES_2M + 0x3000,
		     ES_RAM + 5 * ES_2M + 0x3000, true);
	es_expect_pa(test_ctx, blk + 9 * ES_2M, ES_RAM + 9 * ES_2M, true);

	/* Unmap one page: a level-3 translation fault, the rest stays. */
	stage2_write_lock(&es_pgt);
	ret = stage2_unmap(&es_pgt, blk + 5 * ES_2M + 0x3000, ES_4K,
			   STAGE2_SCOPE_INNER_SHAREABLE, NULL);
	stage2_write_unlock(&es_pgt);
	EXPECT_EQ_INT(ret, 0);
	es_expect_fault(test_ctx, blk + 5 * ES_2M + 0x3000, false,
			ES_FST_TRANSLATION(3));
	es_expect_pa(test_ctx, blk + 5 * ES_2M + 0x4000,
		     ES_RAM + 5 * ES_2M + 0x4000, true);

	/* Map it back, then collapse to the original 1 GiB block. */
	ASSERT_EQ_INT(es_map(blk + 5 * ES_2M + 0x3000, ES_4K,
			     ES_RAM + 5 * ES_2M + 0x3000, ES_RW),
		      0);
	stage2_write_lock(&es_pgt);
	ret = stage2_collapse(&es_pgt, blk + 5 * ES_2M, 2,
			      STAGE2_SCOPE_INNER_SHAREABLE, NULL);
	EXPECT_EQ_INT(ret, 0);
	ret = stage2_collapse(&es_pgt, blk, 1, STAGE2_SCOPE_INNER_SHAREABLE,
			      NULL);
	stage2_write_unlock(&es_pgt);
	EXPECT_EQ_INT(ret, 0);
	es_expect_pa(test_ctx, blk + 5 * ES_2M + 0x3000,
		     ES_RAM + 5 * ES_2M + 0x3000, true);

	/* Remap with break-before-make to another PA. */
	ASSERT_EQ_INT(es_map(blk, ES_1G, ES_RAM + ES_1G, ES_RW), 0);
	es_expect_pa(test_ctx, blk + 0x123000, ES_RAM + ES_1G + 0x123000, true);

	/* Relax the read-only block: writes now go through. */
	stage2_read_lock(&es_pgt);
	ret = stage2_relax_perms(&es_pgt, ro + 0x5000, STAGE2_PROT_W,
				 STAGE2_SCOPE_INNER_SHAREABLE, STAGE2_SHARED,
				 NULL);
	stage2_read_unlock(&es_pgt);
	EXPECT_EQ_INT(ret, 0);
	es_expect_pa(test_ctx, ro + 0x5000, ES_RAM + ES_2M + 0x5000, true);
	es_teardown();
}

/** A 48-bit table starts at level 0: the hardware walks four levels and faults at level 0 where nothing is mapped. */
TEST(el2_stage2, hardware_walks_a_48_bit_table)
{
	uint64_t top = UINT64_C(1) << 48;
	uint64_t half = UINT64_C(1) << 47;

	ASSERT_EQ_INT(es_setup(48), 0);
	ASSERT_EQ_INT(es_map(half + ES_1G, ES_1G, ES_RAM, ES_RW), 0);
	ASSERT_EQ_INT(
		es_map(top - ES_4K, ES_4K, ES_RAM + 0x7000, STAGE2_PROT_R), 0);
	es_expect_pa(test_ctx, half + ES_1G + 0x2345678, ES_RAM + 0x2345678,
		     true);
	es_expect_pa(test_ctx, top - 8, ES_RAM + 0x7ff8, false);
	es_expect_fault(test_ctx, top - 8, true, ES_FST_PERMISSION(3));
	es_expect_fault(test_ctx, ES_1G, false, ES_FST_TRANSLATION(0));
	es_expect_fault(test_ctx, half, false, ES_FST_TRANSLATION(1));
	es_expect_fault(test_ctx, top - ES_2M, false, ES_FST_TRANSLATION(3));
	stage2_write_lock(&es_pgt);
	EXPECT_EQ_INT(stage2_unmap(&es_pgt, half, half,
				   STAGE2_SCOPE_INNER_SHAREABLE, NULL),
		      0);
	stage2_write_unlock(&es_pgt);
	es_expect_fault(test_ctx, half + ES_1G, false, ES_FST_TRANSLATION(0));
	es_expect_fault(test_ctx, top - 8, false, ES_FST_TRANSLATION(0));
	es_teardown();
}

/** For every root shape (start levels 2, 1 and 0, 1 to 16 concatenated pages) the hardware finds the first block and the last page. */
TEST(el2_stage2, every_root_shape)
{
	static const unsigned sizes[] = {32, 33, 34, 35, 39,
					 40, 42, 43, 44, 48};

	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++) {
		uint64_t top = UINT64_C(1) << sizes[i];

		ASSERT_EQ_INT(es_setup(sizes[i]), 0);
		ASSERT_EQ_INT(es_map(0, ES_2M, ES_RAM + ES_2M, ES_RW), 0);
		ASSERT_EQ_INT(es_map(top - ES_4K, ES_4K, ES_RAM + 0x5000,
				     STAGE2_PROT_R),
			      0);
		ASSERT_EQ_INT(
			es_map(top / 2 + ES_4K, ES_4K, ES_RAM + 0x9000, ES_RW),
			0);
		es_expect_pa(test_ctx, 0x1234, ES_RAM + ES_2M + 0x1234, true);
		es_expect_pa(test_ctx, top - 8, ES_RAM + 0x5ff8, false);
		es_expect_pa(test_ctx, top / 2 + ES_4K, ES_RAM + 0x9000, true);
		es_expect_fault(test_ctx, top / 2, false,
				ES_FST_TRANSLATION(3));
		if (test_ctx->failures != 0) {
			test_fail(test_ctx, __FILE__, __LINE__, "ia_bits %u",
				  sizes[i]);
			es_teardown();
			return;
		}
		es_teardown();
	}
}
