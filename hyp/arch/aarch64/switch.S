/*
 * Entering and leaving a guest. __guest_run() saves the hypervisor's
 * callee-saved registers and stack pointer, loads the guest's general
 * registers, PC and PSTATE from its struct arch_vcpu_regs, and erets. Any
 * exception from the guest arrives at the lower-EL vectors (vectors.S),
 * which save x0-x3 on the stack and branch to guest_exit with the vector's
 * kind; guest_exit saves the guest's registers and returns the kind from
 * __guest_run(), as if it were an ordinary call.
 */
#include <faultline/arch_vcpu_regs.h>

#include "switch_ctx.h"

	.text
	.global __guest_run
	.type __guest_run, %function
/* uint64_t __guest_run(struct arch_vcpu_regs *regs, struct switch_ctx *ctx) */
__guest_run:
	stp	x19, x20, [x1, #0]
	stp	x21, x22, [x1, #16]
	stp	x23, x24, [x1, #32]
	stp	x25, x26, [x1, #48]
	stp	x27, x28, [x1, #64]
	stp	x29, x30, [x1, #80]
	mov	x2, sp
	stp	x2, x0, [x1, #SWITCH_CTX_SP]
	/* Where guest_exit finds this context: this CPU's slot. */
	mrs	x2, tpidr_el2
	adrp	x3, switch_ctx_of_cpu
	add	x3, x3, :lo12:switch_ctx_of_cpu
	str	x1, [x3, x2, lsl #3]

	ldp	x2, x3, [x0, #VCPU_REGS_PC]
	msr	elr_el2, x2
	msr	spsr_el2, x3
	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldp	x18, x19, [x0, #144]
	ldp	x20, x21, [x0, #160]
	ldp	x22, x23, [x0, #176]
	ldp	x24, x25, [x0, #192]
	ldp	x26, x27, [x0, #208]
	ldp	x28, x29, [x0, #224]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0, #0]
	eret
	/* Nothing speculates past the eret into hypervisor code. */
	dsb	nsh
	isb
	.size __guest_run, . - __guest_run

	.global guest_exit
	.type guest_exit, %function
/* From a lower-EL vector: x0 = kind, guest x0-x3 at [sp], sp -= 32. */
guest_exit:
	mrs	x1, tpidr_el2
	adrp	x2, switch_ctx_of_cpu
	add	x2, x2, :lo12:switch_ctx_of_cpu
	ldr	x1, [x2, x1, lsl #3]		/* struct switch_ctx */
	ldr	x2, [x1, #SWITCH_CTX_REGS]	/* guest regs */
	stp	x4, x5, [x2, #32]
	stp	x6, x7, [x2, #48]
	stp	x8, x9, [x2, #64]
	stp	x10, x11, [x2, #80]
	stp	x12, x13, [x2, #96]
	stp	x14, x15, [x2, #112]
	stp	x16, x17, [x2, #128]
	stp	x18, x19, [x2, #144]
	stp	x20, x21, [x2, #160]
	stp	x22, x23, [x2, #176]
	stp	x24, x25, [x2, #192]
	stp	x26, x27, [x2, #208]
	stp	x28, x29, [x2, #224]
	str	x30, [x2, #240]
	ldp	x3, x4, [sp, #16]		/* guest x0, x1 */
	stp	x3, x4, [x2, #0]
	ldp	x3, x4, [sp, #0]		/* guest x2, x3 */
	stp	x3, x4, [x2, #16]
	add	sp, sp, #32
	mrs	x3, elr_el2
	mrs	x4, spsr_el2
	stp	x3, x4, [x2, #VCPU_REGS_PC]

	ldr	x3, [x1, #SWITCH_CTX_SP]
	mov	sp, x3
	ldp	x19, x20, [x1, #0]
	ldp	x21, x22, [x1, #16]
	ldp	x23, x24, [x1, #32]
	ldp	x25, x26, [x1, #48]
	ldp	x27, x28, [x1, #64]
	ldp	x29, x30, [x1, #80]
	ret
	.size guest_exit, . - guest_exit
