/*
 * The host stage 2 (seed 000) through fault_handle(): an identity map
 * filled lazily with the largest block that fits the memory or device
 * range around the fault; device mappings take their tables from their
 * own pool, which is recycled by unmapping every device range when it
 * runs dry, and the map is retried.
 */
#include <faultline/test.h>
#include <faultline/trace/ring.h>
#include <faultline/vm_ops.h>

#include "test_stage2_util.h"
#include "test_vm_util.h"

/* Three device ranges: two pages in one GiB, and a 2 MiB aligned one. */
#define HS_DEV_A UINT64_C(0x09000000)
#define HS_DEV_B UINT64_C(0x0a000000)
#define HS_DEV_C UINT64_C(0x0c000000)
#define HS_DEV (TVM_RW | STAGE2_PROT_DEVICE)

static struct test_plan hs_plan;

/*
 * A host VM owning TVM_HOST_MEM_PA (with @mem_flags), with @dev_pages
 * pages for device tables, on a machine with HS_DEV_A/B/C.
 */
static struct vm *hs_build(struct test_ctx *test_ctx, uint32_t mem_flags,
			   uint32_t dev_pages)
{
	test_vm_plat_reset();
	test_vm_plat.devices[0].base = HS_DEV_A;
	test_vm_plat.devices[0].size = PAGE_SIZE;
	test_vm_plat.devices[1].base = HS_DEV_B;
	test_vm_plat.devices[1].size = PAGE_SIZE;
	test_vm_plat.devices[2].base = HS_DEV_C;
	test_vm_plat.devices[2].size = S2T_2M;
	test_vm_plat.ndevices = 3;
	test_plan_init(&hs_plan);
	hs_plan.vms[0].flags = PLAN_VM_HOST_S2;
	hs_plan.vms[0].policy = PLAN_POLICY_LEGACY;
	hs_plan.vms[0].dev_pool_pages = dev_pages;
	hs_plan.regions[0].ipa = TVM_HOST_MEM_PA;
	hs_plan.regions[0].size = TVM_HOST_MEM_SIZE;
	hs_plan.regions[0].flags = mem_flags;
	return test_vm_build(test_ctx, &hs_plan);
}

/** A memory fault maps the 2 MiB block around it (aligned and inside the range) at its own address, with no BBM. */
TEST(host_s2, memory_fault_maps_the_largest_block)
{
	uint64_t ipa = TVM_HOST_MEM_PA + S2T_2M + 0x123458;
	struct vm *vm = hs_build(test_ctx, 0, 4);
	struct stage2_leaf leaf;
	size_t n;

	ASSERT_TRUE(vm != NULL);
	EXPECT_EQ(vm->vmid, 0);
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], ipa, FAULT_TRANSLATION,
				FAULT_READ),
		  FAULT_MAPPED);
	ASSERT_EQ_INT(stage2_lookup(&vm->s2, ipa, &leaf), 0);
	EXPECT_EQ(leaf.level, 2);
	EXPECT_EQ(pa_addr(leaf.pa), ipa);
	EXPECT_EQ(leaf.prot, TVM_RW);
	/* The block's first and last pages, not the next block. */
	EXPECT_LEAF(vm, TVM_HOST_MEM_PA + S2T_2M, 2, TVM_RW);
	EXPECT_LEAF(vm, TVM_HOST_MEM_PA + 2 * S2T_2M - PAGE_SIZE, 2, TVM_RW);
	EXPECT_UNMAPPED(vm, TVM_HOST_MEM_PA);
	n = test_vm_trace_take();
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_bbm_break), 0);
	EXPECT_EQ(test_vm_trace_count_field(n, TRACE_EV_s2_fault_exit, 5, 2),
		  1);
	/* Another address in the block: already mapped, spurious. */
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], TVM_HOST_MEM_PA + S2T_2M,
				FAULT_TRANSLATION, FAULT_WRITE),
		  FAULT_SPURIOUS);
}

/** Where no block fits inside the range around the fault, a page is mapped. */
TEST(host_s2, memory_fault_maps_a_page_where_no_block_fits)
{
	uint64_t base = TVM_HOST_MEM_PA + TVM_HOST_MEM_SIZE + 16 * PAGE_SIZE;
	struct vm *vm;

	test_vm_plat_reset();
	test_plan_init(&hs_plan);
	hs_plan.vms[0].flags = PLAN_VM_HOST_S2;
	hs_plan.regions[0].ipa = base;
	hs_plan.regions[0].size = S2T_2M;
	vm = test_vm_build(test_ctx, &hs_plan);
	ASSERT_TRUE(vm != NULL);
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], base + S2T_2M - PAGE_SIZE,
				FAULT_TRANSLATION, FAULT_READ),
		  FAULT_MAPPED);
	EXPECT_LEAF(vm, base + S2T_2M - PAGE_SIZE, 3, TVM_RW);
	EXPECT_UNMAPPED(vm, base + S2T_2M - 2 * PAGE_SIZE);
}

/** A device fault maps the device range identically as Device memory, a block where the range allows. */
TEST(host_s2, device_fault_maps_device_memory)
{
	struct vm *vm = hs_build(test_ctx, 0, 4);

	ASSERT_TRUE(vm != NULL);
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], HS_DEV_A + 0x40,
				FAULT_TRANSLATION, FAULT_WRITE),
		  FAULT_MAPPED);
	EXPECT_LEAF(vm, HS_DEV_A, 3, HS_DEV);
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], HS_DEV_C + 0x1234,
				FAULT_TRANSLATION, FAULT_READ),
		  FAULT_MAPPED);
	EXPECT_LEAF(vm, HS_DEV_C + 0x1000, 2, HS_DEV);
	/* Device tables came from the device pool only. */
	EXPECT_TRUE(stage2_pool_available(&vm->dev_pool) < 4);
}

/** With the device pool empty, a device fault unmaps every device range (pool_recycle), retries and maps. */
TEST(host_s2, device_pool_empty_recycles_and_retries)
{
	struct vm *vm = hs_build(test_ctx, 0, 2);
	size_t before, n, r;

	ASSERT_TRUE(vm != NULL);
	/* Device A takes both device pages (level-2 and level-3 tables). */
	ASSERT_EQ(test_vm_fault(&vm->vcpus[0], HS_DEV_A, FAULT_TRANSLATION,
				FAULT_READ),
		  FAULT_MAPPED);
	EXPECT_EQ(stage2_pool_available(&vm->dev_pool), 0);
	before = stage2_pool_available(&vm->mem_pool);
	trace_rings_reset();
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], HS_DEV_B + 8, FAULT_TRANSLATION,
				FAULT_READ),
		  FAULT_MAPPED);
	EXPECT_LEAF(vm, HS_DEV_B, 3, HS_DEV);
	EXPECT_UNMAPPED(vm, HS_DEV_A);
	EXPECT_EQ(atomic_load(&vm->stats.recycles), 1);
	/* Memory's pool paid nothing. */
	EXPECT_EQ(stage2_pool_available(&vm->mem_pool), before);
	n = test_vm_trace_take();
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_pool_exhausted), 1);
	r = test_stage2_trace_find(n, 0, TRACE_EV_pool_recycle);
	ASSERT_TRUE(r < n);
	EXPECT_EQ(test_stage2_trace[r].f[0], vm->dev_pool.id);
	EXPECT_EQ(test_stage2_trace[r].f[1], 2);
	EXPECT_EQ(test_vm_trace_last_outcome(n), TRACE_OUTCOME_MAPPED);
	/* Device A faults back in the same way. */
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], HS_DEV_A, FAULT_TRANSLATION,
				FAULT_READ),
		  FAULT_MAPPED);
	EXPECT_LEAF(vm, HS_DEV_A, 3, HS_DEV);
	EXPECT_EQ(atomic_load(&vm->stats.recycles), 2);
}

/** With no device pages at all, recycling frees nothing: the vCPU stops out of memory. */
TEST(host_s2, device_pool_too_small_stops_the_vcpu)
{
	struct vm *vm = hs_build(test_ctx, 0, 0);

	ASSERT_TRUE(vm != NULL);
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], HS_DEV_B, FAULT_TRANSLATION,
				FAULT_READ),
		  FAULT_OUT_OF_MEMORY);
	EXPECT_UNMAPPED(vm, HS_DEV_B);
	EXPECT_TRUE(vcpu_stopped(&vm->vcpus[0]));
	EXPECT_EQ(vm->vcpus[0].stop_reason, TRACE_VCPU_STOP_OUT_OF_MEMORY);
}

/** An address that is neither the host's memory nor a device gets an abort. */
TEST(host_s2, outside_memory_and_devices_injects_abort)
{
	struct vm *vm = hs_build(test_ctx, 0, 2);

	ASSERT_TRUE(vm != NULL);
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], HS_DEV_A + PAGE_SIZE,
				FAULT_TRANSLATION, FAULT_READ),
		  FAULT_ABORT_INJECTED);
	EXPECT_EQ(vm->vcpus[0].regs.injected_far, HS_DEV_A + PAGE_SIZE);
	EXPECT_UNMAPPED(vm, HS_DEV_A + PAGE_SIZE);
}

/** A write to the host's read-only memory, or a fetch from a device, gets an abort instead of a mapping that faults forever. */
TEST(host_s2, forbidden_access_injects_abort)
{
	struct vm *vm = hs_build(test_ctx, PLAN_REGION_RO, 2);
	struct vcpu *v;

	ASSERT_TRUE(vm != NULL);
	v = &vm->vcpus[0];
	EXPECT_EQ(test_vm_fault(v, TVM_HOST_MEM_PA, FAULT_TRANSLATION,
				FAULT_WRITE),
		  FAULT_ABORT_INJECTED);
	EXPECT_EQ(test_vm_fault(v, TVM_HOST_MEM_PA, FAULT_TRANSLATION,
				FAULT_READ),
		  FAULT_MAPPED);
	EXPECT_LEAF(vm, TVM_HOST_MEM_PA, 2, STAGE2_PROT_R);
	/* The permission fault of the write that follows: not spurious. */
	EXPECT_EQ(test_vm_fault(v, TVM_HOST_MEM_PA, FAULT_PERMISSION,
				FAULT_WRITE),
		  FAULT_ABORT_INJECTED);
	EXPECT_EQ(test_vm_fault(v, HS_DEV_A, FAULT_TRANSLATION, FAULT_EXEC),
		  FAULT_ABORT_INJECTED);
	EXPECT_TRUE(v->regs.injected_exec);
	EXPECT_EQ(v->regs.injected, 3);
}
