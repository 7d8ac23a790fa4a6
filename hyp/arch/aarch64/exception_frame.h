/*
 * The register state saved by the EL2 vectors. Offsets are for vectors.S;
 * exception.c checks them with _Static_assert.
 */
#ifndef FAULTLINE_AARCH64_EXCEPTION_FRAME_H
#define FAULTLINE_AARCH64_EXCEPTION_FRAME_H

/* Vector kinds: the entry's index in the vector table. */
#define EXC_CUR_SP0_SYNC 0
#define EXC_CUR_SP0_IRQ 1
#define EXC_CUR_SP0_FIQ 2
#define EXC_CUR_SP0_SERROR 3
#define EXC_CUR_SPX_SYNC 4
#define EXC_CUR_SPX_IRQ 5
#define EXC_CUR_SPX_FIQ 6
#define EXC_CUR_SPX_SERROR 7
#define EXC_LOW64_SYNC 8
#define EXC_LOW64_IRQ 9
#define EXC_LOW64_FIQ 10
#define EXC_LOW64_SERROR 11
#define EXC_LOW32_SYNC 12
#define EXC_LOW32_IRQ 13
#define EXC_LOW32_FIQ 14
#define EXC_LOW32_SERROR 15

#define EXC_FRAME_X30 240
#define EXC_FRAME_ELR 256
#define EXC_FRAME_ESR 272
#define EXC_FRAME_KIND 288
#define EXC_FRAME_SIZE 304

#ifndef __ASSEMBLER__
#include <faultline/types.h>

/** Registers at the time of an exception taken to EL2. */
struct exc_frame {
	uint64_t x[31];
	/** SP before the exception (the frame sits just below it). */
	uint64_t sp;
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
	/** EXC_* vector kind. */
	uint64_t kind;
	uint64_t hpfar;
};

/** Handles an exception taken to EL2; called by the vectors. */
void exception_handle(struct exc_frame *frame);
#endif

#endif /* FAULTLINE_AARCH64_EXCEPTION_FRAME_H */
