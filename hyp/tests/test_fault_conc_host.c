/*
 * fault_handle() from host threads playing the vCPUs of one VM, all
 * faulting on the same pages at once: exactly one fault maps each page;
 * under prejudge the others find it mapped (or back off and fault again)
 * and nothing is ever broken; under legacy every other fault rebuilds it
 * with break-before-make. Under dirty logging, concurrent writes mark
 * every page written, once. Run under TSan too.
 */
#include <pthread.h>

#include <faultline/arch/cpu.h>
#include <faultline/test.h>
#include <faultline/trace/ring.h>
#include <faultline/vm_ops.h>

#include "host_arch.h"
#include "test_stage2_util.h"
#include "test_vm_util.h"

#define FC_THREADS 4
#define FC_ROUNDS 96
/* A guest that faults again more often than this is stuck. */
#define FC_MAX_RETRIES 100000

static struct test_plan fc_plan;
static pthread_barrier_t fc_gate;

struct fc_thread {
	pthread_t thread;
	struct vcpu *v;
	enum fault_access access;
	/* Outcomes by round. */
	enum fault_outcome out[FC_ROUNDS];
	uint64_t retries;
	bool stuck;
};

static void *fc_run(void *arg)
{
	struct fc_thread *t = arg;

	host_set_cpu_index(t->v->pcpu);
	for (unsigned r = 0; r < FC_ROUNDS; r++) {
		uint64_t ipa = TEST_PLAN_IPA + r * PAGE_SIZE;
		enum fault_outcome o;
		unsigned tries = 0;

		pthread_barrier_wait(&fc_gate);
		/* A retry sends the guest back to fault again. */
		while ((o = test_vm_fault(t->v, ipa, FAULT_TRANSLATION,
					  t->access)) == FAULT_RETRY) {
			t->retries++;
			if (++tries == FC_MAX_RETRIES) {
				t->stuck = true;
				break;
			}
		}
		t->out[r] = o;
	}
	return NULL;
}

/*
 * Builds a VM of FC_THREADS vCPUs under @policy (with @flags) on CPUs
 * other than this thread's, caches on (no clean noise), and runs them.
 */
static struct vm *fc_race(struct test_ctx *test_ctx, unsigned policy,
			  uint32_t flags, enum fault_access access,
			  struct fc_thread *t)
{
	unsigned self = arch_cpu_index();
	struct vm *vm;

	test_plan_init(&fc_plan);
	fc_plan.vms[0].policy = policy;
	fc_plan.vms[0].flags = flags;
	fc_plan.regions[0].size = FC_ROUNDS * PAGE_SIZE;
	fc_plan.vms[0].nvcpus = FC_THREADS;
	for (unsigned i = 0; i < FC_THREADS; i++) {
		fc_plan.vcpus[i].pcpu = i;
		fc_plan.vcpus[i].nops = i == 0 ? 2 : 1;
	}
	test_plan_relayout(&fc_plan);
	vm = test_vm_build(test_ctx, &fc_plan);
	if (vm == NULL) {
		return NULL;
	}
	pthread_barrier_init(&fc_gate, NULL, FC_THREADS);
	for (unsigned i = 0; i < FC_THREADS; i++) {
		vm->vcpus[i].pcpu = (self + 1 + i) % PLATFORM_MAX_CPUS;
		cmo_sctlr_written(&vm->vcpus[i], 0, 0x5);
	}
	trace_rings_reset();
	for (unsigned i = 0; i < FC_THREADS; i++) {
		t[i].v = &vm->vcpus[i];
		t[i].access = access;
		pthread_create(&t[i].thread, NULL, fc_run, &t[i]);
	}
	for (unsigned i = 0; i < FC_THREADS; i++) {
		pthread_join(t[i].thread, NULL);
		EXPECT_TRUE(!t[i].stuck);
	}
	pthread_barrier_destroy(&fc_gate);
	host_set_cpu_index(self);
	return vm;
}

/* Records of event @id in the rings of the vCPUs' CPUs. */
static unsigned fc_count(struct test_ctx *test_ctx, struct vm *vm, uint16_t id)
{
	unsigned count = 0;

	for (unsigned i = 0; i < FC_THREADS; i++) {
		unsigned cpu = vm->vcpus[i].pcpu;
		size_t n;

		EXPECT_EQ(trace_ring_lost(cpu), 0);
		while ((n = trace_ring_drain(cpu, test_stage2_trace,
					     S2T_TRACE_MAX)) > 0) {
			count += test_stage2_trace_count(n, id);
		}
	}
	return count;
}

/* Faults of round @r that ended in @o. */
static unsigned fc_outcomes(const struct fc_thread *t, unsigned r,
			    enum fault_outcome o)
{
	unsigned n = 0;

	for (unsigned i = 0; i < FC_THREADS; i++) {
		n += t[i].out[r] == o;
	}
	return n;
}

/** Prejudge: of the vCPUs faulting on a page at once, one maps it and the others find it mapped; nothing is broken. */
TEST(fault_conc, prejudge_one_maps_the_rest_are_spurious)
{
	static struct fc_thread t[FC_THREADS];
	struct vm *vm;

	for (unsigned i = 0; i < FC_THREADS; i++) {
		t[i] = (struct fc_thread){0};
	}
	vm = fc_race(test_ctx, PLAN_POLICY_PREJUDGE, 0, FAULT_READ, t);
	ASSERT_TRUE(vm != NULL);
	for (unsigned r = 0; r < FC_ROUNDS; r++) {
		if (!EXPECT_EQ(fc_outcomes(t, r, FAULT_MAPPED), 1) ||
		    !EXPECT_EQ(fc_outcomes(t, r, FAULT_SPURIOUS),
			       FC_THREADS - 1)) {
			break;
		}
		EXPECT_LEAF(vm, TEST_PLAN_IPA + r * PAGE_SIZE, 3, TVM_RW);
	}
	EXPECT_EQ(fc_count(test_ctx, vm, TRACE_EV_bbm_break), 0);
}

/** Legacy: faults on one page are serialised; one maps it and every other rebuilds it with break-before-make. */
TEST(fault_conc, legacy_every_other_fault_remaps)
{
	static struct fc_thread t[FC_THREADS];
	struct vm *vm;

	for (unsigned i = 0; i < FC_THREADS; i++) {
		t[i] = (struct fc_thread){0};
	}
	vm = fc_race(test_ctx, PLAN_POLICY_LEGACY, 0, FAULT_READ, t);
	ASSERT_TRUE(vm != NULL);
	for (unsigned r = 0; r < FC_ROUNDS; r++) {
		if (!EXPECT_EQ(fc_outcomes(t, r, FAULT_MAPPED), 1) ||
		    !EXPECT_EQ(fc_outcomes(t, r, FAULT_REMAPPED),
			       FC_THREADS - 1)) {
			break;
		}
	}
	for (unsigned i = 0; i < FC_THREADS; i++) {
		/* The write lock serialises them: nobody meets a BBM. */
		EXPECT_EQ(t[i].retries, 0);
	}
	EXPECT_EQ(fc_count(test_ctx, vm, TRACE_EV_bbm_break),
		  FC_ROUNDS * (FC_THREADS - 1));
}

/** Dirty logging: concurrent writes to the same pages mark each page once, and a harvest counts each once. */
TEST(fault_conc, dirty_log_concurrent_writes_mark_each_page)
{
	static struct fc_thread t[FC_THREADS];
	struct vm *vm;

	for (unsigned i = 0; i < FC_THREADS; i++) {
		t[i] = (struct fc_thread){0};
	}
	vm = fc_race(test_ctx, PLAN_POLICY_PREJUDGE, PLAN_VM_DIRTY_LOG,
		     FAULT_WRITE, t);
	ASSERT_TRUE(vm != NULL);
	for (unsigned r = 0; r < FC_ROUNDS; r++) {
		/* Handled, mapped or found mapped: each one marks. */
		if (!EXPECT_EQ(fc_outcomes(t, r, FAULT_DIRTY_LOGGED),
			       FC_THREADS)) {
			break;
		}
	}
	EXPECT_EQ(dirty_log_harvest(vm), FC_ROUNDS);
	EXPECT_EQ(fc_count(test_ctx, vm, TRACE_EV_bbm_break), 0);
	EXPECT_EQ(dirty_log_harvest(vm), 0);
}
