/*
 * Shared set-up of the stage-2 tests (test_stage2_*.c): static pools of
 * table pages that pretend to live at fake physical addresses, one table,
 * lookups that check a whole translation, and a reader of this CPU's
 * trace ring. Portable: no libc, no allocation.
 */
#ifndef FAULTLINE_TESTS_TEST_STAGE2_UTIL_H
#define FAULTLINE_TESTS_TEST_STAGE2_UTIL_H

#include <faultline/stage2.h>
#include <faultline/test.h>
#include <faultline/trace/event.h>

/** Pages of the main test pool. */
#define S2T_POOL_PAGES 64
/** Pages of the second ("dev") test pool. */
#define S2T_DEV_PAGES 16
/** The PA the main pool pretends to have (aligned to 16 pages). */
#define S2T_POOL_PA UINT64_C(0x7f000000)
/** The PA the second pool pretends to have. */
#define S2T_DEV_PA UINT64_C(0x7e000000)
/** VMID of the test table. */
#define S2T_VMID 5

#define S2T_4K UINT64_C(0x1000)
#define S2T_2M UINT64_C(0x200000)
#define S2T_1G UINT64_C(0x40000000)

/** Read/write/execute, Normal write-back memory. */
#define S2T_RWX (STAGE2_PROT_R | STAGE2_PROT_W | STAGE2_PROT_X)
/** Read/write, Normal write-back memory. */
#define S2T_RW (STAGE2_PROT_R | STAGE2_PROT_W)
/** Read only, Normal write-back memory. */
#define S2T_RO STAGE2_PROT_R
/** Read/write Device-nGnRE. */
#define S2T_DEV (STAGE2_PROT_DEVICE | STAGE2_PROT_R | STAGE2_PROT_W)

/** Records the trace helpers can hold at once. */
#define S2T_TRACE_MAX 1024

extern uint8_t test_stage2_pages[S2T_POOL_PAGES][PAGE_SIZE];
extern uint8_t test_stage2_dev_pages[S2T_DEV_PAGES][PAGE_SIZE];
/** The main pool (the table's root pool). */
extern struct stage2_pool test_stage2_pool;
/** A second pool, registered with the table only by tests that want it. */
extern struct stage2_pool test_stage2_dev_pool;
/** The table under test. */
extern struct stage2_pgtable test_stage2_pgt;
/** Records read by test_stage2_trace_take(). */
extern struct trace_record test_stage2_trace[S2T_TRACE_MAX];

/**
 * Sets up test_stage2_pool with @npages pages at S2T_POOL_PA (the memory
 * filled with a non-zero pattern first), test_stage2_dev_pool with all its
 * pages at S2T_DEV_PA (not registered), and an empty test_stage2_pgt of
 * @ia_bits bits with VMID S2T_VMID. Returns stage2_pgtable_init()'s result.
 */
int test_stage2_setup(unsigned ia_bits, size_t npages);

/**
 * stage2_map() on test_stage2_pgt from test_stage2_pool with inner-shareable
 * invalidation and @flags, under the write lock. @res may be NULL.
 */
int test_stage2_map(uint64_t ipa, uint64_t size, uint64_t pa, unsigned prot,
		    unsigned flags, struct stage2_result *res);

/** stage2_unmap() on test_stage2_pgt (inner shareable), under the write lock. */
int test_stage2_unmap(uint64_t ipa, uint64_t size, struct stage2_result *res);

/**
 * Checks that @ipa translates to @pa at @level with @prot in
 * test_stage2_pgt; records a failure naming @ipa otherwise.
 */
bool test_stage2_expect(struct test_ctx *test_ctx, uint64_t ipa, uint64_t pa,
			unsigned level, unsigned prot);

/** Checks that @ipa has no translation (stage2_lookup() says -ERR_NOENT). */
bool test_stage2_expect_none(struct test_ctx *test_ctx, uint64_t ipa);

/**
 * test_stage2_expect() in any table @pgt, the failure recorded at @file
 * and @line (a helper's caller).
 */
bool test_stage2_expect_in(struct test_ctx *test_ctx, const char *file,
			   int line, struct stage2_pgtable *pgt, uint64_t ipa,
			   uint64_t pa, unsigned level, unsigned prot);

/** test_stage2_expect_none() in any table @pgt, at @file and @line. */
bool test_stage2_expect_none_in(struct test_ctx *test_ctx, const char *file,
				int line, struct stage2_pgtable *pgt,
				uint64_t ipa);

/** The value of the entry at @level on the path to @ipa, or 0 if none. */
stage2_pte_t test_stage2_entry(uint64_t ipa, unsigned level);

/**
 * Stores @val into the entry at @level on the path to @ipa with
 * atomic_store, from inside a stage2_walk() visitor (as another CPU's
 * break-before-make would). Returns the entry's previous value, or
 * UINT64_MAX when the walk did not reach that entry.
 */
stage2_pte_t test_stage2_store_entry(uint64_t ipa, unsigned level,
				     stage2_pte_t val);

/** Discards every event in every trace ring. */
void test_stage2_trace_start(void);

/**
 * Moves this CPU's trace events into test_stage2_trace, all but the pools'
 * pool_level records; returns how many.
 */
size_t test_stage2_trace_take(void);

/**
 * Index of the first record of event @id at or after @from in the first
 * @n records of test_stage2_trace, or @n when there is none.
 */
size_t test_stage2_trace_find(size_t n, size_t from, uint16_t id);

/** Number of records of event @id in the first @n of test_stage2_trace. */
unsigned test_stage2_trace_count(size_t n, uint16_t id);

/**
 * Checks that records [*@i, ...) of test_stage2_trace are the
 * invalidation of @ipa at @level in test_stage2_pgt's VMID with @scope
 * (stage2_tlb_inval_ipa(): DSB ST, TLBI IPAS2E1, DSB, TLBI VMALLE1, DSB,
 * ISB, the VTTBR_EL2 switch around the TLBIs when there is one) and moves
 * *@i past it. Returns false (with failures recorded) on a mismatch.
 */
bool test_stage2_expect_inval_ipa(struct test_ctx *test_ctx, size_t n,
				  size_t *i, uint64_t ipa, unsigned level,
				  enum stage2_scope scope);

/** Like test_stage2_expect_inval_ipa(), for the whole-VMID invalidation. */
bool test_stage2_expect_inval_vmid(struct test_ctx *test_ctx, size_t n,
				   size_t *i, enum stage2_scope scope);

#endif /* FAULTLINE_TESTS_TEST_STAGE2_UTIL_H */
