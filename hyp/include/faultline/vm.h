/*
 * VMs and vCPUs. A VM has its own stage-2 table and VMID, memory regions,
 * a fault-handling policy and dirty-logging and cache-maintenance state; a
 * vCPU has its saved EL1 context and runs on one pCPU at a time. The
 * objects and their decisions are portable; the world switch and the
 * decoding of traps are the arch's (hyp/arch/aarch64/switch*.c).
 *
 * Locking: vm->s2.lock (stage2.h) for the stage-2 table; vm->lock (a
 * spinlock) for the VM's own state changes that are not on the fault path
 * (policy switch, dirty-log start/stop/harvest, stop); lock order:
 * vm->lock, then vm->s2.lock, then a pool's. Fault handling takes only
 * the read side of vm->s2.lock.
 */
#ifndef FAULTLINE_VM_H
#define FAULTLINE_VM_H

#include <stdatomic.h>

#include <faultline/arch_vcpu_regs.h>
#include <faultline/plan.h>
#include <faultline/spinlock.h>
#include <faultline/stage2.h>
#include <faultline/types.h>

/** Most VMs at once. */
#define VM_MAX PLAN_MAX_VMS
/**
 * Most regions of a VM: the plan's, the executor's, one private area per
 * vCPU, and a host VM's device ranges.
 */
#define VM_MAX_REGIONS (PLAN_MAX_REGIONS + 1 + VM_MAX_VCPUS + 32)
/** Most vCPUs of a VM. */
#define VM_MAX_VCPUS PLAN_MAX_VCPUS

/** Region flags beyond the plan's (enum plan_region_flags). */
enum vm_region_flags {
	/** The executor's code: read-only and executable for the guest. */
	VM_REGION_EXECUTOR = 1u << 16,
	/** A vCPU's private area (control block, stack, program, results). */
	VM_REGION_PRIVATE = 1u << 17,
	/** A device range of a host VM (from the device tree). */
	VM_REGION_HOST_DEVICE = 1u << 18,
};

/** A range of a VM's IPA space backed by physical memory. */
struct vm_region {
	uint64_t ipa;
	uint64_t size;
	/** Where it is in physical memory (== ipa in a host VM). */
	paddr_t pa;
	/** enum plan_region_flags | enum vm_region_flags. */
	uint32_t flags;
	/** One bit per page, set when the page was written while logging. */
	_Atomic uint64_t *dirty;
};

/** What a vCPU is doing. */
enum vcpu_state {
	VCPU_READY,
	VCPU_RUNNING,
	VCPU_STOPPED,
};

/** Counts of what happened to a vCPU. */
struct vcpu_stats {
	uint64_t exits;
	uint64_t faults;
	/** Faults by outcome (index: TRACE_OUTCOME_* value). */
	uint64_t outcomes[16];
	uint64_t hvcs;
	uint64_t sctlr_traps;
	uint64_t set_way_traps;
	uint64_t aborts_injected;
};

struct vm;

/** A vCPU's current streak of faults without progress (livelock.h). */
struct vcpu_streak {
	/** The page of the faults in the streak, and the progress counter. */
	uint64_t page;
	uint64_t progress;
	/** Faults in the streak, and the counter when it began. */
	uint64_t faults;
	uint64_t since;
	/** The longest streak of the run, and its page. */
	uint64_t max_faults;
	uint64_t max_page;
};

/** A virtual CPU. */
struct vcpu {
	struct vm *vm;
	/** Index in its VM. */
	unsigned index;
	/** Index among all vCPUs of the run (for traces). */
	unsigned id;
	/** The pCPU it runs on. */
	unsigned pcpu;
	/** Saved guest context (arch-defined). */
	struct arch_vcpu_regs regs;
	_Atomic unsigned state;
	/** Why it stopped (TRACE_VCPU_STOP_*), once stopped. */
	unsigned stop_reason;
	/** The control block, as the hypervisor sees it. */
	struct guest_ctl *ctl;
	/** IPA of the control block (x0 at entry). */
	uint64_t ctl_ipa;
	/** The guest's caches (and MMU) are on: SCTLR_EL1.M and .C. */
	bool caches_on;
	struct vcpu_stats stats;
	struct vcpu_streak streak;
};

/** Counts of what happened to a VM. */
struct vm_stats {
	_Atomic uint64_t cmo_pages;
	_Atomic uint64_t dirty_marks;
	_Atomic uint64_t recycles;
	_Atomic uint64_t set_way_flushes;
};

/** A virtual machine. */
struct vm {
	unsigned index;
	uint16_t vmid;
	struct stage2_pgtable s2;
	/** Table pages for memory mappings. */
	struct stage2_pool mem_pool;
	/** Table pages for a host VM's device mappings (seed 000). */
	struct stage2_pool dev_pool;
	struct vm_region regions[VM_MAX_REGIONS];
	unsigned nregions;
	struct vcpu vcpus[VM_MAX_VCPUS];
	unsigned nvcpus;
	/** The policy's id (enum plan_policy); switched at run time. */
	_Atomic unsigned policy;
	/** enum plan_vm_flags. */
	uint32_t flags;
	_Atomic bool dirty_logging;
	/** vCPUs with their caches on; while 0, new mappings are cleaned. */
	_Atomic unsigned caches_on_vcpus;
	/** The guest's memory was cleaned for its set/way operations. */
	_Atomic bool set_way_flushed;
	/** A barrier in progress: arrivals and the generation they wait on. */
	unsigned barrier_arrived;
	_Atomic unsigned barrier_generation;
	/** vCPUs not stopped yet (a barrier waits for these). */
	unsigned live_vcpus;
	_Atomic bool stopped;
	/** Its vCPUs are to stop at their next exit (a livelock was found). */
	_Atomic bool stop_requested;
	struct spinlock lock;
	struct vm_stats stats;
};

/** The VMs of the current run. */
extern struct vm vms[VM_MAX];
/** Number of entries in vms[]. */
extern unsigned nvms;

/** The region of @vm that contains @ipa, or NULL. */
struct vm_region *vm_region_find(struct vm *vm, uint64_t ipa);

/** The enum stage2_prot a region allows (R always; W, X, device). */
unsigned vm_region_prot(const struct vm_region *r);

/** True when the guest's caches are off on every vCPU of @vm. */
bool vm_caches_off(struct vm *vm);

/** The vCPU of @vm's index @index, or NULL. */
struct vcpu *vm_vcpu(struct vm *vm, unsigned index);

/**
 * Stops @v for good with @reason (TRACE_VCPU_STOP_*) and a report line on
 * the console; the VM's other vCPUs carry on. Never fails.
 */
void vcpu_stop(struct vcpu *v, unsigned reason, uint64_t esr);

/** True once @v stopped. */
bool vcpu_stopped(struct vcpu *v);

/**
 * Asks every vCPU of @vm to stop: each does so (TRACE_VCPU_STOP_VM_STOPPED)
 * the next time it calls vcpu_check_stop(), and barriers stop waiting.
 */
void vm_request_stop(struct vm *vm);

/**
 * Stops @v if its VM was asked to stop; called where a vCPU loop decides
 * to run the guest again. Returns true when @v is stopped.
 */
bool vcpu_check_stop(struct vcpu *v);

/**
 * Waits until every live vCPU of @v's VM has reached a barrier (the
 * BARRIER hypercall), or until @deadline (arch_counter_now() ticks).
 * Returns 0, or -ERR_TIMEDOUT with @v's arrival taken back (the barrier
 * goes on waiting for the vCPUs still live).
 */
int vm_barrier(struct vcpu *v, uint64_t deadline);

#endif /* FAULTLINE_VM_H */
