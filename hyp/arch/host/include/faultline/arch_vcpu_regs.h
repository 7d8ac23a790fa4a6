/*
 * A vCPU's saved context on the host: the host arch does not run guests,
 * it only keeps what the portable code reads and writes (the program
 * counter it reports, the hypercall return value, an injected abort).
 */
#ifndef FAULTLINE_ARCH_VCPU_REGS_H
#define FAULTLINE_ARCH_VCPU_REGS_H

#include <stdbool.h>
#include <stdint.h>

/** A vCPU's registers, as far as the host keeps them. */
struct arch_vcpu_regs {
	uint64_t pc;
	uint64_t x0;
	/** FAR of the last abort injected (0: none). */
	uint64_t injected_far;
	/** Aborts injected so far. */
	uint64_t injected;
	/** The last one was an instruction abort. */
	bool injected_exec;
};

#endif /* FAULTLINE_ARCH_VCPU_REGS_H */
