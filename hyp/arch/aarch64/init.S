/*
 * The dual-step init (seed 004), run by every CPU at every boot, including
 * a CPU brought back by PSCI CPU_ON after CPU_OFF.
 *
 * This code is mapped three times: at its PA in the boot tables (identity),
 * and at HYP_TRAMPOLINE_VA in both the boot and the runtime tables. It may
 * run from a bounce page instead of from the image, so it uses nothing
 * outside itself except its argument: x0 = PA of a struct boot_params.
 *
 *   1. MMU off: load every parameter into registers (the boot tables do not
 *      map the parameters), then turn the MMU on with the boot tables.
 *   2. Jump from the identity address to the same instruction's alias at
 *      the trampoline VA.
 *   3. From the trampoline page, switch TTBR0_EL2 to the runtime tables
 *      (same VA, same physical page: execution continues) and invalidate
 *      this CPU's EL2 TLB entries, which still hold boot-table translations.
 *   4. Set the stack, vectors and per-CPU register, and branch to C at the
 *      runtime VA, handing it the counter values taken at each step.
 */
#include "boot_params.h"
#include "sysreg.h"

	.section .idmap.text, "ax"
	.balign 64
	.global init_entry
	.type init_entry, %function
init_entry:
	msr	daifset, #DAIF_ALL
	mov	x1, #HCR_EL2_RW
	msr	hcr_el2, x1

	ldr	x19, [x0, #BP_BOOT_TTBR]
	ldr	x20, [x0, #BP_RUNTIME_TTBR]
	ldr	x21, [x0, #BP_TRAMPOLINE_VA]
	ldr	x22, [x0, #BP_STACK_TOP]
	ldr	x23, [x0, #BP_VECTORS]
	ldr	x24, [x0, #BP_ENTRY]
	ldr	x25, [x0, #BP_CPU_INDEX]
	ldr	x1, [x0, #BP_MAIR]
	ldr	x2, [x0, #BP_TCR]
	ldr	x26, [x0, #BP_SCTLR]

	msr	mair_el2, x1
	msr	tcr_el2, x2
	msr	ttbr0_el2, x19
	isb
	/*
	 * Discard whatever this CPU's EL2 TLB holds from an earlier life (a
	 * previous boot before CPU_OFF). Only this CPU ever uses these
	 * entries: a local (non-shareable) invalidation is enough.
	 */
	tlbi	alle2
	dsb	nsh
	/* No stale lines for the init page when the I-cache turns on. */
	ic	iallu
	dsb	nsh
	isb
	msr	sctlr_el2, x26
	isb
	mrs	x9, cntvct_el0			/* t_boot_on */

	/* Same instruction, same page, at the trampoline VA. */
	adr	x13, 1f
	and	x1, x13, #0xfff
	orr	x1, x21, x1
	br	x1
1:
	mrs	x10, cntvct_el0			/* t_trampoline */
	adr	x14, 1b				/* proves where we run now */

	msr	ttbr0_el2, x20
	isb
	mrs	x11, cntvct_el0			/* t_runtime_on */
	/*
	 * The boot-table translations (identity page, trampoline) may still
	 * be cached; the runtime tables map the trampoline to the same page,
	 * so fetching from here is safe until they are gone. Local scope:
	 * TTBR0_EL2 is per CPU and no other CPU cached our boot translations.
	 */
	tlbi	alle2
	dsb	nsh
	isb
	mrs	x12, cntvct_el0			/* t_tlbi */

	mov	sp, x22
	msr	vbar_el2, x23
	msr	tpidr_el2, x25
	isb

	mov	x0, x9
	mov	x1, x10
	mov	x2, x11
	mov	x3, x12
	mov	x4, x14
	mov	x5, x13
	br	x24
	.size init_entry, . - init_entry
