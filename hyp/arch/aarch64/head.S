/*
 * The image's entry point, for the boot CPU only: QEMU starts it at EL2
 * with the MMU off at the image's physical address. It prepares a C
 * environment at physical addresses (boot stack, clean .bss), lets
 * boot_early() read the device tree and build the page tables, then enters
 * the dual-step init like every other CPU.
 */
#include "sysreg.h"

	.section .text.head, "ax"
	.global _start
	.type _start, %function
_start:
	mov	x19, x0			/* a DTB pointer, if the loader gave one */
	msr	daifset, #DAIF_ALL
	mrs	x0, CurrentEL
	cmp	x0, #(2 << 2)
	b.ne	wrong_el

	mov	x1, #HCR_EL2_RW
	msr	hcr_el2, x1
	ldr	x1, =SCTLR_EL2_MMU_OFF
	msr	sctlr_el2, x1
	msr	tpidr_el2, xzr
	isb

	/* Early exceptions are reported too: vectors at their PA for now. */
	adr	x1, hyp_vectors
	msr	vbar_el2, x1

	/*
	 * .data and .bss are about to be written with the MMU off, which
	 * bypasses the caches: discard any line that could later be written
	 * back over them. CTR_EL0.DminLine gives the smallest D-cache line.
	 */
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4
	mov	x2, #4
	lsl	x2, x2, x3
	adrp	x0, __data_start
	add	x0, x0, :lo12:__data_start
	adrp	x1, __image_end
	add	x1, x1, :lo12:__image_end
	sub	x3, x2, #1
	bic	x0, x0, x3
1:	dc	ivac, x0
	add	x0, x0, x2
	cmp	x0, x1
	b.lo	1b
	dsb	sy

	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
2:	stp	xzr, xzr, [x0], #16
	cmp	x0, x1
	b.lo	2b

	adrp	x0, boot_stack_top
	add	x0, x0, :lo12:boot_stack_top
	mov	sp, x0
	mov	x0, x19
	bl	boot_early
	/* boot_early returned {x0 = boot params PA, x1 = init entry PA}. */
	br	x1

wrong_el:
	/* Not at EL2: nothing else can be trusted; halt via semihosting. */
	adr	x1, wrong_el_exit
	mov	x0, #0x18
	hlt	#0xf000
	b	.
	.size _start, . - _start

	.balign 8
wrong_el_exit:
	.quad	0x20026		/* ADP_Stopped_ApplicationExit */
	.quad	4		/* exit status: boot failure */

	.section .bss.boot_stack, "aw", %nobits
	.balign 16
boot_stack:
	.space	8192
boot_stack_top:
