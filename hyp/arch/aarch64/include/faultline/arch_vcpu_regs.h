/*
 * A vCPU's saved context at EL2: general registers, PC and PSTATE, and the
 * EL1 system registers the world switch swaps. Offsets of the first part
 * are used by switch.S (checked in switch.c).
 */
#ifndef FAULTLINE_ARCH_VCPU_REGS_H
#define FAULTLINE_ARCH_VCPU_REGS_H

/** Offset of pc in struct arch_vcpu_regs. */
#define VCPU_REGS_PC 248
/** Offset of pstate in struct arch_vcpu_regs. */
#define VCPU_REGS_PSTATE 256

#ifndef __ASSEMBLER__
#include <stdint.h>

/** The EL1 system registers of a context. */
struct arch_el1_sysregs {
	uint64_t sctlr;
	uint64_t ttbr0;
	uint64_t ttbr1;
	uint64_t tcr;
	uint64_t mair;
	uint64_t amair;
	uint64_t vbar;
	uint64_t contextidr;
	uint64_t tpidr;
	uint64_t sp;
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
	uint64_t par;
	uint64_t cpacr;
	uint64_t afsr0;
	uint64_t afsr1;
	uint64_t csselr;
	uint64_t cntkctl;
	uint64_t sp_el0;
	uint64_t tpidr_el0;
	uint64_t tpidrro_el0;
};

/** A vCPU's registers. */
struct arch_vcpu_regs {
	uint64_t x[31];
	uint64_t pc;
	uint64_t pstate;
	struct arch_el1_sysregs el1;
};
#endif

#endif /* FAULTLINE_ARCH_VCPU_REGS_H */
