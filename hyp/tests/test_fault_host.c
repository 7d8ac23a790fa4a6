/*
 * fault_handle() on a VM built by vm_build() from a plan: what each
 * policy does with a first fault, a repeated fault and a permission
 * fault (seed 002's prejudgement against the legacy break-before-make),
 * aborts injected for accesses the VM's regions do not allow, and a
 * policy switched at run time by hypercall.
 */
#include <faultline/err.h>
#include <faultline/test.h>
#include <faultline/trace/ring.h>
#include <faultline/vm_ops.h>

#include "test_stage2_util.h"
#include "test_vm_util.h"

/* A page of the plan's region, not aligned to a block. */
#define FH_IPA (TEST_PLAN_IPA + 3 * PAGE_SIZE)
/* VMID of vms[0]. */
#define FH_VMID 1

static struct test_plan fh_plan;

/* The minimal plan's VM under @policy. */
static struct vm *fh_build(struct test_ctx *test_ctx, unsigned policy)
{
	test_plan_init(&fh_plan);
	fh_plan.vms[0].policy = policy;
	return test_vm_build(test_ctx, &fh_plan);
}

/* Records of event @id at level 3 for FH_IPA's page. */
static unsigned fh_count(size_t n, uint16_t id)
{
	unsigned count = 0;

	for (size_t i = 0; i < n; i++) {
		if (test_stage2_trace[i].id == id &&
		    test_stage2_trace[i].f[1] == FH_IPA &&
		    test_stage2_trace[i].f[2] == 3) {
			count++;
		}
	}
	return count;
}

/* The leaf FH_IPA gets with @prot. */
static stage2_pte_t fh_leaf(struct vm *vm, unsigned prot)
{
	return stage2_pte_leaf(pa_init(test_vm_pa(vm, FH_IPA)), prot, 3);
}

/* Maps FH_IPA read-only as dirty logging does, then stops logging. */
static bool fh_map_read_only(struct test_ctx *test_ctx, struct vm *vm)
{
	if (!EXPECT_EQ_INT(dirty_log_start(vm), 0) ||
	    !EXPECT_EQ(test_vm_fault(&vm->vcpus[0], FH_IPA, FAULT_TRANSLATION,
				     FAULT_READ),
		       FAULT_MAPPED) ||
	    !EXPECT_LEAF(vm, FH_IPA, 3, STAGE2_PROT_R)) {
		return false;
	}
	dirty_log_stop(vm);
	trace_rings_reset();
	return true;
}

/** A first translation fault maps the page (traced enter, pte_write, exit "mapped"), with no break-before-make, under either policy. */
TEST(fault, first_fault_maps_the_page)
{
	static const unsigned policies[] = {PLAN_POLICY_PREJUDGE,
					    PLAN_POLICY_LEGACY};

	for (unsigned p = 0; p < ARRAY_SIZE(policies); p++) {
		struct vm *vm = fh_build(test_ctx, policies[p]);
		struct vcpu *v;
		size_t n, enter, exit;

		ASSERT_TRUE(vm != NULL);
		v = &vm->vcpus[0];
		EXPECT_UNMAPPED(vm, FH_IPA);
		EXPECT_EQ(test_vm_fault(v, FH_IPA + 0x18, FAULT_TRANSLATION,
					FAULT_READ),
			  FAULT_MAPPED);
		EXPECT_LEAF(vm, FH_IPA, 3, TVM_RW);
		n = test_vm_trace_take();
		enter = test_stage2_trace_find(n, 0, TRACE_EV_s2_fault_enter);
		exit = test_stage2_trace_find(n, 0, TRACE_EV_s2_fault_exit);
		ASSERT_TRUE(enter < exit && exit < n);
		EXPECT_EQ(test_stage2_trace[enter].f[0], v->id);
		EXPECT_EQ(test_stage2_trace[enter].f[1], FH_VMID);
		EXPECT_EQ(test_stage2_trace[enter].f[2], FH_IPA + 0x18);
		EXPECT_EQ(test_stage2_trace[enter].f[4],
			  TRACE_FAULT_KIND_TRANSLATION);
		EXPECT_EQ(test_stage2_trace[enter].f[5], TRACE_ACCESS_READ);
		EXPECT_EQ(test_stage2_trace[exit].f[3], TRACE_OUTCOME_MAPPED);
		EXPECT_EQ(test_stage2_trace[exit].f[4], policies[p]);
		EXPECT_EQ(test_stage2_trace[exit].f[5], 3);
		EXPECT_EQ(fh_count(n, TRACE_EV_pte_write), 1);
		EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_bbm_break), 0);
		EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_tlbi), 0);
		EXPECT_EQ(v->stats.faults, 1);
		EXPECT_EQ(v->stats.outcomes[FAULT_MAPPED], 1);
	}
}

/** Under prejudge, the same fault again finds the identical mapping: spurious, and nothing is written or invalidated. */
TEST(fault, prejudge_repeat_is_spurious)
{
	struct vm *vm = fh_build(test_ctx, PLAN_POLICY_PREJUDGE);
	stage2_pte_t before;
	size_t n;

	ASSERT_TRUE(vm != NULL);
	ASSERT_EQ(test_vm_fault(&vm->vcpus[0], FH_IPA, FAULT_TRANSLATION,
				FAULT_READ),
		  FAULT_MAPPED);
	before = test_vm_pte(vm, FH_IPA);
	trace_rings_reset();
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], FH_IPA, FAULT_TRANSLATION,
				FAULT_READ),
		  FAULT_SPURIOUS);
	n = test_vm_trace_take();
	EXPECT_EQ(test_vm_pte(vm, FH_IPA), before);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_pte_write), 0);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_bbm_break), 0);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_tlbi), 0);
	EXPECT_EQ(test_vm_trace_last_outcome(n), TRACE_OUTCOME_SPURIOUS);
	EXPECT_EQ(vm->vcpus[0].stats.outcomes[FAULT_SPURIOUS], 1);
}

/** Under legacy, the same fault again rebuilds the leaf: break, TLBI of the page (inner shareable), make, outcome remapped. */
TEST(fault, legacy_repeat_remaps_with_bbm)
{
	struct vm *vm = fh_build(test_ctx, PLAN_POLICY_LEGACY);
	stage2_pte_t leaf;
	size_t n, brk, tlbi, make;

	ASSERT_TRUE(vm != NULL);
	ASSERT_EQ(test_vm_fault(&vm->vcpus[0], FH_IPA, FAULT_TRANSLATION,
				FAULT_READ),
		  FAULT_MAPPED);
	leaf = fh_leaf(vm, TVM_RW);
	trace_rings_reset();
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], FH_IPA, FAULT_TRANSLATION,
				FAULT_READ),
		  FAULT_REMAPPED);
	n = test_vm_trace_take();
	EXPECT_EQ(test_vm_pte(vm, FH_IPA), leaf);
	brk = test_stage2_trace_find(n, 0, TRACE_EV_bbm_break);
	tlbi = test_stage2_trace_find(n, 0, TRACE_EV_tlbi);
	make = test_stage2_trace_find(n, 0, TRACE_EV_bbm_make);
	ASSERT_TRUE(brk < tlbi && tlbi < make && make < n);
	EXPECT_EQ(test_stage2_trace[brk].f[1], FH_IPA);
	EXPECT_EQ(test_stage2_trace[brk].f[3], leaf);
	EXPECT_EQ(test_stage2_trace[tlbi].f[0], TRACE_TLBI_OP_IPAS2E1);
	EXPECT_EQ(test_stage2_trace[tlbi].f[1], FH_IPA);
	EXPECT_EQ(test_stage2_trace[tlbi].f[3], TRACE_SHARE_ISH);
	EXPECT_EQ(test_stage2_trace[tlbi].f[4], FH_VMID);
	EXPECT_EQ(test_stage2_trace[make].f[3], leaf);
	EXPECT_EQ(fh_count(n, TRACE_EV_bbm_break), 1);
	EXPECT_EQ(fh_count(n, TRACE_EV_pte_write), 0);
	EXPECT_EQ(test_vm_trace_last_outcome(n), TRACE_OUTCOME_REMAPPED);
}

/** Under prejudge, a write to a page mapped read-only is relaxed in place: one pte_write RO to RW, a local TLBI, no BBM. */
TEST(fault, prejudge_write_to_read_only_relaxes_in_place)
{
	struct vm *vm = fh_build(test_ctx, PLAN_POLICY_PREJUDGE);
	size_t n, w, tlbi;

	ASSERT_TRUE(vm != NULL);
	ASSERT_TRUE(fh_map_read_only(test_ctx, vm));
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], FH_IPA + 8, FAULT_PERMISSION,
				FAULT_WRITE),
		  FAULT_RELAXED);
	EXPECT_LEAF(vm, FH_IPA, 3, TVM_RW);
	n = test_vm_trace_take();
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_bbm_break), 0);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_bbm_make), 0);
	w = test_stage2_trace_find(n, 0, TRACE_EV_pte_write);
	tlbi = test_stage2_trace_find(n, 0, TRACE_EV_tlbi);
	ASSERT_TRUE(w < tlbi && tlbi < n);
	EXPECT_EQ(fh_count(n, TRACE_EV_pte_write), 1);
	EXPECT_EQ(test_stage2_trace[w].f[3], fh_leaf(vm, STAGE2_PROT_R));
	EXPECT_EQ(test_stage2_trace[w].f[4], fh_leaf(vm, TVM_RW));
	/* Only this CPU may hold the narrower entry that faulted. */
	EXPECT_EQ(test_stage2_trace[tlbi].f[1], FH_IPA);
	EXPECT_EQ(test_stage2_trace[tlbi].f[3], TRACE_SHARE_NSH);
	EXPECT_EQ(test_vm_trace_last_outcome(n), TRACE_OUTCOME_RELAXED);
}

/** Under legacy, the same write rebuilds the leaf with break-before-make from RO to RW. */
TEST(fault, legacy_write_to_read_only_uses_bbm)
{
	struct vm *vm = fh_build(test_ctx, PLAN_POLICY_LEGACY);
	size_t n, brk, make;

	ASSERT_TRUE(vm != NULL);
	ASSERT_TRUE(fh_map_read_only(test_ctx, vm));
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], FH_IPA, FAULT_PERMISSION,
				FAULT_WRITE),
		  FAULT_REMAPPED);
	EXPECT_LEAF(vm, FH_IPA, 3, TVM_RW);
	n = test_vm_trace_take();
	brk = test_stage2_trace_find(n, 0, TRACE_EV_bbm_break);
	make = test_stage2_trace_find(n, 0, TRACE_EV_bbm_make);
	ASSERT_TRUE(brk < make && make < n);
	EXPECT_EQ(test_stage2_trace[brk].f[3], fh_leaf(vm, STAGE2_PROT_R));
	EXPECT_EQ(test_stage2_trace[make].f[3], fh_leaf(vm, TVM_RW));
	EXPECT_EQ(
		test_vm_trace_count_field(n, TRACE_EV_tlbi, 3, TRACE_SHARE_ISH),
		2);
	EXPECT_EQ(fh_count(n, TRACE_EV_pte_write), 0);
}

/** A permission fault on an entry another CPU already relaxed: prejudge says spurious and invalidates only its own TLB; legacy remaps. */
TEST(fault, relax_found_done_invalidates_locally)
{
	struct vm *vm = fh_build(test_ctx, PLAN_POLICY_PREJUDGE);
	size_t n, tlbi;

	ASSERT_TRUE(vm != NULL);
	ASSERT_EQ(test_vm_fault(&vm->vcpus[0], FH_IPA, FAULT_TRANSLATION,
				FAULT_WRITE),
		  FAULT_MAPPED);
	trace_rings_reset();
	/* This CPU's TLB still held the RO entry when it faulted. */
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], FH_IPA, FAULT_PERMISSION,
				FAULT_WRITE),
		  FAULT_SPURIOUS);
	n = test_vm_trace_take();
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_pte_write), 0);
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_bbm_break), 0);
	tlbi = test_stage2_trace_find(n, 0, TRACE_EV_tlbi);
	ASSERT_TRUE(tlbi < n);
	EXPECT_EQ(test_stage2_trace[tlbi].f[0], TRACE_TLBI_OP_IPAS2E1);
	EXPECT_EQ(test_stage2_trace[tlbi].f[1], FH_IPA);
	EXPECT_EQ(test_stage2_trace[tlbi].f[3], TRACE_SHARE_NSH);
	EXPECT_EQ(
		test_vm_trace_count_field(n, TRACE_EV_tlbi, 3, TRACE_SHARE_ISH),
		0);
	/* Legacy knows no such shortcut. */
	atomic_store(&vm->policy, PLAN_POLICY_LEGACY);
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], FH_IPA, FAULT_PERMISSION,
				FAULT_WRITE),
		  FAULT_REMAPPED);
}

/** An access outside every region gets a synchronous external abort at its FAR; nothing is mapped. */
TEST(fault, outside_memory_injects_abort)
{
	struct vm *vm = fh_build(test_ctx, PLAN_POLICY_PREJUDGE);
	struct vcpu *v;
	uint64_t ipa = TEST_PLAN_IPA + TEST_PLAN_REGION_SIZE + 0x40;
	size_t n, a;

	ASSERT_TRUE(vm != NULL);
	v = &vm->vcpus[0];
	EXPECT_EQ(test_vm_fault(v, ipa, FAULT_TRANSLATION, FAULT_READ),
		  FAULT_ABORT_INJECTED);
	EXPECT_EQ(v->regs.injected, 1);
	EXPECT_EQ(v->regs.injected_far, ipa);
	EXPECT_TRUE(!v->regs.injected_exec);
	EXPECT_EQ(v->stats.aborts_injected, 1);
	EXPECT_EQ(v->stats.outcomes[FAULT_ABORT_INJECTED], 1);
	EXPECT_UNMAPPED(vm, ipa);
	EXPECT_TRUE(!vcpu_stopped(v));
	n = test_vm_trace_take();
	a = test_stage2_trace_find(n, 0, TRACE_EV_guest_abort_injected);
	ASSERT_TRUE(a < n);
	EXPECT_EQ(test_stage2_trace[a].f[1], FH_VMID);
	EXPECT_EQ(test_stage2_trace[a].f[2], ipa);
	EXPECT_EQ(test_vm_trace_last_outcome(n), TRACE_OUTCOME_ABORT_INJECTED);
	/* An instruction fetch from nowhere: an instruction abort. */
	EXPECT_EQ(test_vm_fault(v, 0x1000, FAULT_TRANSLATION, FAULT_EXEC),
		  FAULT_ABORT_INJECTED);
	EXPECT_EQ(v->regs.injected, 2);
	EXPECT_TRUE(v->regs.injected_exec);
	EXPECT_EQ(v->regs.injected_far, 0x1000);
}

/** A write to a read-only region, or a fetch from a region that is not executable, is aborted; a read maps read-only. */
TEST(fault, access_a_region_forbids_injects_abort)
{
	struct vm *vm;
	struct vcpu *v;

	test_plan_init(&fh_plan);
	fh_plan.vms[0].nregions = 2;
	fh_plan.regions[0].flags = PLAN_REGION_RO;
	fh_plan.regions[1].ipa = TEST_PLAN_IPA + S2T_2M;
	fh_plan.regions[1].size = PAGE_SIZE;
	fh_plan.regions[1].flags = PLAN_REGION_EXEC;
	test_plan_relayout(&fh_plan);
	vm = test_vm_build(test_ctx, &fh_plan);
	ASSERT_TRUE(vm != NULL);
	v = &vm->vcpus[0];
	EXPECT_EQ(test_vm_fault(v, FH_IPA, FAULT_TRANSLATION, FAULT_WRITE),
		  FAULT_ABORT_INJECTED);
	EXPECT_UNMAPPED(vm, FH_IPA);
	EXPECT_EQ(test_vm_fault(v, FH_IPA, FAULT_TRANSLATION, FAULT_EXEC),
		  FAULT_ABORT_INJECTED);
	EXPECT_EQ(v->regs.injected, 2);
	EXPECT_EQ(test_vm_fault(v, FH_IPA, FAULT_TRANSLATION, FAULT_READ),
		  FAULT_MAPPED);
	EXPECT_LEAF(vm, FH_IPA, 3, STAGE2_PROT_R);
	/* Mapped read-only, the write faults on permission: still aborted. */
	EXPECT_EQ(test_vm_fault(v, FH_IPA, FAULT_PERMISSION, FAULT_WRITE),
		  FAULT_ABORT_INJECTED);
	EXPECT_LEAF(vm, FH_IPA, 3, STAGE2_PROT_R);
	/* The executable region: fetched, mapped with X. */
	EXPECT_EQ(test_vm_fault(v, TEST_PLAN_IPA + S2T_2M, FAULT_TRANSLATION,
				FAULT_EXEC),
		  FAULT_MAPPED);
	EXPECT_LEAF(vm, TEST_PLAN_IPA + S2T_2M, 3, TVM_RW | STAGE2_PROT_X);
	EXPECT_EQ(v->regs.injected, 3);
}

/** A fault the hypervisor never causes (access flag, other) stops the vCPU, not the others. */
TEST(fault, unexpected_fault_stops_the_vcpu)
{
	struct vm *vm;

	test_plan_init(&fh_plan);
	fh_plan.vms[0].nvcpus = 2;
	fh_plan.vcpus[1].pcpu = 1;
	fh_plan.vcpus[1].nops = 1;
	test_plan_relayout(&fh_plan);
	vm = test_vm_build(test_ctx, &fh_plan);
	ASSERT_TRUE(vm != NULL);
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], FH_IPA, FAULT_ACCESS_FLAG,
				FAULT_READ),
		  FAULT_VM_STOPPED);
	EXPECT_TRUE(vcpu_stopped(&vm->vcpus[0]));
	EXPECT_EQ(vm->vcpus[0].stop_reason, TRACE_VCPU_STOP_VM_STOPPED);
	EXPECT_TRUE(!vcpu_stopped(&vm->vcpus[1]));
	EXPECT_EQ(vm->live_vcpus, 1);
	EXPECT_EQ(test_vm_fault(&vm->vcpus[1], FH_IPA, FAULT_OTHER, FAULT_READ),
		  FAULT_VM_STOPPED);
	EXPECT_TRUE(atomic_load(&vm->stopped));
	EXPECT_UNMAPPED(vm, FH_IPA);
}

/** With no table page left, a fault that needs one stops the vCPU as out of memory and maps nothing. */
TEST(fault, out_of_table_pages_stops_the_vcpu)
{
	struct vm *vm = fh_build(test_ctx, PLAN_POLICY_PREJUDGE);
	size_t n;

	ASSERT_TRUE(vm != NULL);
	test_vm_drain_pool(&vm->mem_pool);
	EXPECT_EQ(test_vm_fault(&vm->vcpus[0], FH_IPA, FAULT_TRANSLATION,
				FAULT_READ),
		  FAULT_OUT_OF_MEMORY);
	EXPECT_UNMAPPED(vm, FH_IPA);
	EXPECT_TRUE(vcpu_stopped(&vm->vcpus[0]));
	EXPECT_EQ(vm->vcpus[0].stop_reason, TRACE_VCPU_STOP_OUT_OF_MEMORY);
	n = test_vm_trace_take();
	/*
	 * Prejudge tries under the read lock, then once more alone under the
	 * write lock before it calls the shortage real: two attempts.
	 */
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_pool_exhausted), 2);
	EXPECT_EQ(test_vm_trace_count_field(n, TRACE_EV_vcpu_stop, 2,
					    TRACE_VCPU_STOP_OUT_OF_MEMORY),
		  1);
	EXPECT_EQ(test_vm_trace_last_outcome(n), TRACE_OUTCOME_OUT_OF_MEMORY);
}

/** The POLICY hypercall switches the policy the next fault runs under; an unknown policy is refused and changes nothing. */
TEST(fault, policy_switch_by_hypercall)
{
	struct vm *vm = fh_build(test_ctx, PLAN_POLICY_LEGACY);
	struct vcpu *v;
	uint64_t ret = 1;
	size_t n;

	ASSERT_TRUE(vm != NULL);
	v = &vm->vcpus[0];
	ASSERT_EQ(test_vm_fault(v, FH_IPA, FAULT_TRANSLATION, FAULT_READ),
		  FAULT_MAPPED);
	EXPECT_EQ(test_vm_fault(v, FH_IPA, FAULT_TRANSLATION, FAULT_READ),
		  FAULT_REMAPPED);
	EXPECT_TRUE(
		vcpu_hvc(v, GUEST_HVC_POLICY, PLAN_POLICY_PREJUDGE, &ret, 0));
	EXPECT_EQ(ret, 0);
	trace_rings_reset();
	EXPECT_EQ(test_vm_fault(v, FH_IPA, FAULT_TRANSLATION, FAULT_READ),
		  FAULT_SPURIOUS);
	n = test_vm_trace_take();
	EXPECT_EQ(test_vm_trace_count_field(n, TRACE_EV_s2_fault_exit, 4,
					    TRACE_POLICY_PREJUDGE),
		  1);
	/* No policy 7: refused, prejudge stays. */
	EXPECT_TRUE(vcpu_hvc(v, GUEST_HVC_POLICY, 7, &ret, 0));
	EXPECT_EQ_INT((int64_t)ret, -ERR_INVAL);
	EXPECT_EQ(atomic_load(&vm->policy), PLAN_POLICY_PREJUDGE);
	EXPECT_EQ(test_vm_fault(v, FH_IPA, FAULT_TRANSLATION, FAULT_READ),
		  FAULT_SPURIOUS);
	EXPECT_TRUE(vcpu_hvc(v, GUEST_HVC_POLICY, PLAN_POLICY_LEGACY, &ret, 0));
	EXPECT_EQ(test_vm_fault(v, FH_IPA, FAULT_TRANSLATION, FAULT_READ),
		  FAULT_REMAPPED);
	EXPECT_EQ(v->stats.hvcs, 3);
}
