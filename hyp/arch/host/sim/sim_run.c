/*
 * Running a sim: one host thread per vCPU, started as the hypervisor's
 * pCPUs are; the main thread drains the trace while they run (run_plan.c's
 * run_wait()) and is the watchdog: a vCPU still running well after the
 * deadline is reported and left behind, so a run never hangs. Then the
 * hypervisor's report, one line per vCPU, and its exit status.
 */
#include <time.h>

#include <faultline/arch/cpu.h>
#include <faultline/console.h>
#include <faultline/exit_status.h>
#include <faultline/livelock.h>
#include <faultline/time.h>
#include <faultline/trace/ring.h>
#include <faultline/vm_build.h>

#include "sim.h"

/* How long the main thread sleeps between two drains of the rings. */
#define SIM_DRAIN_PERIOD_NS 500000L

static void *sim_thread(void *arg)
{
	struct sim_vcpu *sv = arg;

	sim_vcpu_run(sv);
	atomic_store_explicit(&sv->finished, true, memory_order_release);
	return NULL;
}

/* Moves what the rings hold into the trace file. */
static void sim_drain(struct sim *s)
{
	if (s->trace_open && trace_writer_drain(&s->trace) != 0) {
		console_printf("faultline: warning: trace write failed\n");
	}
}

/* @a + @b, saturated: the plan's timeout is not bounded by its checks. */
static uint64_t sim_add_sat(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* The deadline of a run starting now, from the plan's timeout. */
static uint64_t sim_deadline(const struct sim *s)
{
	uint64_t ms = s->plan.h->timeout_ms;
	uint64_t ns = ms > UINT64_MAX / 1000000 ? UINT64_MAX : ms * 1000000;

	return sim_add_sat(arch_counter_now(),
			   time_ns_to_ticks(ns, arch_counter_freq()));
}

/*
 * Starts vCPU @sv's thread. If that fails, the vCPU is stopped as the
 * hypervisor stops one whose pCPU does not answer: no thread emits on
 * this CPU's ring yet (pCPU 0's vCPU is started last).
 */
static void sim_start(struct sim_vcpu *sv)
{
	if (pthread_create(&sv->thread, NULL, sim_thread, sv) == 0) {
		sv->started = true;
		return;
	}
	vcpu_stop(sv->v, TRACE_VCPU_STOP_VM_STOPPED, 0);
	atomic_store_explicit(&sv->finished, true, memory_order_release);
}

/* True once every started thread has finished. */
static bool sim_all_finished(struct sim *s)
{
	for (unsigned i = 0; i < s->nvcpus; i++) {
		if (!atomic_load_explicit(&s->vcpus[i].finished,
					  memory_order_acquire)) {
			return false;
		}
	}
	return true;
}

/* Waits for the threads, draining; returns false if some are stuck. */
static bool sim_wait(struct sim *s)
{
	uint64_t limit =
		sim_add_sat(s->deadline, time_ns_to_ticks(SIM_GRACE_NS,
							  arch_counter_freq()));
	const struct timespec period = {0, SIM_DRAIN_PERIOD_NS};
	bool all;

	while (!(all = sim_all_finished(s))) {
		sim_drain(s);
		if (arch_counter_now() > limit) {
			break;
		}
		nanosleep(&period, NULL);
	}
	for (unsigned i = 0; i < s->nvcpus; i++) {
		struct sim_vcpu *sv = &s->vcpus[i];

		if (!sv->started) {
			continue;
		}
		if (atomic_load_explicit(&sv->finished, memory_order_acquire)) {
			pthread_join(sv->thread, NULL);
			sv->started = false;
			continue;
		}
		/* Left behind: the process ends without it. */
		s->stuck++;
		console_printf("faultline: vm %u vcpu %u on cpu %u still "
			       "running after the deadline\n",
			       sv->v->vm->index, sv->v->index, sv->v->pcpu);
	}
	sim_drain(s);
	return all;
}

/*
 * One repetition, as run_plan.c's run_rep(): the VMs built afresh, every
 * vCPU run to its end or the deadline, the report, the status.
 */
static int sim_rep(struct sim *s, uint32_t rep)
{
	bool warmup = rep < s->plan.h->warmup;
	uint32_t total = s->plan.h->warmup + s->plan.h->reps;
	char err[256];
	int status;

	trace_rep(rep, warmup, TRACE_REP_PHASE_BEGIN);
	status = sim_build(s, err, sizeof(err));
	if (status != HYP_EXIT_OK) {
		return status;
	}
	if (s->opt.verbose && total > 1) {
		console_printf("faultline: repetition %u of %u%s\n", rep + 1,
			       total, warmup ? " (warm-up)" : "");
	}
	s->deadline = sim_deadline(s);
	for (unsigned i = 0; i < s->nvcpus; i++) {
		if (s->vcpus[i].v->pcpu != 0) {
			sim_start(&s->vcpus[i]);
		}
	}
	for (unsigned i = 0; i < s->nvcpus; i++) {
		if (s->vcpus[i].v->pcpu == 0) {
			sim_start(&s->vcpus[i]);
		}
	}
	status = sim_wait(s) ? HYP_EXIT_OK : HYP_EXIT_DEADLINE;
	if (s->opt.verbose) {
		vm_report_vcpus();
	}
	if (status == HYP_EXIT_OK) {
		status = vm_run_status();
	}
	trace_rep(rep, warmup, TRACE_REP_PHASE_END);
	return status;
}

int sim_run(struct sim *s)
{
	uint32_t total = s->plan.h->warmup + s->plan.h->reps;
	int status = HYP_EXIT_OK;

	/* vCPU threads print their stop reports: whole lines. */
	console_enable_locking();
	livelock_set_threshold(s->plan.h->livelock_faults);
	for (uint32_t rep = 0; status == HYP_EXIT_OK && rep < total; rep++) {
		status = sim_rep(s, rep);
	}
	return status;
}

int sim_finish(struct sim *s, int status)
{
	const char *verdict = status == HYP_EXIT_OK ? "ok" : "failed";

	if (!s->trace_open && status == HYP_EXIT_BOOT_FAILED) {
		/* As the hypervisor says when it cannot create the trace. */
		verdict = "no trace file";
	}
	if (s->trace_open) {
		int ret = trace_writer_close(&s->trace);

		s->trace_open = false;
		s->events = s->trace.total_events;
		s->lost = 0;
		for (unsigned i = 0; i < s->trace.header.ncpus; i++) {
			s->lost += s->trace.header.lost[i];
		}
		if (s->opt.verbose) {
			console_printf("faultline: trace: %llu events written "
				       "to %s, %llu lost%s\n",
				       (unsigned long long)s->events,
				       s->opt.trace_path,
				       (unsigned long long)s->lost,
				       ret == 0 ? "" : " (write failed)");
		}
	}
	if (s->opt.verbose) {
		console_printf("faultline: run ended: %s (exit status %d)\n",
			       verdict, status);
	}
	return status;
}
