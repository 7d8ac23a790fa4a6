/*
 * The stage-2 fault handler for ordinary VMs (the host VM goes to
 * host_s2.c): find the region, decide the permissions (dirty logging maps
 * reads read-only), clean the page if the guest's caches are off (seed
 * 001), then map or relax as the VM's policy says, under the read side of
 * the stage-2 lock so faults on other vCPUs proceed in parallel.
 */
#include <faultline/arch/vcpu.h>
#include <faultline/bug.h>
#include <faultline/check.h>
#include <faultline/err.h>
#include <faultline/livelock.h>
#include <faultline/trace/ring.h>
#include <faultline/vm_ops.h>

/* The result of a relax, as a fault outcome. */
static enum fault_outcome fault_relax(struct vm *vm,
				      const struct fault_policy *pol,
				      uint64_t page, unsigned prot,
				      struct stage2_result *res)
{
	/*
	 * Local invalidation (KVM since 2023): only this CPU must drop its
	 * narrower entry now; any other CPU holding one faults and relaxes
	 * (or invalidates) for itself.
	 */
	int ret = stage2_relax_perms(&vm->s2, page, prot & STAGE2_PROT_RWX,
				     STAGE2_SCOPE_LOCAL, STAGE2_SHARED, res);
	bool already;

	if (ret == 0) {
		return FAULT_RELAXED;
	}
	already = stage2_pte_valid(res->old) &&
		  (stage2_pte_prot(res->old) & prot & STAGE2_PROT_RWX) ==
			  (prot & STAGE2_PROT_RWX);
	if (already && pol->inval_on_relax_retry &&
	    !bug_on(BUG_NO_LOCAL_INVAL)) {
		/* Our own TLB may still hold the narrower entry. */
		stage2_tlb_inval_ipa(&vm->s2, page, res->level,
				     STAGE2_SCOPE_LOCAL);
	}
	return already ? FAULT_SPURIOUS : FAULT_RETRY;
}

/*
 * How much one fault at @ipa in @r maps: a page, or in a `blocks` region
 * the largest block (1 GiB, 2 MiB) that lies inside the region with its
 * IPA and PA equally aligned. Dirty logging tracks pages: pages only then
 * (the regions were split when logging started).
 */
static uint64_t fault_granule(const struct vm_region *r, uint64_t ipa,
			      bool logging)
{
	if (!(r->flags & PLAN_REGION_BLOCKS) || logging) {
		return PAGE_SIZE;
	}
	for (unsigned level = 1; level < 3; level++) {
		uint64_t size = stage2_level_size(level);
		uint64_t base = ALIGN_DOWN(ipa, size);

		if (r->size >= size && base >= r->ipa &&
		    base - r->ipa <= r->size - size &&
		    IS_ALIGNED(pa_addr(r->pa) - r->ipa, size)) {
			return size;
		}
	}
	return PAGE_SIZE;
}

/*
 * Maps the @size bytes around @f with @prot as @pol says, with
 * vm->s2.lock held:
 * the write side when the policy is exclusive (plain stores are enough),
 * else the read side (atomic updates, STAGE2_SHARED).
 */
static enum fault_outcome fault_map(struct vcpu *v,
				    const struct fault_policy *pol,
				    const struct s2_fault *f,
				    const struct vm_region *r, unsigned prot,
				    uint64_t size, unsigned *level)
{
	struct vm *vm = v->vm;
	struct stage2_result res = {0};
	uint64_t page = ALIGN_DOWN(f->ipa, PAGE_SIZE);
	uint64_t base = ALIGN_DOWN(f->ipa, size);
	paddr_t pa = pa_add(r->pa, base - r->ipa);
	enum fault_outcome out;
	int ret;

	if (f->kind == FAULT_PERMISSION && pol->relax_in_place) {
		out = fault_relax(vm, pol, page, prot, &res);
		*level = res.level;
		return out;
	}
	/* Other vCPUs may cache the entry this replaces: inner shareable. */
	ret = stage2_map(&vm->s2, base, size, pa, prot, &vm->mem_pool,
			 STAGE2_SCOPE_INNER_SHAREABLE,
			 (pol->exclusive ? 0u : STAGE2_SHARED) | pol->map_flags,
			 &res);
	*level = res.level;
	switch (ret) {
	case 0:
		if (res.installed > 0) {
			return FAULT_MAPPED;
		}
		return res.replaced > 0 ? FAULT_REMAPPED : FAULT_SPURIOUS;
	case -ERR_AGAIN:
		return FAULT_RETRY;
	case -ERR_PERM:
		out = fault_relax(vm, pol, page, prot, &res);
		*level = res.level;
		return out;
	case -ERR_NOMEM:
		/* The caller decides whether it is for good (fault_vm). */
		return FAULT_OUT_OF_MEMORY;
	default:
		vcpu_stop(v, TRACE_VCPU_STOP_VM_STOPPED, f->esr);
		return FAULT_VM_STOPPED;
	}
}

enum fault_outcome fault_inject(struct vcpu *v, const struct s2_fault *f)
{
	uint64_t esr = arch_vcpu_inject_sea(v, f->far, f->access == FAULT_EXEC);

	v->stats.aborts_injected++;
	trace_guest_abort_injected(v->id, v->vm->vmid, f->ipa, esr);
	return FAULT_ABORT_INJECTED;
}

/*
 * Decides what fault @f in @r maps and maps it, with vm->s2.lock held.
 * Dirty logging starts and harvests under the write side of that lock, so
 * the flag read here holds until the fault is done: a fault cannot map a
 * page writable behind a harvest's back, nor mark it before.
 */
static enum fault_outcome fault_locked(struct vcpu *v, const struct s2_fault *f,
				       const struct fault_policy *pol,
				       struct vm_region *r, unsigned *level)
{
	struct vm *vm = v->vm;
	unsigned prot = vm_region_prot(r);
	bool vm_logging =
		atomic_load_explicit(&vm->dirty_logging, memory_order_acquire);
	/*
	 * The regions dirty_log.c logs: not the executor's, and not devices,
	 * which it neither write-protects nor marks (nor does KVM).
	 */
	bool logging = vm_logging && (prot & STAGE2_PROT_W) &&
		       !(r->flags & (VM_REGION_PRIVATE | VM_REGION_EXECUTOR |
				     PLAN_REGION_DEVICE));
	uint64_t size = fault_granule(r, f->ipa, vm_logging);
	enum fault_outcome out;

	if (logging && f->access != FAULT_WRITE) {
		/* So that the first write to the page faults and is logged. */
		prot &= ~(unsigned)STAGE2_PROT_W;
	}
	if (f->kind == FAULT_TRANSLATION && vm_caches_off(vm) &&
	    !(prot & STAGE2_PROT_DEVICE)) {
		/* Seed 001: the guest reads memory past the caches. */
		cmo_clean(vm, pa_add(r->pa, ALIGN_DOWN(f->ipa, size) - r->ipa),
			  size, TRACE_CMO_WHY_FIRST_MAP);
	}
	out = fault_map(v, pol, f, r, prot, size, level);
	if (logging && f->access == FAULT_WRITE &&
	    (out == FAULT_MAPPED || out == FAULT_REMAPPED ||
	     out == FAULT_RELAXED || out == FAULT_SPURIOUS)) {
		/* Seed 002: only a fault that was handled marks the page. */
		dirty_log_mark(v, r, f->ipa);
		out = FAULT_DIRTY_LOGGED;
	}
	return out;
}

static enum fault_outcome fault_vm(struct vcpu *v, const struct s2_fault *f,
				   const struct fault_policy *pol,
				   unsigned *level)
{
	struct vm *vm = v->vm;
	struct vm_region *r = vm_region_find(vm, f->ipa);
	enum fault_outcome out;
	unsigned prot;

	if (r == NULL) {
		/* Outside its memory: the guest's problem, not ours. */
		return fault_inject(v, f);
	}
	prot = vm_region_prot(r);
	if ((f->access == FAULT_WRITE && !(prot & STAGE2_PROT_W)) ||
	    (f->access == FAULT_EXEC && !(prot & STAGE2_PROT_X))) {
		return fault_inject(v, f);
	}
	if (f->kind == FAULT_OTHER || f->kind == FAULT_ACCESS_FLAG) {
		/* faultline always sets AF and never makes bad descriptors. */
		vcpu_stop(v, TRACE_VCPU_STOP_VM_STOPPED, f->esr);
		return FAULT_VM_STOPPED;
	}
	if (pol->exclusive) {
		stage2_write_lock(&vm->s2);
		out = fault_locked(v, f, pol, r, level);
		stage2_write_unlock(&vm->s2);
	} else {
		stage2_read_lock(&vm->s2);
		out = fault_locked(v, f, pol, r, level);
		stage2_read_unlock(&vm->s2);
		if (out == FAULT_OUT_OF_MEMORY) {
			/*
			 * Parallel faults each take their table pages before
			 * racing to install them (the losers give theirs
			 * back), so a nearly empty pool can run dry for a
			 * moment. Alone under the write lock, a shortage is
			 * real.
			 */
			stage2_write_lock(&vm->s2);
			out = fault_locked(v, f, pol, r, level);
			stage2_write_unlock(&vm->s2);
		}
	}
	if (out == FAULT_OUT_OF_MEMORY) {
		vcpu_stop(v, TRACE_VCPU_STOP_OUT_OF_MEMORY, f->esr);
	}
	return out;
}

enum fault_outcome fault_handle(struct vcpu *v, const struct s2_fault *f)
{
	struct vm *vm = v->vm;
	unsigned policy =
		atomic_load_explicit(&vm->policy, memory_order_relaxed);
	const struct fault_policy *pol = fault_policy_find(policy);
	unsigned level = f->level;
	enum fault_outcome out;

	/* vm->policy is only ever set to a policy that exists. */
	CHECK(pol != NULL);
	trace_s2_fault_enter(v->id, vm->vmid, f->ipa, f->esr, f->kind,
			     f->access);
	v->stats.faults++;
	if (vm->flags & PLAN_VM_HOST_S2) {
		out = host_s2_fault(v, f, &level);
	} else {
		out = fault_vm(v, f, pol, &level);
	}
	if (out < ARRAY_SIZE(v->stats.outcomes)) {
		v->stats.outcomes[out]++;
	}
	trace_s2_fault_exit(v->id, vm->vmid, f->ipa, out, policy, level);
	livelock_note_fault(v, f->ipa);
	return out;
}
