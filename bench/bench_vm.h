/*
 * A VM for the fault-handler benchmarks, built as the hypervisor builds
 * one: a run plan (plan.h) made here, checked by plan_validate() and
 * built by vm_build() over host memory registered as RAM. One VM, one
 * read-write region of BENCH_VM_PAGES pages mapped with pages (not
 * blocks), vCPU i on CPU i, the guest's MMU and caches on (the usual
 * state: no cache maintenance on a fault), livelock detection off.
 */
#ifndef FAULTLINE_BENCH_VM_H
#define FAULTLINE_BENCH_VM_H

#include <faultline/fault.h>
#include <faultline/vm.h>

/** IPA of the benchmark region (outside the executor's IPAs). */
#define BENCH_VM_IPA UINT64_C(0x80000000)
/** Pages in the region. */
#define BENCH_VM_PAGES 2048u
/** Most vCPUs (and benchmark threads) of a benchmark VM. */
#define BENCH_VM_MAX_VCPUS 8u

/**
 * Tears down the previous benchmark VM, if any, and builds a new one with
 * @nvcpus vCPUs under fault policy @policy (enum plan_policy). Returns the
 * VM, or NULL with @err (of @err_size bytes) saying why.
 */
struct vm *bench_vm_build(unsigned policy, unsigned nvcpus, char *err,
			  size_t err_size);

/**
 * Hands @v a level-3 stage-2 fault of @kind for an @access at @ipa, as the
 * arch's decoder would make it from ESR_EL2 (a data or instruction abort
 * from EL1, FAR = IPA with the guest's stage 1 identity), through
 * fault_handle(). Returns the outcome.
 */
enum fault_outcome bench_vm_fault(struct vcpu *v, uint64_t ipa,
				  enum fault_kind kind,
				  enum fault_access access);

/**
 * Unmaps the whole region of @vm (under the write side of its stage-2
 * lock, inner-shareable invalidation, as a VM teardown does). Returns 0
 * or an error.
 */
int bench_vm_unmap_all(struct vm *vm);

/** Removes write permission from the whole region of @vm. */
int bench_vm_wrprotect_all(struct vm *vm);

#endif /* FAULTLINE_BENCH_VM_H */
