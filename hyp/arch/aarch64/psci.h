/*
 * PSCI calls through the `smc` conduit (Arm DEN 0022, "Arm Power State
 * Coordination Interface"). `hvc` is not usable from EL2: it would trap to
 * the hypervisor itself.
 */
#ifndef FAULTLINE_AARCH64_PSCI_H
#define FAULTLINE_AARCH64_PSCI_H

#include <faultline/types.h>

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0xc4000003u
#define PSCI_AFFINITY_INFO 0xc4000004u

#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED (-3)
#define PSCI_ALREADY_ON (-4)
#define PSCI_ON_PENDING (-5)
#define PSCI_INTERNAL_FAILURE (-6)

/** AFFINITY_INFO results. */
#define PSCI_AFF_ON 0
#define PSCI_AFF_OFF 1
#define PSCI_AFF_ON_PENDING 2

/** Issues PSCI function @fn with three arguments; returns x0. */
int64_t psci_call(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3);

/** A name for a PSCI return code, for messages. */
const char *psci_err_name(int64_t ret);

#endif /* FAULTLINE_AARCH64_PSCI_H */
