/*
 * EL2 stage 1 tables, VMSAv8-64, 4 KiB granule, four levels (Arm ARM D8.3
 * "Translation table descriptor formats"). The tables are built once,
 * before any CPU uses them, so plain stores suffice; live updates of
 * tables in use are the stage-2 library's business (break-before-make).
 */
#include <faultline/err.h>
#include <faultline/hyp_pgtable.h>

#define DESC_VALID (UINT64_C(1) << 0)
/* Bit 1: table (levels 0-2) or page (level 3); clear for a block. */
#define DESC_TABLE (UINT64_C(1) << 1)
#define DESC_ATTRIDX_SHIFT 2
#define DESC_ATTRIDX_MASK (UINT64_C(7) << DESC_ATTRIDX_SHIFT)
/* AP[1] is RES1 in a single-VA-range regime such as EL2 with E2H == 0. */
#define DESC_AP1 (UINT64_C(1) << 6)
/* AP[2]: read-only. */
#define DESC_AP2_RO (UINT64_C(1) << 7)
#define DESC_SH_INNER (UINT64_C(3) << 8)
#define DESC_AF (UINT64_C(1) << 10)
/* XN: bit 54 in a single-VA-range regime (PXN, bit 53, is RES0 there). */
#define DESC_XN (UINT64_C(1) << 54)
#define DESC_OA_MASK UINT64_C(0x0000fffffffff000)

#define PGT_ENTRIES 512
#define PGT_START_LEVEL 0
#define PGT_LEAF_LEVEL 3

/* log2 of the bytes one entry at @level maps: 39, 30, 21, 12. */
static unsigned pgt_shift(unsigned level)
{
	return PAGE_SHIFT + 9 * (PGT_LEAF_LEVEL - level);
}

static unsigned pgt_index(uint64_t va, unsigned level)
{
	return (unsigned)((va >> pgt_shift(level)) & (PGT_ENTRIES - 1));
}

uint64_t hyp_pgtable_leaf_desc(paddr_t pa, unsigned prot, unsigned level)
{
	uint64_t d =
		(pa_addr(pa) & DESC_OA_MASK) | DESC_VALID | DESC_AF | DESC_AP1;

	if (level == PGT_LEAF_LEVEL) {
		d |= DESC_TABLE; /* the "page" encoding */
	}
	if (prot & HYP_PROT_DEVICE) {
		d |= (uint64_t)HYP_MAIR_IDX_DEVICE << DESC_ATTRIDX_SHIFT;
	} else {
		d |= (uint64_t)HYP_MAIR_IDX_NORMAL << DESC_ATTRIDX_SHIFT;
		d |= DESC_SH_INNER;
	}
	if (!(prot & HYP_PROT_W)) {
		d |= DESC_AP2_RO;
	}
	if (!(prot & HYP_PROT_X)) {
		d |= DESC_XN;
	}
	return d;
}

unsigned hyp_pgtable_desc_prot(uint64_t desc)
{
	unsigned prot = HYP_PROT_R;
	uint64_t idx = (desc & DESC_ATTRIDX_MASK) >> DESC_ATTRIDX_SHIFT;

	if (!(desc & DESC_AP2_RO)) {
		prot |= HYP_PROT_W;
	}
	if (!(desc & DESC_XN)) {
		prot |= HYP_PROT_X;
	}
	if (idx == HYP_MAIR_IDX_DEVICE) {
		prot |= HYP_PROT_DEVICE;
	}
	return prot;
}

int hyp_pgtable_init(struct hyp_pgtable *pgt, struct page_pool *pool)
{
	pgt->pool = pool;
	pgt->root = page_pool_alloc(pool, &pgt->root_pa);
	return pgt->root == NULL ? -ERR_NOMEM : 0;
}

/* Returns the next-level table that table entry *@entry points to. */
static uint64_t *pgt_next_table(const struct hyp_pgtable *pgt, uint64_t entry)
{
	return page_pool_ptr(pgt->pool, pa_init(entry & DESC_OA_MASK));
}

static bool pgt_is_table(uint64_t entry, unsigned level)
{
	return level < PGT_LEAF_LEVEL && (entry & DESC_VALID) &&
	       (entry & DESC_TABLE);
}

static int pgt_map_level(struct hyp_pgtable *pgt, uint64_t *table,
			 unsigned level, uint64_t va, uint64_t pa,
			 uint64_t size, unsigned prot)
{
	uint64_t block = UINT64_C(1) << pgt_shift(level);

	while (size > 0) {
		uint64_t *entry = &table[pgt_index(va, level)];
		uint64_t chunk = block - (va & (block - 1));
		bool leaf_fits;
		int ret;

		if (chunk > size) {
			chunk = size;
		}
		/* Level 0 cannot hold a block with a 4 KiB granule. */
		leaf_fits = level >= 1 && chunk == block &&
			    IS_ALIGNED(pa, block) &&
			    !pgt_is_table(*entry, level);
		if (leaf_fits) {
			uint64_t desc =
				hyp_pgtable_leaf_desc(pa_init(pa), prot, level);

			if (*entry == 0) {
				*entry = desc;
			} else if (*entry != desc) {
				return -ERR_EXIST;
			}
		} else {
			uint64_t *next;

			if (*entry == 0) {
				paddr_t tpa;

				next = page_pool_alloc(pgt->pool, &tpa);
				if (next == NULL) {
					return -ERR_NOMEM;
				}
				*entry = pa_addr(tpa) | DESC_VALID | DESC_TABLE;
			} else if (!pgt_is_table(*entry, level)) {
				/*
				 * A block is already there. We never split
				 * (the tables are built once), but a range
				 * it already maps the same way is fine.
				 */
				uint64_t want = hyp_pgtable_leaf_desc(
					pa_init(pa - (va & (block - 1))), prot,
					level);

				if (*entry != want) {
					return -ERR_EXIST;
				}
				va += chunk;
				pa += chunk;
				size -= chunk;
				continue;
			}
			next = pgt_next_table(pgt, *entry);
			if (next == NULL) {
				return -ERR_INVAL;
			}
			ret = pgt_map_level(pgt, next, level + 1, va, pa, chunk,
					    prot);
			if (ret != 0) {
				return ret;
			}
		}
		va += chunk;
		pa += chunk;
		size -= chunk;
	}
	return 0;
}

int hyp_pgtable_map(struct hyp_pgtable *pgt, vaddr_t va, paddr_t pa,
		    uint64_t size, unsigned prot)
{
	uint64_t v = va_addr(va);
	uint64_t limit = UINT64_C(1) << HYP_VA_BITS;

	if (!IS_ALIGNED(v, PAGE_SIZE) || !IS_ALIGNED(pa_addr(pa), PAGE_SIZE) ||
	    !IS_ALIGNED(size, PAGE_SIZE) || size == 0 || !(prot & HYP_PROT_R)) {
		return -ERR_INVAL;
	}
	/* Output addresses are 48 bits too (TCR_EL2.PS is capped at 48). */
	if (v >= limit || size > limit - v || pa_addr(pa) >= limit ||
	    size > limit - pa_addr(pa) ||
	    ((prot & HYP_PROT_W) && (prot & HYP_PROT_X))) {
		return -ERR_RANGE;
	}
	return pgt_map_level(pgt, pgt->root, PGT_START_LEVEL, v, pa_addr(pa),
			     size, prot);
}

int hyp_pgtable_lookup(const struct hyp_pgtable *pgt, vaddr_t va,
		       struct hyp_pgtable_entry *out)
{
	const uint64_t *table = pgt->root;
	uint64_t v = va_addr(va);

	if (v >> HYP_VA_BITS) {
		return -ERR_NOENT;
	}
	for (unsigned level = PGT_START_LEVEL; level <= PGT_LEAF_LEVEL;
	     level++) {
		uint64_t entry = table[pgt_index(v, level)];
		uint64_t mask = (UINT64_C(1) << pgt_shift(level)) - 1;

		if (!(entry & DESC_VALID)) {
			return -ERR_NOENT;
		}
		if (pgt_is_table(entry, level)) {
			table = pgt_next_table(pgt, entry);
			if (table == NULL) {
				return -ERR_INVAL;
			}
			continue;
		}
		if (level == 0 ||
		    (level == PGT_LEAF_LEVEL && !(entry & DESC_TABLE))) {
			/* Reserved encodings. */
			return -ERR_INVAL;
		}
		out->pa = pa_init((entry & DESC_OA_MASK & ~mask) | (v & mask));
		out->prot = hyp_pgtable_desc_prot(entry);
		out->level = level;
		out->desc = entry;
		return 0;
	}
	return -ERR_INVAL;
}
