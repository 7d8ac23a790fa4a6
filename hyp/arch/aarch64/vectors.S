/*
 * EL2 exception vectors (Arm ARM D1.10.2 "Exception vectors"). Every entry
 * saves the full register state in a struct exc_frame on the current stack
 * and calls exception_handle() with the vector's kind: every exception of
 * the hypervisor itself is unexpected. Exceptions from guests (lower ELs)
 * leave through guest_exit instead (switch.S) and are handled as exits.
 */
#include "exception_frame.h"

.macro vector kind
	.balign 128
	sub	sp, sp, #EXC_FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\kind
	b	exception_common
.endm

/* An exception from a guest: leave it through guest_exit (switch.S). */
.macro guest_vector kind
	.balign 128
	stp	x0, x1, [sp, #-16]!
	stp	x2, x3, [sp, #-16]!
	mov	x0, #\kind
	b	guest_exit
.endm

	.section .text.vectors, "ax"
	.balign 2048
	.global hyp_vectors
hyp_vectors:
	vector	EXC_CUR_SP0_SYNC
	vector	EXC_CUR_SP0_IRQ
	vector	EXC_CUR_SP0_FIQ
	vector	EXC_CUR_SP0_SERROR
	vector	EXC_CUR_SPX_SYNC
	vector	EXC_CUR_SPX_IRQ
	vector	EXC_CUR_SPX_FIQ
	vector	EXC_CUR_SPX_SERROR
	guest_vector	EXC_LOW64_SYNC
	guest_vector	EXC_LOW64_IRQ
	guest_vector	EXC_LOW64_FIQ
	guest_vector	EXC_LOW64_SERROR
	guest_vector	EXC_LOW32_SYNC
	guest_vector	EXC_LOW32_IRQ
	guest_vector	EXC_LOW32_FIQ
	guest_vector	EXC_LOW32_SERROR

exception_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	add	x1, sp, #EXC_FRAME_SIZE
	stp	x30, x1, [sp, #EXC_FRAME_X30]
	mrs	x1, elr_el2
	mrs	x2, spsr_el2
	stp	x1, x2, [sp, #EXC_FRAME_ELR]
	mrs	x1, esr_el2
	mrs	x2, far_el2
	stp	x1, x2, [sp, #EXC_FRAME_ESR]
	mrs	x1, hpfar_el2
	stp	x0, x1, [sp, #EXC_FRAME_KIND]
	mov	x0, sp
	bl	exception_handle
	/* exception_handle() does not return for unexpected exceptions. */
	b	.
