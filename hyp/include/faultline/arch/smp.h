/*
 * Arch interface: starting and stopping CPUs (PSCI at EL2, threads on the
 * host) and waiting for events.
 */
#ifndef FAULTLINE_ARCH_SMP_H
#define FAULTLINE_ARCH_SMP_H

#include <faultline/types.h>

/**
 * Starts CPU @index (PSCI CPU_ON) into the init path. Returns 0, -ERR_EXIST
 * if it is already on or on its way, or another negative error.
 */
int arch_cpu_start(unsigned index);

/**
 * Turns the calling CPU off (PSCI CPU_OFF). Does not return; if the
 * firmware refuses, the hypervisor panics.
 */
NORETURN void arch_cpu_stop_self(void);

/**
 * Returns 1 when CPU @index is off as far as the firmware is concerned
 * (PSCI AFFINITY_INFO), 0 when it is on or on its way, or a negative error.
 */
int arch_cpu_is_off(unsigned index);

/** Waits for an event or a short while (`wfe`). */
void arch_cpu_wait_event(void);

/** Wakes CPUs waiting in arch_cpu_wait_event() (`sev`). */
void arch_cpu_send_event(void);

#endif /* FAULTLINE_ARCH_SMP_H */
