/*
 * arch/smp.h on the host: a CPU is a thread. CPU_ON creates a thread that
 * runs the same arrival and job loop as a secondary at EL2; CPU_OFF ends
 * the thread, and the CPU is off once the thread has exited and been
 * joined (arch_cpu_is_off() joins it).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include <faultline/arch/cpu.h>
#include <faultline/arch/smp.h>
#include <faultline/check.h>
#include <faultline/cpu.h>
#include <faultline/err.h>
#include <faultline/smp.h>

#include "host_arch.h"

static pthread_t host_threads[PLATFORM_MAX_CPUS];
/* 0 off, 1 running (or started), 2 exited, 3 being joined. */
static _Atomic int host_thread_state[PLATFORM_MAX_CPUS];

static void *host_cpu_main(void *arg)
{
	unsigned index = (unsigned)(uintptr_t)arg;

	host_set_cpu_index(index);
	smp_cpu_arrived(&cpus[index]);
	smp_secondary_loop(&cpus[index]);
}

int arch_cpu_start(unsigned index)
{
	int expected = 0;

	if (index >= PLATFORM_MAX_CPUS) {
		return -ERR_INVAL;
	}
	arch_cpu_is_off(index);
	if (!atomic_compare_exchange_strong(&host_thread_state[index],
					    &expected, 1)) {
		return -ERR_EXIST;
	}
	if (pthread_create(&host_threads[index], NULL, host_cpu_main,
			   (void *)(uintptr_t)index) != 0) {
		atomic_store(&host_thread_state[index], 0);
		return -ERR_NOMEM;
	}
	return 0;
}

NORETURN void arch_cpu_stop_self(void)
{
	atomic_store(&host_thread_state[arch_cpu_index()], 2);
	pthread_exit(NULL);
}

int arch_cpu_is_off(unsigned index)
{
	int exited = 2;

	if (index >= PLATFORM_MAX_CPUS) {
		return -ERR_INVAL;
	}
	/* Join an exited thread once, so no thread is leaked. */
	if (atomic_compare_exchange_strong(&host_thread_state[index], &exited,
					   3)) {
		pthread_join(host_threads[index], NULL);
		atomic_store(&host_thread_state[index], 0);
	}
	return atomic_load(&host_thread_state[index]) == 0;
}

void arch_cpu_wait_event(void)
{
	sched_yield();
}

void arch_cpu_send_event(void)
{
}
