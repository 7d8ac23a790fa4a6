/*
 * Stage-2 tables: shape, walker, lookup and the break-before-make helpers.
 * See stage2.h for the rules and docs/stage2.md for the reasoning.
 */
#include <faultline/bug.h>
#include <faultline/check.h>
#include <faultline/err.h>
#include <faultline/trace/ring.h>

#include "stage2_internal.h"

/* Entries per table below the root. */
#define S2_ENTRIES 512u
/* Most concatenated root tables (Arm ARM D8.2.7). */
#define S2_MAX_CONCAT 16u

int stage2_pgtable_init(struct stage2_pgtable *pgt, unsigned ia_bits,
			uint16_t vmid, struct stage2_pool *root_pool)
{
	/*
	 * KVM's rule: the levels a (ia_bits - 4)-bit space needs, i.e. let
	 * concatenation resolve up to 4 bits at the start level.
	 */
	unsigned levels = (ia_bits - 8) / 9;
	paddr_t root_pa;
	void *root;

	if (ia_bits < STAGE2_MIN_IA_BITS || ia_bits > STAGE2_MAX_IA_BITS) {
		return -ERR_RANGE;
	}
	pgt->ia_bits = ia_bits;
	pgt->start_level = S2_LEAF_LEVEL + 1 - levels;
	pgt->root_entries = 1u
			    << (ia_bits - stage2_level_shift(pgt->start_level));
	pgt->root_pages = pgt->root_entries > S2_ENTRIES
				  ? pgt->root_entries / S2_ENTRIES
				  : 1;
	CHECK(pgt->root_pages <= S2_MAX_CONCAT);
	root = stage2_pool_alloc(root_pool, pgt->root_pages, &root_pa);
	if (root == NULL) {
		return -ERR_NOMEM;
	}
	pgt->root = root;
	pgt->root_pa = root_pa;
	pgt->vmid = vmid;
	pgt->pools[0] = root_pool;
	pgt->npools = 1;
	pgt->lock = (struct rwlock)RWLOCK_INIT;
	return 0;
}

int stage2_pgtable_add_pool(struct stage2_pgtable *pgt,
			    struct stage2_pool *pool)
{
	if (stage2_has_pool(pgt, pool)) {
		return 0;
	}
	if (pgt->npools == STAGE2_MAX_POOLS) {
		return -ERR_NOMEM;
	}
	pgt->pools[pgt->npools++] = pool;
	return 0;
}

uint64_t stage2_vttbr(const struct stage2_pgtable *pgt)
{
	return pa_addr(pgt->root_pa) | ((uint64_t)pgt->vmid << 48);
}

bool stage2_has_pool(const struct stage2_pgtable *pgt,
		     const struct stage2_pool *pool)
{
	for (unsigned i = 0; i < pgt->npools; i++) {
		if (pgt->pools[i] == pool) {
			return true;
		}
	}
	return false;
}

struct stage2_pool *stage2_pool_of(const struct stage2_pgtable *pgt, paddr_t pa)
{
	for (unsigned i = 0; i < pgt->npools; i++) {
		if (stage2_pool_owns(pgt->pools[i], pa)) {
			return pgt->pools[i];
		}
	}
	return NULL;
}

_Atomic uint64_t *stage2_table_ptr(const struct stage2_pgtable *pgt, paddr_t pa)
{
	struct stage2_pool *pool = stage2_pool_of(pgt, pa);

	return pool != NULL ? stage2_pool_ptr(pool, pa) : NULL;
}

uint64_t stage2_entry_pa(const struct stage2_pgtable *pgt,
			 const _Atomic uint64_t *ptep)
{
	uintptr_t p = (uintptr_t)ptep;

	for (unsigned i = 0; i < pgt->npools; i++) {
		const struct stage2_pool *pool = pgt->pools[i];
		uintptr_t base = (uintptr_t)pool->base;

		if (p >= base && p - base < pool->npages * PAGE_SIZE) {
			return pa_addr(pool->base_pa) + (p - base);
		}
	}
	return 0;
}

int stage2_check_range(const struct stage2_pgtable *pgt, uint64_t ipa,
		       uint64_t size)
{
	uint64_t limit = UINT64_C(1) << pgt->ia_bits;

	if (!IS_ALIGNED(ipa, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE) ||
	    size == 0) {
		return -ERR_INVAL;
	}
	if (ipa >= limit || size > limit - ipa) {
		return -ERR_RANGE;
	}
	return 0;
}

/* The walk in progress: the next IPA to visit and where to stop. */
struct walk_state {
	struct stage2_pgtable *pgt;
	const struct stage2_walker *w;
	uint64_t addr;
	uint64_t end;
};

static int walk_table(struct walk_state *st, _Atomic uint64_t *table,
		      unsigned level, unsigned entries);

static int walk_entry(struct walk_state *st, _Atomic uint64_t *ptep,
		      unsigned level)
{
	uint64_t size = stage2_level_size(level);
	struct stage2_visit_ctx ctx = {
		.pgt = st->pgt,
		.ptep = ptep,
		.old = atomic_load_explicit(ptep, memory_order_acquire),
		.addr = ALIGN_DOWN(st->addr, size),
		.end = st->end,
		.level = level,
		.flags = st->w->flags,
		.arg = st->w->arg,
	};
	bool table = stage2_pte_is_table(ctx.old, level);
	_Atomic uint64_t *child;
	int ret = 0;

	if (table && (st->w->visit & STAGE2_VISIT_TABLE_PRE)) {
		ret = st->w->cb(&ctx, STAGE2_VISIT_TABLE_PRE);
	} else if (!table && (st->w->visit & STAGE2_VISIT_LEAF)) {
		ret = st->w->cb(&ctx, STAGE2_VISIT_LEAF);
	}
	if (ret != 0) {
		return ret;
	}
	/* The visit may have replaced the entry: follow what is there now. */
	ctx.old = atomic_load_explicit(ptep, memory_order_acquire);
	if (!stage2_pte_is_table(ctx.old, level)) {
		st->addr = ctx.addr + size;
		return 0;
	}
	child = stage2_table_ptr(st->pgt, stage2_pte_oa(ctx.old, level));
	if (child == NULL) {
		return -ERR_INVAL;
	}
	ret = walk_table(st, child, level + 1, S2_ENTRIES);
	if (ret == 0 && (st->w->visit & STAGE2_VISIT_TABLE_POST)) {
		ctx.old = atomic_load_explicit(ptep, memory_order_acquire);
		ret = st->w->cb(&ctx, STAGE2_VISIT_TABLE_POST);
	}
	return ret;
}

static int walk_table(struct walk_state *st, _Atomic uint64_t *table,
		      unsigned level, unsigned entries)
{
	unsigned shift = stage2_level_shift(level);
	unsigned idx = (unsigned)((st->addr >> shift) & (entries - 1));

	for (; idx < entries && st->addr < st->end; idx++) {
		int ret = walk_entry(st, &table[idx], level);

		if (ret != 0) {
			return ret;
		}
	}
	return 0;
}

int stage2_walk(struct stage2_pgtable *pgt, uint64_t addr, uint64_t size,
		const struct stage2_walker *w)
{
	struct walk_state st = {pgt, w, ALIGN_DOWN(addr, PAGE_SIZE), 0};
	int ret = stage2_check_range(
		pgt, st.addr, ALIGN_UP(addr + size, PAGE_SIZE) - st.addr);

	if (ret != 0) {
		return ret;
	}
	st.end = ALIGN_UP(addr + size, PAGE_SIZE);
	return walk_table(&st, pgt->root, pgt->start_level, pgt->root_entries);
}

int stage2_lookup_from(const struct stage2_pgtable *pgt, paddr_t table_pa,
		       unsigned level, uint64_t ipa, struct stage2_leaf *out,
		       struct stage2_path *path)
{
	bool root = pa_addr(table_pa) == pa_addr(pgt->root_pa) &&
		    level == pgt->start_level;
	const _Atomic uint64_t *table = stage2_table_ptr(pgt, table_pa);
	unsigned entries = root ? pgt->root_entries : S2_ENTRIES;

	out->pte = 0;
	out->level = level;
	if (path != NULL) {
		path->n = 0;
	}
	if (ipa >> pgt->ia_bits) {
		return -ERR_RANGE;
	}
	if (table == NULL || level < pgt->start_level) {
		return -ERR_INVAL;
	}
	for (; level <= S2_LEAF_LEVEL; level++) {
		unsigned shift = stage2_level_shift(level);
		const _Atomic uint64_t *ptep =
			&table[(ipa >> shift) & (entries - 1)];
		stage2_pte_t pte =
			atomic_load_explicit(ptep, memory_order_acquire);

		out->pte = pte;
		out->level = level;
		out->entry_pa = pa_init(stage2_entry_pa(pgt, ptep));
		if (stage2_pte_locked(pte)) {
			return -ERR_AGAIN;
		}
		if (!stage2_pte_valid(pte)) {
			return -ERR_NOENT;
		}
		if (stage2_pte_is_table(pte, level)) {
			if (path != NULL && path->n < 4) {
				path->step[path->n].level = level;
				path->step[path->n].pte = pte;
				path->n++;
			}
			table = stage2_table_ptr(pgt,
						 stage2_pte_oa(pte, level));
			entries = S2_ENTRIES;
			if (table == NULL) {
				return -ERR_INVAL;
			}
			continue;
		}
		if (level < S2_BLOCK_MIN_LEVEL ||
		    (level == S2_LEAF_LEVEL && !(pte & S2_PTE_TYPE))) {
			/* Reserved encodings: the hardware faults on them. */
			return -ERR_INVAL;
		}
		out->pa = pa_init(pa_addr(stage2_pte_oa(pte, level)) +
				  (ipa & (stage2_level_size(level) - 1)));
		out->prot = stage2_pte_prot(pte);
		return 0;
	}
	return -ERR_INVAL;
}

int stage2_lookup(const struct stage2_pgtable *pgt, uint64_t ipa,
		  struct stage2_leaf *out)
{
	return stage2_lookup_from(pgt, pgt->root_pa, pgt->start_level, ipa, out,
				  NULL);
}

int stage2_backoff(const struct stage2_visit_ctx *ctx, uint64_t why)
{
	trace_s2_backoff(ctx->addr, ctx->level,
			 atomic_load_explicit(ctx->ptep, memory_order_relaxed),
			 why, ctx->pgt->vmid);
	return -ERR_AGAIN;
}

int stage2_try_set(struct stage2_visit_ctx *ctx, stage2_pte_t new_pte)
{
	stage2_pte_t expected = ctx->old;

	/* Release: a new table's zeroed contents before the table itself. */
	if (!atomic_compare_exchange_strong_explicit(
		    ctx->ptep, &expected, new_pte, memory_order_release,
		    memory_order_relaxed)) {
		return stage2_backoff(ctx, stage2_pte_locked(expected)
						   ? TRACE_BACKOFF_LOCKED
						   : TRACE_BACKOFF_CAS_LOST);
	}
	trace_pte_write(stage2_entry_pa(ctx->pgt, ctx->ptep), ctx->addr,
			ctx->level, ctx->old, new_pte, ctx->pgt->vmid);
	ctx->old = new_pte;
	return 0;
}

int stage2_try_break(struct stage2_visit_ctx *ctx, enum stage2_scope scope)
{
	stage2_pte_t expected = ctx->old;

	if (stage2_pte_locked(ctx->old)) {
		return stage2_backoff(ctx, TRACE_BACKOFF_LOCKED);
	}
	/* Acquire: nothing of the update may be done before we own it. */
	if (!atomic_compare_exchange_strong_explicit(
		    ctx->ptep, &expected, S2_PTE_LOCKED, memory_order_acq_rel,
		    memory_order_relaxed)) {
		return stage2_backoff(ctx, stage2_pte_locked(expected)
						   ? TRACE_BACKOFF_LOCKED
						   : TRACE_BACKOFF_CAS_LOST);
	}
	trace_bbm_break(stage2_entry_pa(ctx->pgt, ctx->ptep), ctx->addr,
			ctx->level, ctx->old, ctx->pgt->vmid);
	if (bug_on(BUG_SKIP_TLBI)) {
		/* Deliberately broken (bug=skip_tlbi): old entries survive. */
	} else if (stage2_pte_is_table(ctx->old, ctx->level)) {
		/* Every leaf below, and walk caches: the whole VMID. */
		stage2_tlb_inval_vmid(ctx->pgt, scope);
	} else if (stage2_pte_valid(ctx->old)) {
		stage2_tlb_inval_ipa(ctx->pgt, ctx->addr, ctx->level, scope);
	}
	/* The research knob: keep the entry broken a while longer. */
	stage2_bbm_delay_spin();
	return 0;
}

void stage2_make(struct stage2_visit_ctx *ctx, stage2_pte_t new_pte)
{
	CHECK(atomic_load_explicit(ctx->ptep, memory_order_relaxed) ==
	      S2_PTE_LOCKED);
	atomic_store_explicit(ctx->ptep, new_pte, memory_order_release);
	trace_bbm_make(stage2_entry_pa(ctx->pgt, ctx->ptep), ctx->addr,
		       ctx->level, new_pte, ctx->pgt->vmid);
	ctx->old = new_pte;
	/* Every walker sees the new entry before the caller goes on. */
	stage2_publish_barrier();
}

int stage2_split_block(struct stage2_visit_ctx *ctx, struct stage2_pool *pool,
		       enum stage2_scope scope, struct stage2_result *res)
{
	unsigned level = ctx->level;
	uint64_t child_size = stage2_level_size(level + 1);
	uint64_t base = pa_addr(stage2_pte_oa(ctx->old, level));
	/* Every attribute bit of the block, minus its address and type. */
	uint64_t attrs = ctx->old & ~S2_PTE_OA_MASK & ~S2_PTE_TYPE;
	_Atomic uint64_t *child;
	paddr_t child_pa;
	int ret;

	CHECK(stage2_pte_is_leaf(ctx->old, level) && level < S2_LEAF_LEVEL);
	child = stage2_pool_alloc(pool, 1, &child_pa);
	if (child == NULL) {
		return -ERR_NOMEM;
	}
	for (unsigned i = 0; i < S2_ENTRIES; i++) {
		uint64_t pte = (base + i * child_size) | attrs;

		if (level + 1 == S2_LEAF_LEVEL) {
			pte |= S2_PTE_TYPE;
		}
		/* Not yet reachable: published by the release in make. */
		atomic_store_explicit(&child[i], pte, memory_order_relaxed);
	}
	ret = stage2_try_break(ctx, scope);
	if (ret != 0) {
		stage2_pool_free(pool, child_pa);
		return ret;
	}
	stage2_make(ctx, stage2_pte_table(child_pa));
	if (res != NULL) {
		res->split++;
		res->tables_added++;
	}
	return 0;
}
