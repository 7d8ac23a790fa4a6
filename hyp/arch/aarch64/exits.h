/*
 * Running a vCPU at EL2: enter, handle exits, until it stops.
 */
#ifndef FAULTLINE_AARCH64_EXITS_H
#define FAULTLINE_AARCH64_EXITS_H

#include <faultline/vm.h>

/**
 * Runs @v on this CPU until it stops (done, failed, stopped by the
 * hypervisor) or until the counter passes @deadline (it is then stopped
 * with reason budget).
 */
void exits_run_vcpu(struct vcpu *v, uint64_t deadline);

#endif /* FAULTLINE_AARCH64_EXITS_H */
