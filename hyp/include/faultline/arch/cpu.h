/*
 * Arch interface: the executing CPU, the generic timer and the end of a run.
 * Implemented by hyp/arch/aarch64 (EL2) and hyp/arch/host (host threads).
 */
#ifndef FAULTLINE_ARCH_CPU_H
#define FAULTLINE_ARCH_CPU_H

#include <faultline/types.h>

/** Logical index (0 = boot CPU) of the CPU executing the call. */
unsigned arch_cpu_index(void);

/**
 * The current value of the counter used for timestamps: CNTVCT_EL0 at EL2,
 * a monotonic clock on the host. Monotonic on each CPU.
 */
uint64_t arch_counter_now(void);

/** Frequency of arch_counter_now() in Hz (CNTFRQ_EL0 at EL2). */
uint64_t arch_counter_freq(void);

/** A hint that the caller is spinning (`yield` at EL2). */
void arch_cpu_relax(void);

/**
 * Ends the whole run with @status as its exit status: semihosting
 * SYS_EXIT at EL2 (QEMU exits with @status), exit() on the host.
 */
NORETURN void arch_exit(int status);

#endif /* FAULTLINE_ARCH_CPU_H */
