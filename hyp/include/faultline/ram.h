/*
 * The physical memory the hypervisor hands out at run time: VM memory,
 * stage-2 table pools, big trace buffers. A set of free ranges, carved by
 * reservations and first-fit allocations; nothing is given back (a run
 * builds its VMs once).
 */
#ifndef FAULTLINE_RAM_H
#define FAULTLINE_RAM_H

#include <faultline/platform.h>
#include <faultline/types.h>

/** Most disjoint free ranges tracked. */
#define RAM_MAX_RANGES 32

/** Free physical memory. */
struct ram {
	struct mem_range free[RAM_MAX_RANGES];
	unsigned nfree;
	/** Bytes handed out or reserved so far. */
	uint64_t used;
};

/**
 * Starts @r with the @n ranges of @mem as free: the whole pages inside
 * each, sorted, merged where they overlap or touch (a device tree may list
 * them so), ranges that wrap around 2^64 ignored.
 */
void ram_init(struct ram *r, const struct mem_range *mem, unsigned n);

/**
 * Removes [@base, @base + @size) from the free memory (the image, the DTB,
 * a host VM's fixed memory). Returns 0, or -ERR_RANGE when part of it is
 * not free, -ERR_NOMEM when the ranges cannot be split further.
 */
int ram_reserve(struct ram *r, uint64_t base, uint64_t size);

/**
 * Takes @size bytes aligned to @align (a power of two, at least a page)
 * from the lowest free range that fits. Returns 0 with the address in
 * *@pa, or -ERR_NOMEM, -ERR_INVAL.
 */
int ram_alloc(struct ram *r, uint64_t size, uint64_t align, paddr_t *pa);

/** Bytes still free. */
uint64_t ram_free_bytes(const struct ram *r);

#endif /* FAULTLINE_RAM_H */
