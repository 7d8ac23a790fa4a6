/*
 * Livelock detection (livelock.h). The evidence of forward progress is
 * the guest executor's own counter of ops executed (guest_ctl.progress):
 * a vCPU that faults on one page again and again while it stays put is
 * not getting anywhere, whatever the outcomes say (each fault may be
 * "handled": the ping-pong's are).
 */
#include <faultline/arch/cache.h>
#include <faultline/arch/cpu.h>
#include <faultline/livelock.h>
#include <faultline/trace/ring.h>

static _Atomic uint32_t livelock_faults;

void livelock_set_threshold(uint32_t faults)
{
	atomic_store_explicit(&livelock_faults, faults, memory_order_relaxed);
}

uint32_t livelock_threshold(void)
{
	return atomic_load_explicit(&livelock_faults, memory_order_relaxed);
}

/* The guest's progress counter, as the guest last wrote it. */
static uint64_t livelock_progress(struct vcpu *v)
{
	volatile const uint64_t *p = &v->ctl->progress;

	if (vm_caches_off(v->vm)) {
		/*
		 * The guest wrote it past the caches; a line of ours may be
		 * stale. The hypervisor never writes it after the build
		 * (which cleaned it): invalidating loses nothing.
		 */
		arch_dcache_clean_inval_poc((const void *)p, sizeof(*p));
	}
	return *p;
}

bool livelock_note_fault(struct vcpu *v, uint64_t ipa)
{
	struct vcpu_streak *s = &v->streak;
	uint32_t limit = livelock_threshold();
	uint64_t page = ALIGN_DOWN(ipa, PAGE_SIZE);
	uint64_t progress;

	if (limit == 0 || vcpu_stopped(v)) {
		return false;
	}
	progress = livelock_progress(v);
	if (s->faults > 0 && s->page == page && s->progress == progress) {
		s->faults++;
	} else {
		s->page = page;
		s->progress = progress;
		s->faults = 1;
		s->since = arch_counter_now();
	}
	if (s->faults > s->max_faults) {
		s->max_faults = s->faults;
		s->max_page = page;
	}
	if (s->faults < limit) {
		return false;
	}
	trace_livelock(v->id, v->vm->vmid, page, s->faults, s->since, progress);
	vcpu_stop(v, TRACE_VCPU_STOP_LIVELOCK, 0);
	vm_request_stop(v->vm);
	return true;
}
