/*
 * Helpers shared by the stage-2 files (stage2_walk.c, stage2_map.c,
 * stage2_unmap.c, stage2_idmap.c). Not part of the API.
 */
#ifndef FAULTLINE_STAGE2_INTERNAL_H
#define FAULTLINE_STAGE2_INTERNAL_H

#include <faultline/stage2.h>

/** Physical address of entry @ptep of @pgt (for traces). */
uint64_t stage2_entry_pa(const struct stage2_pgtable *pgt,
			 const _Atomic uint64_t *ptep);

/** The pointer to the table page at @pa, or NULL when no pool has it. */
_Atomic uint64_t *stage2_table_ptr(const struct stage2_pgtable *pgt,
				   paddr_t pa);

/** The pool of @pgt that owns @pa, or NULL. */
struct stage2_pool *stage2_pool_of(const struct stage2_pgtable *pgt,
				   paddr_t pa);

/** True when @pool is one of @pgt's pools. */
bool stage2_has_pool(const struct stage2_pgtable *pgt,
		     const struct stage2_pool *pool);

/**
 * Writes @new_pte over ctx->old by CAS, for entries that need no
 * break-before-make (into an invalid entry, or a permission change).
 * Traced as pte_write. Returns 0 or -ERR_AGAIN (traced as a back-off).
 */
int stage2_try_set(struct stage2_visit_ctx *ctx, stage2_pte_t new_pte);

/** Traces a back-off from @ctx's entry and returns -ERR_AGAIN. */
int stage2_backoff(const struct stage2_visit_ctx *ctx, uint64_t why);

/**
 * Replaces the valid block in @ctx with a table of next-level leaves that
 * map the same range with the same attributes (a page from @pool), with
 * break-before-make. Returns 0, -ERR_NOMEM or -ERR_AGAIN.
 */
int stage2_split_block(struct stage2_visit_ctx *ctx, struct stage2_pool *pool,
		       enum stage2_scope scope, struct stage2_result *res);

/**
 * DSB ISHST after an operation wrote entries: every walker sees them
 * before the caller returns to a guest.
 */
void stage2_publish_barrier(void);

/** Spins for the BBM delay knob's time (nothing when it is off). */
void stage2_bbm_delay_spin(void);

/** Validates a page-aligned range inside @pgt's IPA space. */
int stage2_check_range(const struct stage2_pgtable *pgt, uint64_t ipa,
		       uint64_t size);

#endif /* FAULTLINE_STAGE2_INTERNAL_H */
