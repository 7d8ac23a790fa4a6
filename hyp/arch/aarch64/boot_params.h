/*
 * What a CPU needs to run the dual-step init: handed to it in x0 (the
 * PSCI CPU_ON context id, or by the boot CPU itself) as the physical
 * address of one of these. The init code reads it with the MMU off, so it
 * holds plain values and is cleaned to the point of coherency after being
 * written. Offsets are for init.S; _Static_asserts in early.c check them.
 */
#ifndef FAULTLINE_AARCH64_BOOT_PARAMS_H
#define FAULTLINE_AARCH64_BOOT_PARAMS_H

#define BP_BOOT_TTBR 0
#define BP_RUNTIME_TTBR 8
#define BP_TRAMPOLINE_VA 16
#define BP_STACK_TOP 24
#define BP_VECTORS 32
#define BP_ENTRY 40
#define BP_CPU_INDEX 48
#define BP_MAIR 56
#define BP_TCR 64
#define BP_SCTLR 72
#define BP_SIZE 80

#ifndef __ASSEMBLER__
#include <faultline/types.h>

/** Parameters of the dual-step init for one CPU. */
struct boot_params {
	/** TTBR0_EL2 for the boot tables (PA). */
	uint64_t boot_ttbr;
	/** TTBR0_EL2 for the runtime tables (PA). */
	uint64_t runtime_ttbr;
	/** HYP_TRAMPOLINE_VA. */
	uint64_t trampoline_va;
	/** Top of this CPU's stack (runtime VA). */
	uint64_t stack_top;
	/** VBAR_EL2 (runtime VA). */
	uint64_t vectors;
	/** The C function to continue in (runtime VA). */
	uint64_t entry;
	/** Logical CPU index, for TPIDR_EL2. */
	uint64_t cpu_index;
	uint64_t mair;
	uint64_t tcr;
	uint64_t sctlr;
} __attribute__((aligned(64)));

/**
 * Entry of the init code (in .idmap.text), for the boot CPU and for PSCI
 * CPU_ON. Takes the PA of a struct boot_params in x0.
 */
void init_entry(void);

/**
 * The C side of a CPU's arrival at runtime, called by the init code on the
 * runtime stack with the counter values captured at each step and the
 * addresses it executed at before and after the jump to the trampoline.
 */
NORETURN void cpu_runtime_entry(uint64_t t_boot_on, uint64_t t_trampoline,
				uint64_t t_runtime_on, uint64_t t_tlbi,
				uint64_t pc_trampoline, uint64_t pc_boot);
#endif

#endif /* FAULTLINE_AARCH64_BOOT_PARAMS_H */
