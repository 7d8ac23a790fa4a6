/*
 * Stage-2 unmap, collapse and teardown: the operations that free table
 * pages, and so need pgt->lock for writing (no software walker can be
 * inside a page when it is freed; the hardware is kept out by
 * break-before-make and invalidation).
 */
#include <faultline/check.h>
#include <faultline/err.h>

#include "stage2_internal.h"

/* Entries per table below the root. */
#define S2_ENTRIES 512u

struct unmap_args {
	uint64_t ipa;
	enum stage2_scope scope;
	struct stage2_result *res;
};

/* The pool of the page that holds entry @ptep (for splitting blocks). */
static struct stage2_pool *unmap_pool_of_entry(struct stage2_visit_ctx *ctx)
{
	return stage2_pool_of(ctx->pgt,
			      pa_init(stage2_entry_pa(ctx->pgt, ctx->ptep)));
}

static bool unmap_table_empty(const _Atomic uint64_t *table)
{
	for (unsigned i = 0; i < S2_ENTRIES; i++) {
		if (atomic_load_explicit(&table[i], memory_order_relaxed) !=
		    0) {
			return false;
		}
	}
	return true;
}

/* Breaks the entry and leaves it invalid: BBM with 0 as the new entry. */
static int unmap_entry(struct stage2_visit_ctx *ctx, enum stage2_scope scope)
{
	int ret = stage2_try_break(ctx, scope);

	if (ret == 0) {
		stage2_make(ctx, 0);
	}
	return ret;
}

static int unmap_leaf(struct stage2_visit_ctx *ctx, struct unmap_args *a)
{
	uint64_t size = stage2_level_size(ctx->level);
	struct stage2_pool *pool;

	/* Under the write lock nobody else can have left an entry locked. */
	CHECK(!stage2_pte_locked(ctx->old));
	if (!stage2_pte_valid(ctx->old)) {
		return 0;
	}
	if (ctx->addr >= a->ipa && ctx->addr + size <= ctx->end) {
		a->res->level = ctx->level;
		a->res->old = ctx->old;
		a->res->removed++;
		return unmap_entry(ctx, a->scope);
	}
	/* A block straddles an edge: split it, the walk goes inside. */
	pool = unmap_pool_of_entry(ctx);
	CHECK(pool != NULL);
	return stage2_split_block(ctx, pool, a->scope, a->res);
}

/* After the walk below a table: free it if nothing is left in it. */
static int unmap_table_post(struct stage2_visit_ctx *ctx, struct unmap_args *a)
{
	paddr_t pa = stage2_pte_oa(ctx->old, ctx->level);
	_Atomic uint64_t *table = stage2_table_ptr(ctx->pgt, pa);
	struct stage2_pool *pool = stage2_pool_of(ctx->pgt, pa);
	int ret;

	CHECK(table != NULL && pool != NULL);
	if (!unmap_table_empty(table)) {
		return 0;
	}
	ret = unmap_entry(ctx, a->scope);
	if (ret == 0) {
		stage2_pool_free(pool, pa);
		a->res->tables_freed++;
	}
	return ret;
}

static int unmap_visit(struct stage2_visit_ctx *ctx, enum stage2_visit visit)
{
	struct unmap_args *a = ctx->arg;

	if (visit == STAGE2_VISIT_LEAF) {
		return unmap_leaf(ctx, a);
	}
	return unmap_table_post(ctx, a);
}

int stage2_unmap(struct stage2_pgtable *pgt, uint64_t ipa, uint64_t size,
		 enum stage2_scope scope, struct stage2_result *res)
{
	struct stage2_result local = {0};
	struct unmap_args a = {ipa, scope, res != NULL ? res : &local};
	struct stage2_walker w = {unmap_visit, &a,
				  STAGE2_VISIT_LEAF | STAGE2_VISIT_TABLE_POST,
				  0};
	int ret = stage2_check_range(pgt, ipa, size);

	if (ret != 0) {
		return ret;
	}
	CHECK(rwlock_write_held(&pgt->lock));
	/* Every change is a break-before-make: stage2_make() did the DSBs. */
	return stage2_walk(pgt, ipa, size, &w);
}

/* Finds the entry at @level on the path to @ipa; NULL if a table is missing. */
static _Atomic uint64_t *collapse_entry(struct stage2_pgtable *pgt,
					uint64_t ipa, unsigned level)
{
	_Atomic uint64_t *table = pgt->root;
	unsigned entries = pgt->root_entries;

	for (unsigned l = pgt->start_level;; l++) {
		_Atomic uint64_t *ptep =
			&table[(ipa >> stage2_level_shift(l)) & (entries - 1)];
		stage2_pte_t pte;

		if (l == level) {
			return ptep;
		}
		pte = atomic_load_explicit(ptep, memory_order_acquire);
		if (!stage2_pte_is_table(pte, l)) {
			return NULL;
		}
		table = stage2_table_ptr(pgt, stage2_pte_oa(pte, l));
		entries = S2_ENTRIES;
		if (table == NULL) {
			return NULL;
		}
	}
}

/* The block that could replace @table at @level, or 0 when none can. */
static stage2_pte_t collapse_block(const _Atomic uint64_t *table,
				   unsigned level)
{
	uint64_t child_size = stage2_level_size(level + 1);
	stage2_pte_t first =
		atomic_load_explicit(&table[0], memory_order_relaxed);
	uint64_t attrs = first & ~S2_PTE_OA_MASK;
	uint64_t base = first & S2_PTE_OA_MASK;

	if (!stage2_pte_is_leaf(first, level + 1) ||
	    !IS_ALIGNED(base, stage2_level_size(level))) {
		return 0;
	}
	for (unsigned i = 1; i < S2_ENTRIES; i++) {
		stage2_pte_t pte =
			atomic_load_explicit(&table[i], memory_order_relaxed);

		if (pte != ((base + i * child_size) | attrs)) {
			return 0;
		}
	}
	/* A block has the type bit clear, whatever the children had. */
	return base | (attrs & ~S2_PTE_TYPE);
}

int stage2_collapse(struct stage2_pgtable *pgt, uint64_t ipa, unsigned level,
		    enum stage2_scope scope, struct stage2_result *res)
{
	uint64_t size = stage2_level_size(level);
	struct stage2_visit_ctx ctx = {pgt, NULL,  0, ALIGN_DOWN(ipa, size),
				       0,   level, 0, NULL};
	_Atomic uint64_t *table;
	struct stage2_pool *pool;
	stage2_pte_t block;
	stage2_pte_t old_table;
	paddr_t pa;
	int ret;

	if ((ipa >> pgt->ia_bits) != 0) {
		return -ERR_RANGE;
	}
	if (level < S2_BLOCK_MIN_LEVEL || level >= S2_LEAF_LEVEL ||
	    level < pgt->start_level) {
		return -ERR_INVAL;
	}
	CHECK(rwlock_write_held(&pgt->lock));
	ctx.ptep = collapse_entry(pgt, ipa, level);
	if (ctx.ptep == NULL) {
		return -ERR_NOENT;
	}
	ctx.end = ctx.addr + size;
	ctx.old = atomic_load_explicit(ctx.ptep, memory_order_acquire);
	if (!stage2_pte_is_table(ctx.old, level)) {
		return -ERR_NOENT;
	}
	pa = stage2_pte_oa(ctx.old, level);
	table = stage2_table_ptr(pgt, pa);
	pool = stage2_pool_of(pgt, pa);
	CHECK(table != NULL && pool != NULL);
	block = collapse_block(table, level);
	if (block == 0) {
		return -ERR_EXIST;
	}
	/* Replacing a table: stage2_try_break() invalidates the whole VMID. */
	old_table = ctx.old;
	ret = stage2_try_break(&ctx, scope);
	if (ret != 0) {
		return ret;
	}
	stage2_make(&ctx, block);
	stage2_pool_free(pool, pa);
	if (res != NULL) {
		res->collapsed++;
		res->tables_freed++;
		res->level = level;
		res->old = old_table;
	}
	return 0;
}

void stage2_pgtable_destroy(struct stage2_pgtable *pgt)
{
	struct stage2_pool *root_pool = pgt->pools[0];
	int ret;

	/* Nobody runs with this table: any CPU may hold its entries. */
	ret = stage2_unmap(pgt, 0, UINT64_C(1) << pgt->ia_bits,
			   STAGE2_SCOPE_INNER_SHAREABLE, NULL);
	CHECK(ret == 0);
	for (unsigned i = 0; i < pgt->root_pages; i++) {
		stage2_pool_free(root_pool,
				 pa_add(pgt->root_pa, i * PAGE_SIZE));
	}
	pgt->root = NULL;
}
