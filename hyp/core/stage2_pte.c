/* Stage-2 descriptor encoding (stage2_pte.h). */
#include <faultline/stage2_pte.h>

/* Bits a permission-only change may touch. */
#define S2_PTE_PERM_BITS (S2_PTE_S2AP_R | S2_PTE_S2AP_W | S2_PTE_XN)

stage2_pte_t stage2_pte_leaf(paddr_t pa, unsigned prot, unsigned level)
{
	uint64_t mask = ~(stage2_level_size(level) - 1) & S2_PTE_OA_MASK;
	stage2_pte_t pte = (pa_addr(pa) & mask) | S2_PTE_VALID | S2_PTE_AF;
	uint64_t attr;

	if (level == S2_LEAF_LEVEL) {
		pte |= S2_PTE_TYPE; /* the "page" encoding */
	}
	if (prot & STAGE2_PROT_DEVICE) {
		attr = S2_MEMATTR_DEVICE_nGnRE;
	} else if (prot & STAGE2_PROT_NORMAL_NC) {
		attr = S2_MEMATTR_NORMAL_NC;
	} else {
		attr = S2_MEMATTR_NORMAL_WB;
	}
	pte |= attr << S2_PTE_MEMATTR_SHIFT;
	/* Shareability is ignored for Device memory; inner for the rest. */
	if (!(prot & STAGE2_PROT_DEVICE)) {
		pte |= S2_PTE_SH_INNER;
	}
	if (prot & STAGE2_PROT_R) {
		pte |= S2_PTE_S2AP_R;
	}
	if (prot & STAGE2_PROT_W) {
		pte |= S2_PTE_S2AP_W;
	}
	if (!(prot & STAGE2_PROT_X)) {
		pte |= S2_PTE_XN;
	}
	return pte;
}

stage2_pte_t stage2_pte_table(paddr_t pa)
{
	return (pa_addr(pa) & S2_PTE_OA_MASK) | S2_PTE_VALID | S2_PTE_TYPE;
}

paddr_t stage2_pte_oa(stage2_pte_t pte, unsigned level)
{
	if (stage2_pte_is_table(pte, level)) {
		return pa_init(pte & S2_PTE_OA_MASK);
	}
	return pa_init(pte & S2_PTE_OA_MASK & ~(stage2_level_size(level) - 1));
}

unsigned stage2_pte_prot(stage2_pte_t pte)
{
	uint64_t attr = (pte & S2_PTE_MEMATTR_MASK) >> S2_PTE_MEMATTR_SHIFT;
	unsigned prot = 0;

	if (pte & S2_PTE_S2AP_R) {
		prot |= STAGE2_PROT_R;
	}
	if (pte & S2_PTE_S2AP_W) {
		prot |= STAGE2_PROT_W;
	}
	if (!(pte & S2_PTE_XN)) {
		prot |= STAGE2_PROT_X;
	}
	if (attr == S2_MEMATTR_DEVICE_nGnRE) {
		prot |= STAGE2_PROT_DEVICE;
	} else if (attr == S2_MEMATTR_NORMAL_NC) {
		prot |= STAGE2_PROT_NORMAL_NC;
	}
	return prot;
}

bool stage2_pte_perm_only_change(stage2_pte_t a, stage2_pte_t b)
{
	return a != b && stage2_pte_valid(a) && stage2_pte_valid(b) &&
	       (a & ~S2_PTE_PERM_BITS) == (b & ~S2_PTE_PERM_BITS);
}
