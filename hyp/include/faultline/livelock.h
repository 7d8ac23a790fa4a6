/*
 * Livelock detection: a vCPU that keeps taking stage-2 faults on one page
 * while its program makes no progress (the guest executor's progress
 * counter, in its control block, does not move) is livelocked, as in the
 * RW/RO ping-pong of seed 002 or the stale-permission livelock of 2023.
 * The detector stops the vCPU's VM and traces the evidence, so the run
 * ends with a clear verdict instead of running into its deadline.
 */
#ifndef FAULTLINE_LIVELOCK_H
#define FAULTLINE_LIVELOCK_H

#include <faultline/vm.h>

/**
 * Sets how many faults in a row on one page without progress make a
 * livelock (0: detection off). Set once per run, before vCPUs run.
 */
void livelock_set_threshold(uint32_t faults);

/** The threshold set (0: off). */
uint32_t livelock_threshold(void);

/**
 * Notes that @v took a stage-2 fault on @ipa and the handler is done with
 * it. Reads the guest's progress counter: when it has not moved since
 * @v's previous fault on the same page, the streak grows, else it starts
 * again. At the threshold it traces a livelock event (the page, the
 * streak, when it began), stops @v (TRACE_VCPU_STOP_LIVELOCK) and asks
 * the VM's other vCPUs to stop. Returns true in that case.
 */
bool livelock_note_fault(struct vcpu *v, uint64_t ipa);

#endif /* FAULTLINE_LIVELOCK_H */
