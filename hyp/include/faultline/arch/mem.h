/*
 * Arch interface: reaching physical memory. At EL2 every page of RAM is in
 * the runtime linear map (PA + HYP_VA_OFFSET); on the host, buffers that
 * stand for physical memory are registered with fake physical addresses.
 */
#ifndef FAULTLINE_ARCH_MEM_H
#define FAULTLINE_ARCH_MEM_H

#include <faultline/types.h>

/**
 * The address through which the hypervisor reaches physical address @pa
 * (RAM or MMIO it has mapped), or NULL when it cannot.
 */
void *arch_phys_to_virt(paddr_t pa);

#endif /* FAULTLINE_ARCH_MEM_H */
