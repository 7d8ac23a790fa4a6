/* arch/smp.h at EL2: PSCI CPU_ON / CPU_OFF / AFFINITY_INFO. */
#include <faultline/arch/smp.h>
#include <faultline/check.h>
#include <faultline/cpu.h>
#include <faultline/err.h>
#include <faultline/hyp_layout.h>

#include "gicv3.h"
#include "hyp_state.h"
#include "psci.h"

int arch_cpu_start(unsigned index)
{
	uint64_t params_pa =
		(uint64_t)(uintptr_t)&hyp_boot_params[index] - HYP_VA_OFFSET;
	int64_t ret = psci_call(PSCI_CPU_ON, cpus[index].mpidr,
				pa_addr(hyp_mm.init_entry), params_pa);

	switch (ret) {
	case PSCI_SUCCESS:
		return 0;
	case PSCI_ALREADY_ON:
	case PSCI_ON_PENDING:
		return -ERR_EXIST;
	case PSCI_INVALID_PARAMETERS:
		return -ERR_INVAL;
	default:
		return -ERR_IO;
	}
}

NORETURN void arch_cpu_stop_self(void)
{
	int64_t ret;

	/* Its redistributor must know the CPU is going (IHI 0069). */
	gicv3_cpu_sleep();
	ret = psci_call(PSCI_CPU_OFF, 0, 0, 0);

	panic("PSCI CPU_OFF returned %lld (%s)", (long long)ret,
	      psci_err_name(ret));
}

int arch_cpu_is_off(unsigned index)
{
	int64_t ret = psci_call(PSCI_AFFINITY_INFO, cpus[index].mpidr, 0, 0);

	if (ret == PSCI_AFF_OFF) {
		return 1;
	}
	if (ret == PSCI_AFF_ON || ret == PSCI_AFF_ON_PENDING) {
		return 0;
	}
	return -ERR_IO;
}

void arch_cpu_wait_event(void)
{
	__asm__ volatile("wfe" : : : "memory");
}

void arch_cpu_send_event(void)
{
	/* Make the mailbox stores visible before waking the waiters. */
	__asm__ volatile("dsb ish\n\tsev" : : : "memory");
}
