/*
 * Building VMs from a plan (vm_build()): regions, memory contents,
 * private areas and control blocks, initial contexts, pre-touched
 * mappings, and the errors of a build that cannot be done; then reading
 * back what the vCPUs timed (vm_emit_results()).
 */
#include <faultline/err.h>
#include <faultline/test.h>
#include <faultline/trace/ring.h>
#include <faultline/vm_ops.h>

#include "test_stage2_util.h"
#include "test_util.h"
#include "test_vm_util.h"

/* An AArch64 RET, what executable regions hold. */
#define VB_RET UINT32_C(0xd65f03c0)
#define VB_EXEC_IPA (TEST_PLAN_IPA + S2T_2M)
#define VB_BIG_IPA (TEST_PLAN_IPA + 2 * S2T_2M)
#define VB_RO_IPA (TEST_PLAN_IPA + 4 * S2T_2M)

static struct test_plan vb_plan;

/*
 * One VM with a plain region, an executable one, a 2 MiB one and a
 * pre-touched read-only one, and two vCPUs on CPUs 2 and 3.
 */
static void vb_plan_init(struct test_plan *t)
{
	test_plan_init(t);
	t->vms[0].nregions = 4;
	t->regions[1].ipa = VB_EXEC_IPA;
	t->regions[1].size = 2 * PAGE_SIZE;
	t->regions[1].flags = PLAN_REGION_EXEC;
	t->regions[2].ipa = VB_BIG_IPA;
	t->regions[2].size = S2T_2M;
	t->regions[3].ipa = VB_RO_IPA;
	t->regions[3].size = 3 * PAGE_SIZE;
	t->regions[3].flags = PLAN_REGION_RO | PLAN_REGION_PRETOUCH;
	t->vms[0].nvcpus = 2;
	t->vcpus[0].pcpu = 2;
	t->vcpus[1].pcpu = 3;
	t->vcpus[1].nops = 3;
	t->ops[2].code = GUEST_OP_DELAY;
	t->ops[2].arg = 1000;
	t->ops[3].code = GUEST_OP_HVC;
	t->ops[3].arg = GUEST_HVC_NULL;
	t->ops[4].code = GUEST_OP_END;
	test_plan_relayout(t);
}

/* True when the @size bytes at @p are all @word (32-bit words). */
static bool vb_all(const void *p, uint64_t size, uint32_t word)
{
	const uint32_t *w = p;

	for (uint64_t i = 0; i < size / 4; i++) {
		if (w[i] != word) {
			return false;
		}
	}
	return true;
}

/** The plan's regions get fresh RAM: zeroed, or RET-filled when executable, 2 MiB aligned when 2 MiB big, with an empty dirty bitmap. */
TEST(vm_build, regions_get_fresh_memory)
{
	struct vm *vm;
	struct vm_region *r;

	vb_plan_init(&vb_plan);
	vm = test_vm_build(test_ctx, &vb_plan);
	ASSERT_TRUE(vm != NULL);
	EXPECT_EQ(nvms, 1);
	EXPECT_EQ(vm->index, 0);
	EXPECT_EQ(vm->vmid, 1);
	EXPECT_EQ(atomic_load(&vm->policy), PLAN_POLICY_PREJUDGE);
	/* Four of the plan's, a private area per vCPU (no executor here). */
	EXPECT_EQ(vm->nregions, 6);
	r = vm_region_find(vm, TEST_PLAN_IPA + 8);
	ASSERT_TRUE(r != NULL);
	EXPECT_EQ(r->ipa, TEST_PLAN_IPA);
	EXPECT_EQ(r->size, TEST_PLAN_REGION_SIZE);
	EXPECT_TRUE(pa_addr(r->pa) >= TVM_RAM_PA &&
		    pa_addr(r->pa) + r->size <= TVM_RAM_PA + TVM_RAM_SIZE);
	EXPECT_TRUE(vb_all(test_vm_ptr(vm, TEST_PLAN_IPA), r->size, 0));
	ASSERT_TRUE(r->dirty != NULL);
	EXPECT_EQ(atomic_load(&r->dirty[0]), 0);
	EXPECT_TRUE(
		vb_all(test_vm_ptr(vm, VB_EXEC_IPA), 2 * PAGE_SIZE, VB_RET));
	r = vm_region_find(vm, VB_BIG_IPA + S2T_2M - 1);
	ASSERT_TRUE(r != NULL);
	EXPECT_TRUE(IS_ALIGNED(pa_addr(r->pa), S2T_2M));
	EXPECT_TRUE(vb_all(test_vm_ptr(vm, VB_BIG_IPA), S2T_2M, 0));
	EXPECT_TRUE(vm_region_find(vm, VB_BIG_IPA + S2T_2M) == NULL);
	/* No two regions share RAM. */
	for (unsigned i = 0; i < vm->nregions; i++) {
		for (unsigned j = 0; j < i; j++) {
			const struct vm_region *a = &vm->regions[i];
			const struct vm_region *b = &vm->regions[j];

			EXPECT_TRUE(pa_addr(a->pa) + a->size <=
					    pa_addr(b->pa) ||
				    pa_addr(b->pa) + b->size <= pa_addr(a->pa));
		}
	}
}

/** Only the private areas and pre-touched regions are mapped at build time, each with its region's permissions. */
TEST(vm_build, pretouch_maps_private_areas_and_pretouched_regions)
{
	struct vm *vm;

	vb_plan_init(&vb_plan);
	vm = test_vm_build(test_ctx, &vb_plan);
	ASSERT_TRUE(vm != NULL);
	EXPECT_UNMAPPED(vm, TEST_PLAN_IPA);
	EXPECT_UNMAPPED(vm, VB_EXEC_IPA);
	EXPECT_UNMAPPED(vm, VB_BIG_IPA);
	EXPECT_LEAF(vm, VB_RO_IPA, 3, STAGE2_PROT_R);
	EXPECT_LEAF(vm, VB_RO_IPA + 2 * PAGE_SIZE, 3, STAGE2_PROT_R);
	EXPECT_UNMAPPED(vm, VB_RO_IPA + 3 * PAGE_SIZE);
	for (unsigned c = 0; c < 2; c++) {
		uint64_t priv = GUEST_PRIV_IPA + c * GUEST_PRIV_STRIDE;
		struct stage2_leaf leaf;

		ASSERT_EQ_INT(stage2_lookup(&vm->s2, priv, &leaf), 0);
		EXPECT_EQ(pa_addr(leaf.pa), test_vm_pa(vm, priv));
		EXPECT_EQ(leaf.prot, TVM_RW);
		ASSERT_EQ_INT(stage2_lookup(&vm->s2,
					    priv + GUEST_PRIV_STRIDE - 8,
					    &leaf),
			      0);
		EXPECT_EQ(vm_region_find(vm, priv)->flags, VM_REGION_PRIVATE);
	}
	EXPECT_UNMAPPED(vm, GUEST_PRIV_IPA + 2 * GUEST_PRIV_STRIDE);
}

/** Each vCPU gets its control block, its program, and a context that enters the executor with x0 at the block. */
TEST(vm_build, vcpus_get_control_block_program_and_context)
{
	struct vm *vm;

	vb_plan_init(&vb_plan);
	vm = test_vm_build(test_ctx, &vb_plan);
	ASSERT_TRUE(vm != NULL);
	ASSERT_EQ(vm->nvcpus, 2);
	EXPECT_EQ(vm->live_vcpus, 2);
	for (unsigned c = 0; c < 2; c++) {
		struct vcpu *v = &vm->vcpus[c];
		uint64_t priv = GUEST_PRIV_IPA + c * GUEST_PRIV_STRIDE;
		const struct plan_vcpu *pc = &vb_plan.vcpus[c];

		EXPECT_TRUE(vm_vcpu(vm, c) == v);
		EXPECT_TRUE(v->vm == vm);
		EXPECT_EQ(v->index, c);
		EXPECT_EQ(v->id, c);
		EXPECT_EQ(v->pcpu, pc->pcpu);
		EXPECT_EQ(atomic_load(&v->state), VCPU_READY);
		EXPECT_EQ(v->ctl_ipa, priv);
		EXPECT_TRUE(v->ctl == test_vm_ptr(vm, priv));
		EXPECT_EQ(v->ctl->magic, GUEST_CTL_MAGIC);
		EXPECT_EQ(v->ctl->vcpu, c);
		EXPECT_EQ(v->ctl->nops, pc->nops);
		EXPECT_EQ(v->ctl->ops, priv + GUEST_PRIV_OPS);
		EXPECT_EQ(v->ctl->results, priv + GUEST_PRIV_RESULTS);
		EXPECT_EQ(v->ctl->results_max, GUEST_RESULTS_MAX);
		EXPECT_EQ(v->ctl->pt, priv + GUEST_PRIV_PT);
		EXPECT_EQ(v->ctl->stack_top, priv + GUEST_PRIV_STACK_TOP);
		EXPECT_EQ(v->ctl->nresults, 0);
		EXPECT_EQ(v->ctl->progress, 0);
		EXPECT_TRUE(test_util_mem_equal(
			test_vm_ptr(vm, priv + GUEST_PRIV_OPS),
			&vb_plan.ops[pc->first_op],
			pc->nops * sizeof(struct guest_op)));
		EXPECT_EQ(v->regs.pc, GUEST_CODE_IPA);
		EXPECT_EQ(v->regs.x0, priv);
		EXPECT_EQ(v->regs.injected, 0);
	}
	EXPECT_TRUE(vm_vcpu(vm, 2) == NULL);
}

/** The second VM of a plan gets the next VMID and run-wide vCPU ids; a host VM gets VMID 0 and runs at physical addresses. */
TEST(vm_build, two_vms_and_a_host_vm)
{
	struct vm *vm;
	struct vcpu *hv;

	test_vm_plat_reset();
	test_plan_init(&vb_plan);
	vb_plan.h.nvms = 2;
	vb_plan.vms[1] = vb_plan.vms[0];
	vb_plan.vms[1].flags = PLAN_VM_HOST_S2;
	vb_plan.vms[1].policy = PLAN_POLICY_LEGACY;
	vb_plan.regions[1].ipa = TVM_HOST_MEM_PA;
	vb_plan.regions[1].size = TVM_HOST_MEM_SIZE;
	vb_plan.vcpus[1].pcpu = 1;
	vb_plan.vcpus[1].nops = 1;
	test_plan_relayout(&vb_plan);
	vm = test_vm_build(test_ctx, &vb_plan);
	ASSERT_TRUE(vm != NULL);
	EXPECT_EQ(nvms, 2);
	EXPECT_EQ(vms[1].index, 1);
	EXPECT_EQ(vms[1].vmid, 0);
	EXPECT_EQ(atomic_load(&vms[1].policy), PLAN_POLICY_LEGACY);
	hv = &vms[1].vcpus[0];
	EXPECT_EQ(hv->id, 1);
	EXPECT_EQ(hv->pcpu, 1);
	/* The host's memory is its own, in place; its private area too. */
	EXPECT_EQ(test_vm_pa(&vms[1], TVM_HOST_MEM_PA), TVM_HOST_MEM_PA);
	EXPECT_EQ(test_vm_pa(&vms[1], hv->ctl_ipa), hv->ctl_ipa);
	EXPECT_TRUE(hv->ctl_ipa >= TVM_RAM_PA &&
		    hv->ctl_ipa < TVM_RAM_PA + TVM_RAM_SIZE);
	EXPECT_EQ(hv->regs.x0, hv->ctl_ipa);
	EXPECT_EQ(hv->ctl->ops, hv->ctl_ipa + GUEST_PRIV_OPS);
	/* The guest VM's memory was not taken from the host's. */
	EXPECT_TRUE(test_vm_pa(vm, TEST_PLAN_IPA) + TEST_PLAN_REGION_SIZE <=
			    TVM_HOST_MEM_PA ||
		    test_vm_pa(vm, TEST_PLAN_IPA) >=
			    TVM_HOST_MEM_PA + TVM_HOST_MEM_SIZE);
}

/* Builds vb_plan expecting @want and a message containing @what. */
static bool vb_build_fails(struct test_ctx *test_ctx, int want,
			   const char *what)
{
	char err[200];
	int ret = test_vm_build_error(&vb_plan, err, sizeof(err));

	if (ret != want || !test_util_contains(err, what)) {
		test_fail(test_ctx, __FILE__, __LINE__,
			  "vm_build gave %d \"%s\"; expected %d naming \"%s\"",
			  ret, err, want, what);
		return false;
	}
	return true;
}

/** A build that cannot be done fails with an error naming the VM or the item and why. */
TEST(vm_build, failures_name_the_item)
{
	test_vm_plat_reset();
	/* Guest memory bigger than the RAM left. */
	test_plan_init(&vb_plan);
	vb_plan.regions[0].size = UINT64_C(64) << 20;
	EXPECT_TRUE(vb_build_fails(test_ctx, -ERR_NOMEM,
				   "guest memory: no 65536 KiB of free RAM"));
	/* A table pool bigger than the RAM. */
	test_plan_init(&vb_plan);
	vb_plan.vms[0].mem_pool_pages = 65536;
	EXPECT_TRUE(vb_build_fails(test_ctx, -ERR_NOMEM, "mem: no 262144 KiB"));
	/* A host VM's memory that is not RAM, or is RAM already taken. */
	test_plan_init(&vb_plan);
	vb_plan.vms[0].flags = PLAN_VM_HOST_S2;
	vb_plan.regions[0].ipa = TVM_RAM_PA + TVM_RAM_SIZE;
	vb_plan.regions[0].size = PAGE_SIZE;
	EXPECT_TRUE(vb_build_fails(test_ctx, -ERR_RANGE,
				   "vm 0 region 0: 0x42000000+0x1000 is not "
				   "free RAM a host VM can own"));
	vb_plan.regions[0].ipa = TVM_RAM_PA;
	EXPECT_TRUE(vb_build_fails(test_ctx, -ERR_RANGE, "is not free RAM"));
	/* A device range beyond the host VM's IPA size. */
	vb_plan.regions[0].ipa = TVM_HOST_MEM_PA;
	vb_plan.vms[0].ia_bits = 32;
	test_vm_plat.devices[0].base = UINT64_C(0x100000000);
	test_vm_plat.devices[0].size = PAGE_SIZE;
	test_vm_plat.ndevices = 1;
	EXPECT_TRUE(vb_build_fails(test_ctx, -ERR_RANGE,
				   "vm 0: device range 0x100000000 does not "
				   "fit"));
	test_vm_plat_reset();
}

/* Fills @v's results with @n accesses (op i, code codes[i % 4]). */
static void vb_results(struct vm *vm, struct vcpu *v, uint32_t n)
{
	static const uint32_t codes[] = {GUEST_OP_READ, GUEST_OP_WRITE,
					 GUEST_OP_EXEC, GUEST_OP_HVC};
	struct guest_result *res =
		test_vm_ptr(vm, v->ctl_ipa + GUEST_PRIV_RESULTS);

	for (uint32_t i = 0; i < n; i++) {
		res[i].op = i;
		res[i].code = codes[i % 4];
		res[i].addr = TEST_PLAN_IPA + 8 * i;
		res[i].t_start = 1000 + i;
		res[i].t_end = 2000 + i;
	}
	v->ctl->nresults = n;
}

static unsigned vb_drains;

static void vb_drain(void)
{
	vb_drains++;
	trace_rings_reset();
}

/** Each timed access becomes a guest_access event with the vCPU's run-wide id and the access kind of its op. */
TEST(vm_results, emits_one_event_per_timed_access)
{
	static const uint64_t access[] = {TRACE_ACCESS_READ, TRACE_ACCESS_WRITE,
					  TRACE_ACCESS_EXEC, TRACE_ACCESS_HVC};
	struct vm *vm;
	size_t n;

	vb_plan_init(&vb_plan);
	vm = test_vm_build(test_ctx, &vb_plan);
	ASSERT_TRUE(vm != NULL);
	vb_results(vm, &vm->vcpus[0], 2);
	vb_results(vm, &vm->vcpus[1], 4);
	EXPECT_EQ(vm_emit_results(NULL, 16), 6);
	n = test_vm_trace_take();
	ASSERT_EQ(test_stage2_trace_count(n, TRACE_EV_guest_access), 6);
	for (size_t i = 0, k = 0; i < n; i++) {
		const struct trace_record *r = &test_stage2_trace[i];
		unsigned op = k < 2 ? (unsigned)k : (unsigned)k - 2;

		if (r->id != TRACE_EV_guest_access) {
			continue;
		}
		EXPECT_EQ(r->f[0], k < 2 ? 0 : 1);
		EXPECT_EQ(r->f[1], op);
		EXPECT_EQ(r->f[2], TEST_PLAN_IPA + 8 * op);
		EXPECT_EQ(r->f[3], access[op % 4]);
		EXPECT_EQ(r->f[4], 1000 + op);
		EXPECT_EQ(r->f[5], 2000 + op);
		k++;
	}
}

/** A count the guest wrote beyond what the results area holds is capped, and the drain is called every batch. */
TEST(vm_results, guest_count_is_capped)
{
	struct vm *vm;

	test_plan_init(&vb_plan);
	vm = test_vm_build(test_ctx, &vb_plan);
	ASSERT_TRUE(vm != NULL);
	vm->vcpus[0].ctl->nresults = UINT32_MAX;
	vb_drains = 0;
	EXPECT_EQ(vm_emit_results(vb_drain, 4096), GUEST_RESULTS_MAX);
	EXPECT_EQ(vb_drains, GUEST_RESULTS_MAX / 4096);
	trace_rings_reset();
}
