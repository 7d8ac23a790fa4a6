/*
 * mode=plan: running a scenario's plan at EL2.
 */
#ifndef FAULTLINE_AARCH64_PLAN_RUN_H
#define FAULTLINE_AARCH64_PLAN_RUN_H

/**
 * Loads the plan named by the `plan=` boot argument over semihosting,
 * builds its VMs, runs every vCPU on its pCPU until each stops or the
 * plan's deadline passes, emits the guests' timed results to the trace and
 * prints one line per vCPU. Returns an HYP_EXIT_* status: OK when every
 * vCPU finished its ops, BAD_ARGS for an unreadable or invalid plan,
 * VCPU_FAILED when a vCPU stopped for another reason, DEADLINE when one
 * ran out of time.
 */
int hyp_run_plan(void);

#endif /* FAULTLINE_AARCH64_PLAN_RUN_H */
