/*
 * The hypervisor's EL2 virtual address layout. Included by C, assembly and
 * the linker script, so it holds plain constants only.
 *
 *   0                      identity addresses: only the boot tables map
 *                          anything here (the init page, at its PA)
 *   HYP_VA_OFFSET + PA     runtime linear map: RAM, the image (text RX,
 *                          rodata R, data RW) and MMIO, all at PA + offset
 *   HYP_TRAMPOLINE_VA      the init page again, in both table sets
 *
 * The runtime tables have no identity map, so the switch from the boot
 * tables can only happen from the trampoline page (seed 004).
 */
#ifndef FAULTLINE_HYP_LAYOUT_H
#define FAULTLINE_HYP_LAYOUT_H

#if defined(__ASSEMBLER__) || defined(LINKER_SCRIPT)
#define HYP_LAYOUT_C(x) x
#else
#define HYP_LAYOUT_C(x) UINT64_C(x)
#endif

/** Runtime VA of physical address PA is PA + HYP_VA_OFFSET (bit 46). */
#define HYP_VA_OFFSET HYP_LAYOUT_C(0x0000400000000000)

/** Highest PA (exclusive) that the linear map can cover. */
#define HYP_LINEAR_PA_LIMIT HYP_LAYOUT_C(0x0000400000000000)

/**
 * The trampoline VA: the last page of the 48-bit VA space. Nothing else is
 * ever mapped there, and it cannot collide with an identity-mapped PA
 * (physical addresses stay below the linear limit) nor with the linear map.
 */
#define HYP_TRAMPOLINE_VA HYP_LAYOUT_C(0x0000fffffffff000)

/** Bytes of stack per CPU. */
#define HYP_STACK_SIZE HYP_LAYOUT_C(0x4000)

#endif /* FAULTLINE_HYP_LAYOUT_H */
