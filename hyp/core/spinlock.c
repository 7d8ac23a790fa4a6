/* Ticket spinlock on C11 atomics. */
#include <faultline/arch/cpu.h>
#include <faultline/spinlock.h>

void spinlock_lock(struct spinlock *l)
{
	uint32_t ticket =
		atomic_fetch_add_explicit(&l->next, 1, memory_order_relaxed);

	while (atomic_load_explicit(&l->owner, memory_order_acquire) !=
	       ticket) {
		arch_cpu_relax();
	}
}

bool spinlock_trylock_for(struct spinlock *l, uint32_t spins)
{
	/* spins + 1 attempts, written so that UINT32_MAX terminates too. */
	for (uint32_t i = 0;; i++) {
		uint32_t owner =
			atomic_load_explicit(&l->owner, memory_order_relaxed);
		uint32_t expected = owner;

		/* Free when nobody holds or waits: next == owner. */
		if (atomic_compare_exchange_strong_explicit(
			    &l->next, &expected, owner + 1,
			    memory_order_acquire, memory_order_relaxed)) {
			return true;
		}
		if (i == spins) {
			return false;
		}
		arch_cpu_relax();
	}
}

void spinlock_unlock(struct spinlock *l)
{
	uint32_t owner = atomic_load_explicit(&l->owner, memory_order_relaxed);

	atomic_store_explicit(&l->owner, owner + 1, memory_order_release);
}
