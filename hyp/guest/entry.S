/*
 * The guest executor's entry and EL1 vectors. Position independent: it
 * runs at GUEST_CODE_IPA in ordinary VMs and at its physical address in
 * the host stage-2 VM, so everything is PC-relative or comes from the
 * control block, whose address arrives in x0.
 */
#define GUEST_HVC_FAIL 8
#define GUEST_FAIL_EXCEPTION 4
/* struct guest_ctl offsets (checked in executor.c). */
#define CTL_STACK_TOP 48

	.section .text.entry, "ax"
	.global guest_entry
guest_entry:
	ldr	x1, [x0, #CTL_STACK_TOP]
	mov	sp, x1
	msr	tpidr_el1, x0		/* the control block, for the vectors */
	adr	x1, guest_vectors
	msr	vbar_el1, x1
	isb
	bl	guest_main
	/* guest_main does not return; if it does, say so and stop here. */
	mov	x0, #GUEST_HVC_FAIL
	mov	x1, #GUEST_FAIL_EXCEPTION
1:	hvc	#0
	b	1b

/* Saves the registers a C handler may clobber, calls it, restores them. */
.macro vector_call handler
	.balign 128
	sub	sp, sp, #(18 * 8)
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	b	\handler\()_tramp
.endm

	.balign 2048
guest_vectors:
	.rept 4
	.balign 128
	b	guest_unexpected
	.endr
	vector_call guest_sync		/* current EL, SP_ELx: synchronous */
	.rept 11
	.balign 128
	b	guest_unexpected
	.endr

guest_sync_tramp:
	str	x30, [sp, #-16]!
	mrs	x0, tpidr_el1
	mov	x1, sp			/* where x30 is saved */
	bl	guest_sync_exception
	ldr	x30, [sp], #16
	ldp	x16, x17, [sp, #128]
	ldp	x14, x15, [sp, #112]
	ldp	x12, x13, [sp, #96]
	ldp	x10, x11, [sp, #80]
	ldp	x8, x9, [sp, #64]
	ldp	x6, x7, [sp, #48]
	ldp	x4, x5, [sp, #32]
	ldp	x2, x3, [sp, #16]
	ldp	x0, x1, [sp, #0]
	add	sp, sp, #(18 * 8)
	eret

guest_unexpected:
	mov	x0, #GUEST_HVC_FAIL
	mov	x1, #GUEST_FAIL_EXCEPTION
1:	hvc	#0
	b	1b
