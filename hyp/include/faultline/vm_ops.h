/*
 * What the fault handler and the trap handlers ask of a VM besides its
 * stage 2: cache maintenance (seed 001), dirty logging (seed 002),
 * hypercalls, and the host stage 2's identity path (seed 000).
 */
#ifndef FAULTLINE_VM_OPS_H
#define FAULTLINE_VM_OPS_H

#include <faultline/fault.h>
#include <faultline/vm.h>

/**
 * Cleans and invalidates [@pa, @pa + @size) of @vm's memory to the point
 * of coherency, traced as cmo with @why (TRACE_CMO_WHY_*).
 */
void cmo_clean(struct vm *vm, paddr_t pa, uint64_t size, unsigned why);

/**
 * A guest write of SCTLR_EL1 from @old to @new, trapped by HCR_EL2.TVM:
 * tracks whether @v's caches are on, and when the first vCPU of the VM
 * turns them on cleans and invalidates everything already mapped.
 */
void cmo_sctlr_written(struct vcpu *v, uint64_t old, uint64_t new_value);

/**
 * A trapped set/way cache operation (HCR_EL2.TSW): the first one since the
 * guest last changed its cache state is turned into clean+invalidate by VA
 * of all of the VM's mapped memory; later ones are only counted.
 */
void cmo_set_way(struct vcpu *v);

/** Starts dirty logging on @vm: clears the bitmaps, write-protects. */
int dirty_log_start(struct vm *vm);

/** Stops dirty logging on @vm. */
void dirty_log_stop(struct vm *vm);

/**
 * Reads and clears @vm's dirty bitmaps and write-protects the pages again
 * (they were writable since their write fault). Returns the number of
 * pages that were dirty.
 */
uint64_t dirty_log_harvest(struct vm *vm);

/** Marks the page of @ipa in @r dirty (after a handled write fault). */
void dirty_log_mark(struct vcpu *v, struct vm_region *r, uint64_t ipa);

/**
 * Handles hypercall @fn(@arg) of @v, with @deadline for a barrier. Sets
 * *@ret to the value x0 gets. Returns false when the vCPU has stopped.
 */
bool vcpu_hvc(struct vcpu *v, uint64_t fn, uint64_t arg, uint64_t *ret,
	      uint64_t deadline);

/** The host stage 2's identity path for fault @f (seed 000). */
enum fault_outcome host_s2_fault(struct vcpu *v, const struct s2_fault *f,
				 unsigned *level);

#endif /* FAULTLINE_VM_OPS_H */
