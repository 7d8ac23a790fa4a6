/*
 * Physical CPUs: their state and a mailbox through which the boot CPU asks
 * another CPU to run a job (or to turn itself off, for hotplug).
 */
#ifndef FAULTLINE_CPU_H
#define FAULTLINE_CPU_H

#include <stdatomic.h>

#include <faultline/platform.h>
#include <faultline/types.h>

/** Life cycle of a CPU. */
enum cpu_state {
	/** Never started, or turned off with PSCI CPU_OFF. */
	CPU_STATE_OFF = 0,
	/** CPU_ON issued; the CPU has not reached its runtime mappings yet. */
	CPU_STATE_BOOTING,
	/** Running at its runtime VA, serving jobs. */
	CPU_STATE_ONLINE,
	/** Asked to turn off; about to call CPU_OFF. */
	CPU_STATE_STOPPING,
};

/** A job run on another CPU: gets the argument, returns a result. */
typedef uint64_t (*cpu_job_fn)(uint64_t arg);

/** One physical CPU. */
struct cpu {
	/** Logical index; 0 is the CPU the hypervisor booted on. */
	unsigned index;
	/** MPIDR affinity fields, as in the device tree. */
	uint64_t mpidr;
	/** enum cpu_state. */
	_Atomic unsigned state;
	/** Times the CPU has completed the init (2 after one hotplug cycle). */
	_Atomic uint32_t boot_count;
	/** Posted job, or NULL; the target clears it when done. */
	_Atomic(cpu_job_fn) job;
	/** The job's argument, written before the job is posted. */
	uint64_t job_arg;
	/** The job's result, valid once the job has been cleared. */
	uint64_t job_result;
	/** Set (with the job) to ask the CPU to turn itself off instead. */
	_Atomic bool stop_requested;
};

/** Every CPU found in the device tree (up to PLATFORM_MAX_CPUS). */
extern struct cpu cpus[PLATFORM_MAX_CPUS];
/** Number of valid entries in cpus[]. */
extern unsigned ncpus;

#endif /* FAULTLINE_CPU_H */
