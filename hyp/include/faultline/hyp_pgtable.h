/*
 * Page tables for the hypervisor's own EL2 stage 1 translation regime
 * (HCR_EL2.E2H == 0: one VA range through TTBR0_EL2), VMSAv8-64 format,
 * 4 KiB granule, 48-bit VA, lookup levels 0 to 3.
 *
 * The descriptor format is the architecture's, not an arch-layer detail:
 * faultline studies that format, so the host tests check the real bits.
 */
#ifndef FAULTLINE_HYP_PGTABLE_H
#define FAULTLINE_HYP_PGTABLE_H

#include <faultline/page_pool.h>
#include <faultline/types.h>

/** VA bits of the EL2 regime (TCR_EL2.T0SZ = 64 - HYP_VA_BITS). */
#define HYP_VA_BITS 48

/*
 * MAIR_EL2 attribute indices used by the hypervisor's mappings; the arch
 * writes HYP_MAIR_VALUE to MAIR_EL2 (Arm ARM D19.2 MAIR_EL2).
 */
/** AttrIndx of Device-nGnRE memory (MMIO). */
#define HYP_MAIR_IDX_DEVICE 0
/** AttrIndx of Normal Write-Back, Read/Write-Allocate memory (RAM). */
#define HYP_MAIR_IDX_NORMAL 1
/** AttrIndx of Normal Non-cacheable memory. */
#define HYP_MAIR_IDX_NORMAL_NC 2
/** MAIR_EL2: attr0 = 0x04 (nGnRE), attr1 = 0xff (WB RWA), attr2 = 0x44 (NC). */
#define HYP_MAIR_VALUE UINT64_C(0x000000000044ff04)

/** Permission and memory-type flags of a mapping. */
enum hyp_prot {
	/** Readable (always set for a valid mapping). */
	HYP_PROT_R = 1u << 0,
	/** Writable. Never together with HYP_PROT_X (SCTLR_EL2.WXN is set). */
	HYP_PROT_W = 1u << 1,
	/** Executable at EL2. */
	HYP_PROT_X = 1u << 2,
	/** Device-nGnRE memory instead of Normal Write-Back. */
	HYP_PROT_DEVICE = 1u << 3,
};

/** Read-only, executable Normal memory: hypervisor text. */
#define HYP_PROT_TEXT (HYP_PROT_R | HYP_PROT_X)
/** Read-only Normal memory: hypervisor rodata. */
#define HYP_PROT_RODATA (HYP_PROT_R)
/** Read-write, execute-never Normal memory: data, bss, stacks, RAM. */
#define HYP_PROT_DATA (HYP_PROT_R | HYP_PROT_W)
/** Read-write, execute-never Device memory: MMIO. */
#define HYP_PROT_MMIO (HYP_PROT_R | HYP_PROT_W | HYP_PROT_DEVICE)

/** One EL2 stage 1 page table. */
struct hyp_pgtable {
	/** Level-0 table, accessible to the code building it. */
	uint64_t *root;
	/** Physical address of the level-0 table (the TTBR0_EL2 value). */
	paddr_t root_pa;
	/** Where table pages come from. */
	struct page_pool *pool;
};

/** Result of a software walk of a hyp_pgtable. */
struct hyp_pgtable_entry {
	/** Output address of the looked-up VA. */
	paddr_t pa;
	/** HYP_PROT_* of the leaf. */
	unsigned prot;
	/** Lookup level of the leaf: 1 (1 GiB), 2 (2 MiB) or 3 (4 KiB). */
	unsigned level;
	/** The raw leaf descriptor. */
	uint64_t desc;
};

/** Allocates an empty root table from @pool. Returns 0 or -ERR_NOMEM. */
int hyp_pgtable_init(struct hyp_pgtable *pgt, struct page_pool *pool);

/**
 * Maps [@va, @va + @size) to [@pa, @pa + @size) with @prot, using 1 GiB and
 * 2 MiB blocks where the VA, the PA and the remaining size allow, pages
 * elsewhere. All three must be page aligned. A VA that is already mapped to
 * the same PA with the same @prot is accepted; any other existing mapping
 * gives -ERR_EXIST (the tables are built once, never changed live).
 * Returns 0, -ERR_INVAL, -ERR_RANGE (VA or PA beyond 48 bits, or W with X),
 * -ERR_EXIST or -ERR_NOMEM (pool exhausted; the table may then hold part of
 * the range).
 */
int hyp_pgtable_map(struct hyp_pgtable *pgt, vaddr_t va, paddr_t pa,
		    uint64_t size, unsigned prot);

/**
 * Walks @pgt in software for @va. Returns 0 with *@out filled, -ERR_NOENT
 * when @va is not mapped, or -ERR_INVAL when a table entry points outside
 * the pool (a corrupt table).
 */
int hyp_pgtable_lookup(const struct hyp_pgtable *pgt, vaddr_t va,
		       struct hyp_pgtable_entry *out);

/** Encodes a leaf descriptor for @pa with @prot at @level (1, 2 or 3). */
uint64_t hyp_pgtable_leaf_desc(paddr_t pa, unsigned prot, unsigned level);

/** Decodes the HYP_PROT_* flags of leaf descriptor @desc. */
unsigned hyp_pgtable_desc_prot(uint64_t desc);

#endif /* FAULTLINE_HYP_PGTABLE_H */
