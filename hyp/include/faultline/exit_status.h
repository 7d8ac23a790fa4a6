/*
 * Exit statuses of a run at EL2. The hypervisor ends every run through
 * semihosting SYS_EXIT with one of these, and QEMU exits with it, so the
 * harness reads the hypervisor's verdict from QEMU's exit status. QEMU
 * itself exits with 1 when it fails (a bad option, a missing file), so 1
 * is never a hypervisor verdict.
 */
#ifndef FAULTLINE_EXIT_STATUS_H
#define FAULTLINE_EXIT_STATUS_H

/** How a run at EL2 ended. */
enum hyp_exit {
	/** The run did what it was asked. */
	HYP_EXIT_OK = 0,
	/** The boot arguments were malformed (the console names the word). */
	HYP_EXIT_BAD_ARGS = 2,
	/** An unexpected exception or a panic; a report is on the console. */
	HYP_EXIT_CRASH = 3,
	/** No usable DTB, not at EL2, or a CPU that did not come up. */
	HYP_EXIT_BOOT_FAILED = 4,
	/** mode=test ran and some EL2 unit test failed. */
	HYP_EXIT_TESTS_FAILED = 5,
	/**
	 * mode=plan: a vCPU stopped for another reason than finishing its
	 * program (the guest failed, an unsupported trap, out of memory).
	 */
	HYP_EXIT_VCPU_FAILED = 6,
	/** mode=plan: vCPUs were still running at the plan's deadline. */
	HYP_EXIT_DEADLINE = 7,
	/** mode=plan: a vCPU was livelocked (livelock.h); its VM stopped. */
	HYP_EXIT_LIVELOCK = 8,
};

#endif /* FAULTLINE_EXIT_STATUS_H */
