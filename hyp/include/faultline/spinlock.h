/*
 * A ticket spinlock on C11 atomics: fair between CPUs, and on the host the
 * same code makes threads really contend. Only valid where memory is Normal
 * cacheable (at EL2: after the MMU is on).
 */
#ifndef FAULTLINE_SPINLOCK_H
#define FAULTLINE_SPINLOCK_H

#include <stdatomic.h>

#include <faultline/types.h>

/** A ticket lock; zero-initialised means unlocked. */
struct spinlock {
	_Atomic uint32_t next;
	_Atomic uint32_t owner;
};

/** Initialiser for a spinlock object. */
#define SPINLOCK_INIT                                                          \
	{                                                                      \
		0, 0                                                           \
	}

/** Acquires @l, spinning until it is this caller's turn. */
void spinlock_lock(struct spinlock *l);

/**
 * Tries to acquire @l for at most @spins iterations. Returns true if the
 * lock was taken. Used by the crash path, which must not wait forever on a
 * lock that a dead CPU holds.
 */
bool spinlock_trylock_for(struct spinlock *l, uint32_t spins);

/** Releases @l, which the caller holds. */
void spinlock_unlock(struct spinlock *l);

#endif /* FAULTLINE_SPINLOCK_H */
