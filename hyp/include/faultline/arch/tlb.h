/*
 * Arch interface: stage-2 TLB maintenance and barriers, one instruction per
 * call. The sequences (what to invalidate, in which order, with which
 * barriers) are portable and live in hyp/core/stage2_tlb.c, which also
 * traces every step.
 *
 * At EL2 these are the TLBI/DSB/ISB instructions. On the host they drive a
 * model of per-CPU TLBs that keeps entries until they are invalidated
 * (hyp/arch/host/tlb_model.c), stricter than QEMU, which re-walks tables on
 * a miss and finishes TLB maintenance at once.
 */
#ifndef FAULTLINE_ARCH_TLB_H
#define FAULTLINE_ARCH_TLB_H

#include <faultline/types.h>

/** Which TLBs an invalidation reaches. */
enum arch_tlbi_scope {
	/** This CPU's only (the non-`IS` TLBI forms, completed by DSB NSH). */
	ARCH_TLBI_LOCAL,
	/** Every CPU in the inner-shareable domain (`IS` forms, DSB ISH). */
	ARCH_TLBI_INNER_SHAREABLE,
};

/** A barrier instruction. */
enum arch_barrier {
	ARCH_DSB_ISHST,
	ARCH_DSB_ISH,
	ARCH_DSB_NSHST,
	ARCH_DSB_NSH,
	ARCH_ISB,
};

/** What arch_s2_tlb_enter() saved, for arch_s2_tlb_exit(). */
struct arch_s2_tlb_ctx {
	uint64_t saved_vttbr;
	bool switched;
};

/**
 * Makes @vttbr (a stage-2 root and VMID, as written to VTTBR_EL2) the
 * context of the following TLB invalidations: the TLBI instructions by
 * VMID act on the VMID in VTTBR_EL2 (Arm ARM D8.13 "TLB maintenance"). If
 * another value was loaded, writes VTTBR_EL2 and synchronises with an ISB
 * before any invalidation can depend on it (seed 000's review). Returns
 * true when it wrote VTTBR_EL2 (and did the ISB).
 */
bool arch_s2_tlb_enter(uint64_t vttbr, struct arch_s2_tlb_ctx *ctx);

/** Restores what arch_s2_tlb_enter() replaced (with an ISB if it did). */
void arch_s2_tlb_exit(const struct arch_s2_tlb_ctx *ctx);

/**
 * TLBI IPAS2E1(IS): stage-2-only entries for @ipa in the current VMID.
 * @level is the level of the leaf (a hint; 0 when unknown). Combined
 * stage 1+2 entries are not necessarily removed: follow with
 * arch_s2_tlbi_vmalle1().
 */
void arch_s2_tlbi_ipa(uint64_t ipa, unsigned level, enum arch_tlbi_scope scope);

/** TLBI VMALLE1(IS): stage-1 and combined entries of the current VMID. */
void arch_s2_tlbi_vmalle1(enum arch_tlbi_scope scope);

/** TLBI VMALLS12E1(IS): every entry, both stages, of the current VMID. */
void arch_s2_tlbi_vmalls12e1(enum arch_tlbi_scope scope);

/** Issues barrier @b. */
void arch_barrier(enum arch_barrier b);

#endif /* FAULTLINE_ARCH_TLB_H */
