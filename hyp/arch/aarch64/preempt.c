/*
 * The preemption timer (preempt.h). Only the hypervisor uses CNTHP: guests
 * get the EL1 physical and virtual timers, so nothing else ever programs
 * it and it needs no save/restore across a world switch.
 */
#include <faultline/arch/cpu.h>
#include <faultline/console.h>
#include <faultline/err.h>
#include <faultline/platform.h>

#include "gicv3.h"
#include "preempt.h"
#include "sysreg.h"

/* CNTHP_CTL_EL2 (Arm ARM DDI 0487, "CNTHP_CTL_EL2"). */
#define CNTHP_CTL_ENABLE SYSREG_BIT(0)
#define CNTHP_CTL_IMASK SYSREG_BIT(1)

static bool preempt_cpu_ok[PLATFORM_MAX_CPUS];

int preempt_cpu_init(void)
{
	unsigned cpu = arch_cpu_index();
	int ret = 0;

	preempt_cpu_ok[cpu] = false;
	write_sysreg(CNTHP_CTL_IMASK, cnthp_ctl_el2);
	isb();
	/* The boot CPU runs this before any other CPU is started. */
	if (cpu == 0) {
		ret = gicv3_dist_init();
	}
	if (ret == 0) {
		ret = gicv3_cpu_init();
	}
	if (ret == 0) {
		ret = gicv3_ppi_enable(PREEMPT_TIMER_INTID, PREEMPT_TIMER_PRIO);
		if (ret != 0) {
			console_printf("faultline: preempt: cpu %u: enabling "
				       "INTID %u: %s\n",
				       cpu, PREEMPT_TIMER_INTID, err_name(ret));
		}
	}
	preempt_cpu_ok[cpu] = ret == 0;
	return ret;
}

bool preempt_ready(void)
{
	return preempt_cpu_ok[arch_cpu_index()];
}

bool preempt_arm(uint64_t deadline)
{
	uint64_t cval;

	if (!preempt_ready()) {
		return false;
	}
	if (__builtin_add_overflow(deadline, read_sysreg(cntvoff_el2), &cval)) {
		cval = UINT64_MAX;
	}
	write_sysreg(cval, cnthp_cval_el2);
	write_sysreg(CNTHP_CTL_ENABLE, cnthp_ctl_el2);
	/* Armed before the guest is entered, not at some later point. */
	isb();
	return true;
}

void preempt_mask(void)
{
	write_sysreg(CNTHP_CTL_ENABLE | CNTHP_CTL_IMASK, cnthp_ctl_el2);
	isb();
}

void preempt_disarm(void)
{
	write_sysreg(0, cnthp_ctl_el2);
	isb();
}
