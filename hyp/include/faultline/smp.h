/*
 * Bringing CPUs up and down and running jobs on them. The boot CPU drives;
 * every other CPU sits in smp_secondary_loop() between jobs. Every wait is
 * bounded: a CPU that does not answer gives -ERR_TIMEDOUT, not a hang.
 */
#ifndef FAULTLINE_SMP_H
#define FAULTLINE_SMP_H

#include <faultline/cpu.h>
#include <faultline/types.h>

/**
 * Records that the calling CPU finished its init: bumps its boot count,
 * emits cpu_up and marks it online. Returns the new boot count.
 */
uint32_t smp_cpu_arrived(struct cpu *self);

/**
 * Starts CPU @index, which must be off, and waits up to @timeout_ns for it
 * to come online. Returns 0, -ERR_EXIST when it is not off (it is left as
 * it is), -ERR_TIMEDOUT, or the error of arch_cpu_start().
 */
int smp_start_cpu(unsigned index, uint64_t timeout_ns);

/**
 * Runs @fn(@arg) on online CPU @index and waits up to @timeout_ns for it.
 * Returns 0 with the result in *@result, -ERR_TIMEDOUT, -ERR_INVAL if the
 * CPU is not online, or -ERR_AGAIN while an earlier job that timed out is
 * still running there (its result is never handed to a later caller).
 */
int smp_run_on(unsigned index, cpu_job_fn fn, uint64_t arg, uint64_t *result,
	       uint64_t timeout_ns);

/**
 * Posts @fn(@arg) to online CPU @index without waiting, so several CPUs
 * can be started on jobs at once; collect each with smp_collect(). Returns
 * 0, -ERR_INVAL if the CPU is not online or is the caller, or -ERR_AGAIN
 * while a previous job still runs there.
 */
int smp_post(unsigned index, cpu_job_fn fn, uint64_t arg);

/**
 * Waits up to @timeout_ns for the job posted to CPU @index to finish and
 * returns its result in *@result. Returns 0 or -ERR_TIMEDOUT (the job is
 * still running; collect it again later).
 */
int smp_collect(unsigned index, uint64_t *result, uint64_t timeout_ns);

/**
 * Asks online CPU @index to turn itself off and waits up to @timeout_ns
 * until the firmware reports it off, then marks it CPU_STATE_OFF. Returns
 * 0, -ERR_INVAL when it is not online, or -ERR_TIMEDOUT.
 */
int smp_stop_cpu(unsigned index, uint64_t timeout_ns);

/** Serves jobs on a secondary CPU until asked to stop. Does not return. */
NORETURN void smp_secondary_loop(struct cpu *self);

#endif /* FAULTLINE_SMP_H */
