/*
 * Arm semihosting from EL2 (`hlt #0xf000`, "Semihosting for AArch32 and
 * AArch64", Arm IHI 0069): files on the host and the run's exit status.
 */
#ifndef FAULTLINE_AARCH64_SEMIHOSTING_H
#define FAULTLINE_AARCH64_SEMIHOSTING_H

#include <faultline/types.h>

/**
 * Ends the run: SYS_EXIT with ADP_Stopped_ApplicationExit and @status,
 * which QEMU turns into its own exit status. Safe with the MMU off.
 */
NORETURN void semihosting_exit(int status);

#endif /* FAULTLINE_AARCH64_SEMIHOSTING_H */
