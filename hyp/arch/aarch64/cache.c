/* arch/cache.h at EL2: data cache maintenance by VA, I-cache invalidation. */
#include <faultline/arch/cache.h>

#include "sysreg.h"

/* Smallest D-cache line in bytes: 4 << CTR_EL0.DminLine. */
static uint64_t cache_dline(void)
{
	return UINT64_C(4) << ((read_sysreg(ctr_el0) >> 16) & 0xf);
}

void arch_dcache_clean_inval_poc(const void *va, size_t size)
{
	uint64_t line = cache_dline();
	uint64_t p = (uint64_t)(uintptr_t)va & ~(line - 1);
	uint64_t end = (uint64_t)(uintptr_t)va + size;

	for (; p < end; p += line) {
		__asm__ volatile("dc civac, %0" : : "r"(p) : "memory");
	}
	dsb(sy);
}

void arch_dcache_inval_poc(const void *va, size_t size)
{
	uint64_t line = cache_dline();
	uint64_t p = (uint64_t)(uintptr_t)va & ~(line - 1);
	uint64_t end = (uint64_t)(uintptr_t)va + size;

	for (; p < end; p += line) {
		__asm__ volatile("dc ivac, %0" : : "r"(p) : "memory");
	}
	dsb(sy);
}

void arch_icache_inval_all(void)
{
	__asm__ volatile("ic iallu" : : : "memory");
	dsb(nsh);
	isb();
}
