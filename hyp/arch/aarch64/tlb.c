/*
 * arch/tlb.h at EL2: one TLBI or barrier instruction per call, and the
 * VMID switch around them (the TLBI ... by VMID forms use VTTBR_EL2.VMID).
 */
#include <faultline/arch/tlb.h>

#include "sysreg.h"

/* TLBI IPAS2E1 takes IPA[47:12] in bits [35:0]. */
#define TLBI_IPA_MASK ((UINT64_C(1) << 36) - 1)

bool arch_s2_tlb_enter(uint64_t vttbr, struct arch_s2_tlb_ctx *ctx)
{
	ctx->saved_vttbr = read_sysreg(vttbr_el2);
	ctx->switched = ctx->saved_vttbr != vttbr;
	if (ctx->switched) {
		write_sysreg(vttbr, vttbr_el2);
		/* The new VMID must be in effect before the TLBIs. */
		isb();
	}
	return ctx->switched;
}

void arch_s2_tlb_exit(const struct arch_s2_tlb_ctx *ctx)
{
	if (ctx->switched) {
		write_sysreg(ctx->saved_vttbr, vttbr_el2);
		isb();
	}
}

void arch_s2_tlbi_ipa(uint64_t ipa, unsigned level UNUSED,
		      enum arch_tlbi_scope scope)
{
	uint64_t arg = (ipa >> 12) & TLBI_IPA_MASK;

	/* No TTL level hint: FEAT_TTL may be absent, and 0 is always valid. */
	if (scope == ARCH_TLBI_INNER_SHAREABLE) {
		__asm__ volatile("tlbi ipas2e1is, %0" : : "r"(arg) : "memory");
	} else {
		__asm__ volatile("tlbi ipas2e1, %0" : : "r"(arg) : "memory");
	}
}

void arch_s2_tlbi_vmalle1(enum arch_tlbi_scope scope)
{
	if (scope == ARCH_TLBI_INNER_SHAREABLE) {
		__asm__ volatile("tlbi vmalle1is" : : : "memory");
	} else {
		__asm__ volatile("tlbi vmalle1" : : : "memory");
	}
}

void arch_s2_tlbi_vmalls12e1(enum arch_tlbi_scope scope)
{
	if (scope == ARCH_TLBI_INNER_SHAREABLE) {
		__asm__ volatile("tlbi vmalls12e1is" : : : "memory");
	} else {
		__asm__ volatile("tlbi vmalls12e1" : : : "memory");
	}
}

void arch_barrier(enum arch_barrier b)
{
	switch (b) {
	case ARCH_DSB_ISHST:
		dsb(ishst);
		break;
	case ARCH_DSB_ISH:
		dsb(ish);
		break;
	case ARCH_DSB_NSHST:
		dsb(nshst);
		break;
	case ARCH_DSB_NSH:
		dsb(nsh);
		break;
	case ARCH_ISB:
		isb();
		break;
	}
}
