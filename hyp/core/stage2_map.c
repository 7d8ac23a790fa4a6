/*
 * Stage-2 map, permission relaxation and block split. All three may run
 * with STAGE2_SHARED under the read side of pgt->lock, on many CPUs at
 * once: they change entries only by CAS and back off with -ERR_AGAIN.
 */
#include <faultline/check.h>
#include <faultline/err.h>
#include <faultline/trace/ring.h>

#include "stage2_internal.h"

/* Output addresses are at most 48 bits (no LPA2). */
#define S2_PA_LIMIT (UINT64_C(1) << 48)

struct map_args {
	uint64_t ipa;
	paddr_t pa;
	unsigned prot;
	struct stage2_pool *pool;
	enum stage2_scope scope;
	struct stage2_result *res;
	/* Entries written by CAS, which stage2_make()'s DSB does not cover. */
	unsigned unpublished;
};

/* Puts leaf @new_pte into the entry, following the flags' policy. */
static int map_leaf(struct stage2_visit_ctx *ctx, struct map_args *a,
		    stage2_pte_t new_pte)
{
	stage2_pte_t old = ctx->old;
	int ret;

	a->res->level = ctx->level;
	a->res->old = old;
	if (old == 0) {
		ret = stage2_try_set(ctx, new_pte);
		if (ret == 0) {
			a->res->installed++;
			a->unpublished++;
		}
		return ret;
	}
	if (old == new_pte && (ctx->flags & STAGE2_MAP_SKIP_IDENTICAL)) {
		a->res->identical++;
		return 0;
	}
	if (stage2_pte_perm_only_change(old, new_pte) &&
	    (ctx->flags & STAGE2_MAP_NO_PERM_CHANGE)) {
		return -ERR_PERM;
	}
	ret = stage2_try_break(ctx, a->scope);
	if (ret != 0) {
		return ret;
	}
	stage2_make(ctx, new_pte);
	a->res->replaced++;
	return 0;
}

/* Installs an empty table in the invalid entry; the walk descends into it. */
static int map_new_table(struct stage2_visit_ctx *ctx, struct map_args *a)
{
	paddr_t pa;
	void *table = stage2_pool_alloc(a->pool, 1, &pa);
	int ret;

	if (table == NULL) {
		return -ERR_NOMEM;
	}
	ret = stage2_try_set(ctx, stage2_pte_table(pa));
	if (ret != 0) {
		/* Another CPU installed one first: use theirs next time. */
		stage2_pool_free(a->pool, pa);
		return ret;
	}
	a->res->tables_added++;
	a->unpublished++;
	return 0;
}

/*
 * A block covers more than we map, starting at IPA @lo with PA @pa. If it
 * already maps that part the way we would, the policy flags apply as for an
 * identical or permission-only leaf; otherwise split it (keeping the rest
 * of its range mapped) and map inside.
 */
static int map_in_block(struct stage2_visit_ctx *ctx, struct map_args *a,
			uint64_t lo, paddr_t pa)
{
	uint64_t size = stage2_level_size(ctx->level);
	uint64_t block_pa = pa_addr(pa) - (lo - ctx->addr);
	stage2_pte_t same = 0;

	if (IS_ALIGNED(block_pa, size)) {
		same = stage2_pte_leaf(pa_init(block_pa), a->prot, ctx->level);
	}
	a->res->level = ctx->level;
	a->res->old = ctx->old;
	if (ctx->old == same && (ctx->flags & STAGE2_MAP_SKIP_IDENTICAL)) {
		a->res->identical++;
		return 0;
	}
	if (same != 0 && stage2_pte_perm_only_change(ctx->old, same) &&
	    (ctx->flags & STAGE2_MAP_NO_PERM_CHANGE)) {
		return -ERR_PERM;
	}
	return stage2_split_block(ctx, a->pool, a->scope, a->res);
}

static int map_visit(struct stage2_visit_ctx *ctx, enum stage2_visit visit)
{
	struct map_args *a = ctx->arg;
	uint64_t size = stage2_level_size(ctx->level);
	uint64_t lo = MAX(ctx->addr, a->ipa);
	uint64_t hi = MIN(ctx->addr + size, ctx->end);
	paddr_t pa = pa_add(a->pa, lo - a->ipa);
	bool block_fits = ctx->level >= S2_BLOCK_MIN_LEVEL && lo == ctx->addr &&
			  hi == ctx->addr + size &&
			  IS_ALIGNED(pa_addr(pa), size);

	CHECK(visit == STAGE2_VISIT_LEAF);
	if (stage2_pte_locked(ctx->old)) {
		return stage2_backoff(ctx, TRACE_BACKOFF_LOCKED);
	}
	if (block_fits) {
		return map_leaf(ctx, a,
				stage2_pte_leaf(pa, a->prot, ctx->level));
	}
	if (ctx->old == 0) {
		return map_new_table(ctx, a);
	}
	return map_in_block(ctx, a, lo, pa);
}

int stage2_map(struct stage2_pgtable *pgt, uint64_t ipa, uint64_t size,
	       paddr_t pa, unsigned prot, struct stage2_pool *pool,
	       enum stage2_scope scope, unsigned flags,
	       struct stage2_result *res)
{
	struct stage2_result local = {0};
	struct map_args a = {
		ipa, pa, prot, pool, scope, res != NULL ? res : &local, 0};
	struct stage2_walker w = {map_visit, &a, STAGE2_VISIT_LEAF, flags};
	int ret = stage2_check_range(pgt, ipa, size);

	if (ret != 0) {
		return ret;
	}
	/* Written so that a PA near 2^64 cannot wrap around the check. */
	if (!IS_ALIGNED(pa_addr(pa), PAGE_SIZE) || pa_addr(pa) > S2_PA_LIMIT ||
	    size > S2_PA_LIMIT - pa_addr(pa) || pool == NULL ||
	    !stage2_has_pool(pgt, pool) ||
	    (prot & ~(STAGE2_PROT_RWX | STAGE2_PROT_DEVICE |
		      STAGE2_PROT_NORMAL_NC)) != 0) {
		return -ERR_INVAL;
	}
	ret = stage2_walk(pgt, ipa, size, &w);
	/* stage2_make() published the rest; CAS installs need a DSB too. */
	if (a.unpublished > 0) {
		stage2_publish_barrier();
	}
	return ret;
}

struct relax_args {
	uint64_t set;
	uint64_t clear;
	struct stage2_result *res;
	bool done;
};

static int relax_visit(struct stage2_visit_ctx *ctx, enum stage2_visit visit)
{
	struct relax_args *a = ctx->arg;
	stage2_pte_t new_pte;
	int ret;

	CHECK(visit == STAGE2_VISIT_LEAF);
	a->res->level = ctx->level;
	a->res->old = ctx->old;
	if (stage2_pte_locked(ctx->old)) {
		return stage2_backoff(ctx, TRACE_BACKOFF_LOCKED);
	}
	if (!stage2_pte_valid(ctx->old)) {
		/* Nothing to relax: the caller must map it. */
		return -ERR_AGAIN;
	}
	new_pte = (ctx->old | a->set) & ~a->clear;
	if (new_pte == ctx->old) {
		return stage2_backoff(ctx, TRACE_BACKOFF_ALREADY);
	}
	/* Permissions only: no break-before-make needed (Arm ARM D8.16.1). */
	ret = stage2_try_set(ctx, new_pte);
	if (ret == 0) {
		a->res->relaxed++;
		a->done = true;
	}
	return ret;
}

int stage2_relax_perms(struct stage2_pgtable *pgt, uint64_t ipa, unsigned prot,
		       enum stage2_scope scope, unsigned flags,
		       struct stage2_result *res)
{
	struct stage2_result local = {0};
	struct relax_args a = {0, 0, res != NULL ? res : &local, false};
	struct stage2_walker w = {relax_visit, &a, STAGE2_VISIT_LEAF, flags};
	uint64_t page = ALIGN_DOWN(ipa, PAGE_SIZE);
	int ret;

	if ((prot & ~STAGE2_PROT_RWX) != 0) {
		return -ERR_INVAL;
	}
	if (prot & STAGE2_PROT_R) {
		a.set |= S2_PTE_S2AP_R;
	}
	if (prot & STAGE2_PROT_W) {
		a.set |= S2_PTE_S2AP_W;
	}
	if (prot & STAGE2_PROT_X) {
		a.clear |= S2_PTE_XN;
	}
	ret = stage2_walk(pgt, page, PAGE_SIZE, &w);
	if (ret == 0 && a.done) {
		/* The old, narrower permissions may be cached in TLBs. */
		stage2_tlb_inval_ipa(pgt, page, a.res->level, scope);
	}
	return ret;
}

struct split_args {
	struct stage2_pool *pool;
	enum stage2_scope scope;
	struct stage2_result *res;
	bool done;
};

static int split_visit(struct stage2_visit_ctx *ctx, enum stage2_visit visit)
{
	struct split_args *a = ctx->arg;

	CHECK(visit == STAGE2_VISIT_LEAF);
	if (a->done) {
		/* The walk descends into the new table: leave it alone. */
		return 0;
	}
	a->res->level = ctx->level;
	a->res->old = ctx->old;
	if (stage2_pte_locked(ctx->old)) {
		return stage2_backoff(ctx, TRACE_BACKOFF_LOCKED);
	}
	if (!stage2_pte_valid(ctx->old) || ctx->level == S2_LEAF_LEVEL) {
		return -ERR_NOENT;
	}
	a->done = true;
	return stage2_split_block(ctx, a->pool, a->scope, a->res);
}

int stage2_split(struct stage2_pgtable *pgt, uint64_t ipa,
		 struct stage2_pool *pool, enum stage2_scope scope,
		 unsigned flags, struct stage2_result *res)
{
	struct stage2_result local = {0};
	struct split_args a = {pool, scope, res != NULL ? res : &local, false};
	struct stage2_walker w = {split_visit, &a, STAGE2_VISIT_LEAF, flags};

	if (pool == NULL || !stage2_has_pool(pgt, pool)) {
		return -ERR_INVAL;
	}
	/* The new table is published by stage2_make(), DSB included. */
	return stage2_walk(pgt, ALIGN_DOWN(ipa, PAGE_SIZE), PAGE_SIZE, &w);
}

struct wrprotect_args {
	struct stage2_result *res;
};

static int wrprotect_visit(struct stage2_visit_ctx *ctx,
			   enum stage2_visit visit)
{
	struct wrprotect_args *a = ctx->arg;

	CHECK(visit == STAGE2_VISIT_LEAF);
	/* Only the hardware runs alongside (write lock): CAS cannot lose. */
	while (stage2_pte_valid(ctx->old) && (ctx->old & S2_PTE_S2AP_W)) {
		if (stage2_try_set(ctx, ctx->old & ~S2_PTE_S2AP_W) == 0) {
			a->res->relaxed++;
			break;
		}
		ctx->old =
			atomic_load_explicit(ctx->ptep, memory_order_acquire);
	}
	return 0;
}

int stage2_wrprotect(struct stage2_pgtable *pgt, uint64_t ipa, uint64_t size,
		     enum stage2_scope scope, struct stage2_result *res)
{
	struct stage2_result local = {0};
	struct wrprotect_args a = {res != NULL ? res : &local};
	struct stage2_walker w = {wrprotect_visit, &a, STAGE2_VISIT_LEAF, 0};
	unsigned before = a.res->relaxed;
	int ret = stage2_check_range(pgt, ipa, size);

	if (ret != 0) {
		return ret;
	}
	CHECK(rwlock_write_held(&pgt->lock));
	ret = stage2_walk(pgt, ipa, size, &w);
	if (a.res->relaxed != before) {
		/* Writable entries may be cached anywhere: the whole VMID. */
		stage2_tlb_inval_vmid(pgt, scope);
	}
	return ret;
}
