/*
 * Board facts for QEMU's `virt` machine that the device tree cannot give
 * us because they are needed before it is found, or are where it is.
 * Included by C, assembly and the linker script.
 */
#ifndef FAULTLINE_PLAT_H
#define FAULTLINE_PLAT_H

/** Name printed in the boot banner. */
#define PLAT_NAME "qemu-virt"

/** Start of RAM on virt. */
#define PLAT_RAM_BASE 0x40000000

/**
 * Physical load address of the image. QEMU puts the DTB at the base of RAM
 * for an ELF image only if the image leaves room for it there; 2 MiB does.
 */
#define PLAT_LOAD_PA 0x40200000

/** Where QEMU places the DTB for an ELF image (x0 is 0 at entry). */
#define PLAT_DTB_PA PLAT_RAM_BASE

/** Most bytes of DTB that may be read: it must end below the image. */
#define PLAT_DTB_MAX (PLAT_LOAD_PA - PLAT_DTB_PA)

/** The PL011 used for errors found before the DTB is parsed. */
#define PLAT_EARLY_UART_PA 0x09000000

#endif /* FAULTLINE_PLAT_H */
