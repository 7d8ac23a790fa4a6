/*
 * System register access and the bits faultline sets (Arm ARM DDI 0487,
 * chapter D19/D24 register descriptions). Private to hyp/arch/aarch64.
 */
#ifndef FAULTLINE_AARCH64_SYSREG_H
#define FAULTLINE_AARCH64_SYSREG_H

/*
 * Register bits are unsigned in C (1 << 31 would overflow an int) and plain
 * numbers in assembly, which has no integer suffixes.
 */
#ifdef __ASSEMBLER__
#define SYSREG_BIT(n) (1 << (n))
#else
#define SYSREG_BIT(n) (UINT64_C(1) << (n))
#endif

#ifndef __ASSEMBLER__
#include <stdint.h>

/** Reads system register @reg. */
#define read_sysreg(reg)                                                       \
	({                                                                     \
		uint64_t r_;                                                   \
		__asm__ volatile("mrs %0, " #reg : "=r"(r_));                  \
		r_;                                                            \
	})

/** Writes @val to system register @reg. */
#define write_sysreg(val, reg)                                                 \
	do {                                                                   \
		uint64_t w_ = (uint64_t)(val);                                 \
		__asm__ volatile("msr " #reg ", %0" : : "r"(w_) : "memory");   \
	} while (0)

/** Instruction synchronization barrier. */
#define isb() __asm__ volatile("isb" : : : "memory")
/** Data synchronization barrier with domain @opt (sy, ish, nsh, ...). */
#define dsb(opt) __asm__ volatile("dsb " #opt : : : "memory")
#endif

/* SCTLR_EL2 with HCR_EL2.E2H == 0. */
#define SCTLR_EL2_M SYSREG_BIT(0)
#define SCTLR_EL2_C SYSREG_BIT(2)
#define SCTLR_EL2_SA SYSREG_BIT(3)
#define SCTLR_EL2_I SYSREG_BIT(12)
#define SCTLR_EL2_WXN SYSREG_BIT(19)
/* Bits 4, 5, 11, 16, 18, 22, 23, 28, 29 are RES1 when E2H == 0. */
#define SCTLR_EL2_RES1 0x30c50830
/** SCTLR_EL2 for the runtime: MMU, caches, SP alignment check, W^X. */
#define SCTLR_EL2_MMU_ON                                                       \
	(SCTLR_EL2_RES1 | SCTLR_EL2_M | SCTLR_EL2_C | SCTLR_EL2_SA |           \
	 SCTLR_EL2_I | SCTLR_EL2_WXN)
/** SCTLR_EL2 with the MMU and caches off. */
#define SCTLR_EL2_MMU_OFF (SCTLR_EL2_RES1 | SCTLR_EL2_SA)

/* TCR_EL2 with E2H == 0 (one VA range, TTBR0_EL2). */
#define TCR_EL2_RES1 (SYSREG_BIT(31) | SYSREG_BIT(23))
#define TCR_EL2_PS_SHIFT 16
#define TCR_EL2_TG0_4K 0
#define TCR_EL2_SH0_INNER (SYSREG_BIT(13) | SYSREG_BIT(12))
#define TCR_EL2_ORGN0_WBWA SYSREG_BIT(10)
#define TCR_EL2_IRGN0_WBWA SYSREG_BIT(8)

/* HCR_EL2. */
#define HCR_EL2_RW SYSREG_BIT(31)

/* ESR_ELx. */
#define ESR_EC_SHIFT 26
#define ESR_EC_MASK 0x3f
#define ESR_IL SYSREG_BIT(25)
#define ESR_ISS_MASK 0x1ffffff

/* PSTATE.DAIF bits for msr daifset. */
#define DAIF_ALL 0xf

#endif /* FAULTLINE_AARCH64_SYSREG_H */
