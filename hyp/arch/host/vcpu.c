/*
 * arch/vcpu.h and arch/mem.h on the host. The host does not run guests:
 * it keeps what portable code sets in a vCPU's context so tests can check
 * it, and maps "physical" addresses to host buffers registered by tests.
 */
#include <pthread.h>

#include <faultline/arch/mem.h>
#include <faultline/arch/vcpu.h>
#include <faultline/vm.h>

#include "host_arch.h"

/* ESR of a data abort taken to EL1 from EL1, synchronous external abort. */
#define HOST_SEA_ESR ((UINT64_C(0x25) << 26) | (UINT64_C(1) << 25) | 0x10)
#define HOST_MEM_MAX 16

static pthread_mutex_t host_mem_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	uint64_t pa;
	uint64_t size;
	uint8_t *va;
} host_mem[HOST_MEM_MAX];
static unsigned host_nmem;

void arch_vcpu_init(struct vcpu *v, uint64_t entry, uint64_t x0)
{
	v->regs.pc = entry;
	v->regs.x0 = x0;
	v->regs.injected = 0;
	v->regs.injected_far = 0;
}

void arch_vcpu_set_return(struct vcpu *v, uint64_t x0)
{
	v->regs.x0 = x0;
}

uint64_t arch_vcpu_pc(const struct vcpu *v)
{
	return v->regs.pc;
}

uint64_t arch_vcpu_inject_sea(struct vcpu *v, uint64_t far, bool exec)
{
	v->regs.injected_exec = exec;
	v->regs.injected++;
	v->regs.injected_far = far;
	return HOST_SEA_ESR;
}

void arch_guest_executor(paddr_t *pa, uint64_t *size)
{
	/* The host has no executor image: an empty one at a fake address. */
	*pa = pa_init(0);
	*size = 0;
}

int host_mem_register(void *va, paddr_t pa, uint64_t size)
{
	int ret = -1;

	pthread_mutex_lock(&host_mem_lock);
	if (host_nmem < HOST_MEM_MAX) {
		host_mem[host_nmem].pa = pa_addr(pa);
		host_mem[host_nmem].size = size;
		host_mem[host_nmem].va = va;
		host_nmem++;
		ret = 0;
	}
	pthread_mutex_unlock(&host_mem_lock);
	return ret;
}

void host_mem_reset(void)
{
	pthread_mutex_lock(&host_mem_lock);
	host_nmem = 0;
	pthread_mutex_unlock(&host_mem_lock);
}

void *arch_phys_to_virt(paddr_t pa)
{
	void *va = NULL;

	pthread_mutex_lock(&host_mem_lock);
	for (unsigned i = 0; i < host_nmem; i++) {
		uint64_t off = pa_addr(pa) - host_mem[i].pa;

		if (pa_addr(pa) >= host_mem[i].pa && off < host_mem[i].size) {
			va = host_mem[i].va + off;
			break;
		}
	}
	pthread_mutex_unlock(&host_mem_lock);
	return va;
}
