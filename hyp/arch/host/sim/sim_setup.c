/*
 * Setting up and taking down a sim run: the plan read and validated, the
 * trace rings and file, host memory registered as the machine's RAM, a
 * fake machine description, and the VMs built by vm_build(), all as
 * run_plan.c does at EL2 with the hypervisor's own code.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <faultline/arch/cpu.h>
#include <faultline/bug.h>
#include <faultline/console.h>
#include <faultline/err.h>
#include <faultline/exit_status.h>
#include <faultline/fmt.h>
#include <faultline/stage2.h>
#include <faultline/trace/ring.h>
#include <faultline/vm_build.h>

#include "host_arch.h"
#include "host_tlb.h"
#include "sim.h"

/* Room left over for alignment and what the estimate does not count. */
#define SIM_RAM_SLACK (UINT64_C(16) << 20)
#define SIM_2M (UINT64_C(2) << 20)
/*
 * SCTLR_EL1 of a vCPU as it starts, as vcpu_arch.c sets it at EL2: the
 * RES1 bits of ARMv8.0 (29, 28, 23, 22, 20, 11), MMU and caches off.
 */
#define SIM_SCTLR_RESET UINT64_C(0x30d00800)

/*
 * The device ranges of QEMU 7.2's virt machine (-M virt,gic-version=3,
 * its dumped device tree), page aligned and merged where they touch, as
 * platform_from_dtb() makes them: flash + GIC distributor, GIC
 * redistributors + PL011, PL031, fw_cfg, PL061, virtio-mmio, PCIe ECAM.
 * A host VM maps and recycles them; they have no memory behind them here.
 */
static const struct mem_range sim_virt_devices[] = {
	{UINT64_C(0x0), UINT64_C(0x8010000)},
	{UINT64_C(0x80a0000), UINT64_C(0xf61000)},
	{UINT64_C(0x9010000), UINT64_C(0x1000)},
	{UINT64_C(0x9020000), UINT64_C(0x1000)},
	{UINT64_C(0x9030000), UINT64_C(0x1000)},
	{UINT64_C(0xa000000), UINT64_C(0x4000)},
	{UINT64_C(0x4010000000), UINT64_C(0x10000000)},
};

/*
 * The storage the sim gave the trace rings: PLATFORM_MAX_CPUS rings of
 * sim_rings_len / PLATFORM_MAX_CPUS records. Kept for the process (the
 * rings must always point somewhere), reused by later runs.
 */
static struct trace_record *sim_rings;
static size_t sim_rings_len;

static int sim_fail(char *err, size_t size, int status, const char *fmt, ...)
	PRINTF_LIKE(4, 5);

static int sim_fail(char *err, size_t size, int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return status;
}

/*
 * A setup failure: @err gets the message, and the console the line the
 * hypervisor prints for it ("faultline: plan: ..." for the plan's).
 */
static int sim_say(const struct sim *s, char *err, size_t size, int status,
		   const char *fmt, ...) PRINTF_LIKE(5, 6);

static int sim_say(const struct sim *s, char *err, size_t size, int status,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(err, size, fmt, ap);
	va_end(ap);
	if (s->opt.verbose) {
		console_printf("faultline: %s\n", err);
	}
	return status;
}

int sim_load_plan(const char *path, void **blob, size_t *size, char *err,
		  size_t err_size)
{
	FILE *f = fopen(path, "rb");
	uint64_t *buf;
	long len;

	*blob = NULL;
	if (f == NULL) {
		return sim_fail(err, err_size, -ERR_NOENT, "cannot open %s: %s",
				path, strerror(errno));
	}
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return sim_fail(err, err_size, -ERR_IO, "cannot read %s", path);
	}
	if (len == 0 || (unsigned long)len > SIM_PLAN_MAX) {
		fclose(f);
		return sim_fail(err, err_size, -ERR_RANGE,
				"%s: size %ld out of range", path, len);
	}
	/* 8-byte aligned, as plan_validate() wants. */
	buf = malloc(ALIGN_UP((size_t)len, 8));
	if (buf == NULL) {
		fclose(f);
		return sim_fail(err, err_size, -ERR_NOMEM, "%s: out of memory",
				path);
	}
	if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fclose(f);
		free(buf);
		return sim_fail(err, err_size, -ERR_IO, "cannot read %s", path);
	}
	fclose(f);
	*blob = buf;
	*size = (size_t)len;
	return 0;
}

/* Gives every ring @n records (a power of two, at least the default). */
static int sim_rings_set(uint32_t n)
{
	size_t need = (size_t)PLATFORM_MAX_CPUS * n;
	struct trace_record *old = NULL;

	if (need > sim_rings_len) {
		/* Untouched pages cost nothing: the rings fill as they go. */
		struct trace_record *p = malloc(need * sizeof(*p));

		if (p == NULL) {
			return -ERR_NOMEM;
		}
		old = sim_rings;
		sim_rings = p;
		sim_rings_len = need;
	}
	/* No CPU emits now: every ring was emptied, no thread runs. */
	for (unsigned c = 0; c < PLATFORM_MAX_CPUS; c++) {
		trace_ring_set_storage(c, sim_rings + (size_t)c * n, n);
	}
	free(old);
	return 0;
}

/* True when @p has a host VM (identity stage 2, seed 000). */
static bool sim_has_host_vm(const struct plan *p)
{
	for (uint32_t i = 0; i < p->h->nvms; i++) {
		if (p->vms[i].flags & PLAN_VM_HOST_S2) {
			return true;
		}
	}
	return false;
}

/*
 * Bytes of RAM @p draws on (vm_build.c): pools, guest memory with its
 * alignment, dirty bitmaps, private areas, and slack.
 */
static uint64_t sim_ram_needed(const struct plan *p)
{
	uint64_t need = SIM_RAM_SLACK;

	for (uint32_t i = 0; i < p->h->nvms; i++) {
		const struct plan_vm *pv = &p->vms[i];

		need += ((uint64_t)pv->mem_pool_pages + pv->dev_pool_pages) *
				PAGE_SIZE +
			SIM_2M;
		need += (uint64_t)pv->nvcpus * GUEST_PRIV_STRIDE;
		for (uint32_t r = 0; r < pv->nregions; r++) {
			const struct plan_region *pr =
				&p->regions[pv->first_region + r];
			uint64_t words = (pr->size / PAGE_SIZE + 63) / 64;

			need += ALIGN_UP(words * 8, PAGE_SIZE);
			if (!(pv->flags & PLAN_VM_HOST_S2)) {
				need += ALIGN_UP(pr->size, SIM_2M) + SIM_2M;
			}
		}
	}
	return ALIGN_UP(need, SIM_2M);
}

/*
 * Host memory as the machine's RAM, and the machine: one RAM range at
 * SIM_RAM_BASE; QEMU virt's devices when a host VM needs some. A plan
 * with a host VM gets QEMU's 512 MiB exactly, since its regions are fixed
 * physical addresses that must be RAM on both backends; others get what
 * they need, never more than QEMU has, so a plan too big for the machine
 * the harness starts fails here too. Pages are committed only when
 * touched.
 */
static int sim_machine(struct sim *s, char *err, size_t es)
{
	bool host = sim_has_host_vm(&s->plan);
	uint64_t max = SIM_RAM_LIMIT - SIM_RAM_BASE;
	uint64_t size = host ? max : MIN(sim_ram_needed(&s->plan), max);
	void *mem = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (mem == MAP_FAILED) {
		return sim_say(
			s, err, es, HYP_EXIT_BOOT_FAILED,
			"plan: cannot map %llu MiB of host memory as RAM",
			(unsigned long long)(size >> 20));
	}
	s->mem = mem;
	s->mem_size = size;
	host_mem_reset();
	if (host_mem_register(mem, pa_init(SIM_RAM_BASE), size) != 0) {
		return sim_say(s, err, es, HYP_EXIT_BOOT_FAILED,
			       "plan: cannot register the RAM");
	}
	memset(&s->plat, 0, sizeof(s->plat));
	s->plat.mem[0].base = SIM_RAM_BASE;
	s->plat.mem[0].size = size;
	s->plat.nmem = 1;
	s->plat.ncpus = s->ncpus;
	s->plat.psci = PSCI_CONDUIT_SMC;
	if (host) {
		memcpy(s->plat.devices, sim_virt_devices,
		       sizeof(sim_virt_devices));
		s->plat.ndevices = ARRAY_SIZE(sim_virt_devices);
	}
	ram_init(&s->ram, s->plat.mem, s->plat.nmem);
	return HYP_EXIT_OK;
}

/* The CPUs of the machine: as asked, or enough for the plan. */
static unsigned sim_ncpus(const struct sim_options *opt, const void *blob,
			  size_t size)
{
	struct plan p;
	char err[8];
	unsigned n = 1;

	if (opt->ncpus != 0) {
		return opt->ncpus;
	}
	/*
	 * Placements are only known in a valid plan. With the most CPUs, a
	 * plan's checks then name what is really wrong with it.
	 */
	if (plan_validate(blob, size, PLATFORM_MAX_CPUS, &p, err,
			  sizeof(err)) != 0) {
		return PLATFORM_MAX_CPUS;
	}
	for (uint32_t i = 0; i < p.h->nvcpus; i++) {
		n = MAX(n, p.vcpus[i].pcpu + 1);
	}
	return n;
}

/* The sim vCPUs over the core's vCPUs that vm_build() made. */
static void sim_vcpus_init(struct sim *s)
{
	s->nvcpus = 0;
	for (unsigned i = 0; i < nvms; i++) {
		for (unsigned c = 0; c < vms[i].nvcpus; c++) {
			struct vcpu *v = &vms[i].vcpus[c];
			const struct plan_vcpu *pc = &s->plan.vcpus[v->id];
			struct sim_vcpu *sv = &s->vcpus[s->nvcpus++];

			memset(sv, 0, sizeof(*sv));
			sv->sim = s;
			sv->v = v;
			sv->ops = &s->plan.ops[pc->first_op];
			sv->nops = pc->nops;
			sv->sctlr = SIM_SCTLR_RESET;
			atomic_store(&sv->finished, false);
		}
	}
}

int sim_setup(struct sim *s, const void *blob, size_t size,
	      const struct sim_options *opt, char *err, size_t es)
{
	char vm_err[200];
	int ret;

	memset(s, 0, sizeof(*s));
	s->opt = *opt;
	s->ncpus = sim_ncpus(opt, blob, size);
	err[0] = '\0';
	if (s->ncpus == 0 || s->ncpus > PLATFORM_MAX_CPUS) {
		return sim_say(s, err, es, HYP_EXIT_BAD_ARGS,
			       "%u CPUs: the machine has 1 to %u", s->ncpus,
			       (unsigned)PLATFORM_MAX_CPUS);
	}
	/* The main thread plays the boot CPU, as at EL2. */
	host_set_cpu_index(0);
	host_tlb_reset();
	host_cache_log_reset();
	trace_rings_reset();
	if (opt->ring_records != 0 &&
	    (opt->ring_records < TRACE_RING_RECORDS ||
	     (opt->ring_records & (opt->ring_records - 1)) != 0 ||
	     sim_rings_set(opt->ring_records) != 0)) {
		return sim_say(s, err, es, HYP_EXIT_BOOT_FAILED,
			       "cannot have trace rings of %u records",
			       opt->ring_records);
	}
	ret = trace_writer_open(&s->trace, opt->trace_path, s->ncpus,
				arch_counter_freq(), opt->build_id,
				opt->build_id_len);
	if (ret != 0) {
		return sim_say(s, err, es, HYP_EXIT_BOOT_FAILED,
			       "cannot write the trace to %s: %s",
			       opt->trace_path, err_name(ret));
	}
	s->trace_open = true;
	if (opt->verbose) {
		console_printf("faultline: sim backend on the host, %u CPUs "
			       "(threads), counter %llu Hz\n",
			       s->ncpus,
			       (unsigned long long)arch_counter_freq());
	}
	if (opt->tracing_off) {
		trace_knob(TRACE_KNOB_TRACING_OFF, 1);
		if (opt->verbose) {
			console_printf("faultline: knob tracing=off: only the "
				       "events the report needs are "
				       "recorded\n");
		}
		trace_set_lean(true);
	}
	if (opt->tracing_fault) {
		trace_knob(TRACE_KNOB_TRACING_FAULT, 1);
		trace_set_switch_quiet(true);
	}
	if (opt->bugs != 0) {
		bug_enable(opt->bugs);
		bug_announce();
	}
	if (plan_validate(blob, size, s->ncpus, &s->plan, vm_err,
			  sizeof(vm_err)) != 0) {
		return sim_say(s, err, es, HYP_EXIT_BAD_ARGS, "plan: %s: %s",
			       opt->plan_path != NULL ? opt->plan_path
						      : "the plan",
			       vm_err);
	}
	ret = sim_machine(s, err, es);
	if (ret != HYP_EXIT_OK) {
		return ret;
	}
	if (opt->verbose) {
		console_printf(
			"faultline: RAM 0x%llx-0x%llx\n",
			(unsigned long long)SIM_RAM_BASE,
			(unsigned long long)(SIM_RAM_BASE + s->mem_size));
		console_printf("faultline: plan %s: %u VM(s), %u vCPU(s), %u "
			       "ops\n",
			       s->plan.h->name, s->plan.h->nvms,
			       s->plan.h->nvcpus, s->plan.h->nops);
	}
	stage2_set_bbm_delay(s->plan.h->bbm_delay_ns);
	if (s->plan.h->bbm_delay_ns != 0) {
		trace_knob(TRACE_KNOB_BBM_DELAY_NS, s->plan.h->bbm_delay_ns);
		if (opt->verbose) {
			console_printf(
				"faultline: knob bbm_delay_ns = %llu\n",
				(unsigned long long)s->plan.h->bbm_delay_ns);
		}
	}
	memset(vms, 0, sizeof(vms));
	nvms = 0;
	/* Each repetition builds its VMs from RAM as it is now. */
	s->fresh_ram = s->ram;
	return HYP_EXIT_OK;
}

int sim_build(struct sim *s, char *err, size_t es)
{
	struct vm_build_env env = {&s->ram, &s->plat};
	char vm_err[200];
	int ret;

	vm_teardown();
	s->ram = s->fresh_ram;
	ret = vm_build(&s->plan, &env, vm_err, sizeof(vm_err));
	if (ret != 0) {
		return sim_say(s, err, es, HYP_EXIT_BAD_ARGS, "plan: %s",
			       vm_err);
	}
	sim_vcpus_init(s);
	return HYP_EXIT_OK;
}

void sim_teardown(struct sim *s)
{
	if (s->stuck > 0) {
		/* A thread may still use the VMs and emit: keep it all. */
		return;
	}
	if (s->trace_open) {
		trace_writer_close(&s->trace);
		s->trace_open = false;
	}
	stage2_set_bbm_delay(0);
	trace_set_lean(false);
	trace_set_switch_quiet(false);
	if (s->opt.ring_records != 0 && sim_rings != NULL) {
		/* Back to the default capacity, in the sim's storage. */
		trace_rings_reset();
		sim_rings_set(TRACE_RING_RECORDS);
	}
	host_mem_reset();
	memset(vms, 0, sizeof(vms));
	nvms = 0;
	if (s->mem != NULL) {
		munmap(s->mem, s->mem_size);
		s->mem = NULL;
	}
}
