/*
 * Stage-2 TLB maintenance sequences, built from the arch's single
 * instructions, each step traced so the rule checker can verify the order.
 *
 * By IPA (Arm ARM D8.16.3 "Using break-before-make when updating
 * translation table entries", and KVM's __kvm_tlb_flush_vmid_ipa):
 *   DSB ISHST          the invalid (or changed) entry is visible to walkers
 *   TLBI IPAS2E1IS     stage-2 entries for the IPA
 *   DSB ISH            ... completed
 *   TLBI VMALLE1IS     combined stage 1+2 entries, which are tagged by VA
 *                      and cannot be found by IPA
 *   DSB ISH; ISB
 * with the local forms (no IS, DSB NSH[ST]) when the scope is local.
 */
#include <faultline/arch/cpu.h>
#include <faultline/arch/tlb.h>
#include <faultline/bug.h>
#include <faultline/stage2.h>
#include <faultline/time.h>
#include <faultline/trace/ring.h>

#include "stage2_internal.h"

static _Atomic uint64_t tlb_bbm_delay_ns;

void stage2_set_bbm_delay(uint64_t ns)
{
	atomic_store_explicit(&tlb_bbm_delay_ns, ns, memory_order_relaxed);
}

uint64_t stage2_bbm_delay(void)
{
	return atomic_load_explicit(&tlb_bbm_delay_ns, memory_order_relaxed);
}

void stage2_bbm_delay_spin(void)
{
	uint64_t ns = stage2_bbm_delay();
	uint64_t freq, start;

	if (ns == 0) {
		return;
	}
	freq = arch_counter_freq();
	start = arch_counter_now();
	while (time_ticks_to_ns(arch_counter_now() - start, freq) < ns) {
		arch_cpu_relax();
	}
}

static enum arch_tlbi_scope tlb_arch_scope(enum stage2_scope scope)
{
	return scope == STAGE2_SCOPE_LOCAL ? ARCH_TLBI_LOCAL
					   : ARCH_TLBI_INNER_SHAREABLE;
}

static uint64_t tlb_trace_share(enum stage2_scope scope)
{
	return scope == STAGE2_SCOPE_LOCAL ? TRACE_SHARE_NSH : TRACE_SHARE_ISH;
}

/* DSB of the scope's domain; @stores_only for the ...ST form. */
static void tlb_dsb(enum stage2_scope scope, bool stores_only)
{
	enum arch_barrier b;
	uint64_t share;

	if (scope == STAGE2_SCOPE_LOCAL) {
		b = stores_only ? ARCH_DSB_NSHST : ARCH_DSB_NSH;
		share = stores_only ? TRACE_SHARE_NSHST : TRACE_SHARE_NSH;
	} else {
		b = stores_only ? ARCH_DSB_ISHST : ARCH_DSB_ISH;
		share = stores_only ? TRACE_SHARE_ISHST : TRACE_SHARE_ISH;
	}
	arch_barrier(b);
	trace_dsb(share);
}

static void tlb_isb(void)
{
	arch_barrier(ARCH_ISB);
	trace_isb(TRACE_ISB_SITE_TLBI);
}

/* Loads @pgt's VMID for the invalidations that follow (traced). */
static void tlb_enter(struct stage2_pgtable *pgt, struct arch_s2_tlb_ctx *ctx)
{
	uint64_t vttbr = stage2_vttbr(pgt);

	if (arch_s2_tlb_enter(vttbr, ctx)) {
		trace_sysreg_write(TRACE_SYSREG_VTTBR_EL2, vttbr);
		trace_isb(TRACE_ISB_SITE_SYSREG);
	}
}

static void tlb_exit(const struct arch_s2_tlb_ctx *ctx)
{
	if (ctx->switched) {
		trace_sysreg_write(TRACE_SYSREG_VTTBR_EL2, ctx->saved_vttbr);
		trace_isb(TRACE_ISB_SITE_SYSREG);
	}
	arch_s2_tlb_exit(ctx);
}

void stage2_tlb_inval_ipa(struct stage2_pgtable *pgt, uint64_t ipa,
			  unsigned level, enum stage2_scope scope)
{
	struct arch_s2_tlb_ctx ctx;
	enum arch_tlbi_scope s = tlb_arch_scope(scope);

	tlb_dsb(scope, true);
	tlb_enter(pgt, &ctx);
	arch_s2_tlbi_ipa(ipa, level, s);
	trace_tlbi(TRACE_TLBI_OP_IPAS2E1, ipa, level, tlb_trace_share(scope),
		   pgt->vmid);
	/*
	 * Completes the stage-2 invalidation before the stage-1 one: a walk
	 * on another CPU could otherwise refill a combined entry from the
	 * old stage-2 entry after VMALLE1 removed it. Skipped only by the
	 * deliberate bug=skip_dsb.
	 */
	if (!bug_on(BUG_SKIP_DSB)) {
		tlb_dsb(scope, false);
	}
	stage2_bbm_delay_spin();
	arch_s2_tlbi_vmalle1(s);
	trace_tlbi(TRACE_TLBI_OP_VMALLE1, 0, 0, tlb_trace_share(scope),
		   pgt->vmid);
	tlb_dsb(scope, false);
	tlb_isb();
	tlb_exit(&ctx);
}

void stage2_tlb_inval_vmid(struct stage2_pgtable *pgt, enum stage2_scope scope)
{
	struct arch_s2_tlb_ctx ctx;

	tlb_dsb(scope, true);
	tlb_enter(pgt, &ctx);
	arch_s2_tlbi_vmalls12e1(tlb_arch_scope(scope));
	trace_tlbi(TRACE_TLBI_OP_VMALLS12E1, 0, 0, tlb_trace_share(scope),
		   pgt->vmid);
	tlb_dsb(scope, false);
	tlb_isb();
	tlb_exit(&ctx);
}

void stage2_publish_barrier(void)
{
	tlb_dsb(STAGE2_SCOPE_INNER_SHAREABLE, true);
}
