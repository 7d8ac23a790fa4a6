/*
 * arch/vcpu.h and arch/mem.h at EL2: a vCPU's initial EL1 state, return
 * values, injected aborts; physical memory through the linear map.
 */
#include <faultline/arch/mem.h>
#include <faultline/arch/vcpu.h>
#include <faultline/hyp_layout.h>
#include <faultline/vm.h>

#include "sysreg.h"

/* SPSR: EL1h with D, A, I and F masked. */
#define SPSR_EL1H_MASKED UINT64_C(0x3c5)
/* SCTLR_EL1 RES1 bits (ARMv8.0: 29, 28, 23, 22, 20, 11); MMU, caches off. */
#define SCTLR_EL1_RESET UINT64_C(0x30d00800)
/* ESR_ELx: IL, and the abort ECs (taken from a lower EL, or from EL1). */
#define ESR_EL1_IL SYSREG_BIT(25)
#define EC_IABT_LOW_EL 0x20
#define EC_IABT_CUR_EL 0x21
#define EC_DABT_LOW_EL 0x24
#define EC_DABT_CUR_EL 0x25
/* DFSC/IFSC of a synchronous external abort. */
#define FSC_SEA 0x10
/* PSTATE.M[3:0]: EL0t, EL1t (SP_EL0), EL1h (SP_EL1). */
#define PSTATE_M_MASK 0xf
#define PSTATE_M_EL0T 0x0
#define PSTATE_M_EL1T 0x4
/* Vector offsets: current EL with SP_EL0 / SP_ELx, lower EL (AArch64). */
#define VECTOR_CUR_SP0 0x000
#define VECTOR_CUR_SPX 0x200
#define VECTOR_LOW64 0x400

extern const char guest_blob_start[];
extern const char guest_blob_end[];

void arch_vcpu_init(struct vcpu *v, uint64_t entry, uint64_t x0)
{
	for (unsigned i = 0; i < 31; i++) {
		v->regs.x[i] = 0;
	}
	v->regs.x[0] = x0;
	v->regs.pc = entry;
	v->regs.pstate = SPSR_EL1H_MASKED;
	v->regs.el1 = (struct arch_el1_sysregs){0};
	v->regs.el1.sctlr = SCTLR_EL1_RESET;
}

void arch_vcpu_set_return(struct vcpu *v, uint64_t x0)
{
	v->regs.x[0] = x0;
}

uint64_t arch_vcpu_pc(const struct vcpu *v)
{
	return v->regs.pc;
}

uint64_t arch_vcpu_inject_sea(struct vcpu *v, uint64_t far, bool exec)
{
	uint64_t mode = v->regs.pstate & PSTATE_M_MASK;
	bool from_el0 = mode == PSTATE_M_EL0T;
	uint64_t ec = exec ? (from_el0 ? EC_IABT_LOW_EL : EC_IABT_CUR_EL)
			   : (from_el0 ? EC_DABT_LOW_EL : EC_DABT_CUR_EL);
	uint64_t esr = (ec << ESR_EC_SHIFT) | ESR_EL1_IL | FSC_SEA;
	uint64_t vector = from_el0                ? VECTOR_LOW64
			  : mode == PSTATE_M_EL1T ? VECTOR_CUR_SP0
						  : VECTOR_CUR_SPX;

	/* As the hardware takes an exception to EL1 (Arm ARM D1.10.2). */
	v->regs.el1.esr = esr;
	v->regs.el1.far = far;
	v->regs.el1.elr = v->regs.pc;
	v->regs.el1.spsr = v->regs.pstate;
	v->regs.pstate = SPSR_EL1H_MASKED;
	v->regs.pc = v->regs.el1.vbar + vector;
	return esr;
}

void arch_guest_executor(paddr_t *pa, uint64_t *size)
{
	*pa = pa_init((uint64_t)(uintptr_t)guest_blob_start - HYP_VA_OFFSET);
	/* Two symbols of one blob (guest_blob.S): compared as addresses. */
	*size = ALIGN_UP((uint64_t)((uintptr_t)guest_blob_end -
				    (uintptr_t)guest_blob_start),
			 PAGE_SIZE);
}

void *arch_phys_to_virt(paddr_t pa)
{
	/* All RAM and the MMIO the hypervisor maps are at PA + offset. */
	return (void *)(uintptr_t)(pa_addr(pa) + HYP_VA_OFFSET);
}
