/*
 * The ticket lock on one CPU: the ticket counters, trylock on a free and a
 * held lock, wrap-around. Contention is in test_spinlock_host.c.
 */
#include <faultline/spinlock.h>
#include <faultline/test.h>

/** Lock takes a ticket and unlock passes ownership on: next and owner move in step. */
TEST(spinlock, tickets_advance)
{
	struct spinlock l = SPINLOCK_INIT;

	EXPECT_EQ(l.next, 0);
	EXPECT_EQ(l.owner, 0);
	spinlock_lock(&l);
	EXPECT_EQ(l.next, 1);
	EXPECT_EQ(l.owner, 0);
	spinlock_unlock(&l);
	EXPECT_EQ(l.next, 1);
	EXPECT_EQ(l.owner, 1);
	for (unsigned i = 0; i < 10; i++) {
		spinlock_lock(&l);
		spinlock_unlock(&l);
	}
	EXPECT_EQ(l.next, 11);
	EXPECT_EQ(l.owner, 11);
}

/** trylock takes a free lock at once and fails on a held one, even with many spins. */
TEST(spinlock, trylock_free_and_held)
{
	struct spinlock l = SPINLOCK_INIT;

	EXPECT_TRUE(spinlock_trylock_for(&l, 0));
	EXPECT_EQ(l.next, 1);
	EXPECT_TRUE(!spinlock_trylock_for(&l, 0));
	EXPECT_TRUE(!spinlock_trylock_for(&l, 1000));
	/* A failed trylock takes no ticket. */
	EXPECT_EQ(l.next, 1);
	spinlock_unlock(&l);
	EXPECT_TRUE(spinlock_trylock_for(&l, 5));
	spinlock_unlock(&l);
	spinlock_lock(&l);
	EXPECT_TRUE(!spinlock_trylock_for(&l, 10));
	spinlock_unlock(&l);
	EXPECT_EQ(l.next, l.owner);
}

/** The lock keeps working when the 32-bit ticket counters wrap around. */
TEST(spinlock, ticket_wraparound)
{
	struct spinlock l;

	atomic_init(&l.next, UINT32_MAX - 1);
	atomic_init(&l.owner, UINT32_MAX - 1);
	for (unsigned i = 0; i < 4; i++) {
		spinlock_lock(&l);
		EXPECT_TRUE(!spinlock_trylock_for(&l, 3));
		spinlock_unlock(&l);
	}
	EXPECT_EQ(l.next, 2);
	EXPECT_EQ(l.owner, 2);
	EXPECT_TRUE(spinlock_trylock_for(&l, 0));
	spinlock_unlock(&l);
}
