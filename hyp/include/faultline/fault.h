/*
 * The stage-2 fault handler: an arch-neutral fault (decoded by the arch
 * from ESR_EL2/HPFAR_EL2/FAR_EL2), handled by the VM's policy, ending in an
 * outcome that is always traced (s2_fault_enter / s2_fault_exit).
 */
#ifndef FAULTLINE_FAULT_H
#define FAULTLINE_FAULT_H

#include <faultline/trace/event.h>
#include <faultline/types.h>
#include <faultline/vm.h>

/** What kind of stage-2 fault (values match the trace's FAULT_KIND). */
enum fault_kind {
	FAULT_TRANSLATION = TRACE_FAULT_KIND_TRANSLATION,
	FAULT_PERMISSION = TRACE_FAULT_KIND_PERMISSION,
	FAULT_ACCESS_FLAG = TRACE_FAULT_KIND_ACCESS_FLAG,
	FAULT_OTHER = TRACE_FAULT_KIND_OTHER,
};

/** The access that faulted (values match the trace's ACCESS). */
enum fault_access {
	FAULT_READ = TRACE_ACCESS_READ,
	FAULT_WRITE = TRACE_ACCESS_WRITE,
	FAULT_EXEC = TRACE_ACCESS_EXEC,
};

/** How a fault ended (values match the trace's OUTCOME). */
enum fault_outcome {
	/** A new leaf was installed. */
	FAULT_MAPPED = TRACE_OUTCOME_MAPPED,
	/** An existing leaf was rebuilt with break-before-make. */
	FAULT_REMAPPED = TRACE_OUTCOME_REMAPPED,
	/** Permissions were added in place. */
	FAULT_RELAXED = TRACE_OUTCOME_RELAXED,
	/** The entry already allowed the access (another vCPU fixed it). */
	FAULT_SPURIOUS = TRACE_OUTCOME_SPURIOUS,
	/** Another CPU owned the entry: the guest faults again. */
	FAULT_RETRY = TRACE_OUTCOME_RETRY,
	/** A write under dirty logging, handled and the page marked. */
	FAULT_DIRTY_LOGGED = TRACE_OUTCOME_DIRTY_LOGGED,
	/** No table page left in the pool. */
	FAULT_OUT_OF_MEMORY = TRACE_OUTCOME_OUT_OF_MEMORY,
	/** Outside the VM's memory (or a write to read-only memory). */
	FAULT_ABORT_INJECTED = TRACE_OUTCOME_ABORT_INJECTED,
	/** A fault the hypervisor cannot handle: the vCPU stops. */
	FAULT_VM_STOPPED = TRACE_OUTCOME_VM_STOPPED,
};

/** A stage-2 fault, decoded. */
struct s2_fault {
	/** The faulting IPA (the page's IPA plus FAR's page offset). */
	uint64_t ipa;
	/** FAR_EL2: the guest virtual address. */
	uint64_t far;
	/** ESR_EL2, for traces and reports. */
	uint64_t esr;
	enum fault_kind kind;
	/** Lookup level at which it faulted (DFSC/IFSC[1:0]). */
	unsigned level;
	enum fault_access access;
	/** The fault happened on a stage-1 table walk (S1PTW). */
	bool s1ptw;
};

/**
 * A fault-handling policy: what the generic handler does at each decision
 * point. To add one, add an entry to fault_policies[] (fault_policy.c) and
 * a value to the trace's POLICY enum and plan.h.
 */
struct fault_policy {
	/** enum plan_policy / TRACE_POLICY_* value. */
	unsigned id;
	const char *name;
	/** stage2_map() flags for a fault that needs a mapping. */
	unsigned map_flags;
	/**
	 * Handle faults one at a time under the write side of the stage-2
	 * lock, as KVM did while mmu_lock was a spinlock (before 2021); else
	 * in parallel under the read side, entries changed by atomic
	 * compare-and-swap.
	 */
	bool exclusive;
	/**
	 * On a permission fault, relax the entry in place (true), or rebuild
	 * it with the new permissions and break-before-make (false).
	 */
	bool relax_in_place;
	/**
	 * When a relax finds the entry already relaxed by another CPU,
	 * invalidate the IPA in this CPU's TLB, which may still hold the
	 * narrower entry (the 2023 KVM fix).
	 */
	bool inval_on_relax_retry;
};

/** The policies, in no particular order; the last entry has id 0. */
extern const struct fault_policy fault_policies[];

/** The policy with @id, or NULL. */
const struct fault_policy *fault_policy_find(unsigned id);

/**
 * Handles stage-2 fault @f of @v under @v's VM's current policy (or the
 * host stage 2's identity path), traces it, counts it, and returns the
 * outcome. May inject an abort (FAULT_ABORT_INJECTED) or stop the vCPU
 * (FAULT_VM_STOPPED); never fails otherwise.
 */
enum fault_outcome fault_handle(struct vcpu *v, const struct s2_fault *f);

/**
 * Injects a synchronous external abort for @f into @v (an access outside
 * its memory, or a write to read-only memory), counts and traces it.
 * Returns FAULT_ABORT_INJECTED.
 */
enum fault_outcome fault_inject(struct vcpu *v, const struct s2_fault *f);

#endif /* FAULTLINE_FAULT_H */
