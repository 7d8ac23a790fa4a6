/*
 * CPU bring-up, jobs and hotplug, over the arch's CPU_ON/CPU_OFF. The boot
 * CPU posts a job with a release store; the target reads it with an
 * acquire load, runs it, stores the result and clears the job with a
 * release store that the boot CPU's acquire load pairs with.
 */
#include <faultline/arch/cpu.h>
#include <faultline/arch/smp.h>
#include <faultline/err.h>
#include <faultline/smp.h>
#include <faultline/time.h>
#include <faultline/trace/ring.h>

struct cpu cpus[PLATFORM_MAX_CPUS];
unsigned ncpus;

/* Spins until @done(@index) or @timeout_ns pass; true when done. */
static bool smp_wait(bool (*done)(unsigned), unsigned index,
		     uint64_t timeout_ns)
{
	uint64_t freq = arch_counter_freq();
	uint64_t start = arch_counter_now();

	while (!done(index)) {
		if (time_ticks_to_ns(arch_counter_now() - start, freq) >
		    timeout_ns) {
			return done(index);
		}
		arch_cpu_relax();
	}
	return true;
}

uint32_t smp_cpu_arrived(struct cpu *self)
{
	uint32_t n = atomic_fetch_add_explicit(&self->boot_count, 1,
					       memory_order_relaxed) +
		     1;

	trace_cpu_up(self->mpidr, n);
	atomic_store_explicit(&self->state, CPU_STATE_ONLINE,
			      memory_order_release);
	return n;
}

static bool smp_is_online(unsigned index)
{
	return atomic_load_explicit(&cpus[index].state, memory_order_acquire) ==
	       CPU_STATE_ONLINE;
}

int smp_start_cpu(unsigned index, uint64_t timeout_ns)
{
	unsigned expected;
	int ret;

	if (index >= ncpus || index == 0) {
		return -ERR_INVAL;
	}
	/* Only a CPU we know to be off may be started; leave others alone. */
	expected = CPU_STATE_OFF;
	if (!atomic_compare_exchange_strong_explicit(
		    &cpus[index].state, &expected, CPU_STATE_BOOTING,
		    memory_order_acq_rel, memory_order_acquire)) {
		return -ERR_EXIST;
	}
	ret = arch_cpu_start(index);
	if (ret != 0) {
		atomic_store_explicit(&cpus[index].state, CPU_STATE_OFF,
				      memory_order_relaxed);
		return ret;
	}
	return smp_wait(smp_is_online, index, timeout_ns) ? 0 : -ERR_TIMEDOUT;
}

static bool smp_job_done(unsigned index)
{
	return atomic_load_explicit(&cpus[index].job, memory_order_acquire) ==
	       NULL;
}

int smp_post(unsigned index, cpu_job_fn fn, uint64_t arg)
{
	struct cpu *c;

	if (index >= ncpus || !smp_is_online(index) || fn == NULL ||
	    index == arch_cpu_index()) {
		return -ERR_INVAL;
	}
	c = &cpus[index];
	/*
	 * A job that timed out may still be running: posting now would hand
	 * its result to this caller. Refuse until the CPU is free again.
	 */
	if (atomic_load_explicit(&c->job, memory_order_acquire) != NULL) {
		return -ERR_AGAIN;
	}
	c->job_arg = arg;
	atomic_store_explicit(&c->job, fn, memory_order_release);
	arch_cpu_send_event();
	return 0;
}

int smp_collect(unsigned index, uint64_t *result, uint64_t timeout_ns)
{
	if (!smp_wait(smp_job_done, index, timeout_ns)) {
		return -ERR_TIMEDOUT;
	}
	*result = cpus[index].job_result;
	return 0;
}

int smp_run_on(unsigned index, cpu_job_fn fn, uint64_t arg, uint64_t *result,
	       uint64_t timeout_ns)
{
	int ret;

	if (index < ncpus && index == arch_cpu_index() && fn != NULL &&
	    smp_is_online(index)) {
		*result = fn(arg);
		return 0;
	}
	ret = smp_post(index, fn, arg);
	return ret == 0 ? smp_collect(index, result, timeout_ns) : ret;
}

static bool smp_is_off(unsigned index)
{
	return arch_cpu_is_off(index) == 1;
}

int smp_stop_cpu(unsigned index, uint64_t timeout_ns)
{
	if (index == 0 || index >= ncpus || !smp_is_online(index)) {
		return -ERR_INVAL;
	}
	atomic_store_explicit(&cpus[index].stop_requested, true,
			      memory_order_release);
	arch_cpu_send_event();
	if (!smp_wait(smp_is_off, index, timeout_ns)) {
		return -ERR_TIMEDOUT;
	}
	atomic_store_explicit(&cpus[index].state, CPU_STATE_OFF,
			      memory_order_release);
	return 0;
}

NORETURN void smp_secondary_loop(struct cpu *self)
{
	for (;;) {
		cpu_job_fn fn;

		if (atomic_load_explicit(&self->stop_requested,
					 memory_order_acquire)) {
			atomic_store_explicit(&self->stop_requested, false,
					      memory_order_relaxed);
			atomic_store_explicit(&self->state, CPU_STATE_STOPPING,
					      memory_order_release);
			trace_cpu_off(
				self->mpidr,
				atomic_load_explicit(&self->boot_count,
						     memory_order_relaxed));
			arch_cpu_stop_self();
		}
		fn = atomic_load_explicit(&self->job, memory_order_acquire);
		if (fn != NULL) {
			self->job_result = fn(self->job_arg);
			atomic_store_explicit(&self->job, NULL,
					      memory_order_release);
			arch_cpu_send_event();
			continue;
		}
		arch_cpu_wait_event();
	}
}
