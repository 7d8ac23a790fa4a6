/*
 * Arch interface: acting on a vCPU's saved context from portable code.
 */
#ifndef FAULTLINE_ARCH_VCPU_H
#define FAULTLINE_ARCH_VCPU_H

#include <faultline/types.h>

struct vcpu;

/**
 * Sets @v's context for its first entry: EL1 with interrupts masked, MMU
 * and caches off, at @entry with @x0 in x0.
 */
void arch_vcpu_init(struct vcpu *v, uint64_t entry, uint64_t x0);

/** Sets x0, the value a hypercall returns. */
void arch_vcpu_set_return(struct vcpu *v, uint64_t x0);

/** @v's PC (where it will resume, or where it stopped). */
uint64_t arch_vcpu_pc(const struct vcpu *v);

/**
 * Makes @v take a synchronous external abort on @far the next time it
 * runs: an instruction abort when @exec (the guest fetched from @far),
 * else a data abort (Arm ARM D1.10.4: ESR_EL1, FAR_EL1, ELR_EL1, SPSR_EL1
 * as if the abort was taken to EL1, PC at the EL1 vector for the EL and
 * stack pointer the guest was using). Returns the ESR value given to the
 * guest.
 */
uint64_t arch_vcpu_inject_sea(struct vcpu *v, uint64_t far, bool exec);

/**
 * Where the guest executor's flat image is in physical memory, and its
 * size (page aligned), so VMs can map it.
 */
void arch_guest_executor(paddr_t *pa, uint64_t *size);

#endif /* FAULTLINE_ARCH_VCPU_H */
