/* arch/cpu.h at EL2. */
#include <faultline/arch/cpu.h>

#include "semihosting.h"
#include "sysreg.h"

unsigned arch_cpu_index(void)
{
	/* init.S puts the logical index in TPIDR_EL2; head.S zeroes it. */
	return (unsigned)read_sysreg(tpidr_el2);
}

uint64_t arch_counter_now(void)
{
	/* The ISB keeps the read from being taken early (Arm ARM D12.1.2). */
	isb();
	return read_sysreg(cntvct_el0);
}

uint64_t arch_counter_freq(void)
{
	return read_sysreg(cntfrq_el0);
}

void arch_cpu_relax(void)
{
	__asm__ volatile("yield" : : : "memory");
}

NORETURN void arch_exit(int status)
{
	semihosting_exit(status);
}
