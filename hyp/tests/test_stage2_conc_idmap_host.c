/*
 * Seed 000's lazily filled identity stage 2 under concurrent faults: each
 * CPU's handler finds the largest compatible range around the faulting
 * address and maps it, under the read side of the lock, without dropping
 * the lock in between. Whatever the interleaving, the table must end up
 * with the shape one CPU alone would give it.
 */
#include <faultline/err.h>
#include <faultline/test.h>

#include "host_arch.h"
#include "stage2_conc_util.h"

#define ID_CPUS 4u
/* A memory range that starts and ends inside 2 MiB ranges, across 1 GiB. */
#define ID_BASE (UINT64_C(0x40000000) - UINT64_C(0x600000) + 0x3000)
#define ID_END (UINT64_C(0x40000000) + UINT64_C(0x4600000) - 0x2000)
#define ID_2M UINT64_C(0x200000)
/* Two level-2 tables (one per 1 GiB), two level-3 tables (the edges). */
#define ID_TABLES 4u
/* 36 inner 2 MiB blocks, 509 + 510 edge pages. */
#define ID_LEAVES (36u + 509u + 510u)

struct id_thread {
	struct conc_vm *vm;
	_Atomic unsigned *go;
	unsigned cpu;
	uint64_t seed;
	unsigned accesses, faults, maps, exist, again, bad;
	struct stage2_result res;
};

/* The host fault handler: find the compatible range and map it. */
static int id_handle(struct id_thread *t, uint64_t addr)
{
	const struct mem_range range = {ID_BASE, ID_END - ID_BASE};
	struct stage2_pgtable *pgt = &t->vm->pgt;
	struct mem_range out;
	unsigned level;
	int ret;

	rwlock_read_lock(&pgt->lock);
	ret = stage2_find_compatible_range(pgt, addr, &range, &out, &level);
	if (ret == 0) {
		/*
		 * A new leaf over invalid entries needs no invalidation; a
		 * BBM (never expected here) would replace an entry any CPU
		 * may cache: inner-shareable.
		 */
		ret = stage2_map(pgt, out.base, out.size, pa_init(out.base),
				 STAGE2_PROT_R | STAGE2_PROT_W, &t->vm->pool,
				 STAGE2_SCOPE_INNER_SHAREABLE,
				 STAGE2_SHARED | STAGE2_MAP_SKIP_IDENTICAL |
					 STAGE2_MAP_NO_PERM_CHANGE,
				 &t->res);
		t->maps++;
	}
	rwlock_read_unlock(&pgt->lock);
	if (ret == -ERR_EXIST) {
		/* Another CPU mapped it since the fault: back to the guest. */
		t->exist++;
		ret = 0;
	} else if (ret == -ERR_AGAIN) {
		t->again++;
		ret = 0;
	}
	return ret;
}

/* One host access with its faults handled (bounded). */
static void id_access(struct id_thread *t, uint64_t addr)
{
	for (unsigned n = 0; n < 10000 && !atomic_load(&conc_stop); n++) {
		struct host_tlb_result r;

		host_tlb_access(&t->vm->pgt, addr, HOST_TLB_WRITE, &r);
		if (r.fault == HOST_TLB_OK) {
			t->accesses++;
			t->bad += pa_addr(r.pa) != addr;
			return;
		}
		t->faults++;
		if (id_handle(t, addr) != 0) {
			break;
		}
	}
	t->bad++;
}

/* The pages to touch: every page of the edge 2 MiB ranges, two per inner one. */
static void *id_thread_fn(void *arg)
{
	struct id_thread *t = arg;
	uint64_t first = ALIGN_DOWN(ID_BASE, ID_2M);
	unsigned nregions =
		(unsigned)((ALIGN_UP(ID_END, ID_2M) - first) / ID_2M);

	host_set_cpu_index(t->cpu);
	conc_spin_sync(t->go, ID_CPUS);
	for (unsigned i = 0; i < nregions; i++) {
		/* Each CPU starts at a different range, in opposite orders. */
		unsigned reg =
			(t->cpu % 2)
				? (i + t->cpu * 7) % nregions
				: nregions - 1 - (i + t->cpu * 5) % nregions;
		uint64_t lo = MAX(first + reg * ID_2M, ID_BASE);
		uint64_t hi = MIN(first + (reg + 1) * ID_2M, ID_END);

		if (hi - lo == ID_2M) {
			id_access(t, lo + 0x1000);
			id_access(t, hi - 0x10);
			continue;
		}
		for (uint64_t a = lo; a < hi; a += PAGE_SIZE) {
			id_access(t, a + (conc_rand(&t->seed) % PAGE_SIZE));
		}
	}
	return NULL;
}

/** Concurrent host faults on a greedy identity map: every address maps to itself at the level one CPU alone would use, and exactly 4 table pages are used. */
TEST(stage2_conc_idmap, greedy_identity_map_has_single_cpu_shape)
{
	struct conc_vm vm;
	struct id_thread th[ID_CPUS];
	pthread_t tid[ID_CPUS];
	void *args[ID_CPUS];
	_Atomic unsigned go = 0;
	unsigned bad = 0, bad_shape = 0, exist = 0, again = 0, faults = 0;
	struct stage2_result res = {0};
	struct stage2_leaf leaf;

	conc_test_begin();
	ASSERT_EQ_INT(conc_vm_init(&vm, 16), 0);
	for (unsigned i = 0; i < ID_CPUS; i++) {
		th[i] = (struct id_thread){
			.vm = &vm, .go = &go, .cpu = 1 + i, .seed = 77 + i};
		args[i] = &th[i];
	}
	ASSERT_EQ_INT(conc_start(tid, ID_CPUS, id_thread_fn, args), 0);
	EXPECT_TRUE(conc_join(tid, ID_CPUS));
	for (unsigned i = 0; i < ID_CPUS; i++) {
		bad += th[i].bad;
		exist += th[i].exist;
		again += th[i].again;
		faults += th[i].faults;
		conc_result_add(&res, &th[i].res);
	}
	EXPECT_EQ(bad, 0);
	for (uint64_t a = ALIGN_DOWN(ID_BASE, PAGE_SIZE); a < ID_END;
	     a += PAGE_SIZE) {
		bool inner = ALIGN_DOWN(a, ID_2M) >= ID_BASE &&
			     ALIGN_DOWN(a, ID_2M) + ID_2M <= ID_END;

		if (stage2_lookup(&vm.pgt, a, &leaf) != 0 ||
		    pa_addr(leaf.pa) != a || leaf.level != (inner ? 2u : 3u)) {
			bad_shape++;
		}
	}
	EXPECT_EQ(bad_shape, 0);
	/* Nothing outside the range. */
	EXPECT_EQ_INT(stage2_lookup(&vm.pgt, ID_BASE - PAGE_SIZE, &leaf),
		      -ERR_NOENT);
	EXPECT_EQ_INT(stage2_lookup(&vm.pgt, ID_END, &leaf), -ERR_NOENT);
	/* Each leaf and table once, never a rebuild, the losers' pages returned. */
	EXPECT_EQ(res.installed, ID_LEAVES);
	EXPECT_EQ(res.replaced, 0);
	EXPECT_EQ(res.split, 0);
	EXPECT_EQ(res.tables_added, ID_TABLES);
	EXPECT_EQ(stage2_pool_available(&vm.pool), vm.avail0 - ID_TABLES);
	EXPECT_EQ_INT(conc_vm_unmap_all(&vm), 0);
	EXPECT_EQ(stage2_pool_available(&vm.pool), vm.avail0);
	conc_note(
		"greedy idmap: %u faults, %u installed leaves, %u -ERR_EXIST, "
		"%u -ERR_AGAIN",
		faults, res.installed, exist, again);
	conc_vm_fini(&vm);
}
