/*
 * Stage-2 page tables: the portable heart of faultline's fault path.
 *
 * A stage-2 table translates one VM's IPAs to PAs (VMSAv8-64, 4 KiB
 * granule, descriptors in stage2_pte.h). Its shape comes from the IPA size:
 * the start level and the number of concatenated root tables follow the
 * rule KVM uses (stage2_pgtable_init()).
 *
 * Live updates and break-before-make (Arm ARM D8.16 "Translation table
 * maintenance"): a valid entry is never replaced by another valid entry
 * directly. stage2_try_break() swaps in the invalid S2_PTE_LOCKED entry by
 * compare-and-swap and invalidates the old translation (by IPA then the
 * combined stage-1 entries for a leaf, the whole VMID for a table);
 * stage2_make() publishes the new entry with release semantics. Only
 * permission changes are written in place (no BBM needed for them), by CAS,
 * followed by an invalidation.
 *
 * Locking rules (docs/stage2.md):
 * - pgt->lock is a reader-writer lock. Operations that may free table pages
 *   (stage2_unmap(), stage2_collapse(), stage2_pgtable_destroy()) need it
 *   for writing, so no software walker can be inside a page being freed.
 * - Everything else (map, relax, split, lookup) may run under the read side
 *   with STAGE2_SHARED, in parallel on many CPUs: entries change only by
 *   CAS, and a walker that meets a locked entry or loses a CAS stops with
 *   -ERR_AGAIN ("retry the guest"). Without STAGE2_SHARED the caller holds
 *   the lock for writing.
 * - The hardware walks the tables whatever the lock: every change to a
 *   live entry follows break-before-make or the permission-change rule.
 * - Lock order: pgt->lock, then a stage2_pool's lock.
 *
 * Invalidation scope (enum stage2_scope) is always the caller's choice,
 * with a comment saying why: local when only this CPU can hold the stale
 * entry, inner-shareable otherwise.
 *
 * Every descriptor write, break, make, TLBI and barrier is traced.
 */
#ifndef FAULTLINE_STAGE2_H
#define FAULTLINE_STAGE2_H

#include <stdatomic.h>

#include <faultline/platform.h>
#include <faultline/rwlock.h>
#include <faultline/stage2_pool.h>
#include <faultline/stage2_pte.h>
#include <faultline/types.h>

/** Pools one table may take pages from. */
#define STAGE2_MAX_POOLS 4
/** Smallest and largest IPA sizes supported (4 KiB granule, no LPA2). */
#define STAGE2_MIN_IA_BITS 32
/** Largest IPA size supported. */
#define STAGE2_MAX_IA_BITS 48

/** Which TLBs an invalidation must reach. */
enum stage2_scope {
	/** Only this CPU's TLB: nobody else can hold the stale entry. */
	STAGE2_SCOPE_LOCAL,
	/** Every CPU's TLB in the inner-shareable domain. */
	STAGE2_SCOPE_INNER_SHAREABLE,
};

/** Flags of stage-2 operations. */
enum stage2_flags {
	/**
	 * The caller holds pgt->lock for reading; other CPUs may walk and
	 * update the table at the same time. Updates are made by CAS and
	 * the operation may end with -ERR_AGAIN.
	 */
	STAGE2_SHARED = 1u << 0,
	/**
	 * stage2_map(): an entry that already holds exactly the requested
	 * leaf, or a larger block that already maps the requested range to
	 * the same PA with the same attributes, is left alone (seed 002's
	 * prejudgement). Without this flag the leaf is remade with
	 * break-before-make, and such a block split, as KVM did before seed
	 * 002.
	 */
	STAGE2_MAP_SKIP_IDENTICAL = 1u << 1,
	/**
	 * stage2_map(): an entry (a leaf, or a larger block covering the
	 * range at the same PA) that differs from what was asked only in its
	 * permissions is left alone and the map stops with -ERR_PERM, so the
	 * caller relaxes permissions instead (seed 002). Without this flag
	 * the entry is remade with break-before-make.
	 */
	STAGE2_MAP_NO_PERM_CHANGE = 1u << 2,
};

/** One stage-2 table. */
struct stage2_pgtable {
	/** The root: one table, or several concatenated ones. */
	_Atomic uint64_t *root;
	/** Physical address of the root (the VTTBR_EL2.BADDR value). */
	paddr_t root_pa;
	/** IPA bits (VTCR_EL2.T0SZ = 64 - ia_bits). */
	unsigned ia_bits;
	/** Lookup level of the root (VTCR_EL2.SL0 follows from it). */
	unsigned start_level;
	/** Entries in the root (512 per concatenated table, fewer at most). */
	unsigned root_entries;
	/** Pages of the root (1, or the number of concatenated tables). */
	unsigned root_pages;
	/** VMID of this table's translations (VTTBR_EL2.VMID). */
	uint16_t vmid;
	/** Where table pages may come from and go back to. */
	struct stage2_pool *pools[STAGE2_MAX_POOLS];
	unsigned npools;
	/** See "Locking rules" above. */
	struct rwlock lock;
};

/** What one operation did, for callers that count or trace outcomes. */
struct stage2_result {
	/** Leaves written into invalid entries. */
	unsigned installed;
	/** Leaves replaced with break-before-make. */
	unsigned replaced;
	/** Leaves left alone because they already matched. */
	unsigned identical;
	/** Leaves whose permissions were changed in place. */
	unsigned relaxed;
	/** Leaves removed. */
	unsigned removed;
	/** Blocks split into tables. */
	unsigned split;
	/** Tables collapsed into blocks. */
	unsigned collapsed;
	/** Table pages allocated. */
	unsigned tables_added;
	/** Table pages freed. */
	unsigned tables_freed;
	/** Level of the last leaf visited. */
	unsigned level;
	/** The last leaf's value before the operation. */
	stage2_pte_t old;
};

/** A leaf found by stage2_lookup(). */
struct stage2_leaf {
	/** The entry (0, locked, or a valid leaf). */
	stage2_pte_t pte;
	/** Level at which the walk ended. */
	unsigned level;
	/** Output address of the looked-up IPA (valid leaves only). */
	paddr_t pa;
	/** enum stage2_prot bits (valid leaves only). */
	unsigned prot;
	/** Physical address of the entry itself. */
	paddr_t entry_pa;
};

/**
 * Sets up an empty table for IPAs of @ia_bits bits and VMID @vmid, taking
 * the root from @root_pool (which becomes the first of the table's pools).
 * Start level and concatenation: the fewest levels that cover ia_bits - 4
 * bits, the rest resolved by up to 16 concatenated root tables (e.g. 40
 * bits: start level 1 with 2 concatenated tables). Returns 0, -ERR_RANGE
 * for an unsupported IPA size, or -ERR_NOMEM.
 */
int stage2_pgtable_init(struct stage2_pgtable *pgt, unsigned ia_bits,
			uint16_t vmid, struct stage2_pool *root_pool);

/**
 * Lets @pgt take table pages from @pool (and give them back to it).
 * Returns 0 or -ERR_NOMEM when STAGE2_MAX_POOLS are registered.
 */
int stage2_pgtable_add_pool(struct stage2_pgtable *pgt,
			    struct stage2_pool *pool);

/**
 * Unmaps everything (with break-before-make and inner-shareable
 * invalidation) and frees every table page, the root included. The caller
 * holds pgt->lock for writing, and no CPU may run with this table loaded.
 */
void stage2_pgtable_destroy(struct stage2_pgtable *pgt);

/** The VTTBR_EL2 value of @pgt: root PA and VMID (bits 63:48). */
uint64_t stage2_vttbr(const struct stage2_pgtable *pgt);

/**
 * Maps [@ipa, @ipa + @size) to [@pa, @pa + @size) with @prot, using 1 GiB
 * and 2 MiB blocks where the IPA, the PA and the remaining size allow and
 * pages elsewhere. Table pages come from @pool (which must be one of the
 * table's pools). Existing mappings in the range are replaced with
 * break-before-make, invalidated with @scope, unless a flag says otherwise;
 * a block that would need a smaller mapping is first split (the rest of its
 * range stays mapped). The range must be page aligned and inside the IPA
 * size.
 *
 * Returns 0; -ERR_AGAIN (STAGE2_SHARED: a locked entry was met or a CAS
 * lost to another CPU; the part mapped so far stays mapped); -ERR_PERM
 * (STAGE2_MAP_NO_PERM_CHANGE); -ERR_NOMEM (@pool is empty: the part mapped
 * so far stays mapped, the range is otherwise unchanged, the call may be
 * retried with the same arguments once pages are recycled); -ERR_RANGE or
 * -ERR_INVAL for bad arguments. @res (may be NULL) counts what was done.
 */
int stage2_map(struct stage2_pgtable *pgt, uint64_t ipa, uint64_t size,
	       paddr_t pa, unsigned prot, struct stage2_pool *pool,
	       enum stage2_scope scope, unsigned flags,
	       struct stage2_result *res);

/**
 * Removes every mapping in [@ipa, @ipa + @size) with break-before-make and
 * @scope invalidation, splitting blocks that straddle the range's edges
 * (so the range must be page aligned), and frees table pages left empty.
 * The caller holds pgt->lock for writing. @size may reach the end of the
 * IPA space (1 << ia_bits), not beyond. Returns 0, -ERR_NOMEM (a block
 * could not be split: nothing of it was removed), -ERR_RANGE or -ERR_INVAL.
 */
int stage2_unmap(struct stage2_pgtable *pgt, uint64_t ipa, uint64_t size,
		 enum stage2_scope scope, struct stage2_result *res);

/**
 * Adds the permissions @prot (STAGE2_PROT_RWX bits only: relaxing never
 * removes one) to the valid leaf that maps @ipa, in place by CAS (a change
 * of permissions alone needs no break-before-make), then invalidates @ipa
 * with @scope. Returns 0; -ERR_AGAIN when the entry is invalid, locked,
 * changed under us, or already has every permission asked for (another CPU
 * relaxed it first: the caller decides whether its own TLB may still hold
 * the old entry, the 2023 KVM livelock); -ERR_INVAL for other prot bits.
 * res->level and res->old describe the leaf.
 */
int stage2_relax_perms(struct stage2_pgtable *pgt, uint64_t ipa, unsigned prot,
		       enum stage2_scope scope, unsigned flags,
		       struct stage2_result *res);

/**
 * Removes write permission from every valid leaf in [@ipa, @ipa + @size),
 * in place by CAS (a permission change needs no break-before-make), then
 * invalidates the whole VMID once with @scope, because any CPU may cache
 * the writable entries. For dirty logging: the next write to each page
 * faults. The caller holds pgt->lock for writing (a leaf changed by a
 * concurrent fault between the read and the CAS is retried). Returns 0,
 * -ERR_RANGE or -ERR_INVAL; res->relaxed counts the leaves changed.
 */
int stage2_wrprotect(struct stage2_pgtable *pgt, uint64_t ipa, uint64_t size,
		     enum stage2_scope scope, struct stage2_result *res);

/**
 * Research knob: spins @ns nanoseconds between the break and the make of
 * every break-before-make and between the steps of every invalidation
 * sequence, to widen race windows so rare interleavings reproduce on
 * demand. 0 (the default) turns it off. Callers record it in the trace.
 */
void stage2_set_bbm_delay(uint64_t ns);

/** The current value of the BBM delay knob (0 when off). */
uint64_t stage2_bbm_delay(void);

/**
 * Takes @pgt->lock for reading, then traces `lock` (the root's PA as the
 * lock's identity, the VMID, and the counter ticks spent waiting). Every
 * holder of the table lock goes through these four functions so that the
 * rule checker can verify that each entry is written under the lock the
 * locking rules above name (docs/checker.md, rule 8). The cost is one
 * trace record and two counter reads per acquisition and release.
 */
void stage2_read_lock(struct stage2_pgtable *pgt);

/** Traces `unlock`, then releases a read hold of @pgt->lock. */
void stage2_read_unlock(struct stage2_pgtable *pgt);

/** stage2_read_lock() for the write side. */
void stage2_write_lock(struct stage2_pgtable *pgt);

/** Traces `unlock`, then releases the write hold of @pgt->lock. */
void stage2_write_unlock(struct stage2_pgtable *pgt);

/**
 * Replaces the block that maps @ipa with a next-level table mapping the
 * same range, with the same attributes, through smaller blocks or pages
 * (break-before-make on the block entry, invalidated with @scope). The
 * table page comes from @pool. Returns 0; -ERR_NOENT when @ipa is mapped
 * by a page or not at all; -ERR_AGAIN (STAGE2_SHARED); -ERR_NOMEM.
 */
int stage2_split(struct stage2_pgtable *pgt, uint64_t ipa,
		 struct stage2_pool *pool, enum stage2_scope scope,
		 unsigned flags, struct stage2_result *res);

/**
 * Replaces the table that covers @ipa at @level (1 or 2) with one block of
 * that level, when every entry of the table is a valid leaf and together
 * they map one aligned, contiguous PA range with identical attributes
 * (break-before-make on the table entry; a replaced table invalidates the
 * whole VMID, with @scope), then frees the table's page. The caller holds
 * pgt->lock for writing. Returns 0; -ERR_NOENT when there is no table at
 * @level for @ipa; -ERR_EXIST when its entries cannot form one block;
 * -ERR_RANGE for an IPA beyond the IPA size; -ERR_INVAL for a bad level.
 * res->old is the table entry that was replaced.
 */
int stage2_collapse(struct stage2_pgtable *pgt, uint64_t ipa, unsigned level,
		    enum stage2_scope scope, struct stage2_result *res);

/**
 * Finds the largest block-aligned range around @addr that could be mapped
 * by one leaf at @addr's position: inside @range (the memory or device
 * range that contains @addr), at a level no higher than where the table
 * already has a table for @addr (a block cannot replace a table), and not
 * at level 0. Fills *@out and *@level. Seed 000's "find compatible range",
 * the first half of a greedy identity map; the caller then calls
 * stage2_map(out->base, out->size, pa_init(out->base), ...) without
 * dropping its lock in between, so *@out stays valid for a retry after
 * -ERR_NOMEM. Returns 0; -ERR_EXIST when @addr is already mapped (valid
 * leaf); -ERR_AGAIN when it is locked; -ERR_RANGE when @addr is outside
 * @range or the IPA space.
 */
int stage2_find_compatible_range(struct stage2_pgtable *pgt, uint64_t addr,
				 const struct mem_range *range,
				 struct mem_range *out, unsigned *level);

/**
 * Reads the translation of @ipa as the hardware would, with atomic loads
 * and no lock of its own: the result is a snapshot. A software caller
 * holds pgt->lock for reading (unmap and collapse free table pages under
 * the write lock); the host TLB model, standing in for the hardware
 * walker, is instead kept out of freed pages by the TLB maintenance that
 * precedes every free, as the hardware is. Returns 0 with *@out describing a valid leaf,
 * -ERR_NOENT (out->pte is 0) or -ERR_AGAIN (out->pte is locked) with the
 * level where the walk stopped, or -ERR_RANGE / -ERR_INVAL.
 */
int stage2_lookup(const struct stage2_pgtable *pgt, uint64_t ipa,
		  struct stage2_leaf *out);

/** The table entries a lookup went through, root first. */
struct stage2_path {
	/** Steps recorded. */
	unsigned n;
	struct {
		/** Level of the table entry. */
		unsigned level;
		/** The table entry's value. */
		stage2_pte_t pte;
	} step[4];
};

/**
 * stage2_lookup() starting from the table at @table_pa, which holds the
 * entries of @level (the root when @table_pa is the root's PA at the start
 * level, else a 512-entry table), recording in @path (may be NULL) every
 * table entry it followed. Lets a TLB model with walk caches resume a walk
 * part-way down. Same returns as stage2_lookup(), -ERR_INVAL for a
 * @table_pa outside the table's pools.
 */
int stage2_lookup_from(const struct stage2_pgtable *pgt, paddr_t table_pa,
		       unsigned level, uint64_t ipa, struct stage2_leaf *out,
		       struct stage2_path *path);

/**
 * Invalidates the translations of @ipa in @pgt's VMID: TLBI IPAS2E1 then
 * DSB, then TLBI VMALLE1 (combined stage 1+2 entries cannot be reached by
 * IPA) then DSB and ISB, preceded by a DSB that makes the new descriptor
 * visible to walkers; with @scope's TLBI forms and barrier domains, and
 * the VMID loaded in VTTBR_EL2 for the duration.
 */
void stage2_tlb_inval_ipa(struct stage2_pgtable *pgt, uint64_t ipa,
			  unsigned level, enum stage2_scope scope);

/** Invalidates everything of @pgt's VMID (TLBI VMALLS12E1), with @scope. */
void stage2_tlb_inval_vmid(struct stage2_pgtable *pgt, enum stage2_scope scope);

/** What a walk visits. */
enum stage2_visit {
	/** Invalid entries, blocks and pages. */
	STAGE2_VISIT_LEAF = 1u << 0,
	/** Table entries, before descending. */
	STAGE2_VISIT_TABLE_PRE = 1u << 1,
	/** Table entries, after the table below them was walked. */
	STAGE2_VISIT_TABLE_POST = 1u << 2,
};

/** What a visitor callback sees. */
struct stage2_visit_ctx {
	struct stage2_pgtable *pgt;
	/** The entry. */
	_Atomic uint64_t *ptep;
	/** Its value when read for this visit. */
	stage2_pte_t old;
	/** First IPA the entry maps (aligned to the level's size). */
	uint64_t addr;
	/** End of the walked range (exclusive). */
	uint64_t end;
	unsigned level;
	/** enum stage2_flags of the walk. */
	unsigned flags;
	/** The walker's argument. */
	void *arg;
};

/**
 * A visitor: returns 0 to go on, or a negative error to stop the walk.
 * It may replace the entry (a LEAF visit that installs a table makes the
 * walk descend into it: the entry is read again after each visit).
 */
typedef int (*stage2_visitor)(struct stage2_visit_ctx *ctx,
			      enum stage2_visit visit);

/** A walk's callback and what it wants to see. */
struct stage2_walker {
	stage2_visitor cb;
	void *arg;
	/** enum stage2_visit bits. */
	unsigned visit;
	/** enum stage2_flags, handed to the callback. */
	unsigned flags;
};

/**
 * Walks every entry that maps part of [@addr, @addr + @size), in IPA order,
 * calling @w->cb as @w->visit asks. Returns 0 or the first error a callback
 * returned, or -ERR_RANGE / -ERR_INVAL for a bad range.
 */
int stage2_walk(struct stage2_pgtable *pgt, uint64_t addr, uint64_t size,
		const struct stage2_walker *w);

/**
 * Break: swaps @ctx's entry from ctx->old to S2_PTE_LOCKED by CAS and, if
 * the old entry was valid, invalidates it with @scope (by IPA for a leaf,
 * the whole VMID for a table). Returns 0, or -ERR_AGAIN when the entry was
 * not ctx->old any more (another CPU got there first).
 */
int stage2_try_break(struct stage2_visit_ctx *ctx, enum stage2_scope scope);

/**
 * Make: publishes @new in @ctx's entry, which must be locked by this
 * caller's stage2_try_break(), with a release store (so the contents of a
 * new table are visible before the table is), then DSB ISHST so every
 * walker sees it before the caller goes on.
 */
void stage2_make(struct stage2_visit_ctx *ctx, stage2_pte_t new_pte);

#endif /* FAULTLINE_STAGE2_H */
