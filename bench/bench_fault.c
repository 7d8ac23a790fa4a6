/*
 * Benchmarks of the whole stage-2 fault handler: fault_handle() on a VM
 * built from a plan (bench_vm.h), under each policy, traced as at EL2.
 * What is timed is the call, from the decoded fault to the outcome: the
 * trap, the decode and the return to the guest are the arch's and are
 * not here. The host arch's TLB maintenance is a model (per-CPU TLBs
 * under mutexes, every TLBI and barrier recorded), so invalidations cost
 * more than the instructions would on hardware, and differently.
 *
 * Single-threaded cases (a round of pages, put back untimed between
 * rounds):
 *   fault_fresh     translation fault on a page never mapped: MAPPED
 *   fault_mapped    translation fault on a page already mapped (another
 *                   vCPU got there first): REMAPPED under legacy (BBM),
 *                   SPURIOUS under prejudge
 *   fault_perm      write to a write-protected page: REMAPPED under
 *                   legacy (BBM), RELAXED under prejudge (in place)
 * Threads as CPUs, each its own vCPU (steady state, no rounds):
 *   fault_same_ipa  every thread faults on the same mapped page
 *   fault_own_page  each thread faults on a mapped page of its own
 */
#include <stdatomic.h>
#include <stdint.h>

#include <faultline/fmt.h>
#include <faultline/plan.h>

#include "bench_util.h"
#include "bench_vm.h"

/* What the outcomes of a thread's faults were. */
struct bf_outcomes {
	uint64_t n[16];
};

static const char *const bf_outcome_names[16] = {
	[FAULT_MAPPED] = "mapped",
	[FAULT_REMAPPED] = "remapped",
	[FAULT_RELAXED] = "relaxed",
	[FAULT_SPURIOUS] = "spurious",
	[FAULT_RETRY] = "retry",
	[FAULT_DIRTY_LOGGED] = "dirty_logged",
	[FAULT_OUT_OF_MEMORY] = "out_of_memory",
	[FAULT_ABORT_INJECTED] = "abort_injected",
	[FAULT_VM_STOPPED] = "vm_stopped",
};

/* The VM the threads of a multi-threaded run share, once thread 0 built it. */
static struct vm *bf_vm;
static _Atomic bool bf_ready;
static char bf_err[200];

static uint64_t bf_page(unsigned i)
{
	return BENCH_VM_IPA + (uint64_t)i * PAGE_SIZE;
}

static void bf_report(struct bench *b, const struct bf_outcomes *o)
{
	for (unsigned i = 0; i < ARRAY_SIZE(o->n); i++) {
		if (bf_outcome_names[i] != NULL) {
			bench_per_op(b, bf_outcome_names[i], o->n[i]);
		}
	}
}

/* Thread 0: builds the VM for @policy and @nvcpus, maps @npages pages. */
static void bf_setup(unsigned policy, unsigned nvcpus, unsigned npages)
{
	bool ok;

	bf_vm = bench_vm_build(policy, nvcpus, bf_err, sizeof(bf_err));
	ok = bf_vm != NULL;
	for (unsigned i = 0; ok && i < npages; i++) {
		ok = bench_vm_fault(&bf_vm->vcpus[0], bf_page(i),
				    FAULT_TRANSLATION,
				    FAULT_READ) == FAULT_MAPPED;
		if (!ok) {
			fmt_snprintf(bf_err, sizeof(bf_err),
				     "mapping page %u failed", i);
		}
	}
	atomic_store(&bf_ready, ok);
}

/* The single-threaded cases: how a round starts, what each fault is. */
struct bf_case {
	unsigned policy;
	enum fault_kind kind;
	enum fault_access access;
	/* Pages of a round; 1 for a case that needs no rounds. */
	unsigned round;
	/* Puts the VM back between rounds (NULL: nothing to do). */
	int (*refill)(struct vm *vm);
	/* The outcome every fault must have. */
	enum fault_outcome expect;
};

static void bm_fault_rounds(struct gbench_state *st, void *arg)
{
	const struct bf_case *c = arg;
	struct bf_outcomes o = {0};
	struct bench b;
	unsigned i;

	bench_begin(&b, st);
	/*
	 * Mapped beforehand: every page for fault_perm (its rounds only
	 * write-protect them), the one page of fault_mapped, none otherwise.
	 */
	bf_setup(c->policy, 1,
		 c->kind == FAULT_PERMISSION ? BENCH_VM_PAGES
		 : c->round == 1             ? 1
					     : 0);
	if (!atomic_load(&bf_ready)) {
		bench_fail(&b, "%s", bf_err);
	}
	i = c->refill != NULL ? c->round : 0;
	while (bench_running(&b)) {
		enum fault_outcome out;

		if (i == c->round) {
			int ret;

			i = 0;
			bench_quiet_begin(&b);
			ret = c->refill(bf_vm);
			bench_quiet_end(&b);
			if (ret != 0) {
				bench_fail(&b, "refill: %d", ret);
				continue;
			}
		}
		out = bench_vm_fault(&bf_vm->vcpus[0], bf_page(i), c->kind,
				     c->access);
		if (c->round > 1) {
			i++;
		}
		o.n[out % ARRAY_SIZE(o.n)]++;
		if (out != c->expect) {
			bench_fail(&b, "outcome %u, expected %u", out,
				   c->expect);
			continue;
		}
		bench_trace_room(&b);
	}
	bf_report(&b, &o);
	bench_end(&b);
}

/* Threads as CPUs on one VM; @arg: the policy, and whether to share a page. */
struct bf_conc {
	unsigned policy;
	bool same_page;
};

static void bm_fault_conc(struct gbench_state *st, void *arg)
{
	const struct bf_conc *c = arg;
	struct bf_outcomes o = {0};
	struct bench b;
	uint64_t ipa;

	bench_begin(&b, st);
	ipa = bf_page(c->same_page ? 0 : b.cpu);
	if (bench_need_parallel(&b) && b.cpu == 0) {
		unsigned n = (unsigned)gbench_thread_count(st);

		bf_setup(c->policy, n, c->same_page ? 1 : n);
	}
	while (bench_running(&b)) {
		enum fault_outcome out;

		/* Read only once thread 0 is done: after the start barrier. */
		if (!atomic_load_explicit(&bf_ready, memory_order_relaxed)) {
			bench_fail(&b, "setup: %s", bf_err);
			continue;
		}
		out = bench_vm_fault(&bf_vm->vcpus[b.cpu], ipa,
				     FAULT_TRANSLATION, FAULT_READ);
		o.n[out % ARRAY_SIZE(o.n)]++;
		bench_trace_room(&b);
	}
	bf_report(&b, &o);
	bench_end(&b);
}

static const struct bf_case bf_cases[] = {
	{PLAN_POLICY_LEGACY, FAULT_TRANSLATION, FAULT_READ, BENCH_VM_PAGES,
	 bench_vm_unmap_all, FAULT_MAPPED},
	{PLAN_POLICY_PREJUDGE, FAULT_TRANSLATION, FAULT_READ, BENCH_VM_PAGES,
	 bench_vm_unmap_all, FAULT_MAPPED},
	{PLAN_POLICY_LEGACY, FAULT_TRANSLATION, FAULT_READ, 1, NULL,
	 FAULT_REMAPPED},
	{PLAN_POLICY_PREJUDGE, FAULT_TRANSLATION, FAULT_READ, 1, NULL,
	 FAULT_SPURIOUS},
	{PLAN_POLICY_LEGACY, FAULT_PERMISSION, FAULT_WRITE, BENCH_VM_PAGES,
	 bench_vm_wrprotect_all, FAULT_REMAPPED},
	{PLAN_POLICY_PREJUDGE, FAULT_PERMISSION, FAULT_WRITE, BENCH_VM_PAGES,
	 bench_vm_wrprotect_all, FAULT_RELAXED},
};

static const char *const bf_case_names[ARRAY_SIZE(bf_cases)] = {
	"fault_fresh/legacy",    "fault_fresh/prejudge", "fault_mapped/legacy",
	"fault_mapped/prejudge", "fault_perm/legacy",    "fault_perm/prejudge",
};

static const struct bf_conc bf_concs[] = {
	{PLAN_POLICY_LEGACY, true},
	{PLAN_POLICY_PREJUDGE, true},
	{PLAN_POLICY_LEGACY, false},
	{PLAN_POLICY_PREJUDGE, false},
};

static const char *const bf_conc_names[ARRAY_SIZE(bf_concs)] = {
	"fault_same_ipa/legacy",
	"fault_same_ipa/prejudge",
	"fault_own_page/legacy",
	"fault_own_page/prejudge",
};

void bench_fault_register(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(bf_cases); i++) {
		gbench_register(bf_case_names[i], bm_fault_rounds,
				(void *)&bf_cases[i]);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(bf_concs); i++) {
		struct gbench *g = gbench_register(
			bf_conc_names[i], bm_fault_conc, (void *)&bf_concs[i]);

		for (int n = 1; n <= 4; n *= 2) {
			gbench_threads(g, n);
		}
	}
}
