/*
 * The boot CPU's work before any MMU is on: find and read the device tree,
 * parse the boot arguments, build the boot and runtime tables, and prepare
 * the per-CPU init parameters.
 *
 * Everything here runs at physical addresses in an image linked for its
 * runtime VAs. That works because the compiler reaches globals and
 * functions PC-relatively (adrp/add), which gives their PA now and their VA
 * later. Rules for this file and what it calls: no tables of pointers (the
 * hyp is built with -fno-tree-switch-conversion so switches stay code), no
 * atomics (memory is Device-nGnRnE with the MMU off), and store addresses
 * as values, converting to VAs explicitly.
 */
#include <faultline/arch/cache.h>
#include <faultline/console.h>
#include <faultline/cpu.h>
#include <faultline/dtb.h>
#include <faultline/err.h>
#include <faultline/hyp_layout.h>

#include "../../drivers/pl011.h"
#include "hyp_state.h"
#include "plat.h"
#include "semihosting.h"
#include "sysreg.h"

_Static_assert(
	__builtin_offsetof(struct boot_params, boot_ttbr) == BP_BOOT_TTBR &&
		__builtin_offsetof(struct boot_params, runtime_ttbr) ==
			BP_RUNTIME_TTBR &&
		__builtin_offsetof(struct boot_params, trampoline_va) ==
			BP_TRAMPOLINE_VA &&
		__builtin_offsetof(struct boot_params, stack_top) ==
			BP_STACK_TOP &&
		__builtin_offsetof(struct boot_params, vectors) == BP_VECTORS &&
		__builtin_offsetof(struct boot_params, entry) == BP_ENTRY &&
		__builtin_offsetof(struct boot_params, cpu_index) ==
			BP_CPU_INDEX &&
		__builtin_offsetof(struct boot_params, mair) == BP_MAIR &&
		__builtin_offsetof(struct boot_params, tcr) == BP_TCR &&
		__builtin_offsetof(struct boot_params, sctlr) == BP_SCTLR,
	"boot_params offsets used by init.S");

/* Pages for both table sets and a possible bounce page. */
#define BOOT_POOL_PAGES 64
/* MPIDR_EL1 affinity fields Aff3, Aff2, Aff1, Aff0. */
#define MPIDR_AFF_MASK UINT64_C(0xff00ffffff)

extern char __image_start[], __text_end[], __rodata_end[], __image_end[];
extern char __idmap_start[], __idmap_end[];
extern char hyp_vectors[];

struct platform hyp_platform;
struct hyp_mm hyp_mm;
struct boot_options hyp_options;
struct boot_params hyp_boot_params[PLATFORM_MAX_CPUS];
struct page_pool hyp_boot_pool;

static uint8_t boot_pool_pages[BOOT_POOL_PAGES][PAGE_SIZE]
	__attribute__((aligned(PAGE_SIZE)));
static uint8_t cpu_stacks[PLATFORM_MAX_CPUS][HYP_STACK_SIZE]
	__attribute__((aligned(PAGE_SIZE)));

/* What head.S needs to enter the init code: returned in x0 and x1. */
struct early_result {
	uint64_t params_pa;
	uint64_t init_entry_pa;
};

struct early_result boot_early(uint64_t x0_at_entry);

static NORETURN void early_fail(int status, const char *what, const char *why)
{
	console_printf("faultline: boot failed: %s: %s\n", what, why);
	console_printf("faultline: run ended: %s (exit status %d)\n",
		       status == HYP_EXIT_BAD_ARGS ? "bad arguments"
						   : "boot failed",
		       status);
	semihosting_exit(status);
}

static uint64_t pa_of(const void *p)
{
	/* With the MMU off, an address the code computes is a PA. */
	return (uint64_t)(uintptr_t)p;
}

/* TCR_EL2 for 48-bit VAs, 4 KiB granule, PA size from the CPU (<= 48). */
static uint64_t early_tcr(void)
{
	uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;

	/* 52-bit PAs need LPA2 descriptors with 4 KiB pages: cap at 48. */
	if (parange > 5) {
		parange = 5;
	}
	return TCR_EL2_RES1 | (parange << TCR_EL2_PS_SHIFT) | TCR_EL2_TG0_4K |
	       TCR_EL2_SH0_INNER | TCR_EL2_ORGN0_WBWA | TCR_EL2_IRGN0_WBWA |
	       (64 - HYP_VA_BITS);
}

static void early_find_dtb(uint64_t x0, struct dtb *dt)
{
	int ret;

	/* A loader that follows the Linux boot protocol passes it in x0. */
	if (x0 != 0 &&
	    dtb_init(dt, (const void *)(uintptr_t)x0, PLAT_DTB_MAX) == 0) {
		return;
	}
	ret = dtb_init(dt, (const void *)(uintptr_t)PLAT_DTB_PA, PLAT_DTB_MAX);
	if (ret != 0) {
		console_printf("faultline: no usable device tree at 0x%llx "
			       "(byte %u: %s)\n",
			       (unsigned long long)PLAT_DTB_PA,
			       dt->error.offset, dt->error.why);
		early_fail(HYP_EXIT_BOOT_FAILED, "device tree", "not found");
	}
}

/* Puts the CPU we booted on at index 0, the others in tree order. */
static void early_cpus(void)
{
	uint64_t self = read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
	unsigned n = hyp_platform.ncpus;
	unsigned boot = n;

	for (unsigned i = 0; i < n; i++) {
		if (hyp_platform.cpu_mpidr[i] == self) {
			boot = i;
		}
	}
	if (boot == n) {
		early_fail(HYP_EXIT_BOOT_FAILED, "device tree",
			   "the boot CPU's MPIDR is not under /cpus");
	}
	if (hyp_options.max_cpus != 0 && hyp_options.max_cpus < n) {
		n = hyp_options.max_cpus;
	}
	cpus[0].mpidr = self;
	for (unsigned i = 0, j = 1; i < hyp_platform.ncpus && j < n; i++) {
		if (i != boot) {
			cpus[j++].mpidr = hyp_platform.cpu_mpidr[i];
		}
	}
	for (unsigned i = 0; i < n; i++) {
		cpus[i].index = i;
	}
	ncpus = n;
}

static void early_boot_params(void)
{
	uint64_t tcr = early_tcr();

	for (unsigned i = 0; i < ncpus; i++) {
		struct boot_params *bp = &hyp_boot_params[i];

		bp->boot_ttbr = pa_addr(hyp_mm.boot.root_pa);
		bp->runtime_ttbr = pa_addr(hyp_mm.runtime.root_pa);
		bp->trampoline_va = HYP_TRAMPOLINE_VA;
		bp->stack_top =
			pa_of(cpu_stacks[i]) + HYP_STACK_SIZE + HYP_VA_OFFSET;
		bp->vectors = pa_of(hyp_vectors) + HYP_VA_OFFSET;
		bp->entry =
			pa_of((const void *)cpu_runtime_entry) + HYP_VA_OFFSET;
		bp->cpu_index = i;
		bp->mair = HYP_MAIR_VALUE;
		bp->tcr = tcr;
		bp->sctlr = SCTLR_EL2_MMU_ON;
	}
	/* Secondaries read these with their MMU and caches off. */
	arch_dcache_clean_inval_poc(hyp_boot_params, sizeof(hyp_boot_params));
}

struct early_result boot_early(uint64_t x0_at_entry)
{
	struct dtb dt;
	struct hyp_image img;
	char err[160];
	int ret;

	pl011_set_base(PLAT_EARLY_UART_PA);
	if (pa_of(__image_start) != PLAT_LOAD_PA) {
		early_fail(HYP_EXIT_BOOT_FAILED, "image",
			   "not running at the physical address it was linked "
			   "to load at (PLAT_LOAD_PA)");
	}
	early_find_dtb(x0_at_entry, &dt);
	ret = platform_from_dtb(&hyp_platform, &dt);
	if (ret != 0) {
		early_fail(HYP_EXIT_BOOT_FAILED, "device tree",
			   hyp_platform.error);
	}
	if (hyp_platform.has_uart) {
		pl011_set_base(hyp_platform.uart.base);
	}
	if (hyp_platform.psci != PSCI_CONDUIT_SMC) {
		early_fail(HYP_EXIT_BOOT_FAILED, "/psci",
			   "the conduit must be smc: hvc from EL2 traps to "
			   "the hypervisor itself");
	}
	ret = bootargs_parse(hyp_platform.bootargs, &hyp_options, err,
			     sizeof(err));
	if (ret != 0) {
		early_fail(HYP_EXIT_BAD_ARGS, "boot arguments", err);
	}
	early_cpus();

	img.start = pa_init(pa_of(__image_start));
	img.text_end = pa_init(pa_of(__text_end));
	img.rodata_end = pa_init(pa_of(__rodata_end));
	img.end = pa_init(pa_of(__image_end));
	img.idmap_start = pa_init(pa_of(__idmap_start));
	img.idmap_end = pa_init(pa_of(__idmap_end));
	img.init_entry = pa_init(pa_of((const void *)init_entry));
	img.idmap_code = __idmap_start;
	img.va_offset = HYP_VA_OFFSET;
	page_pool_init(&hyp_boot_pool, boot_pool_pages,
		       pa_init(pa_of(boot_pool_pages)), BOOT_POOL_PAGES);
	ret = hyp_mm_build(&hyp_mm, &hyp_platform, &img, &hyp_boot_pool);
	if (ret != 0) {
		early_fail(HYP_EXIT_BOOT_FAILED, "page tables", hyp_mm.error);
	}
	early_boot_params();

	return (struct early_result){pa_of(&hyp_boot_params[0]),
				     pa_addr(hyp_mm.init_entry)};
}

void hyp_state_relocate(void)
{
	hyp_mm.boot.pool = &hyp_boot_pool;
	hyp_mm.runtime.pool = &hyp_boot_pool;
	hyp_boot_pool.base += HYP_VA_OFFSET;
	hyp_mm.boot.root =
		(uint64_t *)((uintptr_t)hyp_mm.boot.root + HYP_VA_OFFSET);
	hyp_mm.runtime.root =
		(uint64_t *)((uintptr_t)hyp_mm.runtime.root + HYP_VA_OFFSET);
}
