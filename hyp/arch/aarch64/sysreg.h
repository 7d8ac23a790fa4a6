/*
 * System register access and the bits faultline sets (Arm ARM DDI 0487,
 * chapter D19/D24 register descriptions). Private to hyp/arch/aarch64.
 */
#ifndef FAULTLINE_AARCH64_SYSREG_H
#define FAULTLINE_AARCH64_SYSREG_H

#ifndef __ASSEMBLER__
#include <stdint.h>

/** Reads system register @reg. */
#define read_sysreg(reg)                                                     \
	({                                                                   \
		uint64_t v_;                                                 \
		__asm__ volatile("mrs %0, " #reg : "=r"(v_));                \
		v_;                                                          \
	})

/** Writes @val to system register @reg. */
#define write_sysreg(val, reg)                                               \
	do {                                                                 \
		uint64_t v_ = (uint64_t)(val);                               \
		__asm__ volatile("msr " #reg ", %0" : : "r"(v_) : "memory"); \
	} while (0)

/** Instruction synchronization barrier. */
#define isb() __asm__ volatile("isb" : : : "memory")
/** Data synchronization barrier with domain @opt (sy, ish, nsh, ...). */
#define dsb(opt) __asm__ volatile("dsb " #opt : : : "memory")
#endif

/* SCTLR_EL2 with HCR_EL2.E2H == 0. */
#define SCTLR_EL2_M (1 << 0)
#define SCTLR_EL2_C (1 << 2)
#define SCTLR_EL2_SA (1 << 3)
#define SCTLR_EL2_I (1 << 12)
#define SCTLR_EL2_WXN (1 << 19)
/* Bits 4, 5, 11, 16, 18, 22, 23, 28, 29 are RES1 when E2H == 0. */
#define SCTLR_EL2_RES1 0x30c50830
/** SCTLR_EL2 for the runtime: MMU, caches, SP alignment check, W^X. */
#define SCTLR_EL2_MMU_ON                                                     \
	(SCTLR_EL2_RES1 | SCTLR_EL2_M | SCTLR_EL2_C | SCTLR_EL2_SA |         \
	 SCTLR_EL2_I | SCTLR_EL2_WXN)
/** SCTLR_EL2 with the MMU and caches off. */
#define SCTLR_EL2_MMU_OFF (SCTLR_EL2_RES1 | SCTLR_EL2_SA)

/* TCR_EL2 with E2H == 0 (one VA range, TTBR0_EL2). */
#define TCR_EL2_RES1 ((1 << 31) | (1 << 23))
#define TCR_EL2_PS_SHIFT 16
#define TCR_EL2_TG0_4K (0 << 14)
#define TCR_EL2_SH0_INNER (3 << 12)
#define TCR_EL2_ORGN0_WBWA (1 << 10)
#define TCR_EL2_IRGN0_WBWA (1 << 8)

/* HCR_EL2. */
#define HCR_EL2_RW (1 << 31)

/* ESR_ELx. */
#define ESR_EC_SHIFT 26
#define ESR_EC_MASK 0x3f
#define ESR_IL (1 << 25)
#define ESR_ISS_MASK 0x1ffffff

/* PSTATE.DAIF bits for msr daifset. */
#define DAIF_ALL 0xf

#endif /* FAULTLINE_AARCH64_SYSREG_H */
