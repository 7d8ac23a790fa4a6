/*
 * vCPUs of a built VM: hypercalls (guest_abi.h), stopping for good, and
 * the cross-vCPU barrier, alone and with host threads as the vCPUs.
 */
#include <pthread.h>

#include <faultline/arch/cpu.h>
#include <faultline/err.h>
#include <faultline/test.h>
#include <faultline/time.h>
#include <faultline/trace/ring.h>
#include <faultline/vm_ops.h>

#include "host_arch.h"
#include "test_stage2_util.h"
#include "test_vm_util.h"

/* Barrier rounds each thread makes. */
#define VC_ROUNDS 50

static struct test_plan vc_plan;

/* The minimal plan with @nvcpus vCPUs on CPUs 0, 1, ... */
static struct vm *vc_build(struct test_ctx *test_ctx, unsigned nvcpus)
{
	test_plan_init(&vc_plan);
	vc_plan.vms[0].nvcpus = nvcpus;
	for (unsigned i = 1; i < nvcpus; i++) {
		vc_plan.vcpus[i].pcpu = i;
		vc_plan.vcpus[i].nops = 1;
	}
	test_plan_relayout(&vc_plan);
	return test_vm_build(test_ctx, &vc_plan);
}

/* A deadline @s seconds from now. */
static uint64_t vc_deadline(uint64_t s)
{
	return arch_counter_now() +
	       time_ns_to_ticks(s * 1000000000u, arch_counter_freq());
}

/** NULL returns 0, an unknown call -ERR_NOTSUP; each is counted and traced with its function, argument and result. */
TEST(vcpu, hypercalls_return_and_trace)
{
	struct vm *vm = vc_build(test_ctx, 1);
	struct vcpu *v;
	uint64_t ret = 5;
	size_t n, h;

	ASSERT_TRUE(vm != NULL);
	v = &vm->vcpus[0];
	EXPECT_TRUE(vcpu_hvc(v, GUEST_HVC_NULL, 0x77, &ret, 0));
	EXPECT_EQ(ret, 0);
	EXPECT_TRUE(vcpu_hvc(v, 99, 1, &ret, 0));
	EXPECT_EQ_INT((int64_t)ret, -ERR_NOTSUP);
	EXPECT_TRUE(vcpu_hvc(v, 0, 0, &ret, 0));
	EXPECT_EQ_INT((int64_t)ret, -ERR_NOTSUP);
	EXPECT_EQ(v->stats.hvcs, 3);
	EXPECT_TRUE(!vcpu_stopped(v));
	n = test_vm_trace_take();
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_hvc_call), 3);
	h = test_stage2_trace_find(n, 0, TRACE_EV_hvc_call);
	ASSERT_TRUE(h < n);
	EXPECT_EQ(test_stage2_trace[h].f[1], vm->vmid);
	EXPECT_EQ(test_stage2_trace[h].f[2], TRACE_HVC_NULL_CALL);
	EXPECT_EQ(test_stage2_trace[h].f[3], 0x77);
	EXPECT_EQ(test_stage2_trace[h].f[4], 0);
}

/** DONE and FAIL stop the vCPU for good with their reason (FAIL's argument in the trace); the VM stops with its last vCPU. */
TEST(vcpu, done_and_fail_stop_the_vcpu)
{
	struct vm *vm = vc_build(test_ctx, 2);
	uint64_t ret;
	size_t n, s;

	ASSERT_TRUE(vm != NULL);
	EXPECT_TRUE(!vcpu_hvc(&vm->vcpus[0], GUEST_HVC_DONE, 0, &ret, 0));
	EXPECT_TRUE(vcpu_stopped(&vm->vcpus[0]));
	EXPECT_EQ(vm->vcpus[0].stop_reason, TRACE_VCPU_STOP_DONE);
	EXPECT_EQ(vm->live_vcpus, 1);
	EXPECT_TRUE(!atomic_load(&vm->stopped));
	/* Stopping again changes nothing. */
	vcpu_stop(&vm->vcpus[0], TRACE_VCPU_STOP_BUDGET, 0);
	EXPECT_EQ(vm->vcpus[0].stop_reason, TRACE_VCPU_STOP_DONE);
	EXPECT_EQ(vm->live_vcpus, 1);
	EXPECT_TRUE(!vcpu_hvc(&vm->vcpus[1], GUEST_HVC_FAIL,
			      GUEST_FAIL_BAD_LOOP, &ret, 0));
	EXPECT_EQ(vm->vcpus[1].stop_reason, TRACE_VCPU_STOP_GUEST_FAILED);
	EXPECT_EQ(vm->live_vcpus, 0);
	EXPECT_TRUE(atomic_load(&vm->stopped));
	n = test_vm_trace_take();
	EXPECT_EQ(test_stage2_trace_count(n, TRACE_EV_vcpu_stop), 2);
	s = test_stage2_trace_find(n, 0, TRACE_EV_vcpu_stop);
	s = test_stage2_trace_find(n, s + 1, TRACE_EV_vcpu_stop);
	ASSERT_TRUE(s < n);
	EXPECT_EQ(test_stage2_trace[s].f[0], 1);
	EXPECT_EQ(test_stage2_trace[s].f[2], TRACE_VCPU_STOP_GUEST_FAILED);
	EXPECT_EQ(test_stage2_trace[s].f[3], GUEST_CODE_IPA);
	EXPECT_EQ(test_stage2_trace[s].f[4], GUEST_FAIL_BAD_LOOP);
}

/** A barrier whose other vCPUs all stopped lets the last one through at once. */
TEST(vcpu, barrier_with_the_others_stopped_passes)
{
	struct vm *vm = vc_build(test_ctx, 3);
	uint64_t ret = 1;

	ASSERT_TRUE(vm != NULL);
	vcpu_stop(&vm->vcpus[1], TRACE_VCPU_STOP_DONE, 0);
	vcpu_stop(&vm->vcpus[2], TRACE_VCPU_STOP_DONE, 0);
	/* A deadline already past: it must not even wait. */
	EXPECT_TRUE(vcpu_hvc(&vm->vcpus[0], GUEST_HVC_BARRIER, 1, &ret, 0));
	EXPECT_EQ(ret, 0);
	EXPECT_EQ(atomic_load(&vm->barrier_generation), 1);
	EXPECT_EQ(vm->barrier_arrived, 0);
}

/** A vCPU that times out at a barrier stops (budget), and its arrival does not count: the barrier still waits for every live vCPU. */
TEST(vcpu, barrier_timeout_withdraws_the_arrival)
{
	struct vm *vm = vc_build(test_ctx, 3);
	uint64_t ret;

	ASSERT_TRUE(vm != NULL);
	EXPECT_TRUE(!vcpu_hvc(&vm->vcpus[0], GUEST_HVC_BARRIER, 1, &ret, 0));
	EXPECT_TRUE(vcpu_stopped(&vm->vcpus[0]));
	EXPECT_EQ(vm->vcpus[0].stop_reason, TRACE_VCPU_STOP_BUDGET);
	EXPECT_EQ(vm->live_vcpus, 2);
	EXPECT_EQ(vm->barrier_arrived, 0);
	/* vCPU 2 never arrives: vCPU 1 must not get through. */
	EXPECT_EQ_INT(vm_barrier(&vm->vcpus[1], 0), -ERR_TIMEDOUT);
	EXPECT_EQ(atomic_load(&vm->barrier_generation), 0);
	/* Nor vCPU 2 alone, once vCPU 1 gave up waiting. */
	EXPECT_EQ(vm->barrier_arrived, 0);
	EXPECT_EQ_INT(vm_barrier(&vm->vcpus[2], 0), -ERR_TIMEDOUT);
	EXPECT_EQ(atomic_load(&vm->barrier_generation), 0);
}

struct vc_thread {
	pthread_t thread;
	struct vcpu *v;
	uint64_t deadline;
	unsigned passed;
	/* The last vCPU stops after its barriers instead of calling DONE. */
	bool stop_after;
};

static void *vc_run(void *arg)
{
	struct vc_thread *t = arg;

	/* Each vCPU's trace goes to its own CPU's ring. */
	host_set_cpu_index(t->v->pcpu);
	for (unsigned r = 0; r < VC_ROUNDS; r++) {
		uint64_t ret = 1;

		if (vcpu_hvc(t->v, GUEST_HVC_BARRIER, r, &ret, t->deadline) &&
		    ret == 0) {
			t->passed++;
		}
	}
	if (t->stop_after) {
		vcpu_stop(t->v, TRACE_VCPU_STOP_DONE, 0);
	}
	return NULL;
}

/** Host threads as vCPUs: every round of barriers lets all of them through together, one generation per round. */
TEST(vcpu, barrier_rounds_with_threads)
{
	struct vc_thread t[3] = {0};
	struct vm *vm = vc_build(test_ctx, 3);
	unsigned self = arch_cpu_index();

	ASSERT_TRUE(vm != NULL);
	for (unsigned i = 0; i < 3; i++) {
		/* Not on this thread's CPU: its ring is the test's. */
		vm->vcpus[i].pcpu = (self + 1 + i) % PLATFORM_MAX_CPUS;
		t[i].v = &vm->vcpus[i];
		t[i].deadline = vc_deadline(20);
		ASSERT_EQ_INT(pthread_create(&t[i].thread, NULL, vc_run, &t[i]),
			      0);
	}
	for (unsigned i = 0; i < 3; i++) {
		pthread_join(t[i].thread, NULL);
		EXPECT_EQ(t[i].passed, VC_ROUNDS);
		EXPECT_TRUE(!vcpu_stopped(t[i].v));
	}
	EXPECT_EQ(atomic_load(&vm->barrier_generation), VC_ROUNDS);
	EXPECT_EQ(vm->barrier_arrived, 0);
	host_set_cpu_index(self);
	trace_rings_reset();
}

/** A vCPU that stops while the others wait at a barrier releases them. */
TEST(vcpu, barrier_released_by_a_stop)
{
	struct vc_thread t[2] = {0};
	struct vm *vm = vc_build(test_ctx, 3);
	unsigned self = arch_cpu_index();

	ASSERT_TRUE(vm != NULL);
	for (unsigned i = 0; i < 2; i++) {
		vm->vcpus[i].pcpu = (self + 1 + i) % PLATFORM_MAX_CPUS;
		t[i].v = &vm->vcpus[i];
		t[i].deadline = vc_deadline(20);
		ASSERT_EQ_INT(pthread_create(&t[i].thread, NULL, vc_run, &t[i]),
			      0);
	}
	/* vCPU 2 never calls a barrier; it stops once they are waiting. */
	while (atomic_load(&vm->barrier_generation) == 0) {
		bool waiting;

		spinlock_lock(&vm->lock);
		waiting = vm->barrier_arrived == 2;
		spinlock_unlock(&vm->lock);
		if (waiting) {
			vcpu_stop(&vm->vcpus[2], TRACE_VCPU_STOP_DONE, 0);
		}
	}
	for (unsigned i = 0; i < 2; i++) {
		pthread_join(t[i].thread, NULL);
		EXPECT_EQ(t[i].passed, VC_ROUNDS);
	}
	EXPECT_EQ(vm->live_vcpus, 2);
	host_set_cpu_index(self);
	trace_rings_reset();
}
