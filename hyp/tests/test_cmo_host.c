/*
 * Cache maintenance for guests with their caches off (seed 001): a page
 * is cleaned to the point of coherency when first mapped while every
 * vCPU's caches are off; the first vCPU to turn them on (a trapped SCTLR_EL1
 * write) cleans everything mapped, once; set/way operations become one
 * clean by VA of the VM's memory per change of cache state.
 */
#include <faultline/test.h>
#include <faultline/trace/ring.h>
#include <faultline/vm_ops.h>

#include "host_arch.h"
#include "test_stage2_util.h"
#include "test_vm_util.h"

/* SCTLR_EL1.M and .C. */
#define CM_SCTLR_M UINT64_C(0x1)
#define CM_SCTLR_C UINT64_C(0x4)
#define CM_ON (CM_SCTLR_M | CM_SCTLR_C)
#define CM_PAGE(i) (TEST_PLAN_IPA + (uint64_t)(i)*PAGE_SIZE)

static struct test_plan cm_plan;

/* The minimal plan's VM, with @nvcpus vCPUs. */
static struct vm *cm_build(struct test_ctx *test_ctx, unsigned nvcpus)
{
	test_plan_init(&cm_plan);
	cm_plan.vms[0].nvcpus = nvcpus;
	for (unsigned i = 1; i < nvcpus; i++) {
		cm_plan.vcpus[i].pcpu = i;
		cm_plan.vcpus[i].nops = 1;
	}
	test_plan_relayout(&cm_plan);
	return test_vm_build(test_ctx, &cm_plan);
}

/* Number of cmo records in the first @n with @op and @why. */
static unsigned cm_count(size_t n, uint64_t op, uint64_t why)
{
	unsigned count = 0;

	for (size_t i = 0; i < n; i++) {
		const struct trace_record *r = &test_stage2_trace[i];

		if (r->id == TRACE_EV_cmo && r->f[0] == op && r->f[1] == why) {
			count++;
		}
	}
	return count;
}

/* True when a cmo record in the first @n cleans the page of @ipa for @why. */
static bool cm_cleaned(struct vm *vm, size_t n, uint64_t ipa, uint64_t why)
{
	for (size_t i = 0; i < n; i++) {
		const struct trace_record *r = &test_stage2_trace[i];

		if (r->id == TRACE_EV_cmo && r->f[0] == TRACE_CMO_OP_CIVAC &&
		    r->f[1] == why && r->f[2] == test_vm_pa(vm, ipa) &&
		    r->f[3] == PAGE_SIZE && r->f[4] == vm->vmid) {
			return true;
		}
	}
	return false;
}

/* Maps pages @a, @b and @c of the plan's region with read faults. */
static bool cm_map3(struct test_ctx *test_ctx, struct vm *vm, unsigned a,
		    unsigned b, unsigned c)
{
	return EXPECT_EQ(test_vm_fault(&vm->vcpus[0], CM_PAGE(a),
				       FAULT_TRANSLATION, FAULT_READ),
			 FAULT_MAPPED) &&
	       EXPECT_EQ(test_vm_fault(&vm->vcpus[0], CM_PAGE(b),
				       FAULT_TRANSLATION, FAULT_READ),
			 FAULT_MAPPED) &&
	       EXPECT_EQ(test_vm_fault(&vm->vcpus[0], CM_PAGE(c),
				       FAULT_TRANSLATION, FAULT_READ),
			 FAULT_MAPPED);
}

/** With the guest's caches off, a first map cleans and invalidates that page (cmo first_map, and the cache model saw it). */
TEST(cmo, first_map_with_caches_off_cleans_the_page)
{
	struct vm *vm = cm_build(test_ctx, 1);
	size_t n;

	ASSERT_TRUE(vm != NULL);
	EXPECT_TRUE(vm_caches_off(vm));
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], CM_PAGE(3) + 0x20,
				FAULT_TRANSLATION, FAULT_WRITE),
		  FAULT_MAPPED);
	n = test_vm_trace_take();
	EXPECT_TRUE(cm_cleaned(vm, n, CM_PAGE(3), TRACE_CMO_WHY_FIRST_MAP));
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_cmo), 1);
	EXPECT_TRUE(host_cache_cleaned(test_vm_ptr(vm, CM_PAGE(3)), PAGE_SIZE));
	EXPECT_TRUE(!host_cache_cleaned(test_vm_ptr(vm, CM_PAGE(4)), 1));
	EXPECT_EQ(atomic_load(&vm->stats.cmo_pages), 1);
	/* The clean comes before the page is mapped. */
	EXPECT_TRUE(test_stage2_trace_find(n, 0, TRACE_EV_cmo) <
		    test_stage2_trace_find(n, 0, TRACE_EV_pte_write));
}

/** With a vCPU's caches on, or for a device page, a first map cleans nothing. */
TEST(cmo, no_clean_with_caches_on_or_for_devices)
{
	struct vm *vm;
	size_t n;

	test_plan_init(&cm_plan);
	cm_plan.vms[0].nregions = 2;
	cm_plan.regions[1].ipa = TEST_PLAN_IPA + S2T_2M;
	cm_plan.regions[1].size = PAGE_SIZE;
	cm_plan.regions[1].flags = PLAN_REGION_DEVICE;
	test_plan_relayout(&cm_plan);
	vm = test_vm_build(test_ctx, &cm_plan);
	ASSERT_TRUE(vm != NULL);
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], TEST_PLAN_IPA + S2T_2M,
				FAULT_TRANSLATION, FAULT_READ),
		  FAULT_MAPPED);
	cmo_sctlr_written(&vm->vcpus[0], 0, CM_ON);
	EXPECT_TRUE(!vm_caches_off(vm));
	trace_rings_reset();
	host_cache_log_reset();
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], CM_PAGE(1), FAULT_TRANSLATION,
				FAULT_READ),
		  FAULT_MAPPED);
	n = test_vm_trace_take();
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_cmo), 0);
	EXPECT_EQ(host_cache_log(NULL, 0), 0);
	/* Only the SCTLR write's flush counted pages: no device page. */
	EXPECT_EQ(atomic_load(&vm->stats.cmo_pages), 0);
}

/** The first vCPU to turn its MMU and caches on cleans every mapped guest page once; a second vCPU doing so cleans nothing. */
TEST(cmo, caches_on_cleans_everything_mapped_once)
{
	struct vm *vm = cm_build(test_ctx, 2);
	size_t n;

	ASSERT_TRUE(vm != NULL);
	ASSERT_TRUE(cm_map3(test_ctx, vm, 0, 2, 9));
	trace_rings_reset();
	host_cache_log_reset();
	/* The MMU without the caches is not "on" for this purpose. */
	cmo_sctlr_written(&vm->vcpus[0], 0, CM_SCTLR_M);
	EXPECT_TRUE(vm_caches_off(vm));
	cmo_sctlr_written(&vm->vcpus[0], CM_SCTLR_M, CM_ON);
	EXPECT_TRUE(!vm_caches_off(vm));
	n = test_vm_trace_take();
	EXPECT_EQ(cm_count(n, TRACE_CMO_OP_CIVAC, TRACE_CMO_WHY_MMU_ON), 3);
	EXPECT_TRUE(cm_cleaned(vm, n, CM_PAGE(0), TRACE_CMO_WHY_MMU_ON));
	EXPECT_TRUE(cm_cleaned(vm, n, CM_PAGE(2), TRACE_CMO_WHY_MMU_ON));
	EXPECT_TRUE(cm_cleaned(vm, n, CM_PAGE(9), TRACE_CMO_WHY_MMU_ON));
	EXPECT_TRUE(host_cache_cleaned(test_vm_ptr(vm, CM_PAGE(9)), PAGE_SIZE));
	EXPECT_EQ(test_vm_trace_count_field(n, TRACE_EV_sctlr_trap, 4, 1), 1);
	EXPECT_EQ(vm->vcpus[0].stats.sctlr_traps, 2);
	/* vCPU 1 turns its caches on too: nothing to clean again. */
	trace_rings_reset();
	cmo_sctlr_written(&vm->vcpus[1], 0, CM_ON);
	/* vCPU 0 writes SCTLR without changing M or C. */
	cmo_sctlr_written(&vm->vcpus[0], CM_ON, CM_ON | 0x1000);
	n = test_vm_trace_take();
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_cmo), 0);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_sctlr_trap), 2);
	EXPECT_EQ(atomic_load(&vm->caches_on_vcpus), 2);
}

/** Once every vCPU turned its caches off again, the next to turn them on cleans again. */
TEST(cmo, caches_on_again_after_all_off_cleans_again)
{
	struct vm *vm = cm_build(test_ctx, 2);
	size_t n;

	ASSERT_TRUE(vm != NULL);
	ASSERT_TRUE(cm_map3(test_ctx, vm, 1, 2, 3));
	cmo_sctlr_written(&vm->vcpus[0], 0, CM_ON);
	cmo_sctlr_written(&vm->vcpus[1], 0, CM_ON);
	cmo_sctlr_written(&vm->vcpus[0], CM_ON, 0);
	trace_rings_reset();
	/* vCPU 1 kept them on all along: no clean for vCPU 0's return. */
	cmo_sctlr_written(&vm->vcpus[0], 0, CM_ON);
	n = test_vm_trace_take();
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_cmo), 0);
	cmo_sctlr_written(&vm->vcpus[0], CM_ON, 0);
	cmo_sctlr_written(&vm->vcpus[1], CM_ON, 0);
	EXPECT_TRUE(vm_caches_off(vm));
	trace_rings_reset();
	cmo_sctlr_written(&vm->vcpus[1], 0, CM_ON);
	n = test_vm_trace_take();
	EXPECT_EQ(cm_count(n, TRACE_CMO_OP_CIVAC, TRACE_CMO_WHY_MMU_ON), 3);
}

/** A set/way trap flushes the VM's mapped memory by VA once; later ones are only counted until the cache state changes. */
TEST(cmo, set_way_flushes_once_per_cache_state)
{
	struct vm *vm = cm_build(test_ctx, 1);
	struct vcpu *v;
	size_t n;

	ASSERT_TRUE(vm != NULL);
	v = &vm->vcpus[0];
	ASSERT_TRUE(cm_map3(test_ctx, vm, 4, 5, 6));
	trace_rings_reset();
	cmo_set_way(v);
	n = test_vm_trace_take();
	EXPECT_EQ(cm_count(n, TRACE_CMO_OP_SET_WAY_TRAP, TRACE_CMO_WHY_SET_WAY),
		  1);
	EXPECT_EQ(cm_count(n, TRACE_CMO_OP_CIVAC, TRACE_CMO_WHY_SET_WAY), 3);
	EXPECT_TRUE(cm_cleaned(vm, n, CM_PAGE(5), TRACE_CMO_WHY_SET_WAY));
	EXPECT_EQ(atomic_load(&vm->stats.set_way_flushes), 1);
	/* The guest goes on by set/way: counted, not flushed. */
	trace_rings_reset();
	cmo_set_way(v);
	cmo_set_way(v);
	n = test_vm_trace_take();
	EXPECT_EQ(cm_count(n, TRACE_CMO_OP_SET_WAY_TRAP, TRACE_CMO_WHY_SET_WAY),
		  2);
	EXPECT_EQ(cm_count(n, TRACE_CMO_OP_CIVAC, TRACE_CMO_WHY_SET_WAY), 0);
	EXPECT_EQ(v->stats.set_way_traps, 3);
	EXPECT_EQ(atomic_load(&vm->stats.set_way_flushes), 1);
	/* Caches on: a new sequence, flushed once more. */
	cmo_sctlr_written(v, 0, CM_ON);
	trace_rings_reset();
	cmo_set_way(v);
	cmo_set_way(v);
	n = test_vm_trace_take();
	EXPECT_EQ(cm_count(n, TRACE_CMO_OP_CIVAC, TRACE_CMO_WHY_SET_WAY), 3);
	EXPECT_EQ(atomic_load(&vm->stats.set_way_flushes), 2);
}
