/*
 * Cache maintenance for guests that run with their caches off (seed 001).
 * While no vCPU of a VM has its caches on, the guest reads and writes
 * memory past the caches, so what the hypervisor (or a previous owner)
 * left in the caches must reach memory first: a page is cleaned and
 * invalidated to the point of coherency when it is first mapped. When the
 * first vCPU turns its MMU and caches on, everything already mapped is
 * cleaned again (lines may have been fetched speculatively meanwhile).
 * Set/way operations, which cannot be made safe on a running system, are
 * turned into maintenance by VA of all the VM's memory.
 */
#include <faultline/arch/cache.h>
#include <faultline/arch/mem.h>
#include <faultline/trace/ring.h>
#include <faultline/vm_ops.h>

#define SCTLR_M (UINT64_C(1) << 0)
#define SCTLR_C (UINT64_C(1) << 2)

void cmo_clean(struct vm *vm, paddr_t pa, uint64_t size, unsigned why)
{
	void *va = arch_phys_to_virt(pa);

	if (va == NULL) {
		return;
	}
	arch_dcache_clean_inval_poc(va, size);
	atomic_fetch_add_explicit(&vm->stats.cmo_pages, size / PAGE_SIZE,
				  memory_order_relaxed);
	trace_cmo(TRACE_CMO_OP_CIVAC, why, pa_addr(pa), size, vm->vmid);
}

struct cmo_walk {
	struct vm *vm;
	unsigned why;
};

static int cmo_visit(struct stage2_visit_ctx *ctx, enum stage2_visit visit)
{
	struct cmo_walk *w = ctx->arg;
	uint64_t size = stage2_level_size(ctx->level);

	(void)visit;
	if (stage2_pte_is_leaf(ctx->old, ctx->level) &&
	    !(stage2_pte_prot(ctx->old) & STAGE2_PROT_DEVICE)) {
		cmo_clean(w->vm, stage2_pte_oa(ctx->old, ctx->level), size,
			  w->why);
	}
	return 0;
}

/* Cleans everything mapped in @vm's guest memory regions. */
static void cmo_flush_vm(struct vm *vm, unsigned why)
{
	struct cmo_walk arg = {vm, why};
	struct stage2_walker w = {cmo_visit, &arg, STAGE2_VISIT_LEAF,
				  STAGE2_SHARED};

	stage2_read_lock(&vm->s2);
	for (unsigned i = 0; i < vm->nregions; i++) {
		const struct vm_region *r = &vm->regions[i];

		if (r->flags & (PLAN_REGION_DEVICE | VM_REGION_HOST_DEVICE |
				VM_REGION_EXECUTOR | VM_REGION_PRIVATE)) {
			continue;
		}
		stage2_walk(&vm->s2, r->ipa, r->size, &w);
	}
	stage2_read_unlock(&vm->s2);
}

void cmo_sctlr_written(struct vcpu *v, uint64_t old, uint64_t new_value)
{
	struct vm *vm = v->vm;
	bool on = (new_value & SCTLR_M) && (new_value & SCTLR_C);

	v->stats.sctlr_traps++;
	trace_sctlr_trap(v->id, vm->vmid, old, new_value, on);
	if (on == v->caches_on) {
		return;
	}
	v->caches_on = on;
	/* A change of cache state ends a set/way sequence. */
	atomic_store_explicit(&vm->set_way_flushed, false,
			      memory_order_relaxed);
	if (on) {
		if (atomic_fetch_add_explicit(&vm->caches_on_vcpus, 1,
					      memory_order_acq_rel) == 0) {
			cmo_flush_vm(vm, TRACE_CMO_WHY_MMU_ON);
		}
	} else {
		atomic_fetch_sub_explicit(&vm->caches_on_vcpus, 1,
					  memory_order_acq_rel);
	}
}

void cmo_set_way(struct vcpu *v)
{
	struct vm *vm = v->vm;

	v->stats.set_way_traps++;
	trace_cmo(TRACE_CMO_OP_SET_WAY_TRAP, TRACE_CMO_WHY_SET_WAY, 0, 0,
		  vm->vmid);
	if (!atomic_exchange_explicit(&vm->set_way_flushed, true,
				      memory_order_acq_rel)) {
		atomic_fetch_add_explicit(&vm->stats.set_way_flushes, 1,
					  memory_order_relaxed);
		cmo_flush_vm(vm, TRACE_CMO_WHY_SET_WAY);
	}
}
