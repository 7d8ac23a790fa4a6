/*
 * The EL2 registers that select a stage-2 table: VTCR_EL2 from the table's
 * shape, VTTBR_EL2 from its root and VMID.
 */
#ifndef FAULTLINE_AARCH64_STAGE2_REGS_H
#define FAULTLINE_AARCH64_STAGE2_REGS_H

#include <faultline/stage2.h>

/**
 * VTCR_EL2 for @pgt (Arm ARM D19.2 VTCR_EL2): T0SZ from the IPA size, SL0
 * from the start level (4 KiB granule), walks Inner Shareable and
 * Write-Back cacheable, PS from ID_AA64MMFR0_EL1.PARange capped at 48
 * bits, 16-bit VMIDs when the CPU has them.
 */
uint64_t stage2_regs_vtcr(const struct stage2_pgtable *pgt);

#endif /* FAULTLINE_AARCH64_STAGE2_REGS_H */
