/*
 * The stage-2 table lock, traced. The trace records a hold from the
 * moment the lock is held to just before it is released, so that two
 * holds that exclude each other never overlap in the trace either (the
 * timestamps come from the one system counter all CPUs share).
 */
#include <faultline/arch/cpu.h>
#include <faultline/stage2.h>
#include <faultline/trace/ring.h>

void stage2_read_lock(struct stage2_pgtable *pgt)
{
	uint64_t t0 = arch_counter_now();

	rwlock_read_lock(&pgt->lock);
	trace_lock(pa_addr(pgt->root_pa), TRACE_LOCK_SIDE_READ, pgt->vmid,
		   arch_counter_now() - t0);
}

void stage2_read_unlock(struct stage2_pgtable *pgt)
{
	trace_unlock(pa_addr(pgt->root_pa), TRACE_LOCK_SIDE_READ, pgt->vmid);
	rwlock_read_unlock(&pgt->lock);
}

void stage2_write_lock(struct stage2_pgtable *pgt)
{
	uint64_t t0 = arch_counter_now();

	rwlock_write_lock(&pgt->lock);
	trace_lock(pa_addr(pgt->root_pa), TRACE_LOCK_SIDE_WRITE, pgt->vmid,
		   arch_counter_now() - t0);
}

void stage2_write_unlock(struct stage2_pgtable *pgt)
{
	trace_unlock(pa_addr(pgt->root_pa), TRACE_LOCK_SIDE_WRITE, pgt->vmid);
	rwlock_write_unlock(&pgt->lock);
}
