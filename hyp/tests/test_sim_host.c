/*
 * The sim backend's interpreter and run loop (hyp/arch/host/sim/): small
 * plans run on host threads through the portable core and the strict TLB
 * model, checked on the VMs' stage 2, the vCPUs' stats and the decoded
 * trace.
 */
#include <faultline/arch/cpu.h>
#include <faultline/arch/mem.h>
#include <faultline/exit_status.h>
#include <faultline/time.h>

#include "test_sim_util.h"

#define RW (STAGE2_PROT_R | STAGE2_PROT_W)

/** One vCPU writing each fresh page once maps each page once, with one fault. */
TEST(sim, first_touch_maps_every_page_once)
{
	struct test_plan t;
	const unsigned pages = 256;
	struct vcpu *v;
	int status;

	tsim_plan(&t, PLAN_POLICY_PREJUDGE, pages * PAGE_SIZE, 1, 10000);
	tsim_op(&t, 0, GUEST_OP_MMU_ON, 0, 0, 0, 0);
	tsim_op(&t, 0, GUEST_OP_WRITE, pages, TEST_PLAN_IPA, PAGE_SIZE, 0)
		->flags = GUEST_OP_TIMED;
	status = tsim_run(test_ctx, &t, 0);
	EXPECT_EQ_INT(status, HYP_EXIT_OK);
	v = &vms[0].vcpus[0];
	EXPECT_EQ(v->stop_reason, TRACE_VCPU_STOP_DONE);
	EXPECT_EQ(v->stats.faults, pages);
	EXPECT_EQ(v->stats.outcomes[TRACE_OUTCOME_MAPPED], pages);
	/* The faults, the MMU's four trapped writes, the DONE hypercall. */
	EXPECT_EQ(v->stats.exits, pages + 4 + 1);
	EXPECT_EQ(v->stats.sctlr_traps, 1);
	EXPECT_EQ(v->ctl->nresults, pages);
	for (unsigned p = 0; p < pages; p++) {
		uint64_t ipa = TEST_PLAN_IPA + p * PAGE_SIZE;
		struct stage2_leaf leaf;

		EXPECT_EQ_INT(stage2_lookup(&vms[0].s2, ipa, &leaf), 0);
		EXPECT_EQ(leaf.prot, RW);
		EXPECT_EQ(tsim_page_outcomes(ipa, TRACE_OUTCOME_MAPPED), 1);
	}
	EXPECT_TRUE(tsim_trace.complete);
	EXPECT_EQ(tsim_trace.lost_total, 0);
	EXPECT_EQ(tsim_trace.counter_freq, arch_counter_freq());
	EXPECT_EQ(tsim_count("s2_fault_enter", "kind",
			     TRACE_FAULT_KIND_TRANSLATION),
		  pages);
	EXPECT_EQ(tsim_count("guest_access", "access", TRACE_ACCESS_WRITE),
		  pages);
	EXPECT_EQ(tsim_count("vcpu_stop", "why", TRACE_VCPU_STOP_DONE), 1);
	EXPECT_EQ(tsim_count("vm_create", "vmid", 1), 1);
	/* Each write stored the progress counter (2: the second op). */
	for (unsigned p = 0; p < pages; p++) {
		const uint64_t *w = arch_phys_to_virt(
			pa_add(vms[0].regions[0].pa, p * PAGE_SIZE));

		EXPECT_EQ(*w, 2);
	}
	tsim_end();
}

/**
 * Four vCPUs that meet at a barrier before each page and then all write it
 * map each page exactly once (prejudge); the others' faults end spurious
 * or retried, and every access retires.
 */
TEST(sim, racing_vcpus_map_each_page_once)
{
	const unsigned nv = 4, pages = 64;
	struct test_plan t;
	uint64_t faults = 0;
	int status;

	tsim_plan(&t, PLAN_POLICY_PREJUDGE, pages * PAGE_SIZE, nv, 30000);
	for (unsigned c = 0; c < nv; c++) {
		tsim_op(&t, c, GUEST_OP_LOOP, pages, 0, 0, 0);
		tsim_op(&t, c, GUEST_OP_BARRIER, 0, 0, 0, 0);
		tsim_op(&t, c, GUEST_OP_WRITE, 1, TEST_PLAN_IPA, 0, PAGE_SIZE)
			->flags = GUEST_OP_TIMED;
		tsim_op(&t, c, GUEST_OP_LOOP_END, 0, 0, 0, 0);
	}
	status = tsim_run(test_ctx, &t, 0);
	EXPECT_EQ_INT(status, HYP_EXIT_OK);
	EXPECT_EQ(tsim.ncpus, nv);
	EXPECT_EQ(tsim_outcomes(TRACE_OUTCOME_MAPPED), pages);
	for (unsigned p = 0; p < pages; p++) {
		EXPECT_EQ(tsim_page_outcomes(TEST_PLAN_IPA + p * PAGE_SIZE,
					     TRACE_OUTCOME_MAPPED),
			  1);
	}
	for (unsigned c = 0; c < nv; c++) {
		const struct vcpu *v = &vms[0].vcpus[c];

		EXPECT_EQ(v->stop_reason, TRACE_VCPU_STOP_DONE);
		EXPECT_EQ(v->ctl->nresults, pages);
		EXPECT_EQ(v->stats.hvcs, pages + 1);
		faults += v->stats.faults;
	}
	EXPECT_EQ(tsim_outcomes(TRACE_OUTCOME_MAPPED) +
			  tsim_outcomes(TRACE_OUTCOME_SPURIOUS) +
			  tsim_outcomes(TRACE_OUTCOME_RETRY),
		  faults);
	EXPECT_EQ(tsim_count("bbm_break", NULL, 0), 0);
	EXPECT_EQ(tsim_count("guest_access", NULL, 0), nv * pages);
	EXPECT_EQ(tsim_trace.lost_total, 0);
	tsim_end();
}

/**
 * Accesses outside the VM's memory (a read, a write, a call) and a write to
 * read-only memory get aborts, which the guest counts and skips; the vCPU
 * finishes its program and the run is ok.
 */
TEST(sim, abort_outside_memory_and_vcpu_finishes)
{
	struct test_plan t;
	struct vcpu *v;
	int status;

	tsim_plan(&t, PLAN_POLICY_PREJUDGE, 16 * PAGE_SIZE, 1, 10000);
	t.vms[0].nregions = 2;
	t.regions[1] = (struct plan_region){UINT64_C(0x90000000), 4 * PAGE_SIZE,
					    PLAN_REGION_RO, 0};
	test_plan_relayout(&t);
	tsim_op(&t, 0, GUEST_OP_WRITE, 1, TEST_PLAN_IPA, 0, 0);
	tsim_op(&t, 0, GUEST_OP_READ, 1, UINT64_C(0x200000000), 0, 0);
	tsim_op(&t, 0, GUEST_OP_WRITE, 1, UINT64_C(0x200001000), 0, 0);
	tsim_op(&t, 0, GUEST_OP_EXEC, 1, UINT64_C(0x300000000), 0, 0);
	tsim_op(&t, 0, GUEST_OP_READ, 1, UINT64_C(0x90000000), 0, 0);
	tsim_op(&t, 0, GUEST_OP_WRITE, 1, UINT64_C(0x90000008), 0, 0);
	tsim_op(&t, 0, GUEST_OP_READ, 1, TEST_PLAN_IPA + 8, 0, 0);
	status = tsim_run(test_ctx, &t, 0);
	EXPECT_EQ_INT(status, HYP_EXIT_OK);
	v = &vms[0].vcpus[0];
	EXPECT_EQ(v->stop_reason, TRACE_VCPU_STOP_DONE);
	EXPECT_EQ(v->stats.aborts_injected, 4);
	EXPECT_EQ(v->ctl->aborts, 4);
	EXPECT_EQ(v->ctl->last_abort_far, UINT64_C(0x90000008));
	EXPECT_EQ(v->regs.injected, 4);
	/* The write to the read-only page was a permission fault. */
	EXPECT_EQ(tsim_count("s2_fault_enter", "kind",
			     TRACE_FAULT_KIND_PERMISSION),
		  1);
	EXPECT_EQ(tsim_count("guest_abort_injected", NULL, 0), 4);
	EXPECT_EQ(v->stats.outcomes[TRACE_OUTCOME_MAPPED], 2);
	tsim_end();
}

/** A vCPU that spins past the deadline is stopped there: budget, status 7. */
TEST(sim, spinning_vcpu_stops_at_deadline)
{
	struct test_plan t;
	uint64_t t0, ms;
	int status;

	tsim_plan(&t, PLAN_POLICY_PREJUDGE, 4 * PAGE_SIZE, 2, 200);
	/* vCPU 0 reads forever; vCPU 1 waits at a barrier vCPU 0 never reaches. */
	tsim_op(&t, 0, GUEST_OP_LOOP, UINT32_MAX, 0, 0, 0);
	tsim_op(&t, 0, GUEST_OP_LOOP, UINT32_MAX, 0, 0, 0);
	tsim_op(&t, 0, GUEST_OP_READ, 4, TEST_PLAN_IPA, PAGE_SIZE, 0);
	tsim_op(&t, 0, GUEST_OP_LOOP_END, 0, 0, 0, 0);
	tsim_op(&t, 0, GUEST_OP_LOOP_END, 0, 0, 0, 0);
	tsim_op(&t, 1, GUEST_OP_BARRIER, 0, 0, 0, 0);
	t0 = arch_counter_now();
	status = tsim_run(test_ctx, &t, 0);
	ms = time_ticks_to_ns(arch_counter_now() - t0, arch_counter_freq()) /
	     1000000;
	EXPECT_EQ_INT(status, HYP_EXIT_DEADLINE);
	EXPECT_EQ(vms[0].vcpus[0].stop_reason, TRACE_VCPU_STOP_BUDGET);
	EXPECT_EQ(vms[0].vcpus[1].stop_reason, TRACE_VCPU_STOP_BUDGET);
	EXPECT_EQ(tsim.stuck, 0);
	/* Stopped by the deadline, not by the watchdog's grace after it. */
	EXPECT_TRUE(ms < 200 + SIM_GRACE_NS / 1000000);
	EXPECT_EQ(tsim_count("vcpu_stop", "why", TRACE_VCPU_STOP_BUDGET), 2);
	EXPECT_TRUE(tsim_trace.complete);
	tsim_end();
}

/** A delay longer than the deadline ends at the deadline too. */
TEST(sim, long_delay_stops_at_deadline)
{
	struct test_plan t;
	int status;

	tsim_plan(&t, PLAN_POLICY_PREJUDGE, 4 * PAGE_SIZE, 1, 100);
	tsim_op(&t, 0, GUEST_OP_DELAY, 0, 0, 0, UINT64_C(3600000000000));
	status = tsim_run(test_ctx, &t, 0);
	EXPECT_EQ_INT(status, HYP_EXIT_DEADLINE);
	EXPECT_EQ(vms[0].vcpus[0].stop_reason, TRACE_VCPU_STOP_BUDGET);
	tsim_end();
}

/**
 * A plan the validator refuses is the hypervisor's bad-arguments status,
 * and the trace is still written, complete and empty of guest events.
 */
TEST(sim, bad_plan_is_refused_with_a_trace)
{
	struct test_plan t;
	int status;

	tsim_plan(&t, PLAN_POLICY_PREJUDGE, 4 * PAGE_SIZE, 1, 100);
	tsim_op(&t, 0, GUEST_OP_LOOP, 2, 0, 0, 0);
	status = tsim_run(test_ctx, &t, 0);
	EXPECT_EQ_INT(status, HYP_EXIT_BAD_ARGS);
	EXPECT_TRUE(tsim_trace.complete);
	EXPECT_EQ(tsim_count("vm_create", NULL, 0), 0);
	tsim_end();
}

/** A vCPU placed on a CPU the machine does not have is refused too. */
TEST(sim, plan_needs_its_cpus)
{
	struct test_plan t;
	int status;

	tsim_plan(&t, PLAN_POLICY_PREJUDGE, 4 * PAGE_SIZE, 2, 100);
	tsim_op(&t, 0, GUEST_OP_READ, 1, TEST_PLAN_IPA, 0, 0);
	tsim_op(&t, 1, GUEST_OP_READ, 1, TEST_PLAN_IPA, 0, 0);
	status = tsim_run(test_ctx, &t, 1);
	EXPECT_EQ_INT(status, HYP_EXIT_BAD_ARGS);
	tsim_end();
}

/**
 * A VM whose table pool runs dry stops its vCPU (out of memory), which is
 * the hypervisor's "a vCPU failed" status.
 */
TEST(sim, pool_dry_stops_vcpu)
{
	struct test_plan t;
	int status;

	tsim_plan(&t, PLAN_POLICY_PREJUDGE, UINT64_C(64) << 20, 1, 10000);
	t.vms[0].mem_pool_pages = 8;
	/* One page in each 2 MiB: each needs its own level-3 table. */
	tsim_op(&t, 0, GUEST_OP_WRITE, 32, TEST_PLAN_IPA, UINT64_C(2) << 20, 0);
	status = tsim_run(test_ctx, &t, 0);
	EXPECT_EQ_INT(status, HYP_EXIT_VCPU_FAILED);
	EXPECT_EQ(vms[0].vcpus[0].stop_reason, TRACE_VCPU_STOP_OUT_OF_MEMORY);
	EXPECT_EQ(vms[0].vcpus[0].stats.outcomes[TRACE_OUTCOME_OUT_OF_MEMORY],
		  1);
	tsim_end();
}
