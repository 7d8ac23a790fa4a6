/*
 * Host-only hooks of the host arch, for tests: pick the CPU a thread
 * plays, and look at the cache maintenance the code under test asked for.
 */
#ifndef FAULTLINE_HOST_ARCH_H
#define FAULTLINE_HOST_ARCH_H

#include <faultline/types.h>

/** Makes the calling thread act as CPU @index. */
void host_set_cpu_index(unsigned index);

/** A cache maintenance operation recorded by the host arch. */
struct host_cache_op {
	enum {
		HOST_CACHE_CLEAN_INVAL_POC,
		HOST_CACHE_INVAL_POC,
		HOST_CACHE_ICACHE_INVAL_ALL,
	} kind;
	uintptr_t start;
	size_t size;
};

/** Forgets every recorded cache operation. */
void host_cache_log_reset(void);

/**
 * Copies up to @max recorded operations to @out, oldest first. Returns how
 * many were recorded in all (which may exceed @max).
 */
size_t host_cache_log(struct host_cache_op *out, size_t max);

/**
 * True when recorded clean+invalidate operations together cover every byte
 * of [@start, @start + @size).
 */
bool host_cache_cleaned(const void *start, size_t size);

/**
 * Lets arch_phys_to_virt() reach the @size bytes at @va as physical
 * address @pa. Returns 0, or -1 when the registry is full.
 */
int host_mem_register(void *va, paddr_t pa, uint64_t size);

/** Forgets every registered buffer. */
void host_mem_reset(void);

#endif /* FAULTLINE_HOST_ARCH_H */
