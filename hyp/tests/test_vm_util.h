/*
 * VMs for the host-only fault-path tests (test_fault*_host.c and
 * friends): a buffer of host memory registered as physical RAM, a run plan
 * (test_plan_util.h) built into vms[] by vm_build(), faults made by hand
 * and handed to fault_handle(), and readers of what happened (stage 2,
 * trace, registers).
 */
#ifndef FAULTLINE_TESTS_TEST_VM_UTIL_H
#define FAULTLINE_TESTS_TEST_VM_UTIL_H

#include <faultline/fault.h>
#include <faultline/ram.h>
#include <faultline/test.h>
#include <faultline/vm_build.h>

#include "test_plan_util.h"

/** Where the registered RAM pretends to be (2 MiB aligned). */
#define TVM_RAM_PA UINT64_C(0x40000000)
/** Bytes of registered RAM. */
#define TVM_RAM_SIZE (UINT64_C(32) << 20)
/** CPUs of the pretend machine. */
#define TVM_NCPUS 4
/** A host VM's memory region: 2 MiB aligned, inside the RAM, left free. */
#define TVM_HOST_MEM_PA (TVM_RAM_PA + (UINT64_C(24) << 20))
/** Bytes of that region. */
#define TVM_HOST_MEM_SIZE (UINT64_C(4) << 20)

/** Read/write Normal memory. */
#define TVM_RW (STAGE2_PROT_R | STAGE2_PROT_W)

/** The RAM vm_build() draws on in the last test_vm_build(). */
extern struct ram test_vm_ram;
/** The machine of test_vm_build(): device ranges for host VMs (none by default). */
extern struct platform test_vm_plat;

/**
 * Builds the VMs of @t with vm_build() on fresh RAM (filled with 0xa5
 * bytes; vms[] zeroed), for a machine of TVM_NCPUS CPUs with test_vm_plat's devices,
 * then empties the trace rings and the cache and TLB logs, so a test sees
 * only what it does next. Returns &vms[0], or NULL with the failure (and
 * vm_build()'s message) recorded.
 */
struct vm *test_vm_build(struct test_ctx *test_ctx, const struct test_plan *t);

/**
 * Like test_vm_build() but expects vm_build() to fail: returns its error
 * and copies its message into @err (@err_size bytes).
 */
int test_vm_build_error(const struct test_plan *t, char *err, size_t err_size);

/** Clears test_vm_plat (no devices). */
void test_vm_plat_reset(void);

/**
 * Hands @v a stage-2 fault of @kind and @access at @ipa (FAR = IPA, as
 * with the guest's MMU off; ESR as the hardware would give for a data or
 * instruction abort at level 3) through fault_handle().
 */
enum fault_outcome test_vm_fault(struct vcpu *v, uint64_t ipa,
				 enum fault_kind kind,
				 enum fault_access access);

/** The PA @ipa has in @vm's regions (what a fault maps it to), or 0. */
uint64_t test_vm_pa(struct vm *vm, uint64_t ipa);

/** The host pointer of @ipa's memory in @vm, or NULL. */
void *test_vm_ptr(struct vm *vm, uint64_t ipa);

/**
 * Checks that @ipa translates in @vm's stage 2 at @level with @prot to the
 * PA of @ipa in its region (page or block offset included); records a
 * failure at @file:@line otherwise.
 */
bool test_vm_expect_leaf(struct test_ctx *test_ctx, const char *file, int line,
			 struct vm *vm, uint64_t ipa, unsigned level,
			 unsigned prot);

/** test_vm_expect_leaf() at the caller's file and line. */
#define EXPECT_LEAF(vm, ipa, level, prot)                                      \
	test_vm_expect_leaf(test_ctx, __FILE__, __LINE__, (vm), (ipa),         \
			    (level), (prot))

/** Checks that @ipa has no translation in @vm's stage 2. */
bool test_vm_expect_none(struct test_ctx *test_ctx, const char *file, int line,
			 struct vm *vm, uint64_t ipa);

/** test_vm_expect_none() at the caller's file and line. */
#define EXPECT_UNMAPPED(vm, ipa)                                               \
	test_vm_expect_none(test_ctx, __FILE__, __LINE__, (vm), (ipa))

/** The stage-2 entry that maps @ipa in @vm (0 when none). */
stage2_pte_t test_vm_pte(struct vm *vm, uint64_t ipa);

/**
 * Stores @val into the entry at @level on the path to @ipa in @vm's stage
 * 2 (as another CPU's break-before-make would). Returns the old value, or
 * UINT64_MAX when the walk did not reach that level.
 */
stage2_pte_t test_vm_store_pte(struct vm *vm, uint64_t ipa, unsigned level,
			       stage2_pte_t val);

/** Takes every page left in @pool, as if other faults had used them. */
void test_vm_drain_pool(struct stage2_pool *pool);

/**
 * Moves this CPU's trace into test_stage2_trace (test_stage2_util.h) and
 * returns how many records there are.
 */
size_t test_vm_trace_take(void);

/**
 * Records among the first @n of test_stage2_trace that are event @id with
 * field @field equal to @value.
 */
unsigned test_vm_trace_count_field(size_t n, uint16_t id, unsigned field,
				   uint64_t value);

/**
 * The outcome field of the last s2_fault_exit among the first @n records
 * of test_stage2_trace, or 0 when there is none.
 */
uint64_t test_vm_trace_last_outcome(size_t n);

#endif /* FAULTLINE_TESTS_TEST_VM_UTIL_H */
