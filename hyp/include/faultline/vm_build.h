/*
 * Building a run's VMs from a validated plan, and reading back what their
 * vCPUs recorded.
 */
#ifndef FAULTLINE_VM_BUILD_H
#define FAULTLINE_VM_BUILD_H

#include <faultline/plan.h>
#include <faultline/platform.h>
#include <faultline/ram.h>
#include <faultline/vm.h>

/** What building VMs draws on. */
struct vm_build_env {
	/** Free RAM for guest memory, pools, private areas. */
	struct ram *ram;
	/** The machine (a host VM's device ranges). */
	const struct platform *plat;
};

/**
 * Builds vms[] from @p: each VM's pools, stage-2 root, memory (zeroed, or
 * filled with RET where executable), executor, vCPU private areas and
 * initial contexts, then maps the executor, the private areas and the
 * pre-touched regions, and starts dirty logging where asked. Returns 0,
 * or a negative error with @err saying which VM and why (out of RAM, a
 * host region that is not free RAM, ...).
 */
int vm_build(const struct plan *p, const struct vm_build_env *env, char *err,
	     size_t err_size);

/**
 * Emits a guest_access event for every access the vCPUs timed, calling
 * @drain (may be NULL) every @batch events so the rings do not overflow.
 * Returns the number of events emitted.
 */
uint64_t vm_emit_results(void (*drain)(void), unsigned batch);

/**
 * The trace's ACCESS value (TRACE_ACCESS_*) of a guest access by executor
 * op @code (GUEST_OP_READ, WRITE, EXEC or HVC).
 */
uint64_t vm_results_access(uint32_t code);

/**
 * Prints one line per vCPU of the built VMs: why it stopped, its exits,
 * faults by outcome, hypercalls, timed accesses, aborts, and its longest
 * streak of faults on one page without progress (livelock.h).
 */
void vm_report_vcpus(void);

/**
 * The exit status (enum hyp_exit) the vCPUs' stops add up to: LIVELOCK if
 * one was livelocked, else DEADLINE if one ran out of time, else
 * VCPU_FAILED if one stopped for another reason than finishing, else OK.
 */
int vm_run_status(void);

/**
 * Forgets the built VMs so the plan can be built again (a repetition):
 * every VMID's translations are invalidated on every CPU first, since the
 * next VMs reuse the VMIDs and the memory. The VMs' vCPUs must all have
 * stopped. The RAM they used is the caller's to take back.
 */
void vm_teardown(void);

#endif /* FAULTLINE_VM_BUILD_H */
