/*
 * Benchmarks of the stage-2 library on its own (stage2.h): one table of a
 * 40-bit IPA space with its own pool, no VM. Each operation works on the
 * next leaf of a round (2048 pages, or 256 2 MiB blocks); between rounds
 * the table is put back as the operation needs it (emptied, or filled),
 * untimed and untraced (bench_quiet_begin()).
 *
 * The exclusive operations run as a caller holding the table's lock for
 * writing (taken once, outside the timed loop): their figures are the
 * operation alone. s2_idmap takes and drops the lock around each call, as
 * the host stage 2's fault path does.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include <faultline/err.h>
#include <faultline/stage2.h>

#include "bench_util.h"

#define BS_IA_BITS 40
#define BS_VMID 9
/* Where the pool's pages pretend to be, and its size. */
#define BS_POOL_PA (UINT64_C(1) << 44)
#define BS_POOL_PAGES 160u
/* The first IPA of a round, and PA = IPA + BS_PA_OFFSET. */
#define BS_BASE (UINT64_C(1) << 30)
#define BS_PA_OFFSET (UINT64_C(1) << 39)
#define BS_2M (UINT64_C(2) << 20)
/* Leaves per round: 8 MiB of pages, 512 MiB of blocks, fewer splits. */
#define BS_ROUND_PAGES 2048u
#define BS_ROUND_BLOCKS 256u
#define BS_ROUND_SPLITS 64u
/* The identity map's 4 KiB round: a range no block fits in. */
#define BS_IDMAP_PAGES 510u

#define BS_RW (STAGE2_PROT_R | STAGE2_PROT_W)

/* One table and its pool. */
struct bs_table {
	struct stage2_pgtable pgt;
	struct stage2_pool pool;
	void *mem;
};

/* A run of one benchmark: the table, the leaf size, the round's length. */
struct bs_run {
	struct bs_table t;
	uint64_t sz;
	unsigned n;
	/* What the operations did, summed. */
	struct stage2_result sum;
};

/* An operation and how to prepare the table for a round of it. */
struct bs_kind {
	/* Pages (operations of less than 2 MiB) and blocks of a round. */
	unsigned round_pages, round_blocks;
	/* The operation takes the table lock itself (else: held throughout). */
	bool lock_per_op;
	/* Puts the table in the state a round starts from. */
	int (*refill)(struct bs_run *r);
	/* The measured operation, on leaf @i of the round. */
	int (*op)(struct bs_run *r, unsigned i, struct stage2_result *res);
};

static int bs_init(struct bs_table *t)
{
	int ret;

	t->mem = aligned_alloc(PAGE_SIZE, (size_t)BS_POOL_PAGES * PAGE_SIZE);
	if (t->mem == NULL) {
		return -ERR_NOMEM;
	}
	stage2_pool_init(&t->pool, "bench", 1, t->mem, pa_init(BS_POOL_PA),
			 BS_POOL_PAGES);
	ret = stage2_pgtable_init(&t->pgt, BS_IA_BITS, BS_VMID, &t->pool);
	if (ret != 0) {
		free(t->mem);
		t->mem = NULL;
	}
	return ret;
}

static void bs_fini(struct bs_table *t)
{
	if (t->mem == NULL) {
		return;
	}
	rwlock_write_lock(&t->pgt.lock);
	stage2_pgtable_destroy(&t->pgt);
	rwlock_write_unlock(&t->pgt.lock);
	free(t->mem);
	t->mem = NULL;
}

static uint64_t bs_ipa(const struct bs_run *r, unsigned i)
{
	return BS_BASE + (uint64_t)i * r->sz;
}

static int bs_map_one(struct bs_run *r, unsigned i, unsigned prot,
		      struct stage2_result *res)
{
	uint64_t ipa = bs_ipa(r, i);

	/* Fresh entries or replaced ones: any CPU may cache the latter. */
	return stage2_map(&r->t.pgt, ipa, r->sz, pa_init(ipa + BS_PA_OFFSET),
			  prot, &r->t.pool, STAGE2_SCOPE_INNER_SHAREABLE, 0,
			  res);
}

static int bs_empty(struct bs_run *r)
{
	/*
	 * Pages first go back into blocks (their PAs are contiguous), so
	 * that the unmap breaks a few blocks instead of every page: a round
	 * of pages would otherwise take ten times longer to undo than to do.
	 */
	for (uint64_t off = 0; r->sz < BS_2M && off < r->n * r->sz;
	     off += BS_2M) {
		(void)stage2_collapse(&r->t.pgt, BS_BASE + off, 2,
				      STAGE2_SCOPE_INNER_SHAREABLE, NULL);
	}
	/* The whole space: a round may have left anything anywhere. */
	return stage2_unmap(&r->t.pgt, 0, UINT64_C(1) << BS_IA_BITS,
			    STAGE2_SCOPE_INNER_SHAREABLE, NULL);
}

/* Empties the table, then maps the round's leaves with @prot. */
static int bs_fill(struct bs_run *r, unsigned prot)
{
	int ret = bs_empty(r);

	for (unsigned i = 0; ret == 0 && i < r->n; i++) {
		ret = bs_map_one(r, i, prot, NULL);
	}
	return ret;
}

static int bs_fill_rw(struct bs_run *r)
{
	return bs_fill(r, BS_RW);
}

static int bs_fill_ro(struct bs_run *r)
{
	return bs_fill(r, STAGE2_PROT_R);
}

static int bs_op_map(struct bs_run *r, unsigned i, struct stage2_result *res)
{
	return bs_map_one(r, i, BS_RW, res);
}

static int bs_op_unmap(struct bs_run *r, unsigned i, struct stage2_result *res)
{
	return stage2_unmap(&r->t.pgt, bs_ipa(r, i), r->sz,
			    STAGE2_SCOPE_INNER_SHAREABLE, res);
}

static int bs_op_relax(struct bs_run *r, unsigned i, struct stage2_result *res)
{
	/* As the prejudge fault path relaxes: this CPU's TLB only. */
	return stage2_relax_perms(&r->t.pgt, bs_ipa(r, i), BS_RW,
				  STAGE2_SCOPE_LOCAL, 0, res);
}

/*
 * Split rounds start from blocks: the tables the last round made are
 * collapsed back into them (cheaper than unmapping their pages), and
 * blocks are mapped where there is nothing yet.
 */
static int bs_fill_blocks(struct bs_run *r)
{
	int ret = 0;

	for (unsigned i = 0; ret == 0 && i < r->n; i++) {
		uint64_t ipa = BS_BASE + (uint64_t)i * BS_2M;

		ret = stage2_collapse(&r->t.pgt, ipa, 2,
				      STAGE2_SCOPE_INNER_SHAREABLE, NULL);
		if (ret == -ERR_NOENT) {
			ret = stage2_map(&r->t.pgt, ipa, BS_2M,
					 pa_init(ipa + BS_PA_OFFSET), BS_RW,
					 &r->t.pool,
					 STAGE2_SCOPE_INNER_SHAREABLE, 0, NULL);
		}
	}
	return ret;
}

static int bs_op_split(struct bs_run *r, unsigned i, struct stage2_result *res)
{
	return stage2_split(&r->t.pgt, BS_BASE + (uint64_t)i * BS_2M,
			    &r->t.pool, STAGE2_SCOPE_INNER_SHAREABLE, 0, res);
}

/*
 * The range the identity map's round lies in, and the address of its leaf
 * @i: for pages, the 510 pages of one 2 MiB chunk after its first page
 * (no block fits); for blocks, a range starting a page into a chunk, so
 * its chunks 1..n fit 2 MiB blocks and no 1 GiB block fits.
 */
static struct mem_range bs_idmap_range(const struct bs_run *r)
{
	struct mem_range m = {BS_BASE + PAGE_SIZE, 0};

	m.size = r->sz == PAGE_SIZE ? (uint64_t)r->n * PAGE_SIZE
				    : (uint64_t)(r->n + 1) * BS_2M;
	return m;
}

static int bs_op_idmap(struct bs_run *r, unsigned i, struct stage2_result *res)
{
	struct mem_range range = bs_idmap_range(r);
	/* Somewhere inside leaf i's page or block, as a fault would be. */
	uint64_t addr = r->sz == PAGE_SIZE
				? BS_BASE + (uint64_t)(i + 1) * PAGE_SIZE + 8
				: BS_BASE + (uint64_t)(i + 1) * BS_2M + 0x5008;
	struct mem_range found;
	unsigned level;
	int ret;

	/* host_s2.c's path, without the VM's region lookup. */
	stage2_write_lock(&r->t.pgt);
	ret = stage2_find_compatible_range(&r->t.pgt, addr, &range, &found,
					   &level);
	if (ret == 0) {
		/* Invalid entries before: no invalidation needed (local). */
		ret = stage2_map(&r->t.pgt, found.base, found.size,
				 pa_init(found.base), BS_RW, &r->t.pool,
				 STAGE2_SCOPE_LOCAL, 0, res);
	}
	stage2_write_unlock(&r->t.pgt);
	if (ret == 0 && found.size != r->sz) {
		ret = -ERR_RANGE;
	}
	return ret;
}

static const struct bs_kind bs_map = {BS_ROUND_PAGES, BS_ROUND_BLOCKS, false,
				      bs_empty, bs_op_map};
static const struct bs_kind bs_unmap = {BS_ROUND_PAGES, BS_ROUND_BLOCKS, false,
					bs_fill_rw, bs_op_unmap};
static const struct bs_kind bs_relax = {BS_ROUND_PAGES, BS_ROUND_BLOCKS, false,
					bs_fill_ro, bs_op_relax};
static const struct bs_kind bs_split = {BS_ROUND_SPLITS, BS_ROUND_SPLITS, false,
					bs_fill_blocks, bs_op_split};
static const struct bs_kind bs_idmap = {BS_IDMAP_PAGES, BS_ROUND_BLOCKS, true,
					bs_empty, bs_op_idmap};

/* Publishes what the operations did, per operation. */
static void bs_report(struct bench *b, const struct stage2_result *s)
{
	bench_per_op(b, "installed", s->installed);
	bench_per_op(b, "replaced", s->replaced);
	bench_per_op(b, "removed", s->removed);
	bench_per_op(b, "relaxed", s->relaxed);
	bench_per_op(b, "split", s->split);
	bench_per_op(b, "tables_added", s->tables_added);
	bench_per_op(b, "tables_freed", s->tables_freed);
}

static void bs_add(struct stage2_result *sum, const struct stage2_result *r)
{
	sum->installed += r->installed;
	sum->replaced += r->replaced;
	sum->removed += r->removed;
	sum->relaxed += r->relaxed;
	sum->split += r->split;
	sum->tables_added += r->tables_added;
	sum->tables_freed += r->tables_freed;
}

/* Refills, untimed and untraced, with the lock as the kind needs it. */
static int bs_refill(struct bench *b, const struct bs_kind *k, struct bs_run *r)
{
	int ret;

	bench_quiet_begin(b);
	if (k->lock_per_op) {
		rwlock_write_lock(&r->t.pgt.lock);
	}
	ret = k->refill(r);
	if (k->lock_per_op) {
		rwlock_write_unlock(&r->t.pgt.lock);
	}
	bench_quiet_end(b);
	return ret;
}

/*
 * The benchmark of one kind; argument 0 is the size of each operation in
 * KiB: a page, a 2 MiB block, or (s2_map_range) a range of pages.
 */
static void bm_s2_rounds(struct gbench_state *st, void *arg)
{
	const struct bs_kind *k = arg;
	struct bs_run r = {0};
	bool locked = false;
	struct bench b;
	unsigned i;
	int ret;

	r.sz = (uint64_t)gbench_range_arg(st, 0) << 10;
	r.n = r.sz < BS_2M ? (unsigned)(k->round_pages * PAGE_SIZE / r.sz)
			   : k->round_blocks;
	i = r.n;
	bench_begin(&b, st);
	ret = bs_init(&r.t);
	if (r.sz < PAGE_SIZE || r.n == 0 || r.sz % PAGE_SIZE != 0) {
		bench_fail(&b,
			   "%llu KiB: not a whole number of pages in a round",
			   (unsigned long long)(r.sz >> 10));
	} else if (ret != 0) {
		bench_fail(&b, "table: %d", ret);
	} else if (!k->lock_per_op) {
		rwlock_write_lock(&r.t.pgt.lock);
		locked = true;
	}
	while (bench_running(&b)) {
		struct stage2_result res = {0};

		if (i == r.n) {
			i = 0;
			ret = bs_refill(&b, k, &r);
			if (ret != 0) {
				bench_fail(&b, "refill: %d", ret);
				continue;
			}
		}
		ret = k->op(&r, i++, &res);
		if (ret != 0) {
			bench_fail(&b, "leaf %u: %d", i - 1, ret);
			continue;
		}
		bs_add(&r.sum, &res);
		bench_trace_room(&b);
	}
	bs_report(&b, &r.sum);
	/* Items: pages, or blocks for block-sized operations. */
	gbench_set_items_processed(
		st, gbench_iterations(st) *
			    (int64_t)(r.sz < BS_2M ? r.sz / PAGE_SIZE : 1));
	bench_end(&b);
	if (locked) {
		rwlock_write_unlock(&r.t.pgt.lock);
	}
	bs_fini(&r.t);
}

/*
 * N threads relax the same page, as N vCPUs that took the same permission
 * fault do under the prejudge policy: under the read side of the lock,
 * each asks for write permission; the first relaxes the entry in place,
 * the others find it relaxed (-ERR_AGAIN) and invalidate their own TLB
 * (the 2023 fix), which is then the steady state measured.
 */
static struct bs_table bs_shared;
static _Atomic bool bs_shared_ok;

static void bm_s2_relax_same(struct gbench_state *st, void *arg UNUSED)
{
	struct stage2_result sum = {0};
	uint64_t again = 0;
	struct bench b;

	bench_begin(&b, st);
	if (bench_need_parallel(&b) && b.cpu == 0) {
		bool ok = bs_init(&bs_shared) == 0;

		if (ok) {
			rwlock_write_lock(&bs_shared.pgt.lock);
			ok = stage2_map(&bs_shared.pgt, BS_BASE, PAGE_SIZE,
					pa_init(BS_BASE + BS_PA_OFFSET),
					STAGE2_PROT_R, &bs_shared.pool,
					STAGE2_SCOPE_INNER_SHAREABLE, 0,
					NULL) == 0;
			rwlock_write_unlock(&bs_shared.pgt.lock);
		}
		atomic_store(&bs_shared_ok, ok);
	}
	while (bench_running(&b)) {
		struct stage2_result res = {0};
		int ret;

		if (!atomic_load_explicit(&bs_shared_ok,
					  memory_order_relaxed)) {
			bench_fail(&b, "table setup failed");
			continue;
		}
		rwlock_read_lock(&bs_shared.pgt.lock);
		ret = stage2_relax_perms(&bs_shared.pgt, BS_BASE, BS_RW,
					 STAGE2_SCOPE_LOCAL, STAGE2_SHARED,
					 &res);
		if (ret == -ERR_AGAIN) {
			/* Ours may still be the narrower entry. */
			stage2_tlb_inval_ipa(&bs_shared.pgt, BS_BASE, res.level,
					     STAGE2_SCOPE_LOCAL);
			again++;
		}
		rwlock_read_unlock(&bs_shared.pgt.lock);
		bs_add(&sum, &res);
		bench_trace_room(&b);
	}
	bs_report(&b, &sum);
	bench_per_op(&b, "again", again);
	bench_end(&b);
	if (b.cpu == 0 && bs_shared.mem != NULL) {
		bs_fini(&bs_shared);
	}
}

void bench_stage2_register(void)
{
	static const struct {
		const char *name;
		const struct bs_kind *kind;
	} sized[] = {
		{"s2_map", &bs_map},
		{"s2_unmap", &bs_unmap},
		{"s2_relax", &bs_relax},
		{"s2_idmap_greedy", &bs_idmap},
	};
	struct gbench *g;

	for (unsigned i = 0; i < ARRAY_SIZE(sized); i++) {
		g = gbench_register(sized[i].name, bm_s2_rounds,
				    (void *)sized[i].kind);

		gbench_arg(gbench_arg(gbench_arg_name(g, "kib"), 4), 2048);
	}
	/* Ranges of pages: 1 to 256 pages a call (a 2 MiB one is a block). */
	gbench_range(
		gbench_arg_name(gbench_register("s2_map_range", bm_s2_rounds,
						(void *)&bs_map),
				"kib"),
		4, 1024);
	gbench_arg(gbench_arg_name(gbench_register("s2_split", bm_s2_rounds,
						   (void *)&bs_split),
				   "kib"),
		   2048);
	g = gbench_register("s2_relax_same", bm_s2_relax_same, NULL);
	for (int n = 1; n <= 4; n *= 2) {
		gbench_threads(g, n);
	}
}
