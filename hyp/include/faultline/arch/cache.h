/*
 * Arch interface: cache maintenance. At EL2 these are the `dc`/`ic`
 * instructions; on the host they are recorded so that tests can assert that
 * the maintenance the architecture requires was done.
 */
#ifndef FAULTLINE_ARCH_CACHE_H
#define FAULTLINE_ARCH_CACHE_H

#include <faultline/types.h>

/**
 * Cleans and invalidates the data cache for [@va, @va + @size) to the point
 * of coherency (`dc civac` per line, then `dsb sy`). Needed for memory that
 * an observer with caches off (a CPU with its MMU off, the page-table walker
 * of such a CPU) will read: Arm ARM D7.5.9 "Cache maintenance requirements".
 */
void arch_dcache_clean_inval_poc(const void *va, size_t size);

/**
 * Invalidates the data cache for [@va, @va + @size) to the point of
 * coherency without cleaning (`dc ivac`): used before memory is written
 * with the MMU off, so that no stale dirty line is later written back over
 * it.
 */
void arch_dcache_inval_poc(const void *va, size_t size);

/**
 * Invalidates the whole instruction cache of this CPU to the point of
 * unification (`ic iallu; dsb nsh; isb`): needed after copying code.
 */
void arch_icache_inval_all(void);

#endif /* FAULTLINE_ARCH_CACHE_H */
