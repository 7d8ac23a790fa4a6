/* Shared set-up of the stage-2 tests (test_stage2_util.h). */
#include <stdatomic.h>

#include <faultline/arch/cpu.h>
#include <faultline/err.h>
#include <faultline/trace/ring.h>

#include "test_stage2_util.h"
#include "test_util.h"

uint8_t test_stage2_pages[S2T_POOL_PAGES][PAGE_SIZE]
	__attribute__((aligned(4096)));
uint8_t test_stage2_dev_pages[S2T_DEV_PAGES][PAGE_SIZE]
	__attribute__((aligned(4096)));
struct stage2_pool test_stage2_pool;
struct stage2_pool test_stage2_dev_pool;
struct stage2_pgtable test_stage2_pgt;
struct trace_record test_stage2_trace[S2T_TRACE_MAX];

int test_stage2_setup(unsigned ia_bits, size_t npages)
{
	if (npages > S2T_POOL_PAGES) {
		npages = S2T_POOL_PAGES;
	}
	/*
	 * Each test starts with empty rings: what a test traces is its own,
	 * and the events of earlier tests are not counted as lost.
	 */
	trace_rings_reset();
	/* Pages must come out zeroed whatever was there before. */
	test_util_fill(test_stage2_pages, 0xa5, sizeof(test_stage2_pages));
	test_util_fill(test_stage2_dev_pages, 0x5a,
		       sizeof(test_stage2_dev_pages));
	stage2_pool_init(&test_stage2_pool, "mem", 1, test_stage2_pages,
			 pa_init(S2T_POOL_PA), npages);
	stage2_pool_init(&test_stage2_dev_pool, "dev", 2, test_stage2_dev_pages,
			 pa_init(S2T_DEV_PA), S2T_DEV_PAGES);
	test_util_fill(&test_stage2_pgt, 0, sizeof(test_stage2_pgt));
	return stage2_pgtable_init(&test_stage2_pgt, ia_bits, S2T_VMID,
				   &test_stage2_pool);
}

int test_stage2_map(uint64_t ipa, uint64_t size, uint64_t pa, unsigned prot,
		    unsigned flags, struct stage2_result *res)
{
	int ret;

	rwlock_write_lock(&test_stage2_pgt.lock);
	ret = stage2_map(&test_stage2_pgt, ipa, size, pa_init(pa), prot,
			 &test_stage2_pool, STAGE2_SCOPE_INNER_SHAREABLE, flags,
			 res);
	rwlock_write_unlock(&test_stage2_pgt.lock);
	return ret;
}

int test_stage2_unmap(uint64_t ipa, uint64_t size, struct stage2_result *res)
{
	int ret;

	rwlock_write_lock(&test_stage2_pgt.lock);
	ret = stage2_unmap(&test_stage2_pgt, ipa, size,
			   STAGE2_SCOPE_INNER_SHAREABLE, res);
	rwlock_write_unlock(&test_stage2_pgt.lock);
	return ret;
}

bool test_stage2_expect_in(struct test_ctx *test_ctx, const char *file,
			   int line, struct stage2_pgtable *pgt, uint64_t ipa,
			   uint64_t pa, unsigned level, unsigned prot)
{
	struct stage2_leaf leaf;
	int ret = stage2_lookup(pgt, ipa, &leaf);

	if (ret != 0) {
		test_fail(test_ctx, file, line,
			  "ipa 0x%llx: lookup gave %d, expected a leaf",
			  (unsigned long long)ipa, ret);
		return false;
	}
	if (pa_addr(leaf.pa) != pa || leaf.level != level ||
	    leaf.prot != prot) {
		test_fail(test_ctx, file, line,
			  "ipa 0x%llx: pa 0x%llx level %u prot 0x%x, expected "
			  "pa 0x%llx level %u prot 0x%x",
			  (unsigned long long)ipa,
			  (unsigned long long)pa_addr(leaf.pa), leaf.level,
			  leaf.prot, (unsigned long long)pa, level, prot);
		return false;
	}
	return true;
}

bool test_stage2_expect_none_in(struct test_ctx *test_ctx, const char *file,
				int line, struct stage2_pgtable *pgt,
				uint64_t ipa)
{
	struct stage2_leaf leaf;
	int ret = stage2_lookup(pgt, ipa, &leaf);

	if (ret != -ERR_NOENT) {
		test_fail(test_ctx, file, line,
			  "ipa 0x%llx: lookup gave %d (pte 0x%llx), expected "
			  "no translation",
			  (unsigned long long)ipa, ret,
			  (unsigned long long)leaf.pte);
		return false;
	}
	return true;
}

bool test_stage2_expect(struct test_ctx *test_ctx, uint64_t ipa, uint64_t pa,
			unsigned level, unsigned prot)
{
	return test_stage2_expect_in(test_ctx, __FILE__, __LINE__,
				     &test_stage2_pgt, ipa, pa, level, prot);
}

bool test_stage2_expect_none(struct test_ctx *test_ctx, uint64_t ipa)
{
	return test_stage2_expect_none_in(test_ctx, __FILE__, __LINE__,
					  &test_stage2_pgt, ipa);
}

/* What test_stage2_entry() and test_stage2_store_entry() look for. */
struct s2t_entry_args {
	unsigned level;
	bool store;
	bool found;
	stage2_pte_t val;
	stage2_pte_t old;
};

static int s2t_entry_visit(struct stage2_visit_ctx *ctx,
			   enum stage2_visit visit UNUSED)
{
	struct s2t_entry_args *a = ctx->arg;

	if (ctx->level != a->level || a->found) {
		return 0;
	}
	a->found = true;
	a->old = ctx->old;
	if (a->store) {
		atomic_store_explicit(ctx->ptep, a->val, memory_order_release);
	}
	return 0;
}

static stage2_pte_t s2t_entry_walk(uint64_t ipa, unsigned level, bool store,
				   stage2_pte_t val)
{
	struct s2t_entry_args a = {level, store, false, val, 0};
	struct stage2_walker w = {s2t_entry_visit, &a,
				  STAGE2_VISIT_LEAF | STAGE2_VISIT_TABLE_PRE,
				  0};

	/*
	 * The walk may fail below the entry (a corrupt table there): what
	 * matters is whether it reached the entry.
	 */
	(void)stage2_walk(&test_stage2_pgt, ALIGN_DOWN(ipa, PAGE_SIZE),
			  PAGE_SIZE, &w);
	return a.found ? a.old : UINT64_MAX;
}

stage2_pte_t test_stage2_entry(uint64_t ipa, unsigned level)
{
	stage2_pte_t pte = s2t_entry_walk(ipa, level, false, 0);

	return pte == UINT64_MAX ? 0 : pte;
}

stage2_pte_t test_stage2_store_entry(uint64_t ipa, unsigned level,
				     stage2_pte_t val)
{
	return s2t_entry_walk(ipa, level, true, val);
}

void test_stage2_trace_start(void)
{
	trace_rings_reset();
}

size_t test_stage2_trace_take(void)
{
	size_t n = trace_ring_drain(arch_cpu_index(), test_stage2_trace,
				    S2T_TRACE_MAX);
	size_t kept = 0;

	/* The pools' own bookkeeping is not part of the sequences. */
	for (size_t i = 0; i < n; i++) {
		if (test_stage2_trace[i].id != TRACE_EV_pool_level) {
			test_stage2_trace[kept++] = test_stage2_trace[i];
		}
	}
	return kept;
}

size_t test_stage2_trace_find(size_t n, size_t from, uint16_t id)
{
	for (size_t i = from; i < n; i++) {
		if (test_stage2_trace[i].id == id) {
			return i;
		}
	}
	return n;
}

unsigned test_stage2_trace_count(size_t n, uint16_t id)
{
	unsigned count = 0;

	for (size_t i = 0; i < n; i++) {
		if (test_stage2_trace[i].id == id) {
			count++;
		}
	}
	return count;
}

/* Checks record *@i against event @id and its first @nf fields. */
static bool s2t_expect_rec(struct test_ctx *test_ctx, size_t n, size_t *i,
			   uint16_t id, const uint64_t *f, unsigned nf)
{
	const struct trace_record *rec;

	if (*i >= n) {
		test_fail(test_ctx, __FILE__, __LINE__,
			  "trace ends after %zu records; expected event %u", n,
			  id);
		return false;
	}
	rec = &test_stage2_trace[*i];
	if (rec->id != id) {
		test_fail(test_ctx, __FILE__, __LINE__,
			  "record %zu is event %u, expected event %u", *i,
			  rec->id, id);
		return false;
	}
	for (unsigned k = 0; k < nf; k++) {
		if (rec->f[k] != f[k]) {
			test_fail(test_ctx, __FILE__, __LINE__,
				  "record %zu (event %u) field %u is 0x%llx, "
				  "expected 0x%llx",
				  *i, id, k, (unsigned long long)rec->f[k],
				  (unsigned long long)f[k]);
			return false;
		}
	}
	(*i)++;
	return true;
}

static bool s2t_expect_dsb(struct test_ctx *test_ctx, size_t n, size_t *i,
			   uint64_t share)
{
	const uint64_t f[] = {share};

	return s2t_expect_rec(test_ctx, n, i, TRACE_EV_dsb, f, 1);
}

static bool s2t_expect_isb(struct test_ctx *test_ctx, size_t n, size_t *i,
			   uint64_t site)
{
	const uint64_t f[] = {site};

	return s2t_expect_rec(test_ctx, n, i, TRACE_EV_isb, f, 1);
}

/* The optional VTTBR_EL2 switch: a sysreg write of @value, then ISB. */
static bool s2t_expect_vttbr(struct test_ctx *test_ctx, size_t n, size_t *i,
			     const uint64_t *value, bool *switched)
{
	const uint64_t f[] = {TRACE_SYSREG_VTTBR_EL2,
			      value != NULL ? *value : 0};

	*switched = *i < n && test_stage2_trace[*i].id == TRACE_EV_sysreg_write;
	if (!*switched) {
		return true;
	}
	return s2t_expect_rec(test_ctx, n, i, TRACE_EV_sysreg_write, f,
			      value != NULL ? 2 : 1) &&
	       s2t_expect_isb(test_ctx, n, i, TRACE_ISB_SITE_SYSREG);
}

/* The TLBIs of @op (and @ipa, @level) followed by the closing barriers. */
static bool s2t_expect_inval(struct test_ctx *test_ctx, size_t n, size_t *i,
			     uint64_t op, uint64_t ipa, unsigned level,
			     enum stage2_scope scope)
{
	bool local = scope == STAGE2_SCOPE_LOCAL;
	uint64_t share = local ? TRACE_SHARE_NSH : TRACE_SHARE_ISH;
	uint64_t vttbr = stage2_vttbr(&test_stage2_pgt);
	const uint64_t tlbi[] = {op, ipa, level, share, S2T_VMID};
	const uint64_t all[] = {TRACE_TLBI_OP_VMALLE1, 0, 0, share, S2T_VMID};
	bool switched;
	bool back;

	if (!s2t_expect_dsb(test_ctx, n, i,
			    local ? TRACE_SHARE_NSHST : TRACE_SHARE_ISHST) ||
	    !s2t_expect_vttbr(test_ctx, n, i, &vttbr, &switched) ||
	    !s2t_expect_rec(test_ctx, n, i, TRACE_EV_tlbi, tlbi, 5) ||
	    !s2t_expect_dsb(test_ctx, n, i, share)) {
		return false;
	}
	if (op == TRACE_TLBI_OP_IPAS2E1 &&
	    (!s2t_expect_rec(test_ctx, n, i, TRACE_EV_tlbi, all, 5) ||
	     !s2t_expect_dsb(test_ctx, n, i, share))) {
		return false;
	}
	if (!s2t_expect_isb(test_ctx, n, i, TRACE_ISB_SITE_TLBI) ||
	    !s2t_expect_vttbr(test_ctx, n, i, NULL, &back)) {
		return false;
	}
	if (back != switched) {
		test_fail(test_ctx, __FILE__, __LINE__,
			  "VTTBR_EL2 switched %s the TLBIs but %s after them",
			  switched ? "before" : "not before",
			  back ? "back" : "not back");
		return false;
	}
	return true;
}

bool test_stage2_expect_inval_ipa(struct test_ctx *test_ctx, size_t n,
				  size_t *i, uint64_t ipa, unsigned level,
				  enum stage2_scope scope)
{
	return s2t_expect_inval(test_ctx, n, i, TRACE_TLBI_OP_IPAS2E1, ipa,
				level, scope);
}

bool test_stage2_expect_inval_vmid(struct test_ctx *test_ctx, size_t n,
				   size_t *i, enum stage2_scope scope)
{
	return s2t_expect_inval(test_ctx, n, i, TRACE_TLBI_OP_VMALLS12E1, 0, 0,
				scope);
}
