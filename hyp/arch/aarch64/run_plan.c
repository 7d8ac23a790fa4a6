/*
 * mode=plan: read a run plan from the host, build its VMs, run every vCPU
 * on its pCPU (the boot CPU included), and report. The boot CPU drains the
 * trace rings while the others run, and the plan's deadline bounds every
 * wait: a vCPU still running at the deadline is reported, not waited for.
 */
#include <faultline/arch/cpu.h>
#include <faultline/arch/hostio.h>
#include <faultline/arch/mem.h>
#include <faultline/console.h>
#include <faultline/err.h>
#include <faultline/exit_status.h>
#include <faultline/hyp_layout.h>
#include <faultline/livelock.h>
#include <faultline/plan.h>
#include <faultline/smp.h>
#include <faultline/time.h>
#include <faultline/trace/ring.h>
#include <faultline/vm_build.h>

#include "exits.h"
#include "hyp_main.h"
#include "plan_run.h"
#include "plat.h"
#include "switch.h"

/* Largest trace ring per CPU for a run: 16 MiB. */
#define RUN_RING_MAX (UINT32_C(1) << 18)
/* Time the boot CPU gives the others after the deadline to stop. */
#define RUN_GRACE_NS UINT64_C(2000000000)
/* Guest-access events emitted between two drains. */
#define RUN_RESULT_BATCH 16384

extern char __image_start[], __image_end[];

static struct ram run_ram;
static uint64_t run_deadline;

static int run_fail(int status, const char *fmt, ...) PRINTF_LIKE(2, 3);

static int run_fail(int status, const char *fmt, ...)
{
	va_list ap;

	console_printf("faultline: plan: ");
	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
	console_printf("\n");
	return status;
}

/* RAM the hypervisor does not use itself: all of it but DTB and image. */
static int run_ram_init(void)
{
	uint64_t img = (uint64_t)(uintptr_t)__image_start - HYP_VA_OFFSET;
	uint64_t img_end = (uint64_t)(uintptr_t)__image_end - HYP_VA_OFFSET;
	int ret;

	ram_init(&run_ram, hyp_platform.mem, hyp_platform.nmem);
	ret = ram_reserve(&run_ram, PLAT_DTB_PA, PLAT_DTB_MAX);
	if (ret == 0) {
		ret = ram_reserve(&run_ram, img, img_end - img);
	}
	return ret;
}

/* Reads the plan file into RAM and validates it. */
static int run_load(struct plan *p)
{
	char err[200];
	paddr_t pa;
	int64_t size;
	void *buf;
	int fd = arch_hostio_open_read(hyp_options.plan_path);
	int ret;

	if (fd < 0) {
		return run_fail(HYP_EXIT_BAD_ARGS, "cannot open %s",
				hyp_options.plan_path);
	}
	size = arch_hostio_size(fd);
	if (size <= 0 || size > (int64_t)(64 << 20)) {
		arch_hostio_close(fd);
		return run_fail(HYP_EXIT_BAD_ARGS, "%s: size %lld out of range",
				hyp_options.plan_path, (long long)size);
	}
	ret = ram_alloc(&run_ram, (uint64_t)size, PAGE_SIZE, &pa);
	buf = ret == 0 ? arch_phys_to_virt(pa) : NULL;
	if (buf != NULL) {
		ret = arch_hostio_read(fd, buf, (size_t)size);
	}
	arch_hostio_close(fd);
	if (ret != 0) {
		return run_fail(HYP_EXIT_BAD_ARGS, "cannot read %s: %s",
				hyp_options.plan_path, err_name(ret));
	}
	ret = plan_validate(buf, (size_t)size, ncpus, p, err, sizeof(err));
	if (ret != 0) {
		return run_fail(HYP_EXIT_BAD_ARGS, "%s: %s",
				hyp_options.plan_path, err);
	}
	return 0;
}

/* Moves each CPU's trace ring to a bigger buffer in RAM. */
static void run_rings(void)
{
	uint64_t budget = ram_free_bytes(&run_ram) / 4 / ncpus;
	uint32_t n = RUN_RING_MAX;

	while (n > TRACE_RING_RECORDS && (uint64_t)n * 64 > budget) {
		n /= 2;
	}
	/* Every CPU is idle between jobs: nothing emits meanwhile. */
	hyp_trace_checkpoint();
	for (unsigned c = 0; c < ncpus; c++) {
		paddr_t pa;

		if (ram_alloc(&run_ram, (uint64_t)n * 64, PAGE_SIZE, &pa) ==
		    0) {
			trace_ring_set_storage(c, arch_phys_to_virt(pa), n);
		}
	}
}

static uint64_t run_vcpu_job(uint64_t arg)
{
	struct vcpu *v = (struct vcpu *)(uintptr_t)arg;

	exits_run_vcpu(v, run_deadline);
	return v->stop_reason;
}

/* Starts every vCPU; runs the boot CPU's own, if any, last. */
static void run_start(struct vcpu **own)
{
	*own = NULL;
	for (unsigned i = 0; i < nvms; i++) {
		for (unsigned c = 0; c < vms[i].nvcpus; c++) {
			struct vcpu *v = &vms[i].vcpus[c];

			if (v->pcpu == 0) {
				*own = v;
			} else if (smp_post(v->pcpu, run_vcpu_job,
					    (uint64_t)(uintptr_t)v) != 0) {
				vcpu_stop(v, TRACE_VCPU_STOP_VM_STOPPED, 0);
			}
		}
	}
}

/* Waits for every posted vCPU, draining the trace meanwhile. */
static bool run_wait(void)
{
	uint64_t freq = arch_counter_freq();
	uint64_t limit = run_deadline + time_ns_to_ticks(RUN_GRACE_NS, freq);
	bool all = true;

	for (unsigned i = 0; i < nvms; i++) {
		for (unsigned c = 0; c < vms[i].nvcpus; c++) {
			struct vcpu *v = &vms[i].vcpus[c];
			uint64_t ignored;

			if (v->pcpu == 0) {
				continue;
			}
			while (smp_collect(v->pcpu, &ignored, 100000000) != 0) {
				hyp_trace_checkpoint();
				if (arch_counter_now() > limit) {
					console_printf("faultline: vm %u vcpu "
						       "%u on cpu %u still "
						       "running after the "
						       "deadline\n",
						       i, c, v->pcpu);
					all = false;
					break;
				}
			}
		}
	}
	return all;
}

/*
 * One repetition: builds the VMs from @p with RAM as it was before the
 * first, runs every vCPU to its end or the deadline, emits the guests'
 * timed accesses, reports, and tears the VMs down. Returns its status.
 */
static int run_rep(const struct plan *p, const struct ram *fresh, uint32_t rep)
{
	struct vm_build_env env = {&run_ram, &hyp_platform};
	bool warmup = rep < p->h->warmup;
	struct vcpu *own;
	char err[200];
	int status;
	int ret;

	/* The previous repetition's VMs are gone: their RAM is free again. */
	run_ram = *fresh;
	trace_rep(rep, warmup, TRACE_REP_PHASE_BEGIN);
	ret = vm_build(p, &env, err, sizeof(err));
	if (ret != 0) {
		return run_fail(HYP_EXIT_BAD_ARGS, "%s", err);
	}
	if (p->h->reps + p->h->warmup > 1) {
		console_printf("faultline: repetition %u of %u%s\n", rep + 1,
			       p->h->reps + p->h->warmup,
			       warmup ? " (warm-up)" : "");
	}
	run_deadline = arch_counter_now() +
		       time_ns_to_ticks(p->h->timeout_ms * 1000000,
					arch_counter_freq());
	run_start(&own);
	if (own != NULL) {
		exits_run_vcpu(own, run_deadline);
	}
	status = run_wait() ? HYP_EXIT_OK : HYP_EXIT_DEADLINE;
	hyp_trace_checkpoint();
	vm_emit_results(hyp_trace_checkpoint, RUN_RESULT_BATCH);
	vm_report_vcpus();
	if (status == HYP_EXIT_OK) {
		status = vm_run_status();
	}
	if (status != HYP_EXIT_DEADLINE) {
		/* A vCPU still running after the deadline keeps its VM. */
		vm_teardown();
		switch_forget_vmids();
	}
	trace_rep(rep, warmup, TRACE_REP_PHASE_END);
	return status;
}

int hyp_run_plan(void)
{
	struct plan p;
	struct ram fresh;
	int status = HYP_EXIT_OK;
	int ret;

	if (run_ram_init() != 0) {
		return run_fail(HYP_EXIT_BOOT_FAILED, "cannot set up free RAM");
	}
	ret = run_load(&p);
	if (ret != 0) {
		return ret;
	}
	console_printf("faultline: plan %s: %u VM(s), %u vCPU(s), %u ops\n",
		       p.h->name, p.h->nvms, p.h->nvcpus, p.h->nops);
	run_rings();
	stage2_set_bbm_delay(p.h->bbm_delay_ns);
	if (p.h->bbm_delay_ns != 0) {
		trace_knob(TRACE_KNOB_BBM_DELAY_NS, p.h->bbm_delay_ns);
		console_printf("faultline: knob bbm_delay_ns = %llu\n",
			       (unsigned long long)p.h->bbm_delay_ns);
	}
	livelock_set_threshold(p.h->livelock_faults);
	fresh = run_ram;
	for (uint32_t rep = 0;
	     status == HYP_EXIT_OK && rep < p.h->warmup + p.h->reps; rep++) {
		status = run_rep(&p, &fresh, rep);
	}
	return status;
}
