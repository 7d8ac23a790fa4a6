/* VTCR_EL2 for a stage-2 table (stage2_regs.h). */
#include "stage2_regs.h"
#include "sysreg.h"

#define VTCR_RES1 SYSREG_BIT(31)
#define VTCR_VS SYSREG_BIT(19)
#define VTCR_PS_SHIFT 16
#define VTCR_SH0_INNER (SYSREG_BIT(13) | SYSREG_BIT(12))
#define VTCR_ORGN0_WBWA SYSREG_BIT(10)
#define VTCR_IRGN0_WBWA SYSREG_BIT(8)
#define VTCR_SL0_SHIFT 6

uint64_t stage2_regs_vtcr(const struct stage2_pgtable *pgt)
{
	uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	uint64_t vmid_bits = (read_sysreg(id_aa64mmfr1_el1) >> 4) & 0xf;
	/* 4 KiB granule: SL0 0 starts at level 2, 1 at level 1, 2 at level 0. */
	uint64_t sl0 = 2 - pgt->start_level;
	uint64_t vtcr = VTCR_RES1 | VTCR_SH0_INNER | VTCR_ORGN0_WBWA |
			VTCR_IRGN0_WBWA | (sl0 << VTCR_SL0_SHIFT) |
			(64 - pgt->ia_bits);

	if (parange > 5) {
		parange = 5;
	}
	vtcr |= parange << VTCR_PS_SHIFT;
	if (vmid_bits == 2) {
		vtcr |= VTCR_VS;
	}
	return vtcr;
}
