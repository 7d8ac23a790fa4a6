/*
 * The sim backend on the seeds' fault-path scenarios: the RW/RO ping-pong
 * under dirty logging (seed 002) with the strict TLB model, dirty-log
 * harvests, cache maintenance with the guest's MMU off (seed 001), and a
 * host stage 2 over devices (seed 000). The figures checked are the ones
 * QEMU gives for the same programs (the .scn files in scenarios/).
 */
#include <faultline/exit_status.h>

#include "test_sim_util.h"

/* A second region's IPA in these plans. */
#define ROM_IPA UINT64_C(0x90000000)

/*
 * scenarios/rw-ro-pingpong.scn, shorter: vCPU 0 writes one dirty-logged
 * page while vCPU 1 reads it, @rounds rounds of @n each, vCPU 1
 * harvesting after each round.
 */
static void pingpong_plan(struct test_plan *t, uint32_t policy, uint32_t rounds,
			  uint32_t n)
{
	tsim_plan(t, policy, UINT64_C(2) << 20, 2, 30000);
	t->vms[0].flags = PLAN_VM_DIRTY_LOG;
	t->h.bbm_delay_ns = 50000;
	for (unsigned c = 0; c < 2; c++) {
		tsim_op(t, c, GUEST_OP_MMU_ON, 0, 0, 0, 0);
		tsim_op(t, c, GUEST_OP_LOOP, rounds, 0, 0, 0);
		tsim_op(t, c, GUEST_OP_BARRIER, 0, 0, 0, 0);
		tsim_op(t, c, GUEST_OP_LOOP, n, 0, 0, 0);
		if (c == 0) {
			tsim_op(t, c, GUEST_OP_WRITE, 1, TEST_PLAN_IPA, 0, 0)
				->flags = GUEST_OP_TIMED;
		} else {
			tsim_op(t, c, GUEST_OP_READ, 1, TEST_PLAN_IPA, 0, 0);
		}
		tsim_op(t, c, GUEST_OP_DELAY, 0, 0, 0, 10000);
		tsim_op(t, c, GUEST_OP_LOOP_END, 0, 0, 0, 0);
		tsim_op(t, c, GUEST_OP_BARRIER, 0, 0, 0, 0);
		if (c == 1) {
			tsim_op(t, c, GUEST_OP_HVC, 0, 0, 0,
				GUEST_HVC_DIRTY_HARVEST);
		}
		tsim_op(t, c, GUEST_OP_LOOP_END, 0, 0, 0, 0);
	}
}

/* Checks what both policies agree on: every round wrote and harvested. */
static void pingpong_common(struct test_ctx *test_ctx, uint32_t rounds,
			    uint32_t n)
{
	const struct sim_vcpu *b = &tsim.vcpus[1];
	const struct vcpu *a = &vms[0].vcpus[0];

	EXPECT_EQ(vms[0].vcpus[0].stop_reason, TRACE_VCPU_STOP_DONE);
	EXPECT_EQ(vms[0].vcpus[1].stop_reason, TRACE_VCPU_STOP_DONE);
	EXPECT_EQ(vms[0].vcpus[0].ctl->nresults, rounds * n);
	EXPECT_EQ(b->nharvests, rounds);
	for (unsigned i = 0; i < rounds && i < ARRAY_SIZE(b->harvests); i++) {
		/* The one page vCPU 0 wrote in that round. */
		EXPECT_EQ(b->harvests[i], 1);
	}
	/*
	 * vCPU 0's write faults are handled and logged, at least one a round
	 * (the harvest protected the page again), or lost a race to the
	 * reader's mapping and were retried, which logs nothing.
	 */
	EXPECT_EQ(a->stats.outcomes[TRACE_OUTCOME_DIRTY_LOGGED] +
			  a->stats.outcomes[TRACE_OUTCOME_RETRY],
		  a->stats.faults);
	EXPECT_TRUE(a->stats.outcomes[TRACE_OUTCOME_DIRTY_LOGGED] >= rounds);
}

/**
 * Under legacy, every write fault on the write-protected page rebuilds it
 * with break-before-make (at least once a round), and the reader's faults
 * in those windows rebuild it read-only again: the ping-pong. The strict
 * TLB model keeps the stale read-only entries until the invalidations.
 */
TEST(sim_fault, pingpong_legacy_breaks_every_round)
{
	const uint32_t rounds = 6, n = 40;
	struct test_plan t;
	int status;

	pingpong_plan(&t, PLAN_POLICY_LEGACY, rounds, n);
	status = tsim_run(test_ctx, &t, 0);
	EXPECT_EQ_INT(status, HYP_EXIT_OK);
	pingpong_common(test_ctx, rounds, n);
	/* Rounds after the first start on a page the harvest protected. */
	EXPECT_TRUE(tsim_count("bbm_break", NULL, 0) >= rounds - 1);
	EXPECT_EQ(tsim_outcomes(TRACE_OUTCOME_RELAXED), 0);
	EXPECT_EQ(tsim_count("knob", "value", 50000), 1);
	tsim_end();
}

/**
 * Under prejudge, the same program breaks nothing: write faults relax the
 * entry in place, read faults that find it valid resume.
 */
TEST(sim_fault, pingpong_prejudge_never_breaks)
{
	const uint32_t rounds = 6, n = 40;
	struct test_plan t;
	int status;

	pingpong_plan(&t, PLAN_POLICY_PREJUDGE, rounds, n);
	status = tsim_run(test_ctx, &t, 0);
	EXPECT_EQ_INT(status, HYP_EXIT_OK);
	pingpong_common(test_ctx, rounds, n);
	EXPECT_EQ(tsim_count("bbm_break", NULL, 0), 0);
	EXPECT_EQ(tsim_outcomes(TRACE_OUTCOME_REMAPPED), 0);
	tsim_end();
}

/**
 * scenarios/dirty-log.scn: harvests count exactly the pages whose write
 * faults were handled (64, then 32 + 8), nothing once logging stopped; a
 * write to read-only memory gets an abort and marks nothing. The counts
 * are QEMU's for the same program.
 */
TEST(sim_fault, dirty_log_harvest_counts)
{
	const uint64_t data = TEST_PLAN_IPA;
	const struct sim_vcpu *sv;
	const struct vcpu *v;
	struct test_plan t;
	int status;

	tsim_plan(&t, PLAN_POLICY_PREJUDGE, UINT64_C(1) << 20, 1, 30000);
	t.vms[0].nregions = 2;
	t.regions[1] =
		(struct plan_region){ROM_IPA, UINT64_C(64) << 10,
				     PLAN_REGION_RO | PLAN_REGION_PRETOUCH, 0};
	test_plan_relayout(&t);
	tsim_op(&t, 0, GUEST_OP_MMU_ON, 0, 0, 0, 0);
	tsim_op(&t, 0, GUEST_OP_WRITE, 256, data, PAGE_SIZE, 0);
	tsim_op(&t, 0, GUEST_OP_HVC, 0, 0, 0, GUEST_HVC_DIRTY_START);
	tsim_op(&t, 0, GUEST_OP_WRITE, 64, data, PAGE_SIZE, 0)->flags =
		GUEST_OP_TIMED;
	tsim_op(&t, 0, GUEST_OP_READ, 64, data + (256 << 10), PAGE_SIZE, 0);
	tsim_op(&t, 0, GUEST_OP_WRITE, 1, ROM_IPA, PAGE_SIZE, 0);
	tsim_op(&t, 0, GUEST_OP_HVC, 0, 0, 0, GUEST_HVC_DIRTY_HARVEST);
	tsim_op(&t, 0, GUEST_OP_WRITE, 32, data + (512 << 10), PAGE_SIZE, 0);
	tsim_op(&t, 0, GUEST_OP_WRITE, 8, data, PAGE_SIZE, 0);
	tsim_op(&t, 0, GUEST_OP_HVC, 0, 0, 0, GUEST_HVC_DIRTY_HARVEST);
	tsim_op(&t, 0, GUEST_OP_HVC, 0, 0, 0, GUEST_HVC_DIRTY_STOP);
	tsim_op(&t, 0, GUEST_OP_WRITE, 16, data + (768 << 10), PAGE_SIZE, 0);
	tsim_op(&t, 0, GUEST_OP_HVC, 0, 0, 0, GUEST_HVC_DIRTY_HARVEST);
	status = tsim_run(test_ctx, &t, 0);
	EXPECT_EQ_INT(status, HYP_EXIT_OK);
	sv = &tsim.vcpus[0];
	v = sv->v;
	ASSERT_EQ(sv->nharvests, 3);
	EXPECT_EQ(sv->harvests[0], 64);
	EXPECT_EQ(sv->harvests[1], 40);
	EXPECT_EQ(sv->harvests[2], 0);
	EXPECT_EQ(tsim_count("hvc_call", "ret", 64), 1);
	EXPECT_EQ(tsim_count("hvc_call", "ret", 40), 1);
	EXPECT_EQ(v->stats.aborts_injected, 1);
	EXPECT_EQ(v->stats.outcomes[TRACE_OUTCOME_MAPPED], 256);
	EXPECT_EQ(v->stats.outcomes[TRACE_OUTCOME_RELAXED], 16);
	EXPECT_EQ(v->stats.outcomes[TRACE_OUTCOME_DIRTY_LOGGED], 104);
	EXPECT_EQ(v->stats.exits, 387);
	EXPECT_EQ(tsim_count("dirty_mark", NULL, 0), 104);
	tsim_end();
}

/**
 * scenarios/mmu-off-cmo.scn: with the caches off each first mapping is
 * cleaned, turning them on cleans what is mapped once, and the set/way
 * operations (512 per op, as QEMU's -cpu max has) clean by VA once per
 * change of cache state; QEMU's exit count for the same program.
 */
TEST(sim_fault, mmu_off_cache_maintenance)
{
	const uint64_t data = TEST_PLAN_IPA;
	const struct vcpu *v;
	struct test_plan t;
	int status;

	tsim_plan(&t, PLAN_POLICY_PREJUDGE, UINT64_C(1) << 20, 1, 30000);
	tsim_op(&t, 0, GUEST_OP_WRITE, 64, data, PAGE_SIZE, 0);
	tsim_op(&t, 0, GUEST_OP_MMU_ON, 0, 0, 0, 0);
	tsim_op(&t, 0, GUEST_OP_WRITE, 64, data + (256 << 10), PAGE_SIZE, 0);
	tsim_op(&t, 0, GUEST_OP_SET_WAY, 0, 0, 0, 0);
	tsim_op(&t, 0, GUEST_OP_SET_WAY, 0, 0, 0, 0);
	tsim_op(&t, 0, GUEST_OP_MMU_OFF, 0, 0, 0, 0);
	tsim_op(&t, 0, GUEST_OP_WRITE, 16, data + (512 << 10), PAGE_SIZE, 0);
	status = tsim_run(test_ctx, &t, 0);
	EXPECT_EQ_INT(status, HYP_EXIT_OK);
	v = &vms[0].vcpus[0];
	EXPECT_EQ(v->stats.exits, 1174);
	EXPECT_EQ(v->stats.set_way_traps, 2 * SIM_SET_WAY_OPS);
	EXPECT_EQ(v->stats.sctlr_traps, 2);
	EXPECT_EQ(atomic_load(&vms[0].stats.set_way_flushes), 1);
	EXPECT_EQ(tsim_count("cmo", "why", TRACE_CMO_WHY_FIRST_MAP), 80);
	EXPECT_EQ(tsim_count("cmo", "why", TRACE_CMO_WHY_MMU_ON), 64);
	EXPECT_EQ(tsim_count("sctlr_trap", "caches_on", 1), 1);
	tsim_end();
}

/**
 * A host VM (seed 000) maps its RAM with 2 MiB identity blocks, and the
 * device reads map QEMU virt's device ranges from a two-page pool, which
 * runs dry and is recycled; a device reads as 0 and every access retires.
 */
TEST(sim_fault, host_s2_blocks_and_device_recycling)
{
	const uint64_t ram = UINT64_C(0x50000000);
	static const uint64_t devices[] = {0x09000018, 0x08000000, 0x09010000,
					   0x09020000, 0x0a000000, 0x09000018};
	struct stage2_leaf leaf;
	const struct vcpu *v;
	struct test_plan t;
	int status;

	tsim_plan(&t, PLAN_POLICY_PREJUDGE, UINT64_C(4) << 20, 1, 30000);
	t.vms[0].flags = PLAN_VM_HOST_S2;
	t.vms[0].dev_pool_pages = 2;
	t.regions[0].ipa = ram;
	tsim_op(&t, 0, GUEST_OP_READ, 2, ram, UINT64_C(2) << 20, 0);
	tsim_op(&t, 0, GUEST_OP_WRITE, 4, ram + PAGE_SIZE, PAGE_SIZE, 0);
	for (size_t i = 0; i < ARRAY_SIZE(devices); i++) {
		tsim_op(&t, 0, GUEST_OP_READ, 1, devices[i], 0, 0);
	}
	status = tsim_run(test_ctx, &t, 0);
	EXPECT_EQ_INT(status, HYP_EXIT_OK);
	v = &vms[0].vcpus[0];
	EXPECT_EQ(vms[0].vmid, 0);
	EXPECT_EQ(v->stop_reason, TRACE_VCPU_STOP_DONE);
	EXPECT_EQ(v->stats.aborts_injected, 0);
	EXPECT_EQ(v->stats.faults, v->stats.outcomes[TRACE_OUTCOME_MAPPED]);
	ASSERT_EQ_INT(stage2_lookup(&vms[0].s2, ram + PAGE_SIZE, &leaf), 0);
	EXPECT_EQ(leaf.level, 2);
	EXPECT_EQ(pa_addr(leaf.pa), ram + PAGE_SIZE);
	EXPECT_TRUE(atomic_load(&vms[0].stats.recycles) > 0);
	EXPECT_TRUE(tsim_count("pool_recycle", NULL, 0) > 0);
	tsim_end();
}
