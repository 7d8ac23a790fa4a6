/*
 * The 2023 KVM permission-relaxation livelock, with the strict TLB model.
 *
 * A page is mapped read-only and cached by two CPUs. Both write, both
 * take a permission fault. The first handler relaxes the entry to RW and
 * invalidates only its own TLB (local scope, as KVM does since 2023); the
 * second finds the entry already RW, and stage2_relax_perms() answers
 * -ERR_AGAIN. A handler that just returns to the guest leaves the stale
 * read-only entry in the second CPU's TLB, and that CPU faults on it
 * forever. The fix invalidates the IPA locally on -ERR_AGAIN.
 */
#include <faultline/err.h>
#include <faultline/test.h>

#include "host_arch.h"
#include "stage2_conc_util.h"

#define LL_IPA UINT64_C(0x40000000)
#define LL_DET_ITERS 100000u
#define LL_ROUNDS 16u
#define LL_THREAD_BOUND 2000u

/* Maps LL_IPA read-only, replacing whatever is there (CPU 0, write lock). */
static int ll_map_ro(struct conc_vm *vm)
{
	int ret;

	rwlock_write_lock(&vm->pgt.lock);
	/* Both vCPUs may cache the old entry: inner-shareable. */
	ret = stage2_map(&vm->pgt, LL_IPA, PAGE_SIZE,
			 pa_init(LL_IPA + CONC_PA_A), STAGE2_PROT_R, &vm->pool,
			 STAGE2_SCOPE_INNER_SHAREABLE, 0, NULL);
	rwlock_write_unlock(&vm->pgt.lock);
	return ret;
}

/* One access of @v's CPU, made from the calling thread. */
static void ll_touch(struct conc_vcpu *v, enum host_tlb_access_kind kind,
		     struct host_tlb_result *r)
{
	host_set_cpu_index(v->cpu);
	host_tlb_access(&v->vm->pgt, LL_IPA, kind, r);
	host_set_cpu_index(0);
}

/* Handles fault @r of a write on @v's CPU, from the calling thread. */
static int ll_handle(struct conc_vcpu *v, const struct host_tlb_result *r)
{
	int ret;

	host_set_cpu_index(v->cpu);
	ret = conc_handle_fault(v, LL_IPA, HOST_TLB_WRITE, r);
	host_set_cpu_index(0);
	return ret;
}

/*
 * The interleaving of the livelock, played step by step on one thread:
 * both CPUs cache the read-only entry, both write, A relaxes, B's relax
 * answers -ERR_AGAIN. Leaves B with its fault in *@rb.
 */
static void ll_setup(struct test_ctx *test_ctx, struct conc_vm *vm,
		     struct conc_vcpu *a, struct conc_vcpu *b,
		     struct host_tlb_result *rb)
{
	struct host_tlb_result ra, r;

	ASSERT_EQ_INT(ll_map_ro(vm), 0);
	ll_touch(a, HOST_TLB_READ, &r);
	ASSERT_EQ(r.fault, HOST_TLB_OK);
	ll_touch(b, HOST_TLB_READ, &r);
	ASSERT_EQ(r.fault, HOST_TLB_OK);
	ll_touch(a, HOST_TLB_WRITE, &ra);
	ll_touch(b, HOST_TLB_WRITE, rb);
	ASSERT_EQ(ra.fault, HOST_TLB_PERMISSION);
	ASSERT_TRUE(ra.hit);
	ASSERT_EQ(rb->fault, HOST_TLB_PERMISSION);
	ASSERT_TRUE(rb->hit);
	/* A relaxes: its own stale entry goes, B's stays. */
	EXPECT_EQ_INT(ll_handle(a, &ra), 0);
	EXPECT_EQ(a->st.relax.relaxed, 1);
	EXPECT_EQ(host_tlb_cached(a->cpu, CONC_VMID, LL_IPA), 0);
	EXPECT_EQ(host_tlb_cached(b->cpu, CONC_VMID, LL_IPA), 1);
	ll_touch(a, HOST_TLB_WRITE, &ra);
	EXPECT_EQ(ra.fault, HOST_TLB_OK);
	/* B's relax finds the entry RW already. */
	EXPECT_EQ_INT(ll_handle(b, rb), -ERR_AGAIN);
	EXPECT_EQ(b->st.relax_again, 1);
	EXPECT_EQ(b->st.relax.relaxed, 0);
}

/* The table's entry for LL_IPA allows writes. */
static bool ll_table_rw(struct conc_vm *vm)
{
	struct stage2_leaf leaf;

	return stage2_lookup(&vm->pgt, LL_IPA, &leaf) == 0 &&
	       (leaf.prot & STAGE2_PROT_W) != 0;
}

/** With the pre-fix handler, the CPU whose relax answered -ERR_AGAIN faults on its stale read-only entry on every one of 100000 tries. */
TEST(stage2_conc_livelock, deterministic_buggy_handler_never_completes)
{
	struct conc_vm vm;
	struct conc_vcpu a, b;
	struct host_tlb_result rb;
	uint64_t completed = 0, hit_perm = 0, again = 0;

	conc_test_begin();
	ASSERT_EQ_INT(conc_vm_init(&vm, 16), 0);
	conc_vcpu_init(&a, &vm, 1, CONC_PREJUDGE);
	conc_vcpu_init(&b, &vm, 2, CONC_PREJUDGE);
	b.fix_again = false;
	ll_setup(test_ctx, &vm, &a, &b, &rb);
	for (unsigned i = 0; i < LL_DET_ITERS; i++) {
		ll_touch(&b, HOST_TLB_WRITE, &rb);
		if (rb.fault == HOST_TLB_OK) {
			completed++;
			break;
		}
		if (rb.fault == HOST_TLB_PERMISSION && rb.hit) {
			hit_perm++;
		}
		if (ll_handle(&b, &rb) == -ERR_AGAIN) {
			again++;
		}
	}
	EXPECT_EQ(completed, 0);
	EXPECT_EQ(hit_perm, LL_DET_ITERS);
	EXPECT_EQ(again, LL_DET_ITERS);
	EXPECT_EQ(b.st.relax.relaxed, 0);
	EXPECT_TRUE(ll_table_rw(&vm));
	EXPECT_EQ(host_tlb_cached(2, CONC_VMID, LL_IPA), 1);
	conc_note("livelock: %llu write faults on the cached RO entry, 0 done",
		  (unsigned long long)hit_perm);
	conc_vm_fini(&vm);
}

/** With the fixed handler (local invalidation on -ERR_AGAIN), the losing CPU's next write succeeds. */
TEST(stage2_conc_livelock, deterministic_fixed_handler_completes)
{
	struct conc_vm vm;
	struct conc_vcpu a, b;
	struct host_tlb_result rb;

	conc_test_begin();
	ASSERT_EQ_INT(conc_vm_init(&vm, 16), 0);
	conc_vcpu_init(&a, &vm, 1, CONC_PREJUDGE);
	conc_vcpu_init(&b, &vm, 2, CONC_PREJUDGE);
	ll_setup(test_ctx, &vm, &a, &b, &rb);
	EXPECT_EQ(b.st.again_invals, 1);
	EXPECT_EQ(host_tlb_cached(2, CONC_VMID, LL_IPA), 0);
	ll_touch(&b, HOST_TLB_WRITE, &rb);
	ASSERT_EQ(rb.fault, HOST_TLB_OK);
	EXPECT_TRUE(!rb.hit);
	EXPECT_EQ(pa_addr(rb.pa), LL_IPA + CONC_PA_A);
	EXPECT_EQ(host_tlb_cached(2, CONC_VMID, LL_IPA), 1);
	/* One relax in all, no break-before-make. */
	EXPECT_EQ(a.st.relax.relaxed + b.st.relax.relaxed, 1);
	EXPECT_EQ(a.st.map.replaced + b.st.map.replaced, 0);
	conc_vm_fini(&vm);
}

/* The threaded rounds: both vCPUs read, then write at the same instant. */
struct ll_shared {
	struct conc_vm *vm;
	pthread_barrier_t bar;
	/* Per round and vCPU: the write completed within the bound. */
	bool done[LL_ROUNDS][2];
};

struct ll_thread {
	struct ll_shared *sh;
	struct conc_vcpu v;
	unsigned slot;
	/* Reads that did not complete at once (should be none). */
	unsigned read_faults;
};

static void *ll_vcpu_thread(void *arg)
{
	struct ll_thread *t = arg;
	paddr_t pa;

	host_set_cpu_index(t->v.cpu);
	for (unsigned round = 0; round < LL_ROUNDS; round++) {
		/* 1: CPU 0 has mapped the page read-only. Cache it. */
		pthread_barrier_wait(&t->sh->bar);
		if (conc_access(&t->v, LL_IPA, HOST_TLB_READ, &pa) != 0 ||
		    t->v.last.hit) {
			t->read_faults++;
		}
		/* 2: both write at the same instant. */
		pthread_barrier_wait(&t->sh->bar);
		t->sh->done[round][t->slot] =
			conc_access(&t->v, LL_IPA, HOST_TLB_WRITE, &pa) == 0;
		/* 3: round over. */
		pthread_barrier_wait(&t->sh->bar);
	}
	return NULL;
}

/* Runs the rounds with or without the fix; counts livelocked vCPUs. */
static void ll_threaded(struct test_ctx *test_ctx, bool fix,
			unsigned *livelocked, struct conc_stats *sum)
{
	struct conc_vm vm;
	struct ll_shared sh = {.vm = &vm};
	struct ll_thread th[2];
	pthread_t tid[2];
	void *args[2] = {&th[0], &th[1]};

	*livelocked = 0;
	ASSERT_EQ_INT(conc_vm_init(&vm, 16), 0);
	ASSERT_EQ_INT(pthread_barrier_init(&sh.bar, NULL, 3), 0);
	for (unsigned i = 0; i < 2; i++) {
		th[i] = (struct ll_thread){.sh = &sh, .slot = i};
		conc_vcpu_init(&th[i].v, &vm, 1 + i, CONC_PREJUDGE);
		th[i].v.fix_again = fix;
		th[i].v.max_faults = LL_THREAD_BOUND;
	}
	ASSERT_EQ_INT(conc_start(tid, 2, ll_vcpu_thread, args), 0);
	for (unsigned round = 0; round < LL_ROUNDS; round++) {
		EXPECT_EQ_INT(ll_map_ro(&vm), 0);
		for (unsigned step = 0; step < 3; step++) {
			pthread_barrier_wait(&sh.bar);
		}
		*livelocked += !sh.done[round][0] + !sh.done[round][1];
	}
	EXPECT_TRUE(conc_join(tid, 2));
	for (unsigned i = 0; i < 2; i++) {
		EXPECT_EQ(th[i].read_faults, 0);
		conc_stats_add(sum, &th[i].v.st);
	}
	pthread_barrier_destroy(&sh.bar);
	conc_vm_fini(&vm);
}

/** Racing writers with the pre-fix handler: in every round exactly one vCPU makes no progress within the bound. */
TEST(stage2_conc_livelock, threaded_buggy_handler_livelocks_one_vcpu)
{
	struct conc_stats s = {0};
	unsigned livelocked = 0;

	conc_test_begin();
	ll_threaded(test_ctx, false, &livelocked, &s);
	EXPECT_EQ(livelocked, LL_ROUNDS);
	/* One relax per round won; the loser's faults all hit its RO entry. */
	EXPECT_EQ(s.relax.relaxed, LL_ROUNDS);
	EXPECT_EQ(s.gave_up, LL_ROUNDS);
	EXPECT_TRUE(s.perm_faults_hit >= (uint64_t)LL_ROUNDS * LL_THREAD_BOUND);
	EXPECT_EQ(s.map.replaced, 0);
	conc_note("threaded buggy: %u/%u livelocked, %llu faults on cached "
		  "entries",
		  livelocked, 2 * LL_ROUNDS,
		  (unsigned long long)s.perm_faults_hit);
}

/** Racing writers with the fixed handler: both complete every round, with one relax and one local invalidation per round. */
TEST(stage2_conc_livelock, threaded_fixed_handler_both_complete)
{
	struct conc_stats s = {0};
	unsigned livelocked = 0;

	conc_test_begin();
	ll_threaded(test_ctx, true, &livelocked, &s);
	EXPECT_EQ(livelocked, 0);
	EXPECT_EQ(s.gave_up, 0);
	EXPECT_EQ(s.relax.relaxed, LL_ROUNDS);
	EXPECT_EQ(s.relax_again, LL_ROUNDS);
	EXPECT_EQ(s.again_invals, LL_ROUNDS);
	/* Each vCPU: one read and one write per round. */
	EXPECT_EQ(s.accesses, 4 * LL_ROUNDS);
	EXPECT_EQ(s.perm_faults, 2 * LL_ROUNDS);
	EXPECT_EQ(s.map.replaced, 0);
}
