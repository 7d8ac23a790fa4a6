/*
 * Storms: vCPU threads fault pages in (read lock, STAGE2_SHARED) while a
 * storm thread unmaps, remaps elsewhere, collapses (write lock) and splits
 * (read lock) the same range. The TLB model keeps every entry until a
 * TLBI removes it, so a translation that survived an unmap would show as
 * an access to the old PA.
 *
 * PA check without a lock: each page has a version, bumped by the storm
 * under the write lock after the page was unmapped (its old translation
 * invalidated everywhere); the handler maps the PA of the current
 * version. An access that saw the same version before and after must
 * have used that version's PA.
 */
#include <sched.h>
#include <stdlib.h>

#include <faultline/err.h>
#include <faultline/test.h>

#include "host_arch.h"
#include "stage2_conc_util.h"

#define ST_VCPUS 3u
#define ST_STORM_CPU (ST_VCPUS + 1)
#define ST_MIN_ACCESSES 1500u
#define ST_MAX_ACCESSES 200000u
/* Storm pacing: wait for this many vCPU accesses, or this long. */
#define ST_PACE_ACCESSES 6u
#define ST_PACE_NS UINT64_C(2000000)

/* Map/unmap storm: 1024 pages across a 1 GiB boundary. */
#define MU_BASE (UINT64_C(0x40000000) - UINT64_C(0x100000))
#define MU_PAGES 1024u
#define MU_ITERS 300u

/* Split/collapse storm: two 2 MiB ranges, mapped RW at IPA + CONC_PA_A. */
#define SC_BASE UINT64_C(0x80000000)
#define SC_REGIONS 2u
#define SC_PAGES (SC_REGIONS * 512u)
#define SC_ITERS 120u

struct st_shared {
	struct conc_vm *vm;
	/* The storm's kind: false = map/unmap, true = split/collapse. */
	bool split_collapse;
	_Atomic uint32_t ver[MU_PAGES];
	_Atomic bool storm_done;
	_Atomic uint64_t progress;
	_Atomic unsigned go;
};

struct st_vcpu {
	struct st_shared *sh;
	struct conc_vcpu v;
	uint64_t seed;
	/* Accesses that used a translation the storm had removed. */
	unsigned stale;
	/* Lookups or accesses that returned something never mapped. */
	unsigned garbage;
	/* Lookups made (read lock held). */
	unsigned lookups;
};

struct st_storm {
	struct st_shared *sh;
	uint64_t seed;
	unsigned errors;
	unsigned remaps;
	unsigned collapsed, collapse_noent, split, split_other;
	struct stage2_result res;
};

static uint64_t st_base(const struct st_shared *sh)
{
	return sh->split_collapse ? SC_BASE : MU_BASE;
}

static unsigned st_pages(const struct st_shared *sh)
{
	return sh->split_collapse ? SC_PAGES : MU_PAGES;
}

/* The PA of page @ipa at version @ver. */
static uint64_t st_pa(uint64_t ipa, uint32_t ver)
{
	return ipa + ((ver & 1) ? CONC_PA_B : CONC_PA_A);
}

static uint32_t st_ver(struct st_shared *sh, uint64_t ipa)
{
	if (sh->split_collapse) {
		return 0;
	}
	return atomic_load_explicit(&sh->ver[(ipa - MU_BASE) / PAGE_SIZE],
				    memory_order_acquire);
}

/* The handler's PA: called under the read lock, so the version is stable. */
static paddr_t st_pa_of(void *arg, uint64_t ipa)
{
	return pa_init(st_pa(ipa, st_ver(arg, ipa)));
}

/* Looks up a random page under the read lock; counts garbage. */
static void st_check_lookup(struct st_vcpu *t)
{
	struct st_shared *sh = t->sh;
	uint64_t ipa =
		st_base(sh) + (conc_rand(&t->seed) % st_pages(sh)) * PAGE_SIZE;
	struct stage2_leaf leaf;
	unsigned min_level = sh->split_collapse ? 2 : S2_LEAF_LEVEL;
	int ret;

	rwlock_read_lock(&sh->vm->pgt.lock);
	ret = stage2_lookup(&sh->vm->pgt, ipa, &leaf);
	if (ret == 0) {
		if (pa_addr(leaf.pa) != st_pa(ipa, st_ver(sh, ipa)) ||
		    leaf.level < min_level ||
		    (leaf.prot & ~(STAGE2_PROT_R | STAGE2_PROT_W)) != 0 ||
		    (sh->split_collapse &&
		     leaf.prot != (STAGE2_PROT_R | STAGE2_PROT_W))) {
			t->garbage++;
		}
	} else if (ret != -ERR_NOENT && ret != -ERR_AGAIN) {
		t->garbage++;
	}
	rwlock_read_unlock(&sh->vm->pgt.lock);
	t->lookups++;
}

static void *st_vcpu_thread(void *arg)
{
	struct st_vcpu *t = arg;
	struct st_shared *sh = t->sh;

	host_set_cpu_index(t->v.cpu);
	conc_spin_sync(&sh->go, ST_VCPUS + 1);
	for (unsigned n = 0; n < ST_MAX_ACCESSES && !atomic_load(&conc_stop);
	     n++) {
		uint64_t r = conc_rand(&t->seed);
		uint64_t ipa = st_base(sh) + (r % st_pages(sh)) * PAGE_SIZE;
		enum host_tlb_access_kind kind =
			(sh->split_collapse || (r >> 32) & 1) ? HOST_TLB_WRITE
							      : HOST_TLB_READ;
		uint32_t v1, v2;
		paddr_t pa;

		if (n >= ST_MIN_ACCESSES && atomic_load(&sh->storm_done)) {
			break;
		}
		v1 = st_ver(sh, ipa);
		if (conc_access(&t->v, ipa, kind, &pa) != 0) {
			continue;
		}
		v2 = st_ver(sh, ipa);
		if (v1 == v2 && pa_addr(pa) != st_pa(ipa, v1)) {
			t->stale++;
		} else if (pa_addr(pa) != st_pa(ipa, 0) &&
			   pa_addr(pa) != st_pa(ipa, 1)) {
			t->garbage++;
		}
		atomic_fetch_add(&sh->progress, 1);
		if (n % 8 == 0) {
			st_check_lookup(t);
		}
	}
	return NULL;
}

/* Lets the vCPUs make some progress (bounded in time). */
static void st_pace(struct st_shared *sh)
{
	uint64_t start = atomic_load(&sh->progress);
	uint64_t deadline = conc_now_ns() + ST_PACE_NS;

	while (atomic_load(&sh->progress) - start < ST_PACE_ACCESSES &&
	       conc_now_ns() < deadline && !atomic_load(&conc_stop)) {
		sched_yield();
	}
}

/* One map/unmap storm step: unmap a random range, maybe move it. */
static void st_unmap_step(struct st_storm *s)
{
	struct st_shared *sh = s->sh;
	uint64_t r = conc_rand(&s->seed);
	unsigned start = 0, len = MU_PAGES;

	if (r % 8 != 0) {
		start = (unsigned)((r >> 8) % MU_PAGES);
		len = 1 + (unsigned)((r >> 24) % MIN(128u, MU_PAGES - start));
	}
	rwlock_write_lock(&sh->vm->pgt.lock);
	/* Every vCPU may cache these entries: inner-shareable. */
	if (stage2_unmap(&sh->vm->pgt, MU_BASE + start * PAGE_SIZE,
			 len * PAGE_SIZE, STAGE2_SCOPE_INNER_SHAREABLE,
			 &s->res) != 0) {
		s->errors++;
	}
	if ((r >> 40) & 1) {
		/* Unmapped and invalidated: the pages may move. */
		for (unsigned p = start; p < start + len; p++) {
			atomic_fetch_add_explicit(&sh->ver[p], 1,
						  memory_order_release);
		}
		s->remaps++;
	}
	rwlock_write_unlock(&sh->vm->pgt.lock);
}

/* One split/collapse step on region @reg: unmap a bit, refill, collapse, split. */
static void st_collapse_step(struct st_storm *s, unsigned reg)
{
	struct stage2_pgtable *pgt = &s->sh->vm->pgt;
	struct stage2_pool *pool = &s->sh->vm->pool;
	uint64_t base = SC_BASE + reg * stage2_level_size(2);
	uint64_t r = conc_rand(&s->seed);
	unsigned len = 1 + (unsigned)(r % 64);
	unsigned start = (unsigned)((r >> 8) % (512 - len + 1));
	struct stage2_leaf leaf;
	int ret = -ERR_AGAIN;

	rwlock_write_lock(&pgt->lock);
	if (stage2_unmap(pgt, base + start * PAGE_SIZE, len * PAGE_SIZE,
			 STAGE2_SCOPE_INNER_SHAREABLE, &s->res) != 0) {
		s->errors++;
	}
	rwlock_write_unlock(&pgt->lock);
	st_pace(s->sh);

	/* Refill the whole range, racing with the vCPUs' faults. */
	rwlock_read_lock(&pgt->lock);
	for (unsigned tries = 0; tries < 1000 && ret == -ERR_AGAIN; tries++) {
		ret = stage2_map(pgt, base, stage2_level_size(2),
				 pa_init(base + CONC_PA_A),
				 STAGE2_PROT_R | STAGE2_PROT_W, pool,
				 STAGE2_SCOPE_INNER_SHAREABLE,
				 STAGE2_SHARED | STAGE2_MAP_SKIP_IDENTICAL |
					 STAGE2_MAP_NO_PERM_CHANGE,
				 &s->res);
	}
	rwlock_read_unlock(&pgt->lock);
	s->errors += ret != 0;

	/* Full and uniform: collapses (or was mapped as a block already). */
	rwlock_write_lock(&pgt->lock);
	ret = stage2_collapse(pgt, base, 2, STAGE2_SCOPE_INNER_SHAREABLE,
			      &s->res);
	s->collapsed += ret == 0;
	s->collapse_noent += ret == -ERR_NOENT;
	s->errors += ret != 0 && ret != -ERR_NOENT;
	if (stage2_lookup(pgt, base, &leaf) != 0 || leaf.level != 2 ||
	    pa_addr(leaf.pa) != base + CONC_PA_A) {
		s->errors++;
	}
	rwlock_write_unlock(&pgt->lock);
	st_pace(s->sh);

	/* Split again under the read lock, racing with faults. */
	rwlock_read_lock(&pgt->lock);
	ret = stage2_split(pgt, base, pool, STAGE2_SCOPE_INNER_SHAREABLE,
			   STAGE2_SHARED, &s->res);
	rwlock_read_unlock(&pgt->lock);
	s->split += ret == 0;
	s->split_other += ret == -ERR_AGAIN || ret == -ERR_NOENT;
	s->errors += ret != 0 && ret != -ERR_AGAIN && ret != -ERR_NOENT;
}

static void *st_storm_thread(void *arg)
{
	struct st_storm *s = arg;
	unsigned iters = s->sh->split_collapse ? SC_ITERS : MU_ITERS;

	host_set_cpu_index(ST_STORM_CPU);
	conc_spin_sync(&s->sh->go, ST_VCPUS + 1);
	for (unsigned i = 0; i < iters && !atomic_load(&conc_stop); i++) {
		if (s->sh->split_collapse) {
			st_collapse_step(s, i % SC_REGIONS);
		} else {
			st_unmap_step(s);
		}
		st_pace(s->sh);
	}
	atomic_store(&s->sh->storm_done, true);
	return NULL;
}

struct st_totals {
	struct conc_stats v;
	unsigned stale, garbage, lookups;
};

/* Runs a storm; checks the pool after unmapping everything. */
static void st_run(struct test_ctx *test_ctx, bool split_collapse,
		   struct st_storm *storm, struct st_totals *tot)
{
	struct conc_vm vm;
	struct st_shared *sh;
	struct st_vcpu th[ST_VCPUS];
	pthread_t tid[ST_VCPUS + 1];
	void *args[ST_VCPUS + 1];

	conc_test_begin();
	ASSERT_EQ_INT(conc_vm_init(&vm, 64), 0);
	sh = calloc(1, sizeof(*sh));
	ASSERT_TRUE(sh != NULL);
	sh->vm = &vm;
	sh->split_collapse = split_collapse;
	*storm = (struct st_storm){.sh = sh, .seed = 0x5eed5eedu};
	for (unsigned i = 0; i < ST_VCPUS; i++) {
		th[i] = (struct st_vcpu){.sh = sh,
					 .seed = 0x1234567u * (i + 1)};
		conc_vcpu_init(&th[i].v, &vm, 1 + i, CONC_PREJUDGE);
		th[i].v.pa_of = st_pa_of;
		th[i].v.pa_arg = sh;
		args[i] = &th[i];
	}
	args[ST_VCPUS] = storm;
	if (conc_start(tid, ST_VCPUS, st_vcpu_thread, args) == 0) {
		EXPECT_EQ_INT(conc_start(&tid[ST_VCPUS], 1, st_storm_thread,
					 &args[ST_VCPUS]),
			      0);
		EXPECT_TRUE(conc_join(tid, ST_VCPUS + 1));
	}
	for (unsigned i = 0; i < ST_VCPUS; i++) {
		conc_stats_add(&tot->v, &th[i].v.st);
		tot->stale += th[i].stale;
		tot->garbage += th[i].garbage;
		tot->lookups += th[i].lookups;
	}
	EXPECT_EQ(storm->errors, 0);
	EXPECT_EQ(tot->stale, 0);
	EXPECT_EQ(tot->garbage, 0);
	EXPECT_EQ(tot->v.gave_up + tot->v.errors + tot->v.nomem, 0);
	EXPECT_TRUE(tot->v.accesses >= ST_VCPUS * ST_MIN_ACCESSES);
	/* No page leaked, none freed twice. */
	EXPECT_EQ_INT(conc_vm_unmap_all(&vm), 0);
	EXPECT_EQ(stage2_pool_available(&vm.pool), vm.avail0);
	EXPECT_EQ(vm.pool.frees, vm.pool.allocs - 1);
	free(sh);
	conc_vm_fini(&vm);
}

/** Faults racing an unmap/remap storm: no access uses a removed translation, no lookup returns garbage, and every table page returns to the pool. */
TEST(stage2_conc_storm, map_unmap_remap_never_uses_stale_pa)
{
	struct st_storm s;
	struct st_totals t = {0};

	st_run(test_ctx, false, &s, &t);
	/* The vCPUs saw the storm: they refaulted removed pages. */
	EXPECT_TRUE(s.res.removed > 0);
	EXPECT_TRUE(t.v.map.installed > MU_PAGES / 4);
	conc_note("map/unmap storm: %llu accesses, %llu faults, %llu retries, "
		  "%u leaves removed, %u tables freed, %u remaps, %u lookups",
		  (unsigned long long)t.v.accesses,
		  (unsigned long long)t.v.faults,
		  (unsigned long long)t.v.retries, s.res.removed,
		  s.res.tables_freed, s.remaps, t.lookups);
}

/** Faults racing collapses (write lock) and splits (read lock) of the same 2 MiB ranges: every access sees the one right PA and every collapse of a refilled range succeeds. */
TEST(stage2_conc_storm, split_collapse_keeps_translations)
{
	struct st_storm s;
	struct st_totals t = {0};

	st_run(test_ctx, true, &s, &t);
	/* Each step ended with a block: collapsed, or mapped as one. */
	EXPECT_EQ(s.collapsed + s.collapse_noent, SC_ITERS);
	EXPECT_TRUE(s.collapsed >= SC_ITERS - SC_REGIONS);
	EXPECT_EQ(s.split + s.split_other, SC_ITERS);
	EXPECT_EQ(t.v.relax_calls, 0);
	EXPECT_EQ(t.v.map.replaced, 0);
	conc_note("split/collapse storm: %u collapses (%u already blocks), %u "
		  "splits by the storm (%u lost), %u splits by vCPU faults, "
		  "%llu faults, %llu retries",
		  s.collapsed, s.collapse_noent, s.split, s.split_other,
		  t.v.map.split, (unsigned long long)t.v.faults,
		  (unsigned long long)t.v.retries);
}
