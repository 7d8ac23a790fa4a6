/*
 * The first half of a greedy identity map (seed 000): the largest
 * block-aligned range around an address that one leaf could map.
 */
#include <faultline/err.h>

#include "stage2_internal.h"

/* Entries per table below the root. */
#define S2_ENTRIES 512u

int stage2_find_compatible_range(struct stage2_pgtable *pgt, uint64_t addr,
				 const struct mem_range *range,
				 struct mem_range *out, unsigned *level)
{
	const _Atomic uint64_t *table = pgt->root;
	unsigned entries = pgt->root_entries;
	uint64_t page = ALIGN_DOWN(addr, PAGE_SIZE);
	unsigned free_level;

	if ((addr >> pgt->ia_bits) != 0 || page < range->base ||
	    range->size < PAGE_SIZE ||
	    page + PAGE_SIZE - range->base > range->size) {
		return -ERR_RANGE;
	}
	/* Descend to the first entry for @addr that is not a table. */
	for (free_level = pgt->start_level;; free_level++) {
		const _Atomic uint64_t *ptep =
			&table[(addr >> stage2_level_shift(free_level)) &
			       (entries - 1)];
		stage2_pte_t pte =
			atomic_load_explicit(ptep, memory_order_acquire);

		if (stage2_pte_locked(pte)) {
			return -ERR_AGAIN;
		}
		if (!stage2_pte_is_table(pte, free_level)) {
			if (stage2_pte_valid(pte)) {
				return -ERR_EXIST;
			}
			break;
		}
		table = stage2_table_ptr(pgt, stage2_pte_oa(pte, free_level));
		entries = S2_ENTRIES;
		if (table == NULL) {
			return -ERR_INVAL;
		}
	}
	/*
	 * The free entry covers a whole level's worth around @addr, so any
	 * block at this level or below it is unmapped: take the largest
	 * that lies inside @range.
	 */
	for (unsigned l = MAX(free_level, (unsigned)S2_BLOCK_MIN_LEVEL);
	     l <= S2_LEAF_LEVEL; l++) {
		uint64_t size = stage2_level_size(l);
		uint64_t start = ALIGN_DOWN(addr, size);

		if (start >= range->base &&
		    start + size - range->base <= range->size) {
			out->base = start;
			out->size = size;
			*level = l;
			return 0;
		}
	}
	return -ERR_RANGE;
}
