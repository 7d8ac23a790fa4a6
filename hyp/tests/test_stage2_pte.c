/*
 * Stage-2 descriptors (stage2_pte.c) against the VMSAv8-64 stage-2 format
 * (Arm ARM D8.3, 4 KiB granule), with the bits spelled out here
 * independently of stage2_pte.h.
 */
#include <faultline/stage2_pte.h>
#include <faultline/test.h>

#define D_VALID (UINT64_C(1) << 0)
#define D_TYPE (UINT64_C(1) << 1)
#define D_MEMATTR(x) ((uint64_t)(x) << 2)
#define D_MEMATTR_MASK D_MEMATTR(0xf)
#define D_S2AP_R (UINT64_C(1) << 6)
#define D_S2AP_W (UINT64_C(1) << 7)
#define D_SH_MASK (UINT64_C(3) << 8)
#define D_SH_INNER (UINT64_C(3) << 8)
#define D_AF (UINT64_C(1) << 10)
#define D_XN (UINT64_C(1) << 54)

/* MemAttr[3:0] with HCR_EL2.FWB == 0. */
#define D_ATTR_NORMAL_WB 0xf
#define D_ATTR_NORMAL_NC 0x5
#define D_ATTR_DEVICE_nGnRE 0x1

/* No memory-type bit in enum stage2_prot: Normal write-back. */
#define PTE_NORMAL_WB 0u

/* An output address with high and low bits set, aligned for each level. */
static const uint64_t pte_pa[] = {
	0,
	UINT64_C(0x0000812340000000),
	UINT64_C(0x0000812345600000),
	UINT64_C(0x0000812345678000),
};

/* The memory types a mapping can have. */
static const unsigned pte_types[] = {0, STAGE2_PROT_NORMAL_NC,
				     STAGE2_PROT_DEVICE};

/* The leaf the Arm ARM wants for @pa, @prot at @level, built bit by bit. */
static uint64_t pte_expected(uint64_t pa, unsigned prot, unsigned level)
{
	uint64_t d = pa | D_VALID | D_AF;

	if (level == 3) {
		d |= D_TYPE;
	}
	if (prot & STAGE2_PROT_DEVICE) {
		d |= D_MEMATTR(D_ATTR_DEVICE_nGnRE);
	} else if (prot & STAGE2_PROT_NORMAL_NC) {
		d |= D_MEMATTR(D_ATTR_NORMAL_NC) | D_SH_INNER;
	} else {
		d |= D_MEMATTR(D_ATTR_NORMAL_WB) | D_SH_INNER;
	}
	if (prot & STAGE2_PROT_R) {
		d |= D_S2AP_R;
	}
	if (prot & STAGE2_PROT_W) {
		d |= D_S2AP_W;
	}
	if (!(prot & STAGE2_PROT_X)) {
		d |= D_XN;
	}
	return d;
}

/** Every leaf has exactly the Arm ARM bits for each permission, memory type and level. */
TEST(stage2_pte, leaf_bits_for_every_prot_and_level)
{
	for (unsigned level = 1; level <= 3; level++) {
		for (unsigned t = 0; t < 3; t++) {
			for (unsigned rwx = 0; rwx < 8; rwx++) {
				unsigned prot = rwx | pte_types[t];
				uint64_t want = pte_expected(pte_pa[level],
							     prot, level);
				uint64_t got = stage2_pte_leaf(
					pa_init(pte_pa[level]), prot, level);

				/* SH is ignored for Device memory. */
				if (prot & STAGE2_PROT_DEVICE) {
					got &= ~D_SH_MASK;
				}
				if (!EXPECT_EQ(got, want)) {
					test_fail(test_ctx, __FILE__, __LINE__,
						  "level %u prot 0x%x", level,
						  prot);
				}
			}
		}
	}
}

/** Bit 1 is set only in level-3 pages: blocks at levels 1 and 2 have it clear. */
TEST(stage2_pte, type_bit_only_for_pages)
{
	EXPECT_EQ(stage2_pte_leaf(pa_init(pte_pa[1]), STAGE2_PROT_R, 1) & 3, 1);
	EXPECT_EQ(stage2_pte_leaf(pa_init(pte_pa[2]), STAGE2_PROT_R, 2) & 3, 1);
	EXPECT_EQ(stage2_pte_leaf(pa_init(pte_pa[3]), STAGE2_PROT_R, 3) & 3, 3);
}

/** MemAttr is 0b1111 for Normal WB, 0b0101 for Normal NC and 0b0001 for Device-nGnRE. */
TEST(stage2_pte, memattr_field)
{
	uint64_t pa = pte_pa[3];

	EXPECT_EQ(stage2_pte_leaf(pa_init(pa), PTE_NORMAL_WB, 3) &
			  D_MEMATTR_MASK,
		  D_MEMATTR(0xf));
	EXPECT_EQ(stage2_pte_leaf(pa_init(pa), STAGE2_PROT_NORMAL_NC, 3) &
			  D_MEMATTR_MASK,
		  D_MEMATTR(0x5));
	EXPECT_EQ(stage2_pte_leaf(pa_init(pa), STAGE2_PROT_DEVICE, 3) &
			  D_MEMATTR_MASK,
		  D_MEMATTR(0x1));
	/* Normal memory is inner shareable; AF is always set. */
	EXPECT_EQ(stage2_pte_leaf(pa_init(pa), PTE_NORMAL_WB, 3) & D_SH_MASK,
		  D_SH_INNER);
	EXPECT_EQ(stage2_pte_leaf(pa_init(pa), STAGE2_PROT_DEVICE, 3) & D_AF,
		  D_AF);
}

/** A table descriptor is the next table's PA with bits 1:0 = 0b11 and nothing else. */
TEST(stage2_pte, table_descriptor)
{
	uint64_t pa = UINT64_C(0x0000fedcba987000);
	stage2_pte_t t = stage2_pte_table(pa_init(pa));

	EXPECT_EQ(t, pa | 3);
	for (unsigned level = 0; level < 3; level++) {
		EXPECT_TRUE(stage2_pte_is_table(t, level));
		EXPECT_TRUE(!stage2_pte_is_leaf(t, level));
		EXPECT_EQ(pa_addr(stage2_pte_oa(t, level)), pa);
	}
	/* At level 3 the same encoding is a page. */
	EXPECT_TRUE(!stage2_pte_is_table(t, 3));
	EXPECT_TRUE(stage2_pte_is_leaf(t, 3));
}

/** stage2_pte_oa() gives back the PA of a leaf at every level, all 36 address bits included. */
TEST(stage2_pte, oa_round_trip)
{
	for (unsigned level = 1; level <= 3; level++) {
		uint64_t top = UINT64_C(0x0000ffffffffffff) &
			       ~(stage2_level_size(level) - 1);
		uint64_t pas[] = {pte_pa[level], top, 0};

		for (unsigned i = 0; i < 3; i++) {
			stage2_pte_t d = stage2_pte_leaf(
				pa_init(pas[i]), STAGE2_PROT_RWX, level);

			EXPECT_EQ(pa_addr(stage2_pte_oa(d, level)), pas[i]);
		}
	}
}

/** stage2_pte_prot() gives back the permissions and memory type of every leaf. */
TEST(stage2_pte, prot_round_trip)
{
	for (unsigned level = 1; level <= 3; level++) {
		for (unsigned t = 0; t < 3; t++) {
			for (unsigned rwx = 0; rwx < 8; rwx++) {
				unsigned prot = rwx | pte_types[t];
				stage2_pte_t d = stage2_pte_leaf(
					pa_init(pte_pa[level]), prot, level);

				EXPECT_EQ(stage2_pte_prot(d), prot);
			}
		}
	}
}

/** Level shifts and sizes are 39/30/21/12 bits: 512 GiB, 1 GiB, 2 MiB, 4 KiB. */
TEST(stage2_pte, level_sizes)
{
	EXPECT_EQ(stage2_level_shift(0), 39);
	EXPECT_EQ(stage2_level_shift(1), 30);
	EXPECT_EQ(stage2_level_shift(2), 21);
	EXPECT_EQ(stage2_level_shift(3), 12);
	EXPECT_EQ(stage2_level_size(1), UINT64_C(0x40000000));
	EXPECT_EQ(stage2_level_size(2), UINT64_C(0x200000));
	EXPECT_EQ(stage2_level_size(3), UINT64_C(0x1000));
}

/** The locked entry is invalid to the hardware and recognised; zero is neither valid nor locked. */
TEST(stage2_pte, locked_entry)
{
	EXPECT_TRUE(!stage2_pte_valid(S2_PTE_LOCKED));
	EXPECT_TRUE(stage2_pte_locked(S2_PTE_LOCKED));
	EXPECT_EQ(S2_PTE_LOCKED & D_VALID, 0);
	EXPECT_TRUE(!stage2_pte_locked(0));
	EXPECT_TRUE(!stage2_pte_valid(0));
	for (unsigned level = 0; level <= 3; level++) {
		EXPECT_TRUE(!stage2_pte_is_table(S2_PTE_LOCKED, level));
		EXPECT_TRUE(!stage2_pte_is_leaf(S2_PTE_LOCKED, level));
	}
	/* A valid leaf is never mistaken for the locked entry. */
	EXPECT_TRUE(!stage2_pte_locked(
		stage2_pte_leaf(pa_init(pte_pa[3]), STAGE2_PROT_RWX, 3)));
}

/** Only two valid leaves that differ in S2AP or XN alone are a permission-only change. */
TEST(stage2_pte, perm_only_change)
{
	paddr_t pa = pa_init(pte_pa[3]);
	stage2_pte_t ro = stage2_pte_leaf(pa, STAGE2_PROT_R, 3);
	stage2_pte_t rw = stage2_pte_leaf(pa, STAGE2_PROT_R | STAGE2_PROT_W, 3);
	stage2_pte_t rx = stage2_pte_leaf(pa, STAGE2_PROT_R | STAGE2_PROT_X, 3);
	stage2_pte_t none = stage2_pte_leaf(pa, 0, 3);
	stage2_pte_t other_pa =
		stage2_pte_leaf(pa_add(pa, 0x1000), STAGE2_PROT_R, 3);
	stage2_pte_t nc =
		stage2_pte_leaf(pa, STAGE2_PROT_R | STAGE2_PROT_NORMAL_NC, 3);
	stage2_pte_t dev =
		stage2_pte_leaf(pa, STAGE2_PROT_R | STAGE2_PROT_DEVICE, 3);
	stage2_pte_t block =
		stage2_pte_leaf(pa_init(pte_pa[2]), PTE_NORMAL_WB, 2);
	stage2_pte_t block_rw =
		stage2_pte_leaf(pa_init(pte_pa[2]), STAGE2_PROT_RWX, 2);

	EXPECT_TRUE(stage2_pte_perm_only_change(ro, rw));
	EXPECT_TRUE(stage2_pte_perm_only_change(rw, ro));
	EXPECT_TRUE(stage2_pte_perm_only_change(ro, rx));
	EXPECT_TRUE(stage2_pte_perm_only_change(none, rw));
	EXPECT_TRUE(stage2_pte_perm_only_change(block, block_rw));
	/* Identical leaves change nothing. */
	EXPECT_TRUE(!stage2_pte_perm_only_change(ro, ro));
	/* Address, memory type and level are not permissions. */
	EXPECT_TRUE(!stage2_pte_perm_only_change(ro, other_pa));
	EXPECT_TRUE(!stage2_pte_perm_only_change(ro, nc));
	EXPECT_TRUE(!stage2_pte_perm_only_change(ro, dev));
	EXPECT_TRUE(!stage2_pte_perm_only_change(block, ro));
	/* Invalid or locked entries are never a permission change. */
	EXPECT_TRUE(!stage2_pte_perm_only_change(0, ro));
	EXPECT_TRUE(!stage2_pte_perm_only_change(ro, 0));
	EXPECT_TRUE(!stage2_pte_perm_only_change(S2_PTE_LOCKED, ro));
	EXPECT_TRUE(!stage2_pte_perm_only_change(ro & ~D_VALID, rw & ~D_VALID));
}
