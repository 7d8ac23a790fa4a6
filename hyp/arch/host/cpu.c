/* arch/cpu.h on the host: a thread-local CPU index, CLOCK_MONOTONIC. */
#include <sched.h>
#include <stdlib.h>
#include <time.h>

#include <faultline/arch/cpu.h>

#include "host_arch.h"

static _Thread_local unsigned host_cpu;

void host_set_cpu_index(unsigned index)
{
	host_cpu = index;
}

unsigned arch_cpu_index(void)
{
	return host_cpu;
}

uint64_t arch_counter_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * UINT64_C(1000000000) +
	       (uint64_t)ts.tv_nsec;
}

uint64_t arch_counter_freq(void)
{
	return UINT64_C(1000000000);
}

void arch_cpu_relax(void)
{
	sched_yield();
}

NORETURN void arch_exit(int status)
{
	exit(status);
}
