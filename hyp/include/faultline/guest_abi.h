/*
 * The contract between the hypervisor and the guest executor that runs at
 * EL1 in every VM (hyp/guest/): where things are in the guest's IPA space,
 * the program a vCPU runs, what it reports back, and the hypercalls.
 *
 * Included by the hypervisor, the executor (built freestanding) and the
 * harness, so it holds plain types and constants only.
 */
#ifndef FAULTLINE_GUEST_ABI_H
#define FAULTLINE_GUEST_ABI_H

#include <stdint.h>

/*
 * IPA layout of an ordinary VM. The executor is position independent and
 * finds everything through its control block (x0 at entry), so the host
 * stage-2 VM (an identity map) can run it at its physical address instead.
 */
/** IPA of the executor's code (read-only, executable). */
#define GUEST_CODE_IPA UINT64_C(0x10000000)
/** Most bytes of executor code. */
#define GUEST_CODE_MAX UINT64_C(0x10000)
/** IPA of vCPU 0's private area; vCPU i's is GUEST_PRIV_STRIDE further. */
#define GUEST_PRIV_IPA UINT64_C(0x10100000)
/** Bytes of one vCPU's private area. */
#define GUEST_PRIV_STRIDE UINT64_C(0x400000)
/** End of the IPAs reserved for the executor (16 vCPUs). */
#define GUEST_RESERVED_END (GUEST_PRIV_IPA + 16 * GUEST_PRIV_STRIDE)

/* Offsets inside a vCPU's private area. */
/** struct guest_ctl. */
#define GUEST_PRIV_CTL UINT64_C(0x0)
/** Top of the EL1 stack (16 KiB below it). */
#define GUEST_PRIV_STACK_TOP UINT64_C(0x5000)
/** One page for the guest's own stage-1 level-1 table (GUEST_OP_MMU_ON). */
#define GUEST_PRIV_PT UINT64_C(0x5000)
/** The program: struct guest_op[]. */
#define GUEST_PRIV_OPS UINT64_C(0x8000)
/** Most ops in a program. */
#define GUEST_OPS_MAX ((UINT64_C(0x40000) - GUEST_PRIV_OPS) / 32)
/** The results: struct guest_result[]. */
#define GUEST_PRIV_RESULTS UINT64_C(0x40000)
/** Most results a vCPU records. */
#define GUEST_RESULTS_MAX ((GUEST_PRIV_STRIDE - GUEST_PRIV_RESULTS) / 32)

/** What a guest program step does. */
enum guest_op_code {
	/** The end of the program: the vCPU reports it is done. */
	GUEST_OP_END = 0,
	/**
	 * @count 8-byte loads at @addr + n * @arg + i * @stride, where n is
	 * the iteration of the innermost enclosing loop (0 outside loops):
	 * @arg is the step the op takes from one iteration to the next.
	 */
	GUEST_OP_READ = 1,
	/** As READ, with stores (of the executor's progress counter). */
	GUEST_OP_WRITE = 2,
	/** As READ, with calls of the RET placed at each address. */
	GUEST_OP_EXEC = 3,
	/** Repeat the ops up to the matching LOOP_END @count times. */
	GUEST_OP_LOOP = 4,
	/** End of a loop. */
	GUEST_OP_LOOP_END = 5,
	/** Spin for @arg nanoseconds (of the generic timer). */
	GUEST_OP_DELAY = 6,
	/** Wait until every vCPU of the VM reaches a barrier (a hypercall). */
	GUEST_OP_BARRIER = 7,
	/** Build an identity stage 1 (once) and turn the MMU and caches on. */
	GUEST_OP_MMU_ON = 8,
	/** Turn the MMU and caches off. */
	GUEST_OP_MMU_OFF = 9,
	/** Clean and invalidate the data cache by set/way (DC CISW). */
	GUEST_OP_SET_WAY = 10,
	/** Hypercall @arg (enum guest_hvc) with argument @addr; TIMED times it. */
	GUEST_OP_HVC = 11,
	/**
	 * Misbehave on purpose: the trap @arg (enum guest_trap), which the
	 * hypervisor does not support. It stops the vCPU (unsupported_trap,
	 * with the ESR) and nothing else: the VM's other vCPUs go on.
	 */
	GUEST_OP_TRAP = 12,
};

/** The traps GUEST_OP_TRAP takes. */
enum guest_trap {
	/** SMC #0: trapped by HCR_EL2.TSC (EC 0x17). */
	GUEST_TRAP_SMC = 1,
	/** MRS PMCCNTR_EL0: trapped by MDCR_EL2.TPM (EC 0x18). */
	GUEST_TRAP_PMU = 2,
};

/** The ESR_EL2 of GUEST_TRAP_SMC: EC 0x17, IL, imm16 0. */
#define GUEST_TRAP_SMC_ESR UINT64_C(0x5e000000)
/**
 * The ESR_EL2 of GUEST_TRAP_PMU into x0: EC 0x18, IL, op0 3, op2 0, op1
 * 3, CRn 9, Rt 0, CRm 13, a read.
 */
#define GUEST_TRAP_PMU_ESR UINT64_C(0x6230e41b)

/** Op flags. */
enum guest_op_flags {
	/** Time each access of a READ/WRITE/EXEC (or the HVC) into the results. */
	GUEST_OP_TIMED = 1u << 0,
};

/** One step of a vCPU's program (32 bytes). */
struct guest_op {
	uint16_t code;
	uint16_t flags;
	uint32_t count;
	uint64_t addr;
	uint64_t stride;
	uint64_t arg;
};

/** One timed access (32 bytes). */
struct guest_result {
	/** Index of the op in the program. */
	uint32_t op;
	/** enum guest_op_code of the access (READ, WRITE, EXEC or HVC). */
	uint32_t code;
	uint64_t addr;
	/** Generic-timer count just before the access... */
	uint64_t t_start;
	/** ...and just after it (fault handling included). */
	uint64_t t_end;
};

/** Hypercalls (x0 = function, x1 = argument, result in x0). */
enum guest_hvc {
	/** Nothing: measures the trap round trip. */
	GUEST_HVC_NULL = 1,
	/** Wait for every vCPU of the VM (x1: barrier number). */
	GUEST_HVC_BARRIER = 2,
	/** Switch the VM's fault-handling policy (x1: enum policy id). */
	GUEST_HVC_POLICY = 3,
	/** Start dirty logging: write-protect the VM's memory. */
	GUEST_HVC_DIRTY_START = 4,
	/** Stop dirty logging. */
	GUEST_HVC_DIRTY_STOP = 5,
	/** Read and clear the dirty bitmap; returns the number of dirty pages. */
	GUEST_HVC_DIRTY_HARVEST = 6,
	/** The program finished. */
	GUEST_HVC_DONE = 7,
	/** The executor failed (x1: enum guest_fail). */
	GUEST_HVC_FAIL = 8,
};

/** Why the executor gave up. */
enum guest_fail {
	GUEST_FAIL_BAD_OP = 1,
	GUEST_FAIL_BAD_LOOP = 2,
	GUEST_FAIL_RESULTS_FULL = 3,
	GUEST_FAIL_EXCEPTION = 4,
};

/** The magic of a control block. */
#define GUEST_CTL_MAGIC UINT64_C(0x4c54434c4c554146) /* "FAULLCTL" */

/** A vCPU's control block, at the start of its private area. */
struct guest_ctl {
	uint64_t magic;
	/** The vCPU's index in its VM. */
	uint32_t vcpu;
	/** Ops in the program. */
	uint32_t nops;
	/** IPA (or PA for the host VM) of the program. */
	uint64_t ops;
	/** IPA of the results and how many fit. */
	uint64_t results;
	uint32_t results_max;
	/** Results written (by the guest). */
	uint32_t nresults;
	/** IPA of the page for the stage-1 table. */
	uint64_t pt;
	/** IPA of the top of the stack. */
	uint64_t stack_top;
	/** Synchronous external aborts the guest received (by the guest). */
	uint32_t aborts;
	uint32_t reserved;
	/** FAR_EL1 of the last abort (by the guest). */
	uint64_t last_abort_far;
	/** Ops executed (by the guest): a progress counter. */
	uint64_t progress;
};

#endif /* FAULTLINE_GUEST_ABI_H */
