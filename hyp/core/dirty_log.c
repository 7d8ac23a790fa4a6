/*
 * Dirty logging (seed 002): write-protect the VM's memory, and mark a page
 * dirty when a write fault on it was handled, never before (a fault that
 * ends in a retry or a failure does not mark it).
 */
#include <faultline/err.h>
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

/*
 * Splits the blocks of a `blocks` region down to pages, so that a write
 * fault makes one page writable and marks one page (as KVM's eager page
 * splitting does); vm->s2.lock write-held. Each stage2_split() takes one
 * level down, so an address is split until it is mapped by a page (or
 * not at all: -ERR_NOENT).
 */
static int dirty_split_blocks(struct vm *vm, const struct vm_region *r)
{
	uint64_t step = stage2_level_size(2);

	for (uint64_t off = 0; off < r->size; off += step) {
		int ret;

		do {
			/* Any CPU may cache the block entries: shareable. */
			ret = stage2_split(&vm->s2, r->ipa + off, &vm->mem_pool,
					   STAGE2_SCOPE_INNER_SHAREABLE, 0,
					   NULL);
		} while (ret == 0);
		if (ret != -ERR_NOENT) {
			return ret;
		}
	}
	return 0;
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
	int ret = 0;

	spinlock_lock(&vm->lock);
	for (unsigned i = 0; i < vm->nregions; i++) {
		struct vm_region *r = &vm->regions[i];

		for (uint64_t w = 0; dirty_region(r) && w < dirty_words(r);
		     w++) {
			atomic_store_explicit(&r->dirty[w], 0,
					      memory_order_relaxed);
		}
	}
	stage2_write_lock(&vm->s2);
	for (unsigned i = 0; ret == 0 && i < vm->nregions; i++) {
		if (dirty_region(&vm->regions[i]) &&
		    (vm->regions[i].flags & PLAN_REGION_BLOCKS)) {
			ret = dirty_split_blocks(vm, &vm->regions[i]);
		}
	}
	if (ret == 0) {
		/* Faults from now on map pages, read-only for reads. */
		atomic_store_explicit(&vm->dirty_logging, true,
				      memory_order_release);
		dirty_protect_all(vm);
	}
	stage2_write_unlock(&vm->s2);
	spinlock_unlock(&vm->lock);
	return ret;
}

void dirty_log_stop(struct vm *vm)
{
	/* Under the lock faults take, so each sees logging on or off. */
	stage2_write_lock(&vm->s2);
	atomic_store_explicit(&vm->dirty_logging, false, memory_order_release);
	stage2_write_unlock(&vm->s2);
}

uint64_t dirty_log_harvest(struct vm *vm)
{
	uint64_t dirty = 0;

	spinlock_lock(&vm->lock);
	/*
	 * Read, clear and write-protect in one hold of the lock faults take:
	 * a page is either marked before (and reported now) or made
	 * writable after (and faults, and is marked, on its next write).
	 */
	stage2_write_lock(&vm->s2);
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
		dirty_protect_all(vm);
	}
	stage2_write_unlock(&vm->s2);
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
