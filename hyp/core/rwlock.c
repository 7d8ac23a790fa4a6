/*
 * Reader-writer spinlock. state counts readers; RWLOCK_WRITER marks a
 * writer. A writer first announces itself in writers_waiting, which stops
 * new readers, then waits for the readers inside to leave.
 */
#include <faultline/arch/cpu.h>
#include <faultline/rwlock.h>

#define RWLOCK_WRITER (UINT32_C(1) << 31)

void rwlock_read_lock(struct rwlock *l)
{
	for (;;) {
		uint32_t s;

		while (atomic_load_explicit(&l->writers_waiting,
					    memory_order_relaxed) != 0) {
			arch_cpu_relax();
		}
		s = atomic_load_explicit(&l->state, memory_order_relaxed);
		if ((s & RWLOCK_WRITER) == 0 &&
		    atomic_compare_exchange_weak_explicit(
			    &l->state, &s, s + 1, memory_order_acquire,
			    memory_order_relaxed)) {
			return;
		}
		arch_cpu_relax();
	}
}

void rwlock_read_unlock(struct rwlock *l)
{
	atomic_fetch_sub_explicit(&l->state, 1, memory_order_release);
}

void rwlock_write_lock(struct rwlock *l)
{
	uint32_t free_state = 0;

	atomic_fetch_add_explicit(&l->writers_waiting, 1, memory_order_relaxed);
	while (!atomic_compare_exchange_weak_explicit(
		&l->state, &free_state, RWLOCK_WRITER, memory_order_acquire,
		memory_order_relaxed)) {
		free_state = 0;
		arch_cpu_relax();
	}
	atomic_fetch_sub_explicit(&l->writers_waiting, 1, memory_order_relaxed);
}

void rwlock_write_unlock(struct rwlock *l)
{
	atomic_store_explicit(&l->state, 0, memory_order_release);
}

bool rwlock_write_held(struct rwlock *l)
{
	return (atomic_load_explicit(&l->state, memory_order_relaxed) &
		RWLOCK_WRITER) != 0;
}

bool rwlock_held(struct rwlock *l)
{
	return atomic_load_explicit(&l->state, memory_order_relaxed) != 0;
}
