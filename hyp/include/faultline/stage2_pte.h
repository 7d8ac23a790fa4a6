/*
 * VMSAv8-64 stage-2 descriptors, 4 KiB granule (Arm ARM D8.3
 * "Translation table descriptor formats", D8.4.2 stage 2 attributes).
 *
 *   bit  0       valid
 *   bit  1       table (levels 0-2) / page (level 3); clear for a block
 *   bits 5:2     MemAttr (stage 2, FWB == 0): 0b1111 Normal WB,
 *                0b0101 Normal NC, 0b0001 Device-nGnRE
 *   bits 7:6     S2AP: bit 6 read, bit 7 write
 *   bits 9:8     SH: 0b11 inner shareable
 *   bit  10      AF, always set (faultline takes no access-flag faults)
 *   bits 47:12   output address (block: 47:30 at level 1, 47:21 at level 2)
 *   bit  54      XN
 *   bit  57      faultline's LOCKED marker, only ever in an invalid entry
 *
 * An entry in memory is a _Atomic uint64_t: other CPUs (and the hardware
 * walker) read it while it changes.
 */
#ifndef FAULTLINE_STAGE2_PTE_H
#define FAULTLINE_STAGE2_PTE_H

#include <faultline/types.h>

/** A stage-2 descriptor value. */
typedef uint64_t stage2_pte_t;

/** Valid bit. */
#define S2_PTE_VALID (UINT64_C(1) << 0)
/** Table (levels 0-2) or page (level 3) encoding bit. */
#define S2_PTE_TYPE (UINT64_C(1) << 1)
/** MemAttr[3:0] field position. */
#define S2_PTE_MEMATTR_SHIFT 2
/** MemAttr[3:0] field. */
#define S2_PTE_MEMATTR_MASK (UINT64_C(0xf) << S2_PTE_MEMATTR_SHIFT)
/** MemAttr: Normal, Inner and Outer Write-Back cacheable. */
#define S2_MEMATTR_NORMAL_WB UINT64_C(0xf)
/** MemAttr: Normal, Inner and Outer Non-cacheable. */
#define S2_MEMATTR_NORMAL_NC UINT64_C(0x5)
/** MemAttr: Device-nGnRE. */
#define S2_MEMATTR_DEVICE_nGnRE UINT64_C(0x1)
/** S2AP[0]: reads allowed. */
#define S2_PTE_S2AP_R (UINT64_C(1) << 6)
/** S2AP[1]: writes allowed. */
#define S2_PTE_S2AP_W (UINT64_C(1) << 7)
/** SH: inner shareable. */
#define S2_PTE_SH_INNER (UINT64_C(3) << 8)
/** Access flag. */
#define S2_PTE_AF (UINT64_C(1) << 10)
/** Execute-never (XN[1] without FEAT_XNX: never executable). */
#define S2_PTE_XN (UINT64_C(1) << 54)
/** Output address bits of a page or table descriptor. */
#define S2_PTE_OA_MASK UINT64_C(0x0000fffffffff000)
/**
 * The "locked" entry of break-before-make: invalid to the hardware (bit 0
 * clear), and recognisable by software walkers, which back off from it.
 */
#define S2_PTE_LOCKED (UINT64_C(1) << 57)

/** Smallest level at which a block is allowed (4 KiB granule: 1 GiB). */
#define S2_BLOCK_MIN_LEVEL 1
/** The last level: pages. */
#define S2_LEAF_LEVEL 3

/** Permissions and memory type of a mapping. */
enum stage2_prot {
	STAGE2_PROT_R = 1u << 0,
	STAGE2_PROT_W = 1u << 1,
	STAGE2_PROT_X = 1u << 2,
	/** Device-nGnRE instead of Normal Write-Back. */
	STAGE2_PROT_DEVICE = 1u << 3,
	/** Normal Non-cacheable instead of Normal Write-Back. */
	STAGE2_PROT_NORMAL_NC = 1u << 4,
};

/** The read/write/execute bits of enum stage2_prot. */
#define STAGE2_PROT_RWX (STAGE2_PROT_R | STAGE2_PROT_W | STAGE2_PROT_X)

/** log2 of the bytes one entry at @level maps: 39, 30, 21 or 12. */
static inline unsigned stage2_level_shift(unsigned level)
{
	return PAGE_SHIFT + 9 * (S2_LEAF_LEVEL - level);
}

/** Bytes one entry at @level maps. */
static inline uint64_t stage2_level_size(unsigned level)
{
	return UINT64_C(1) << stage2_level_shift(level);
}

/** True when @pte is valid (hardware-visible). */
static inline bool stage2_pte_valid(stage2_pte_t pte)
{
	return (pte & S2_PTE_VALID) != 0;
}

/** True when @pte is the locked entry of a break-before-make in progress. */
static inline bool stage2_pte_locked(stage2_pte_t pte)
{
	return pte == S2_PTE_LOCKED;
}

/** True when @pte, found at @level, points to a next-level table. */
static inline bool stage2_pte_is_table(stage2_pte_t pte, unsigned level)
{
	return level < S2_LEAF_LEVEL && stage2_pte_valid(pte) &&
	       (pte & S2_PTE_TYPE) != 0;
}

/** True when @pte, found at @level, is a valid block or page. */
static inline bool stage2_pte_is_leaf(stage2_pte_t pte, unsigned level)
{
	return stage2_pte_valid(pte) && !stage2_pte_is_table(pte, level);
}

/**
 * Encodes a block (levels 1-2) or page (level 3) descriptor for @pa with
 * @prot. @pa must be aligned to the level's size.
 */
stage2_pte_t stage2_pte_leaf(paddr_t pa, unsigned prot, unsigned level);

/** Encodes a table descriptor for the next-level table at @pa. */
stage2_pte_t stage2_pte_table(paddr_t pa);

/** The output address of leaf or table @pte found at @level. */
paddr_t stage2_pte_oa(stage2_pte_t pte, unsigned level);

/** The enum stage2_prot bits of leaf @pte. */
unsigned stage2_pte_prot(stage2_pte_t pte);

/**
 * True when leaves @a and @b differ in nothing but their permissions
 * (S2AP, XN): the case seed 002 sends to the relax-permissions path.
 */
bool stage2_pte_perm_only_change(stage2_pte_t a, stage2_pte_t b);

#endif /* FAULTLINE_STAGE2_PTE_H */
