/*
 * Dirty logging (seed 002): write-protect the VM's memory, and mark a page
 * dirty when a write fault on it was handled, never before (a fault that
 * ends in a retry or a failure does not mark it).
 */
#include <faultline/trace/ring.h>
#include <faultline/vm_ops.h>

/* Regions whose pages are logged: guest memory the guest may write. */
static bool dirty_region(const struct vm_region *r)
{
	return r->dirty != NULL &&
	       !(r->flags &
		 (PLAN_REGION_RO | PLAN_REGION_DEVICE | VM_REGION_EXECUTOR |
		  VM_REGION_PRIVATE | VM_REGION_HOST_DEVICE));
}

static uint64_t dirty_words(const struct vm_region *r)
{
	return (r->size / PAGE_SIZE + 63) / 64;
}

/* Write-protects every logged region; vm->s2.lock write-held. */
static void dirty_protect_all(struct vm *vm)
{
	for (unsigned i = 0; i < vm->nregions; i++) {
		struct vm_region *r = &vm->regions[i];

		if (dirty_region(r)) {
			/* Any CPU may cache the writable entries. */
			stage2_wrprotect(&vm->s2, r->ipa, r->size,
					 STAGE2_SCOPE_INNER_SHAREABLE, NULL);
		}
	}
}

int dirty_log_start(struct vm *vm)
{
	spinlock_lock(&vm->lock);
	for (unsigned i = 0; i < vm->nregions; i++) {
		struct vm_region *r = &vm->regions[i];

		for (uint64_t w = 0; dirty_region(r) && w < dirty_words(r);
		     w++) {
			atomic_store_explicit(&r->dirty[w], 0,
					      memory_order_relaxed);
		}
	}
	atomic_store_explicit(&vm->dirty_logging, true, memory_order_release);
	rwlock_write_lock(&vm->s2.lock);
	dirty_protect_all(vm);
	rwlock_write_unlock(&vm->s2.lock);
	spinlock_unlock(&vm->lock);
	return 0;
}

void dirty_log_stop(struct vm *vm)
{
	atomic_store_explicit(&vm->dirty_logging, false, memory_order_release);
}

uint64_t dirty_log_harvest(struct vm *vm)
{
	uint64_t dirty = 0;

	spinlock_lock(&vm->lock);
	for (unsigned i = 0; i < vm->nregions; i++) {
		struct vm_region *r = &vm->regions[i];

		for (uint64_t w = 0; dirty_region(r) && w < dirty_words(r);
		     w++) {
			dirty += (uint64_t)__builtin_popcountll(
				atomic_exchange_explicit(&r->dirty[w], 0,
							 memory_order_acq_rel));
		}
	}
	if (atomic_load_explicit(&vm->dirty_logging, memory_order_acquire)) {
		/* The pages written since the last harvest are writable. */
		rwlock_write_lock(&vm->s2.lock);
		dirty_protect_all(vm);
		rwlock_write_unlock(&vm->s2.lock);
	}
	spinlock_unlock(&vm->lock);
	return dirty;
}

void dirty_log_mark(struct vcpu *v, struct vm_region *r, uint64_t ipa)
{
	uint64_t page = (ipa - r->ipa) / PAGE_SIZE;

	if (!dirty_region(r)) {
		return;
	}
	atomic_fetch_or_explicit(&r->dirty[page / 64],
				 UINT64_C(1) << (page % 64),
				 memory_order_release);
	atomic_fetch_add_explicit(&v->vm->stats.dirty_marks, 1,
				  memory_order_relaxed);
	trace_dirty_mark(v->id, v->vm->vmid, ALIGN_DOWN(ipa, PAGE_SIZE));
}
