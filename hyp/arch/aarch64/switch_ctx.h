/*
 * What __guest_run() saves of the hypervisor while a guest runs. Offsets
 * are for switch.S; switch.c checks them.
 */
#ifndef FAULTLINE_AARCH64_SWITCH_CTX_H
#define FAULTLINE_AARCH64_SWITCH_CTX_H

#define SWITCH_CTX_SP 96
#define SWITCH_CTX_REGS 104

#ifndef __ASSEMBLER__
#include <faultline/arch_vcpu_regs.h>
#include <faultline/platform.h>

/** The hypervisor's side of a world switch. */
struct switch_ctx {
	/** x19 to x30. */
	uint64_t callee[12];
	uint64_t sp;
	/** The guest's registers (for guest_exit). */
	struct arch_vcpu_regs *regs;
};

/** Each CPU's context while it runs a guest (read by guest_exit). */
extern struct switch_ctx *switch_ctx_of_cpu[PLATFORM_MAX_CPUS];

/**
 * Runs the guest whose registers are @regs until its next exception to
 * EL2; returns the vector kind (EXC_LOW64_SYNC, ...).
 */
uint64_t __guest_run(struct arch_vcpu_regs *regs, struct switch_ctx *ctx);
#endif

#endif /* FAULTLINE_AARCH64_SWITCH_CTX_H */
