/*
 * Dirty logging (seed 002) through the fault handler: reads map pages
 * read-only, a write fault that was handled marks exactly its page, a
 * harvest returns and clears the marks and write-protects again, and a
 * write fault that was not handled (no table page, or another CPU owned
 * the entry) marks nothing.
 */
#include <faultline/err.h>
#include <faultline/test.h>
#include <faultline/trace/ring.h>
#include <faultline/vm_ops.h>

#include "test_stage2_util.h"
#include "test_vm_util.h"

/* Page @i of the plan's region. */
#define DL_PAGE(i) (TEST_PLAN_IPA + (uint64_t)(i)*PAGE_SIZE)

static struct test_plan dl_plan;

/* The minimal plan's VM under @policy, logging from the start. */
static struct vm *dl_build(struct test_ctx *test_ctx, unsigned policy)
{
	test_plan_init(&dl_plan);
	dl_plan.vms[0].policy = policy;
	dl_plan.vms[0].flags = PLAN_VM_DIRTY_LOG;
	return test_vm_build(test_ctx, &dl_plan);
}

/* The first word of the plan's region's dirty bitmap. */
static uint64_t dl_bits(struct vm *vm)
{
	struct vm_region *r = vm_region_find(vm, TEST_PLAN_IPA);

	return r != NULL ? atomic_load(&r->dirty[0]) : UINT64_MAX;
}

/** Under dirty logging a read maps the page read-only, so that its first write faults. */
TEST(dirty_log, reads_map_read_only)
{
	static const unsigned policies[] = {PLAN_POLICY_PREJUDGE,
					    PLAN_POLICY_LEGACY};

	for (unsigned p = 0; p < ARRAY_SIZE(policies); p++) {
		struct vm *vm = dl_build(test_ctx, policies[p]);

		ASSERT_TRUE(vm != NULL);
		EXPECT_TRUE(atomic_load(&vm->dirty_logging));
		EXPECT_EQ(test_vm_fault(&vm->vcpus[0], DL_PAGE(2),
					FAULT_TRANSLATION, FAULT_READ),
			  FAULT_MAPPED);
		EXPECT_LEAF(vm, DL_PAGE(2), 3, STAGE2_PROT_R);
		EXPECT_EQ(dl_bits(vm), 0);
	}
}

/** A handled write fault maps the page read-write and marks exactly its page (traced dirty_mark, outcome dirty_logged). */
TEST(dirty_log, handled_write_marks_its_page)
{
	struct vm *vm = dl_build(test_ctx, PLAN_POLICY_PREJUDGE);
	size_t n, m;

	ASSERT_TRUE(vm != NULL);
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], DL_PAGE(5) + 0x10,
				FAULT_TRANSLATION, FAULT_WRITE),
		  FAULT_DIRTY_LOGGED);
	EXPECT_LEAF(vm, DL_PAGE(5), 3, TVM_RW);
	EXPECT_EQ(dl_bits(vm), UINT64_C(1) << 5);
	EXPECT_EQ(atomic_load(&vm->stats.dirty_marks), 1);
	n = test_vm_trace_take();
	m = test_stage2_trace_find(n, 0, TRACE_EV_dirty_mark);
	ASSERT_TRUE(m < n);
	EXPECT_EQ(test_stage2_trace[m].f[1], 1);
	EXPECT_EQ(test_stage2_trace[m].f[2], DL_PAGE(5));
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_dirty_mark), 1);
	EXPECT_EQ(test_vm_trace_last_outcome(n), TRACE_OUTCOME_DIRTY_LOGGED);
	/* A read of another page marks nothing. */
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], DL_PAGE(6), FAULT_TRANSLATION,
				FAULT_READ),
		  FAULT_MAPPED);
	EXPECT_EQ(dl_bits(vm), UINT64_C(1) << 5);
}

/** A write to a page mapped read-only for logging is relaxed in place under prejudge (no BBM) and rebuilt under legacy; both mark it. */
TEST(dirty_log, write_after_read_marks_without_bbm_under_prejudge)
{
	static const unsigned policies[] = {PLAN_POLICY_PREJUDGE,
					    PLAN_POLICY_LEGACY};

	for (unsigned p = 0; p < ARRAY_SIZE(policies); p++) {
		struct vm *vm = dl_build(test_ctx, policies[p]);
		size_t n;

		ASSERT_TRUE(vm != NULL);
		ASSERT_EQ(test_vm_fault(&vm->vcpus[0], DL_PAGE(1),
					FAULT_TRANSLATION, FAULT_READ),
			  FAULT_MAPPED);
		trace_rings_reset();
		EXPECT_EQ(test_vm_fault(&vm->vcpus[0], DL_PAGE(1),
					FAULT_PERMISSION, FAULT_WRITE),
			  FAULT_DIRTY_LOGGED);
		EXPECT_LEAF(vm, DL_PAGE(1), 3, TVM_RW);
		EXPECT_EQ(dl_bits(vm), UINT64_C(1) << 1);
		n = test_vm_trace_take();
		EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_bbm_break),
			  policies[p] == PLAN_POLICY_LEGACY ? 1 : 0);
	}
}

/** A harvest returns the number of dirty pages, clears the bitmap and write-protects the pages again (one VMID-wide TLBI). */
TEST(dirty_log, harvest_counts_clears_and_protects)
{
	struct vm *vm = dl_build(test_ctx, PLAN_POLICY_PREJUDGE);
	struct vcpu *v;
	uint64_t ret = 0;
	size_t n;

	ASSERT_TRUE(vm != NULL);
	v = &vm->vcpus[0];
	EXPECT_EQ(test_vm_fault(v, DL_PAGE(1), FAULT_TRANSLATION, FAULT_WRITE),
		  FAULT_DIRTY_LOGGED);
	EXPECT_EQ(test_vm_fault(v, DL_PAGE(9), FAULT_TRANSLATION, FAULT_WRITE),
		  FAULT_DIRTY_LOGGED);
	EXPECT_EQ(test_vm_fault(v, DL_PAGE(4), FAULT_TRANSLATION, FAULT_READ),
		  FAULT_MAPPED);
	trace_rings_reset();
	EXPECT_TRUE(vcpu_hvc(v, GUEST_HVC_DIRTY_HARVEST, 0, &ret, 0));
	EXPECT_EQ(ret, 2);
	EXPECT_EQ(dl_bits(vm), 0);
	EXPECT_LEAF(vm, DL_PAGE(1), 3, STAGE2_PROT_R);
	EXPECT_LEAF(vm, DL_PAGE(9), 3, STAGE2_PROT_R);
	EXPECT_LEAF(vm, DL_PAGE(4), 3, STAGE2_PROT_R);
	n = test_vm_trace_take();
	EXPECT_EQ(test_vm_trace_count_field(n, TRACE_EV_tlbi, 0,
					    TRACE_TLBI_OP_VMALLS12E1),
		  1);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_bbm_break), 0);
	/* Nothing written since: 0. Then one page written again: 1. */
	EXPECT_EQ(dirty_log_harvest(vm), 0);
	EXPECT_EQ(test_vm_fault(v, DL_PAGE(9), FAULT_PERMISSION, FAULT_WRITE),
		  FAULT_DIRTY_LOGGED);
	EXPECT_EQ(dl_bits(vm), UINT64_C(1) << 9);
	EXPECT_EQ(dirty_log_harvest(vm), 1);
	EXPECT_LEAF(vm, DL_PAGE(9), 3, STAGE2_PROT_R);
}

/** Seed 002: a write fault that ran out of table pages is not handled, so its page is not marked. */
TEST(dirty_log, unhandled_write_out_of_memory_marks_nothing)
{
	struct vm *vm = dl_build(test_ctx, PLAN_POLICY_PREJUDGE);
	size_t n;

	ASSERT_TRUE(vm != NULL);
	test_vm_drain_pool(&vm->mem_pool);
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], DL_PAGE(3), FAULT_TRANSLATION,
				FAULT_WRITE),
		  FAULT_OUT_OF_MEMORY);
	EXPECT_UNMAPPED(vm, DL_PAGE(3));
	EXPECT_EQ(dl_bits(vm), 0);
	EXPECT_EQ(atomic_load(&vm->stats.dirty_marks), 0);
	n = test_vm_trace_take();
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_dirty_mark), 0);
	EXPECT_EQ(dirty_log_harvest(vm), 0);
}

/** Seed 002: a write fault that found the entry owned by another CPU's break-before-make retries and marks nothing; the retry marks it. */
TEST(dirty_log, unhandled_write_retry_marks_nothing)
{
	struct vm *vm = dl_build(test_ctx, PLAN_POLICY_PREJUDGE);
	struct vcpu *v;
	stage2_pte_t ro;

	ASSERT_TRUE(vm != NULL);
	v = &vm->vcpus[0];
	ASSERT_EQ(test_vm_fault(v, DL_PAGE(7), FAULT_TRANSLATION, FAULT_READ),
		  FAULT_MAPPED);
	/* Another CPU is between the break and the make of this entry. */
	ro = test_vm_store_pte(vm, DL_PAGE(7), 3, S2_PTE_LOCKED);
	ASSERT_TRUE(stage2_pte_valid(ro));
	EXPECT_EQ(test_vm_fault(v, DL_PAGE(7), FAULT_PERMISSION, FAULT_WRITE),
		  FAULT_RETRY);
	EXPECT_EQ(test_vm_fault(v, DL_PAGE(7), FAULT_TRANSLATION, FAULT_WRITE),
		  FAULT_RETRY);
	EXPECT_EQ(dl_bits(vm), 0);
	EXPECT_EQ(atomic_load(&vm->stats.dirty_marks), 0);
	/* The other CPU's make; the guest's write faults again. */
	test_vm_store_pte(vm, DL_PAGE(7), 3, ro);
	EXPECT_EQ(test_vm_fault(v, DL_PAGE(7), FAULT_PERMISSION, FAULT_WRITE),
		  FAULT_DIRTY_LOGGED);
	EXPECT_EQ(dl_bits(vm), UINT64_C(1) << 7);
}

/** Starting dirty logging (hypercall) write-protects pages mapped writable before, and clears old marks. */
TEST(dirty_log, start_write_protects_mapped_pages)
{
	struct vm *vm;
	struct vcpu *v;
	uint64_t ret = 1;

	test_plan_init(&dl_plan);
	vm = test_vm_build(test_ctx, &dl_plan);
	ASSERT_TRUE(vm != NULL);
	v = &vm->vcpus[0];
	/* Not logging: a write maps read-write and marks nothing. */
	EXPECT_EQ(test_vm_fault(v, DL_PAGE(2), FAULT_TRANSLATION, FAULT_WRITE),
		  FAULT_MAPPED);
	EXPECT_LEAF(vm, DL_PAGE(2), 3, TVM_RW);
	EXPECT_EQ(dl_bits(vm), 0);
	EXPECT_TRUE(vcpu_hvc(v, GUEST_HVC_DIRTY_START, 0, &ret, 0));
	EXPECT_EQ(ret, 0);
	EXPECT_LEAF(vm, DL_PAGE(2), 3, STAGE2_PROT_R);
	/* The executor's private area stays writable: it is not logged. */
	EXPECT_LEAF(vm, GUEST_PRIV_IPA, 3, TVM_RW);
	EXPECT_EQ(test_vm_fault(v, DL_PAGE(2), FAULT_PERMISSION, FAULT_WRITE),
		  FAULT_DIRTY_LOGGED);
	EXPECT_EQ(dl_bits(vm), UINT64_C(1) << 2);
	/* Starting again forgets the marks. */
	EXPECT_EQ_INT(dirty_log_start(vm), 0);
	EXPECT_EQ(dl_bits(vm), 0);
}

/** After logging stops, writes are relaxed without marks, and a harvest leaves the pages writable. */
TEST(dirty_log, stop_ends_marking)
{
	struct vm *vm = dl_build(test_ctx, PLAN_POLICY_PREJUDGE);
	struct vcpu *v;
	uint64_t ret = 1;

	ASSERT_TRUE(vm != NULL);
	v = &vm->vcpus[0];
	EXPECT_EQ(test_vm_fault(v, DL_PAGE(3), FAULT_TRANSLATION, FAULT_READ),
		  FAULT_MAPPED);
	EXPECT_TRUE(vcpu_hvc(v, GUEST_HVC_DIRTY_STOP, 0, &ret, 0));
	EXPECT_TRUE(!atomic_load(&vm->dirty_logging));
	EXPECT_EQ(test_vm_fault(v, DL_PAGE(3), FAULT_PERMISSION, FAULT_WRITE),
		  FAULT_RELAXED);
	EXPECT_EQ(test_vm_fault(v, DL_PAGE(8), FAULT_TRANSLATION, FAULT_READ),
		  FAULT_MAPPED);
	EXPECT_LEAF(vm, DL_PAGE(8), 3, TVM_RW);
	EXPECT_EQ(dl_bits(vm), 0);
	EXPECT_EQ(dirty_log_harvest(vm), 0);
	EXPECT_LEAF(vm, DL_PAGE(3), 3, TVM_RW);
}

/** A read-only region is neither logged nor write-protected; its writes are still aborted. */
TEST(dirty_log, read_only_region_is_not_logged)
{
	struct vm *vm;

	test_plan_init(&dl_plan);
	dl_plan.vms[0].flags = PLAN_VM_DIRTY_LOG;
	dl_plan.regions[0].flags = PLAN_REGION_RO;
	vm = test_vm_build(test_ctx, &dl_plan);
	ASSERT_TRUE(vm != NULL);
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], DL_PAGE(0), FAULT_TRANSLATION,
				FAULT_WRITE),
		  FAULT_ABORT_INJECTED);
	EXPECT_EQ(dl_bits(vm), 0);
	EXPECT_EQ(dirty_log_harvest(vm), 0);
}

/** A device region is not logged: reads map it writable as always, and a write is mapped, not reported as dirty_logged without a mark. */
TEST(dirty_log, device_region_is_not_logged)
{
	struct vm *vm;
	size_t n;

	test_plan_init(&dl_plan);
	dl_plan.vms[0].flags = PLAN_VM_DIRTY_LOG;
	dl_plan.regions[0].flags = PLAN_REGION_DEVICE;
	vm = test_vm_build(test_ctx, &dl_plan);
	ASSERT_TRUE(vm != NULL);
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], DL_PAGE(0), FAULT_TRANSLATION,
				FAULT_READ),
		  FAULT_MAPPED);
	EXPECT_LEAF(vm, DL_PAGE(0), 3, TVM_RW | STAGE2_PROT_DEVICE);
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], DL_PAGE(1), FAULT_TRANSLATION,
				FAULT_WRITE),
		  FAULT_MAPPED);
	n = test_vm_trace_take();
	EXPECT_EQ(test_vm_trace_count_field(n, TRACE_EV_s2_fault_exit, 3,
					    TRACE_OUTCOME_DIRTY_LOGGED),
		  0);
	EXPECT_EQ(dl_bits(vm), 0);
	EXPECT_EQ(dirty_log_harvest(vm), 0);
	EXPECT_LEAF(vm, DL_PAGE(1), 3, TVM_RW | STAGE2_PROT_DEVICE);
}
