/*
 * The host stage 2 (seed 000): an identity map filled lazily on faults,
 * each with the largest block that fits inside the memory or device range
 * around the address (find the compatible range, then map it). Device
 * mappings take their table pages from a separate pool; when it runs dry,
 * every device range is unmapped to recycle its pages and the same map is
 * retried, all under one hold of the lock, so the range found stays valid.
 */
#include <faultline/arch/vcpu.h>
#include <faultline/check.h>
#include <faultline/err.h>
#include <faultline/trace/ring.h>
#include <faultline/vm_ops.h>

/* Unmaps every device range of @vm; vm->s2.lock write-held. */
static void host_s2_unmap_devices(struct vm *vm)
{
	size_t before = stage2_pool_available(&vm->dev_pool);

	for (unsigned i = 0; i < vm->nregions; i++) {
		const struct vm_region *r = &vm->regions[i];

		if (r->flags & VM_REGION_HOST_DEVICE) {
			/* Every CPU running the host may hold these. */
			int ret = stage2_unmap(&vm->s2, r->ipa, r->size,
					       STAGE2_SCOPE_INNER_SHAREABLE,
					       NULL);

			/* A device range lies inside the IPA space. */
			CHECK(ret == 0);
		}
	}
	atomic_fetch_add_explicit(&vm->stats.recycles, 1, memory_order_relaxed);
	trace_pool_recycle(vm->dev_pool.id,
			   stage2_pool_available(&vm->dev_pool) - before);
}

enum fault_outcome host_s2_fault(struct vcpu *v, const struct s2_fault *f,
				 unsigned *level)
{
	struct vm *vm = v->vm;
	struct vm_region *r = vm_region_find(vm, f->ipa);
	struct mem_range range, found;
	struct stage2_pool *pool;
	struct stage2_result res = {0};
	unsigned prot;
	bool device;
	int ret;

	if (r == NULL) {
		/* Neither the host's memory nor a device: not the host's. */
		return fault_inject(v, f);
	}
	prot = vm_region_prot(r);
	if ((f->access == FAULT_WRITE && !(prot & STAGE2_PROT_W)) ||
	    (f->access == FAULT_EXEC && !(prot & STAGE2_PROT_X))) {
		/*
		 * A mapping with @prot would not allow the access: the next
		 * fault would find it mapped and call it spurious, forever.
		 */
		return fault_inject(v, f);
	}
	device = (r->flags & VM_REGION_HOST_DEVICE) != 0;
	pool = device ? &vm->dev_pool : &vm->mem_pool;
	range.base = r->ipa;
	range.size = r->size;
	stage2_write_lock(&vm->s2);
	ret = stage2_find_compatible_range(&vm->s2, f->ipa, &range, &found,
					   level);
	if (ret == -ERR_EXIST) {
		/* Another CPU of the host mapped it first. */
		stage2_write_unlock(&vm->s2);
		return FAULT_SPURIOUS;
	}
	if (ret == 0) {
		/* Entries that were invalid: no invalidation needed (local). */
		ret = stage2_map(&vm->s2, found.base, found.size,
				 pa_init(found.base), prot, pool,
				 STAGE2_SCOPE_LOCAL, 0, &res);
	}
	if (ret == -ERR_NOMEM && device) {
		/* found is still valid: we never dropped the lock. */
		host_s2_unmap_devices(vm);
		ret = stage2_map(&vm->s2, found.base, found.size,
				 pa_init(found.base), prot, pool,
				 STAGE2_SCOPE_LOCAL, 0, &res);
	}
	stage2_write_unlock(&vm->s2);
	if (ret == -ERR_NOMEM) {
		vcpu_stop(v, TRACE_VCPU_STOP_OUT_OF_MEMORY, f->esr);
		return FAULT_OUT_OF_MEMORY;
	}
	if (ret != 0) {
		vcpu_stop(v, TRACE_VCPU_STOP_VM_STOPPED, f->esr);
		return FAULT_VM_STOPPED;
	}
	return FAULT_MAPPED;
}
