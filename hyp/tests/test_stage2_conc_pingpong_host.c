/*
 * Seed 002's RW/RO ping-pong under dirty logging: vCPU A writes a page in
 * a loop, vCPU B reads it in a loop, and between rounds the page is
 * write-protected again (unmapped, or remapped read-only). A read fault
 * maps the page read-only, a write fault read-write.
 *
 * "legacy" rebuilds the leaf with break-before-make on every fault, so B's
 * read fault turns A's RW entry back to RO and A faults again; "prejudge"
 * leaves an entry alone when it is identical or differs only in its
 * permissions (relaxing instead), so the vCPUs never break the entry.
 */
#include <faultline/err.h>
#include <faultline/test.h>

#include "host_arch.h"
#include "stage2_conc_util.h"

#define PP_IPA UINT64_C(0x40123000)
#define PP_ROUNDS 32u
#define PP_LOOP 8u
#define PP_T_ROUNDS 64u
#define PP_T_LOOP 64u

/*
 * Write-protects the page again, as dirty logging does between two
 * harvests: unmaps it on even rounds, remaps it read-only (BBM) on odd
 * ones. CPU 0, write lock; every vCPU may cache the entry: inner-shareable.
 */
static int pp_write_protect(struct conc_vm *vm, unsigned round,
			    struct stage2_result *res)
{
	int ret;

	rwlock_write_lock(&vm->pgt.lock);
	if (round % 2 == 0) {
		ret = stage2_unmap(&vm->pgt, PP_IPA, PAGE_SIZE,
				   STAGE2_SCOPE_INNER_SHAREABLE, res);
	} else {
		ret = stage2_map(&vm->pgt, PP_IPA, PAGE_SIZE,
				 pa_init(PP_IPA + CONC_PA_A), STAGE2_PROT_R,
				 &vm->pool, STAGE2_SCOPE_INNER_SHAREABLE, 0,
				 res);
	}
	rwlock_write_unlock(&vm->pgt.lock);
	return ret;
}

/* An access by @v's CPU, made from this thread. */
static void pp_touch(struct conc_vcpu *v, enum host_tlb_access_kind kind,
		     struct host_tlb_result *r)
{
	host_set_cpu_index(v->cpu);
	host_tlb_access(&v->vm->pgt, PP_IPA, kind, r);
	host_set_cpu_index(0);
}

/* @v's handler for fault @r, run from this thread. */
static int pp_handle(struct conc_vcpu *v, enum host_tlb_access_kind kind,
		     const struct host_tlb_result *r)
{
	int ret;

	host_set_cpu_index(v->cpu);
	ret = conc_handle_fault(v, PP_IPA, kind, r);
	host_set_cpu_index(0);
	return ret;
}

/* Accesses until done (bounded), on @v's CPU; returns 0 when done. */
static int pp_finish(struct conc_vcpu *v, enum host_tlb_access_kind kind,
		     unsigned times)
{
	paddr_t pa;
	int ret = 0;

	host_set_cpu_index(v->cpu);
	for (unsigned i = 0; i < times && ret == 0; i++) {
		ret = conc_access(v, PP_IPA, kind, &pa);
		if (ret == 0 && pa_addr(pa) != PP_IPA + CONC_PA_A) {
			ret = -ERR_INVAL;
		}
	}
	host_set_cpu_index(0);
	return ret;
}

/* TLBI-by-IPA operations the vCPUs (CPUs 1, 2) issued, by scope. */
static void pp_count_tlbis(unsigned *is, unsigned *local)
{
	static struct host_tlb_op ops[8192];
	size_t n = host_tlb_log(ops, ARRAY_SIZE(ops));

	*is = 0;
	*local = 0;
	for (size_t i = 0; i < n && i < ARRAY_SIZE(ops); i++) {
		if (ops[i].kind != HOST_TLB_OP_TLBI_IPA || ops[i].cpu == 0 ||
		    ops[i].ipa != PP_IPA) {
			continue;
		}
		if (ops[i].scope == ARCH_TLBI_INNER_SHAREABLE) {
			(*is)++;
		} else {
			(*local)++;
		}
	}
}

/*
 * One round, step by step: A's write and B's read fault on the
 * write-protected page, then A's handler runs, then B's, then both
 * retry until their accesses complete.
 */
static void pp_round(struct test_ctx *test_ctx, struct conc_vm *vm,
		     struct conc_vcpu *a, struct conc_vcpu *b, unsigned round)
{
	struct host_tlb_result ra, rb;

	ASSERT_EQ_INT(pp_write_protect(vm, round, NULL), 0);
	pp_touch(a, HOST_TLB_WRITE, &ra);
	pp_touch(b, HOST_TLB_READ, &rb);
	if (round % 2 == 0) {
		ASSERT_EQ(ra.fault, HOST_TLB_TRANSLATION);
		ASSERT_EQ(rb.fault, HOST_TLB_TRANSLATION);
	} else {
		/* Read-only entry: A's write faults on it, B's read works. */
		ASSERT_EQ(ra.fault, HOST_TLB_PERMISSION);
		ASSERT_EQ(rb.fault, HOST_TLB_OK);
	}
	EXPECT_EQ_INT(pp_handle(a, HOST_TLB_WRITE, &ra), 0);
	if (rb.fault != HOST_TLB_OK) {
		/* B's read fault arrives with A's RW entry in place. */
		EXPECT_EQ_INT(pp_handle(b, HOST_TLB_READ, &rb),
			      a->policy == CONC_LEGACY ? 0 : -ERR_AGAIN);
	}
	for (unsigned i = 0; i < PP_LOOP; i++) {
		ASSERT_EQ_INT(pp_finish(a, HOST_TLB_WRITE, 1), 0);
		ASSERT_EQ_INT(pp_finish(b, HOST_TLB_READ, 1), 0);
	}
}

/* Plays PP_ROUNDS rounds under @policy; sums A's and B's counters. */
static void pp_deterministic(struct test_ctx *test_ctx, enum conc_policy policy,
			     struct conc_stats *sa, struct conc_stats *sb,
			     unsigned *tlbi_is, unsigned *tlbi_local)
{
	struct conc_vm vm;
	struct conc_vcpu a, b;

	conc_test_begin();
	ASSERT_EQ_INT(conc_vm_init(&vm, 16), 0);
	conc_vcpu_init(&a, &vm, 1, policy);
	conc_vcpu_init(&b, &vm, 2, policy);
	a.max_faults = 100;
	b.max_faults = 100;
	for (unsigned round = 0; round < PP_ROUNDS; round++) {
		pp_round(test_ctx, &vm, &a, &b, round);
	}
	pp_count_tlbis(tlbi_is, tlbi_local);
	*sa = a.st;
	*sb = b.st;
	conc_vm_fini(&vm);
}

/** Legacy, step by step: every round B's read fault and A's write fault each rebuild the entry with break-before-make (3 BBMs per 2 rounds). */
TEST(stage2_conc_pingpong, deterministic_legacy_rebuilds_every_round)
{
	struct conc_stats a, b;
	unsigned is = 0, local = 0;

	pp_deterministic(test_ctx, CONC_LEGACY, &a, &b, &is, &local);
	/* Unmapped rounds: A installs RW, B rebuilds RO, A rebuilds RW. */
	EXPECT_EQ(a.map.installed + b.map.installed, PP_ROUNDS / 2);
	EXPECT_EQ(b.map.replaced, PP_ROUNDS / 2);
	/* Read-only rounds: A rebuilds RW once more. */
	EXPECT_EQ(a.map.replaced, PP_ROUNDS / 2 + PP_ROUNDS / 2);
	EXPECT_EQ(a.map.replaced + b.map.replaced, 3 * PP_ROUNDS / 2);
	EXPECT_EQ(a.relax_calls + b.relax_calls, 0);
	/* A's retry faults on B's RO entry once per unmapped round. */
	EXPECT_EQ(a.faults, PP_ROUNDS / 2);
	EXPECT_EQ(b.faults, 0);
	/* Every BBM invalidated the IPA everywhere. */
	EXPECT_EQ(is, 3 * PP_ROUNDS / 2);
	EXPECT_EQ(local, 0);
	EXPECT_EQ(a.accesses, PP_ROUNDS * PP_LOOP);
	EXPECT_EQ(b.accesses, PP_ROUNDS * PP_LOOP);
	conc_note("pingpong legacy (step by step): %u rounds, %llu BBMs by "
		  "vCPUs (A %llu, B %llu), A faults %llu, B faults %llu",
		  PP_ROUNDS,
		  (unsigned long long)(a.map.replaced + b.map.replaced),
		  (unsigned long long)a.map.replaced,
		  (unsigned long long)b.map.replaced,
		  (unsigned long long)a.faults, (unsigned long long)b.faults);
}

/** Prejudge, step by step: the vCPUs never break the entry; B's read fault on A's RW entry ends in -ERR_AGAIN, A's write fault on RO relaxes. */
TEST(stage2_conc_pingpong, deterministic_prejudge_never_rebuilds)
{
	struct conc_stats a, b;
	unsigned is = 0, local = 0;

	pp_deterministic(test_ctx, CONC_PREJUDGE, &a, &b, &is, &local);
	EXPECT_EQ(a.map.installed + b.map.installed, PP_ROUNDS / 2);
	EXPECT_EQ(a.map.replaced + b.map.replaced, 0);
	EXPECT_EQ(b.map_perm, PP_ROUNDS / 2);
	EXPECT_EQ(b.relax_again, PP_ROUNDS / 2);
	EXPECT_EQ(a.relax.relaxed, PP_ROUNDS / 2);
	EXPECT_EQ(is, 0);
	EXPECT_EQ(local, a.relax.relaxed + b.again_invals);
	/* After the first faults were handled, no access faults again. */
	EXPECT_EQ(a.faults + b.faults, 0);
	EXPECT_EQ(a.accesses, PP_ROUNDS * PP_LOOP);
	EXPECT_EQ(b.accesses, PP_ROUNDS * PP_LOOP);
}

/* The threaded ping-pong: A writes, B reads, CPU 0 write-protects. */
struct pp_shared {
	struct conc_vm *vm;
	pthread_barrier_t bar;
	/* Per round: BBMs by the vCPUs, written by each at the round end. */
	uint64_t bbm[PP_T_ROUNDS][2];
	/* Per round: A's handled write faults (dirty marks). */
	uint64_t dirty[PP_T_ROUNDS];
	/* Per round: both vCPUs start their loops at the same instant. */
	_Atomic unsigned go[PP_T_ROUNDS];
};

struct pp_thread {
	struct pp_shared *sh;
	struct conc_vcpu v;
	unsigned slot;
	enum host_tlb_access_kind kind;
	unsigned bad_pa;
};

static void *pp_vcpu_thread(void *arg)
{
	struct pp_thread *t = arg;
	paddr_t pa;

	host_set_cpu_index(t->v.cpu);
	for (unsigned round = 0; round < PP_T_ROUNDS; round++) {
		uint64_t bbm0 = t->v.st.map.replaced;
		uint64_t dirty0 = t->v.st.dirty_marks;

		/* CPU 0 write-protects between these two. */
		pthread_barrier_wait(&t->sh->bar);
		pthread_barrier_wait(&t->sh->bar);
		conc_spin_sync(&t->sh->go[round], 2);
		for (unsigned i = 0; i < PP_T_LOOP; i++) {
			if (conc_access(&t->v, PP_IPA, t->kind, &pa) == 0 &&
			    pa_addr(pa) != PP_IPA + CONC_PA_A) {
				t->bad_pa++;
			}
		}
		t->sh->bbm[round][t->slot] = t->v.st.map.replaced - bbm0;
		if (t->slot == 0) {
			t->sh->dirty[round] = t->v.st.dirty_marks - dirty0;
		}
	}
	return NULL;
}

struct pp_totals {
	struct conc_stats a, b;
	uint64_t max_round_bbm;
	unsigned rounds_without_dirty;
	unsigned bad_pa;
};

static void pp_threaded(struct test_ctx *test_ctx, enum conc_policy policy,
			struct pp_totals *out)
{
	struct conc_vm vm;
	struct pp_shared sh = {.vm = &vm};
	struct pp_thread th[2];
	pthread_t tid[2];
	void *args[2] = {&th[0], &th[1]};

	conc_test_begin();
	ASSERT_EQ_INT(conc_vm_init(&vm, 16), 0);
	ASSERT_EQ_INT(pthread_barrier_init(&sh.bar, NULL, 3), 0);
	for (unsigned i = 0; i < 2; i++) {
		th[i] = (struct pp_thread){.sh = &sh, .slot = i};
		conc_vcpu_init(&th[i].v, &vm, 1 + i, policy);
		th[i].kind = i == 0 ? HOST_TLB_WRITE : HOST_TLB_READ;
	}
	ASSERT_EQ_INT(conc_start(tid, 2, pp_vcpu_thread, args), 0);
	for (unsigned round = 0; round < PP_T_ROUNDS; round++) {
		pthread_barrier_wait(&sh.bar);
		/* Both vCPUs are parked: nobody else uses the table. */
		EXPECT_EQ_INT(pp_write_protect(&vm, round, NULL), 0);
		pthread_barrier_wait(&sh.bar);
	}
	EXPECT_TRUE(conc_join(tid, 2));
	out->a = th[0].v.st;
	out->b = th[1].v.st;
	out->bad_pa = th[0].bad_pa + th[1].bad_pa;
	for (unsigned r = 0; r < PP_T_ROUNDS; r++) {
		out->max_round_bbm =
			MAX(out->max_round_bbm, sh.bbm[r][0] + sh.bbm[r][1]);
		out->rounds_without_dirty += sh.dirty[r] == 0;
	}
	pthread_barrier_destroy(&sh.bar);
	conc_vm_fini(&vm);
}

/** Threaded ping-pong: prejudge's vCPUs make 0 BBMs of the page while legacy's make at least one per read-only round; both complete every access. */
TEST(stage2_conc_pingpong, threaded_legacy_vs_prejudge_bbm_counts)
{
	struct pp_totals leg = {0}, pre = {0};
	uint64_t leg_bbm, pre_bbm;

	pp_threaded(test_ctx, CONC_LEGACY, &leg);
	pp_threaded(test_ctx, CONC_PREJUDGE, &pre);
	leg_bbm = leg.a.map.replaced + leg.b.map.replaced;
	pre_bbm = pre.a.map.replaced + pre.b.map.replaced;

	/* Prejudge: never a BBM by a vCPU, whatever the interleaving. */
	EXPECT_EQ(pre_bbm, 0);
	EXPECT_EQ(pre.max_round_bbm, 0);
	/* Legacy: A's write fault on the RO entry always rebuilds it. */
	EXPECT_TRUE(leg_bbm >= PP_T_ROUNDS / 2);
	EXPECT_TRUE(leg.a.map.replaced >= PP_T_ROUNDS / 2);
	/* Either way, one install per unmapped round and nothing lost. */
	EXPECT_EQ(leg.a.map.installed + leg.b.map.installed, PP_T_ROUNDS / 2);
	EXPECT_EQ(pre.a.map.installed + pre.b.map.installed, PP_T_ROUNDS / 2);
	EXPECT_EQ(leg.a.accesses + leg.b.accesses, 2 * PP_T_ROUNDS * PP_T_LOOP);
	EXPECT_EQ(pre.a.accesses + pre.b.accesses, 2 * PP_T_ROUNDS * PP_T_LOOP);
	EXPECT_EQ(leg.a.gave_up + leg.b.gave_up + pre.a.gave_up + pre.b.gave_up,
		  0);
	EXPECT_EQ(leg.bad_pa + pre.bad_pa, 0);
	/* Dirty logging: A's write was handled (page marked) every round. */
	EXPECT_EQ(leg.rounds_without_dirty, 0);
	EXPECT_EQ(pre.rounds_without_dirty, 0);
	EXPECT_EQ(leg.a.errors + leg.b.errors + pre.a.errors + pre.b.errors, 0);
	conc_note(
		"pingpong threaded %u rounds x %u: legacy BBMs %llu (A %llu, "
		"B %llu, max/round %llu, faults A %llu B %llu), prejudge "
		"BBMs %llu (relaxed %llu, B -ERR_AGAIN %llu, faults A %llu "
		"B %llu)",
		PP_T_ROUNDS, PP_T_LOOP, (unsigned long long)leg_bbm,
		(unsigned long long)leg.a.map.replaced,
		(unsigned long long)leg.b.map.replaced,
		(unsigned long long)leg.max_round_bbm,
		(unsigned long long)leg.a.faults,
		(unsigned long long)leg.b.faults, (unsigned long long)pre_bbm,
		(unsigned long long)(pre.a.relax.relaxed + pre.b.relax.relaxed),
		(unsigned long long)pre.b.retries,
		(unsigned long long)pre.a.faults,
		(unsigned long long)pre.b.faults);
}
