/*
 * The hypervisor's global state at EL2, filled by boot_early() with the MMU
 * off and used at runtime. Private to hyp/arch/aarch64.
 */
#ifndef FAULTLINE_AARCH64_HYP_STATE_H
#define FAULTLINE_AARCH64_HYP_STATE_H

#include <faultline/bootargs.h>
#include <faultline/exit_status.h>
#include <faultline/hyp_mm.h>
#include <faultline/platform.h>

#include "boot_params.h"

/** The machine, from the device tree. */
extern struct platform hyp_platform;
/** The boot and runtime tables. */
extern struct hyp_mm hyp_mm;
/** Parsed boot arguments. */
extern struct boot_options hyp_options;
/** Per-CPU init parameters (read with the MMU off by init.S). */
extern struct boot_params hyp_boot_params[PLATFORM_MAX_CPUS];
/** The pool the tables were built from. */
extern struct page_pool hyp_boot_pool;

/**
 * Turns the pointers that boot_early() stored at physical addresses (the
 * table roots, the pool base) into runtime VAs. Called once, by the boot
 * CPU, after the switch to the runtime tables.
 */
void hyp_state_relocate(void);

#endif /* FAULTLINE_AARCH64_HYP_STATE_H */
