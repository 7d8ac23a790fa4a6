/*
 * The runtime side of EL2: where each CPU lands after the dual-step init,
 * and the boot CPU's driver for the run (bring-up, the run mode, the end).
 */
#include <stdatomic.h>

#include <faultline/arch/cpu.h>
#include <faultline/bug.h>
#include <faultline/check.h>
#include <faultline/console.h>
#include <faultline/cpu.h>
#include <faultline/err.h>
#include <faultline/hyp_layout.h>
#include <faultline/smp.h>
#include <faultline/spinlock.h>
#include <faultline/test.h>
#include <faultline/time.h>
#include <faultline/trace/ring.h>
#include <faultline/trace/writer.h>

#include "../../drivers/pl011.h"
#include "hyp_main.h"
#include "plan_run.h"
#include "plat.h"
#include "preempt.h"
#include "switch.h"
#include "sysreg.h"

/* How long the boot CPU waits for another CPU to answer. */
#define HYP_CPU_TIMEOUT_NS UINT64_C(5000000000)
/* MPIDR_EL1 affinity fields. */
#define MPIDR_AFF_MASK UINT64_C(0xff00ffffff)

/* The GNU build-id note: namesz, descsz, type, "GNU\0", then the id. */
extern const uint8_t __build_id_note[];

static struct trace_writer hyp_trace;
static bool hyp_trace_open;
static struct spinlock hyp_trace_lock = SPINLOCK_INIT;

static const uint8_t *hyp_build_id(size_t *len)
{
	const uint8_t *n = __build_id_note;
	uint32_t namesz = (uint32_t)n[0] | (uint32_t)n[1] << 8;
	uint32_t descsz = (uint32_t)n[4] | (uint32_t)n[5] << 8;

	*len = descsz;
	return n + 12 + ALIGN_UP(namesz, 4u);
}

NORETURN void hyp_end_run(int status, const char *verdict)
{
	/* Bounded: the lock's holder may be the CPU that just crashed. */
	if (hyp_trace_open && spinlock_trylock_for(&hyp_trace_lock, 1000000)) {
		uint64_t lost = 0;
		int ret;

		hyp_trace_open = false;
		ret = trace_writer_close(&hyp_trace);
		for (unsigned i = 0; i < hyp_trace.header.ncpus; i++) {
			lost += hyp_trace.header.lost[i];
		}
		console_printf_unlocked(
			"faultline: trace: %llu events written to %s, %llu "
			"lost%s\n",
			(unsigned long long)hyp_trace.total_events,
			hyp_options.trace_path, (unsigned long long)lost,
			ret == 0 ? "" : " (write failed)");
	}
	console_printf_unlocked("faultline: run ended: %s (exit status %d)\n",
				verdict, status);
	arch_exit(status);
}

void hyp_trace_checkpoint(void)
{
	spinlock_lock(&hyp_trace_lock);
	if (hyp_trace_open && trace_writer_drain(&hyp_trace) != 0) {
		console_printf("faultline: warning: trace write failed\n");
	}
	spinlock_unlock(&hyp_trace_lock);
}

void hyp_trace_relieve(void)
{
	unsigned cpu = arch_cpu_index();
	uint64_t before, t0;

	if (trace_ring_used(cpu) * 2 <= trace_ring_capacity(cpu)) {
		return;
	}
	t0 = arch_counter_now();
	spinlock_lock(&hyp_trace_lock);
	before = hyp_trace.total_events;
	if (hyp_trace_open && trace_writer_drain(&hyp_trace) != 0) {
		console_printf("faultline: warning: trace write failed\n");
	}
	before = hyp_trace.total_events - before;
	spinlock_unlock(&hyp_trace_lock);
	trace_trace_drain(before, arch_counter_now() - t0);
}

/* Jobs run on other CPUs to show they work after (re)boot. */
static uint64_t job_whoami(uint64_t arg UNUSED)
{
	uint64_t mpidr = read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;

	trace_cpu_job(1, mpidr);
	return mpidr;
}

static uint64_t job_ttbr(uint64_t arg UNUSED)
{
	uint64_t ttbr = read_sysreg(ttbr0_el2);

	trace_cpu_job(2, ttbr);
	return ttbr;
}

/* Checks that CPU @i runs C code with the runtime tables; 0 if so. */
static int hyp_check_cpu(unsigned i)
{
	uint64_t mpidr, ttbr;
	int ret = smp_run_on(i, job_whoami, 0, &mpidr, HYP_CPU_TIMEOUT_NS);

	if (ret == 0) {
		ret = smp_run_on(i, job_ttbr, 0, &ttbr, HYP_CPU_TIMEOUT_NS);
	}
	if (ret != 0) {
		console_printf("faultline: cpu %u does not answer jobs: %s\n",
			       i, err_name(ret));
		return ret;
	}
	if (mpidr != cpus[i].mpidr || ttbr != pa_addr(hyp_mm.runtime.root_pa)) {
		console_printf(
			"faultline: cpu %u answered mpidr 0x%llx ttbr "
			"0x%llx, expected 0x%llx and 0x%llx\n",
			i, (unsigned long long)mpidr, (unsigned long long)ttbr,
			(unsigned long long)cpus[i].mpidr,
			(unsigned long long)pa_addr(hyp_mm.runtime.root_pa));
		return -ERR_INVAL;
	}
	return 0;
}

static int hyp_start_secondaries(void)
{
	uint64_t freq = arch_counter_freq();

	for (unsigned i = 1; i < ncpus; i++) {
		uint64_t t0 = arch_counter_now();
		int ret = smp_start_cpu(i, HYP_CPU_TIMEOUT_NS);

		if (ret != 0) {
			console_printf("faultline: cpu %u (mpidr 0x%llx) did "
				       "not come up: %s\n",
				       i, (unsigned long long)cpus[i].mpidr,
				       err_name(ret));
			return ret;
		}
		ret = hyp_check_cpu(i);
		if (ret != 0) {
			return ret;
		}
		console_printf(
			"faultline: cpu %u up (mpidr 0x%llx) in %llu us\n", i,
			(unsigned long long)cpus[i].mpidr,
			(unsigned long long)(time_ticks_to_ns(
						     arch_counter_now() - t0,
						     freq) /
					     1000));
	}
	return 0;
}

/* One CPU_OFF / CPU_ON cycle of CPU @i; 0 when it works afterwards. */
static int hyp_hotplug_cpu(unsigned i)
{
	uint32_t before = atomic_load(&cpus[i].boot_count);
	int ret = smp_stop_cpu(i, HYP_CPU_TIMEOUT_NS);

	if (ret != 0) {
		console_printf("faultline: cpu %u did not turn off: %s\n", i,
			       err_name(ret));
		return ret;
	}
	console_printf("faultline: cpu %u off (PSCI AFFINITY_INFO says OFF)\n",
		       i);
	ret = smp_start_cpu(i, HYP_CPU_TIMEOUT_NS);
	if (ret != 0) {
		console_printf("faultline: cpu %u did not come back: %s\n", i,
			       err_name(ret));
		return ret;
	}
	ret = hyp_check_cpu(i);
	if (ret == 0 && atomic_load(&cpus[i].boot_count) != before + 1) {
		ret = -ERR_INVAL;
	}
	if (ret == 0) {
		console_printf("faultline: cpu %u back up through the init "
			       "(boot %u) and answering jobs\n",
			       i, before + 1);
	}
	return ret;
}

static int hyp_run_hotplug(void)
{
	if (ncpus < 2) {
		console_printf("faultline: hotplug needs at least 2 CPUs\n");
		return -ERR_INVAL;
	}
	if (hyp_options.hotplug_cpu != BOOT_HOTPLUG_ALL &&
	    (hyp_options.hotplug_cpu == 0 ||
	     hyp_options.hotplug_cpu >= ncpus)) {
		console_printf("faultline: hotplug_cpu=%u: must be 1..%u\n",
			       hyp_options.hotplug_cpu, ncpus - 1);
		return -ERR_INVAL;
	}
	for (unsigned c = 0; c < hyp_options.hotplug_cycles; c++) {
		for (unsigned i = 1; i < ncpus; i++) {
			int ret;

			if (hyp_options.hotplug_cpu != BOOT_HOTPLUG_ALL &&
			    hyp_options.hotplug_cpu != i) {
				continue;
			}
			ret = hyp_hotplug_cpu(i);
			if (ret != 0) {
				return ret;
			}
		}
		hyp_trace_checkpoint();
	}
	return 0;
}

static uint64_t job_crash(uint64_t kind)
{
	switch (kind) {
	case BOOT_CRASH_DATA:
		/*
		 * The image's own PA: identity-mapped only in the boot
		 * tables, so at runtime this is a translation fault.
		 */
		return *(volatile uint64_t *)(uintptr_t)PLAT_LOAD_PA;
	case BOOT_CRASH_UNDEF:
		__asm__ volatile("udf #0");
		return 0;
	case BOOT_CRASH_HANG:
		for (;;) {
			__asm__ volatile("wfe");
		}
	default:
		CHECK(kind == BOOT_CRASH_NONE);
		return 0;
	}
}

static void hyp_crash_on_purpose(void)
{
	unsigned cpu = hyp_options.crash_cpu;
	uint64_t ignored;

	if (cpu >= ncpus) {
		console_printf("faultline: crash_cpu=%u but only %u CPUs\n",
			       cpu, ncpus);
		hyp_end_run(HYP_EXIT_BAD_ARGS, "bad arguments");
	}
	console_printf("faultline: taking a deliberate fault on cpu %u\n", cpu);
	hyp_trace_checkpoint();
	if (hyp_options.crash == BOOT_CRASH_HANG) {
		/* Every CPU stops answering: only the harness can end this. */
		job_crash(BOOT_CRASH_HANG);
	}
	smp_run_on(cpu, job_crash, hyp_options.crash, &ignored,
		   HYP_CPU_TIMEOUT_NS);
	console_printf("faultline: the deliberate fault did not end the run\n");
	hyp_end_run(HYP_EXIT_BOOT_FAILED, "crash path broken");
}

static void hyp_banner(void)
{
	const struct platform *p = &hyp_platform;

	console_printf("faultline: EL2 hypervisor on %s, cpu 0 (mpidr 0x%llx), "
		       "%u CPUs%s\n",
		       PLAT_NAME, (unsigned long long)cpus[0].mpidr, ncpus,
		       p->ncpus > ncpus ? " (limited by cpus=)" : "");
	for (unsigned i = 0; i < p->nmem; i++) {
		console_printf(
			"faultline: RAM 0x%llx-0x%llx\n",
			(unsigned long long)p->mem[i].base,
			(unsigned long long)(p->mem[i].base + p->mem[i].size));
	}
	console_printf("faultline: dual-step init: boot tables 0x%llx, runtime "
		       "tables 0x%llx, init page 0x%llx%s at trampoline VA "
		       "0x%llx\n",
		       (unsigned long long)pa_addr(hyp_mm.boot.root_pa),
		       (unsigned long long)pa_addr(hyp_mm.runtime.root_pa),
		       (unsigned long long)pa_addr(hyp_mm.init_page),
		       hyp_mm.bounced ? " (bounce page: the init code crosses "
					"a page boundary)"
				      : "",
		       (unsigned long long)HYP_TRAMPOLINE_VA);
	console_printf("faultline: GICv%u, PSCI via smc, counter %llu Hz, "
		       "bootargs \"%s\"\n",
		       p->gic.version, (unsigned long long)arch_counter_freq(),
		       p->bootargs);
}

static NORETURN void hyp_main(void)
{
	size_t id_len;
	const uint8_t *id = hyp_build_id(&id_len);
	int status = HYP_EXIT_OK;
	int ret;

	console_enable_locking();
	hyp_banner();
	ret = trace_writer_open(&hyp_trace, hyp_options.trace_path, ncpus,
				arch_counter_freq(), id, id_len);
	if (ret != 0) {
		console_printf("faultline: cannot write the trace to %s: %s\n",
			       hyp_options.trace_path, err_name(ret));
		hyp_end_run(HYP_EXIT_BOOT_FAILED, "no trace file");
	}
	hyp_trace_open = true;
	trace_hyp_start(ncpus, hyp_mm.bounced, pa_addr(hyp_mm.init_page),
			HYP_TRAMPOLINE_VA, pa_addr(hyp_mm.boot.root_pa),
			pa_addr(hyp_mm.runtime.root_pa));
	/* Before any stage 2 exists, and recorded before anything else. */
	bug_enable(hyp_options.bugs);
	bug_announce();
	if (hyp_options.tracing_off) {
		/* The knob first: lean tracing keeps knobs, but say it early. */
		trace_knob(TRACE_KNOB_TRACING_OFF, 1);
		console_printf("faultline: knob tracing=off: only the events "
			       "the report needs are recorded\n");
		trace_set_lean(true);
	}
	if (hyp_options.tracing_fault) {
		trace_knob(TRACE_KNOB_TRACING_FAULT, 1);
		console_printf("faultline: knob tracing=fault: the world "
			       "switch's own events are not recorded\n");
		trace_set_switch_quiet(true);
	}

	ret = hyp_start_secondaries();
	hyp_trace_checkpoint();
	if (ret != 0) {
		hyp_end_run(HYP_EXIT_BOOT_FAILED, "boot failed");
	}
	console_printf("faultline: all %u CPUs reached the runtime tables\n",
		       ncpus);

	if (hyp_options.crash != BOOT_CRASH_NONE) {
		hyp_crash_on_purpose();
	}
	switch (hyp_options.mode) {
	case BOOT_MODE_TEST: {
		struct test_totals t = test_run_all(hyp_options.test_filter);

		status = t.failed > 0 ? HYP_EXIT_TESTS_FAILED : HYP_EXIT_OK;
		break;
	}
	case BOOT_MODE_HOTPLUG:
		if (hyp_run_hotplug() != 0) {
			status = HYP_EXIT_BOOT_FAILED;
		}
		break;
	case BOOT_MODE_PLAN:
		status = hyp_run_plan();
		break;
	case BOOT_MODE_BOOT:
		break;
	}
	hyp_end_run(status, status == HYP_EXIT_OK ? "ok" : "failed");
}

NORETURN void cpu_runtime_entry(uint64_t t_boot_on, uint64_t t_trampoline,
				uint64_t t_runtime_on, uint64_t t_tlbi,
				uint64_t pc_trampoline, uint64_t pc_boot)
{
	unsigned i = arch_cpu_index();
	struct cpu *self = &cpus[i];

	if (i == 0) {
		/* The UART is now reached through the runtime map. */
		pl011_set_base(pl011_base() + HYP_VA_OFFSET);
		hyp_state_relocate();
	}
	trace_boot_tables_on_at(t_boot_on, hyp_boot_params[i].boot_ttbr,
				read_sysreg(sctlr_el2));
	trace_trampoline_entered_at(t_trampoline, pc_trampoline, pc_boot);
	trace_runtime_tables_on_at(t_runtime_on, read_sysreg(ttbr0_el2));
	trace_tlbi_at(t_tlbi, TRACE_TLBI_OP_ALLE2, 0, 0, TRACE_SHARE_NSH, 0);
	/*
	 * The GIC and the preemption timer, here rather than at a CPU's first
	 * vCPU: every boot passes here (CPU_ON resets the CPU interface, so a
	 * CPU back from hotplug needs it again), the boot CPU sets up the
	 * distributor before any other CPU starts, and a CPU takes no job
	 * before it is online. A failure is printed and only costs
	 * preemption.
	 */
	preempt_cpu_init();
	switch_cpu_booted(i);
	smp_cpu_arrived(self);
	if (i == 0) {
		hyp_main();
	}
	smp_secondary_loop(self);
}
