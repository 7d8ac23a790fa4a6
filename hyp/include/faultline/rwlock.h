/*
 * A reader-writer spinlock on C11 atomics. Readers share it; a writer
 * excludes everyone. A waiting writer stops new readers from entering, so
 * a stream of readers (faults) cannot starve it.
 */
#ifndef FAULTLINE_RWLOCK_H
#define FAULTLINE_RWLOCK_H

#include <stdatomic.h>

#include <faultline/types.h>

/** Zero-initialised means unlocked. */
struct rwlock {
	/** Readers inside, plus RWLOCK_WRITER when a writer holds it. */
	_Atomic uint32_t state;
	/** Writers waiting to enter. */
	_Atomic uint32_t writers_waiting;
};

/** Initialiser for a struct rwlock. */
#define RWLOCK_INIT                                                            \
	{                                                                      \
		0, 0                                                           \
	}

/** Takes @l for reading, waiting while a writer holds or awaits it. */
void rwlock_read_lock(struct rwlock *l);

/** Releases a read hold of @l. */
void rwlock_read_unlock(struct rwlock *l);

/** Takes @l for writing, waiting until no reader or writer holds it. */
void rwlock_write_lock(struct rwlock *l);

/** Releases the write hold of @l. */
void rwlock_write_unlock(struct rwlock *l);

/**
 * True when some writer holds @l. For CHECK()s of locking rules: the lock
 * does not know who the writer is.
 */
bool rwlock_write_held(struct rwlock *l);

/** True when at least one reader or a writer holds @l. */
bool rwlock_held(struct rwlock *l);

#endif /* FAULTLINE_RWLOCK_H */
