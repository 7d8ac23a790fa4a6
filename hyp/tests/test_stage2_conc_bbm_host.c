/*
 * Break-before-make racing other updates of the same entry: permission
 * relaxation (an in-place CAS) against a BBM that moves the page, and
 * several CPUs splitting the same block under the read lock.
 */
#include <faultline/err.h>
#include <faultline/test.h>

#include "host_arch.h"
#include "stage2_conc_util.h"

#define RB_IPA UINT64_C(0x40321000)
#define RB_BBMS 1500u
#define RB_MIN_WRITES 300u
#define RB_MAX_WRITES 1000000u
/* The rebuilding CPU and two writing CPUs. */
#define RB_WRITERS 2u
#define RB_THREADS (1 + RB_WRITERS)

struct rb_shared {
	struct conc_vm *vm;
	/* Odd while CPU 1 rebuilds the entry (a sequence lock). */
	_Atomic uint64_t seq;
	/* The PA the entry holds (or is being rebuilt to). */
	_Atomic uint64_t cur_pa;
	_Atomic bool done;
	/* Writes completed by all writers (CPU 1 paces itself on it). */
	_Atomic uint64_t writes;
	_Atomic unsigned go;
};

struct rb_bbm {
	struct rb_shared *sh;
	unsigned replaced, lost, bad;
};

struct rb_writer {
	struct rb_shared *sh;
	unsigned cpu;
	unsigned writes, stale, translation, relaxed, again;
};

/*
 * Lets the writers run with the entry stable for a while (a few writes,
 * at most 50 us): their checks only count while no rebuild is under way.
 */
static void rb_pace(struct rb_shared *sh)
{
	uint64_t start = atomic_load(&sh->writes);
	uint64_t deadline = conc_now_ns() + 50000;

	while (atomic_load(&sh->writes) - start < 4 &&
	       conc_now_ns() < deadline && !atomic_load(&conc_stop)) {
	}
}

/* CPU 1: rebuilds the entry read-only at alternating PAs (legacy BBM). */
static void *rb_bbm_thread(void *arg)
{
	struct rb_bbm *b = arg;
	struct rb_shared *sh = b->sh;
	struct stage2_pgtable *pgt = &sh->vm->pgt;

	host_set_cpu_index(1);
	conc_spin_sync(&sh->go, RB_THREADS);
	for (unsigned i = 0; i < RB_BBMS && !atomic_load(&conc_stop); i++) {
		uint64_t pa = RB_IPA + ((i & 1) ? CONC_PA_B : CONC_PA_A);
		struct stage2_leaf leaf;
		int ret = -ERR_AGAIN;

		atomic_fetch_add(&sh->seq, 1);
		atomic_store(&sh->cur_pa, pa);
		rwlock_read_lock(&pgt->lock);
		for (unsigned t = 0; t < 1000 && ret == -ERR_AGAIN; t++) {
			struct stage2_result res = {0};

			/* The writers may cache the old entry: inner-shareable. */
			ret = stage2_map(pgt, RB_IPA, PAGE_SIZE, pa_init(pa),
					 STAGE2_PROT_R, &sh->vm->pool,
					 STAGE2_SCOPE_INNER_SHAREABLE,
					 STAGE2_SHARED, &res);
			b->replaced += res.replaced;
			b->lost += ret == -ERR_AGAIN;
		}
		/* Only the writers' relaxes may have touched it: W, same PA. */
		if (ret != 0 || stage2_lookup(pgt, RB_IPA, &leaf) != 0 ||
		    pa_addr(leaf.pa) != pa) {
			b->bad++;
		}
		rwlock_read_unlock(&pgt->lock);
		atomic_fetch_add(&sh->seq, 1);
		if (i % 4 == 0) {
			/* Other rounds race the relaxes back to back. */
			rb_pace(sh);
		}
	}
	atomic_store(&sh->done, true);
	return NULL;
}

/* A writer's fault handler for a write: relax, local invalidation on -ERR_AGAIN. */
static void rb_relax(struct rb_writer *w)
{
	struct stage2_pgtable *pgt = &w->sh->vm->pgt;
	struct stage2_result res = {0};
	int ret;

	rwlock_read_lock(&pgt->lock);
	/* Only this CPU needs the wider entry now: local (KVM since 2023). */
	ret = stage2_relax_perms(pgt, RB_IPA, STAGE2_PROT_W, STAGE2_SCOPE_LOCAL,
				 STAGE2_SHARED, &res);
	if (ret == 0) {
		w->relaxed++;
	} else {
		w->again++;
		stage2_tlb_inval_ipa(pgt, RB_IPA, res.level,
				     STAGE2_SCOPE_LOCAL);
	}
	rwlock_read_unlock(&pgt->lock);
}

/* CPUs 2, 3: write; an access that saw no rebuild must use the current PA. */
static void *rb_writer_thread(void *arg)
{
	struct rb_writer *w = arg;
	struct rb_shared *sh = w->sh;

	host_set_cpu_index(w->cpu);
	conc_spin_sync(&sh->go, RB_THREADS);
	for (unsigned n = 0; n < RB_MAX_WRITES && !atomic_load(&conc_stop);
	     n++) {
		uint64_t s1 = atomic_load(&sh->seq);
		uint64_t cur = atomic_load(&sh->cur_pa);
		struct host_tlb_result r;

		if (n >= RB_MIN_WRITES && atomic_load(&sh->done)) {
			break;
		}
		host_tlb_access(&sh->vm->pgt, RB_IPA, HOST_TLB_WRITE, &r);
		if (r.fault == HOST_TLB_OK) {
			w->writes++;
			atomic_fetch_add(&sh->writes, 1);
			if (s1 % 2 == 0 && atomic_load(&sh->seq) == s1 &&
			    pa_addr(r.pa) != cur) {
				w->stale++;
			}
		} else if (r.fault == HOST_TLB_PERMISSION) {
			rb_relax(w);
		} else {
			/* Inside CPU 1's break: the entry comes back. */
			w->translation++;
		}
	}
	return NULL;
}

/** Relaxing races break-before-make of the same entry: a relax never revives the old PA nor touches a broken entry, and no write uses a stale PA. */
TEST(stage2_conc_bbm, relax_races_bbm_never_revives_old_entry)
{
	struct conc_vm vm;
	struct rb_shared sh = {.vm = &vm};
	struct rb_bbm b = {.sh = &sh};
	struct rb_writer w[RB_WRITERS];
	pthread_t tid[RB_THREADS];
	void *args[RB_THREADS] = {&b};
	struct stage2_leaf leaf;
	unsigned writes = 0, stale = 0, relaxed = 0, again = 0, trans = 0;

	conc_test_begin();
	ASSERT_EQ_INT(conc_vm_init(&vm, 16), 0);
	rwlock_write_lock(&vm.pgt.lock);
	EXPECT_EQ_INT(stage2_map(&vm.pgt, RB_IPA, PAGE_SIZE,
				 pa_init(RB_IPA + CONC_PA_B), STAGE2_PROT_R,
				 &vm.pool, STAGE2_SCOPE_INNER_SHAREABLE, 0,
				 NULL),
		      0);
	rwlock_write_unlock(&vm.pgt.lock);
	atomic_store(&sh.cur_pa, RB_IPA + CONC_PA_B);
	for (unsigned i = 0; i < RB_WRITERS; i++) {
		w[i] = (struct rb_writer){.sh = &sh, .cpu = 2 + i};
		args[1 + i] = &w[i];
	}
	ASSERT_EQ_INT(conc_start(tid, 1, rb_bbm_thread, &args[0]), 0);
	if (conc_start(&tid[1], RB_WRITERS, rb_writer_thread, &args[1]) != 0) {
		atomic_store(&conc_stop, true);
		conc_join(tid, 1);
		ASSERT_TRUE(false);
	}
	EXPECT_TRUE(conc_join(tid, RB_THREADS));
	for (unsigned i = 0; i < RB_WRITERS; i++) {
		writes += w[i].writes;
		stale += w[i].stale;
		relaxed += w[i].relaxed;
		again += w[i].again;
		trans += w[i].translation;
	}
	EXPECT_EQ(b.bad, 0);
	EXPECT_EQ(stale, 0);
	/* Every rebuild replaced a valid entry, after retrying lost CASes. */
	EXPECT_EQ(b.replaced, RB_BBMS);
	EXPECT_TRUE(writes > 0);
	EXPECT_TRUE(relaxed > 0);
	ASSERT_EQ_INT(stage2_lookup(&vm.pgt, RB_IPA, &leaf), 0);
	EXPECT_EQ(pa_addr(leaf.pa), atomic_load(&sh.cur_pa));
	conc_note(
		"relax vs BBM: %u BBMs (%u lost a CAS to a relax), %u writes, "
		"%u relaxed, %u -ERR_AGAIN, %u translation faults",
		b.replaced, b.lost, writes, relaxed, again, trans);
	conc_vm_fini(&vm);
}

#define SPL_CPUS 4u
#define SPL_ROUNDS 8u
#define SPL_BASE UINT64_C(0x40000000)

struct spl_thread {
	struct conc_vm *vm;
	_Atomic unsigned *go;
	unsigned cpu;
	unsigned ok, again, noent, other;
	struct stage2_result res;
};

/* Splits the block around SPL_BASE + 5 pages until a page maps it. */
static void *spl_thread_fn(void *arg)
{
	struct spl_thread *t = arg;
	uint64_t ipa = SPL_BASE + 5 * PAGE_SIZE;
	int ret = -ERR_AGAIN;

	host_set_cpu_index(t->cpu);
	conc_spin_sync(t->go, SPL_CPUS);
	for (unsigned n = 0; n < 100000 && ret != -ERR_NOENT; n++) {
		rwlock_read_lock(&t->vm->pgt.lock);
		/* Other CPUs may cache the block: inner-shareable. */
		ret = stage2_split(&t->vm->pgt, ipa, &t->vm->pool,
				   STAGE2_SCOPE_INNER_SHAREABLE, STAGE2_SHARED,
				   &t->res);
		rwlock_read_unlock(&t->vm->pgt.lock);
		t->ok += ret == 0;
		t->again += ret == -ERR_AGAIN;
		t->noent += ret == -ERR_NOENT;
		t->other += ret != 0 && ret != -ERR_AGAIN && ret != -ERR_NOENT;
	}
	return NULL;
}

/** CPUs splitting the same 1 GiB block at once (forced by holding the pool): exactly two splits (1 GiB, then 2 MiB), two table pages used, translations unchanged. */
TEST(stage2_conc_bbm, split_race_splits_each_block_once)
{
	struct conc_vm vm;
	unsigned bad_rounds = 0, bad_pa = 0, other = 0;

	conc_test_begin();
	ASSERT_EQ_INT(conc_vm_init(&vm, 32), 0);
	for (unsigned r = 0; r < SPL_ROUNDS; r++) {
		struct spl_thread th[SPL_CPUS];
		pthread_t tid[SPL_CPUS];
		void *args[SPL_CPUS];
		_Atomic unsigned go = 0;
		unsigned ok = 0, added = 0;
		uint64_t frees0;
		bool forced;

		rwlock_write_lock(&vm.pgt.lock);
		EXPECT_EQ_INT(
			stage2_map(&vm.pgt, SPL_BASE, stage2_level_size(1),
				   pa_init(SPL_BASE + CONC_PA_A),
				   STAGE2_PROT_R | STAGE2_PROT_W, &vm.pool,
				   STAGE2_SCOPE_INNER_SHAREABLE, 0, NULL),
			0);
		rwlock_write_unlock(&vm.pgt.lock);
		for (unsigned i = 0; i < SPL_CPUS; i++) {
			th[i] = (struct spl_thread){
				.vm = &vm, .go = &go, .cpu = 1 + i};
			args[i] = &th[i];
		}
		frees0 = vm.pool.frees;
		/*
		 * With the pool held, every CPU reads the block and stops
		 * allocating its table before the break: a forced race.
		 */
		spinlock_lock(&vm.pool.lock);
		if (conc_start(tid, SPL_CPUS, spl_thread_fn, args) != 0) {
			spinlock_unlock(&vm.pool.lock);
			ASSERT_TRUE(false);
		}
		forced = conc_release_when_waiting(&vm.pool.lock, SPL_CPUS);
		EXPECT_TRUE(conc_join(tid, SPL_CPUS));
		for (unsigned i = 0; i < SPL_CPUS; i++) {
			ok += th[i].ok;
			added += th[i].res.tables_added;
			other += th[i].other;
		}
		/* Three losers gave their table pages back. */
		if (ok != 2 || added != 2 || !forced ||
		    vm.pool.frees - frees0 < SPL_CPUS - 1 ||
		    stage2_pool_available(&vm.pool) != vm.avail0 - 2) {
			bad_rounds++;
		}
		for (uint64_t off = 0; off < stage2_level_size(1);
		     off += UINT64_C(0x1000000) + PAGE_SIZE) {
			struct stage2_leaf leaf;

			if (stage2_lookup(&vm.pgt, SPL_BASE + off, &leaf) !=
				    0 ||
			    pa_addr(leaf.pa) != SPL_BASE + off + CONC_PA_A) {
				bad_pa++;
			}
		}
		EXPECT_EQ_INT(conc_vm_unmap_all(&vm), 0);
	}
	EXPECT_EQ(bad_rounds, 0);
	EXPECT_EQ(bad_pa, 0);
	EXPECT_EQ(other, 0);
	EXPECT_EQ(stage2_pool_available(&vm.pool), vm.avail0);
	EXPECT_EQ(vm.pool.frees, vm.pool.allocs - 1);
	conc_vm_fini(&vm);
}
