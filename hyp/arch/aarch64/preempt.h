/*
 * The preemption timer: the EL2 physical timer (CNTHP_*_EL2, Arm ARM DDI
 * 0487, "The Generic Timer in AArch64 state") armed at a vCPU's
 * deadline, its interrupt taken to EL2 through the GICv3 while the guest
 * runs (HCR_EL2.IMO), so a guest that never traps still exits when its
 * time is up. Private to hyp/arch/aarch64.
 */
#ifndef FAULTLINE_AARCH64_PREEMPT_H
#define FAULTLINE_AARCH64_PREEMPT_H

#include <faultline/types.h>

/**
 * INTID of the EL2 physical timer: PPI 10, the fourth interrupt of the
 * device tree's /timer node on QEMU virt, and the INTID Arm's Base System
 * Architecture (DEN 0094) assigns to the Non-secure EL2 physical timer.
 */
#define PREEMPT_TIMER_INTID 26

/** The timer interrupt's GIC priority (more urgent than ICC_PMR_EL1). */
#define PREEMPT_TIMER_PRIO 0x80

/**
 * Sets up this CPU for preemption, on every boot of the CPU: the boot CPU
 * first initialises the distributor; then this CPU's redistributor and CPU
 * interface (gicv3_cpu_init()), the timer disabled (its registers are
 * UNKNOWN after a reset), and PREEMPT_TIMER_INTID enabled as Non-secure
 * Group 1. Returns 0 or the first error, which it prints; without it,
 * vCPUs still run but are only stopped at the deadline when they trap.
 */
int preempt_cpu_init(void);

/** True when preempt_cpu_init() succeeded on this CPU since it booted. */
bool preempt_ready(void);

/**
 * Arms the timer to fire when arch_counter_now() (CNTVCT_EL0) reaches
 * @deadline. CNTHP_CVAL_EL2 compares against the physical count, so
 * CNTVOFF_EL2 is added (Arm ARM: CNTVCT = CNTPCT - CNTVOFF at EL2 with
 * HCR_EL2.E2H = 0). A deadline already past fires at once. Returns false,
 * leaving the timer off, when this CPU is not ready for preemption.
 */
bool preempt_arm(uint64_t deadline);

/**
 * Masks the armed timer (CNTHP_CTL_EL2.IMASK = 1): its level-sensitive
 * output drops, so its interrupt, once acknowledged, can be ended without
 * being signalled again. preempt_arm() unmasks it.
 */
void preempt_mask(void);

/** Turns the timer off (CNTHP_CTL_EL2.ENABLE = 0), and its interrupt. */
void preempt_disarm(void);

#endif /* FAULTLINE_AARCH64_PREEMPT_H */
