/*
 * The ticket lock under real contention: host threads play CPUs (the
 * lock's C11 atomics are the same code as at EL2).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#include <faultline/spinlock.h>
#include <faultline/test.h>

#include "host_arch.h"

#define SL_THREADS 4
#define SL_ITERS 20000

static struct spinlock sl_lock = SPINLOCK_INIT;
/* Updated only under sl_lock, with plain accesses: lost updates show a bug. */
static uint64_t sl_counter;
static unsigned sl_inside;
static _Atomic unsigned sl_overlaps;

static void *sl_worker(void *arg)
{
	host_set_cpu_index((unsigned)(uintptr_t)arg);
	for (unsigned i = 0; i < SL_ITERS; i++) {
		spinlock_lock(&sl_lock);
		if (sl_inside++ != 0) {
			atomic_fetch_add(&sl_overlaps, 1);
		}
		sl_counter++;
		if (i % 64 == 0) {
			sched_yield();
		}
		sl_inside--;
		spinlock_unlock(&sl_lock);
	}
	return NULL;
}

/** Threads incrementing a plain counter under the lock never overlap nor lose an update. */
TEST(spinlock_host, mutual_exclusion_under_contention)
{
	pthread_t t[SL_THREADS];

	sl_counter = 0;
	sl_inside = 0;
	atomic_store(&sl_overlaps, 0);
	for (unsigned i = 0; i < SL_THREADS; i++) {
		ASSERT_EQ_INT(pthread_create(&t[i], NULL, sl_worker,
					     (void *)(uintptr_t)(i + 1)),
			      0);
	}
	for (unsigned i = 0; i < SL_THREADS; i++) {
		pthread_join(t[i], NULL);
	}
	EXPECT_EQ(sl_counter, (uint64_t)SL_THREADS * SL_ITERS);
	EXPECT_EQ(atomic_load(&sl_overlaps), 0);
	EXPECT_EQ(sl_lock.next, sl_lock.owner);
	EXPECT_EQ(sl_lock.next, SL_THREADS * SL_ITERS);
}

static struct spinlock sl_fifo = SPINLOCK_INIT;
static unsigned sl_order[2];
static _Atomic unsigned sl_order_len;

static void *sl_fifo_worker(void *arg)
{
	spinlock_lock(&sl_fifo);
	sl_order[atomic_fetch_add(&sl_order_len, 1)] = (unsigned)(uintptr_t)arg;
	spinlock_unlock(&sl_fifo);
	return NULL;
}

/* Waits until @l has handed out @n tickets. */
static void sl_wait_tickets(struct spinlock *l, uint32_t n)
{
	while (atomic_load(&l->next) != n) {
		sched_yield();
	}
}

/** Waiters get the lock in the order they asked for it (tickets are FIFO). */
TEST(spinlock_host, fifo_order)
{
	pthread_t a, b;

	atomic_store(&sl_order_len, 0);
	spinlock_lock(&sl_fifo);
	ASSERT_EQ_INT(pthread_create(&a, NULL, sl_fifo_worker, (void *)1), 0);
	sl_wait_tickets(&sl_fifo, 2);
	ASSERT_EQ_INT(pthread_create(&b, NULL, sl_fifo_worker, (void *)2), 0);
	sl_wait_tickets(&sl_fifo, 3);
	/* With waiters queued, the lock is not free for trylock. */
	EXPECT_TRUE(!spinlock_trylock_for(&sl_fifo, 100));
	spinlock_unlock(&sl_fifo);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	ASSERT_EQ(atomic_load(&sl_order_len), 2);
	EXPECT_EQ(sl_order[0], 1);
	EXPECT_EQ(sl_order[1], 2);
}

static struct spinlock sl_held = SPINLOCK_INIT;
static _Atomic bool sl_held_release;
static _Atomic bool sl_held_taken;

static void *sl_holder(void *arg)
{
	(void)arg;
	spinlock_lock(&sl_held);
	atomic_store(&sl_held_taken, true);
	while (!atomic_load(&sl_held_release)) {
		sched_yield();
	}
	spinlock_unlock(&sl_held);
	return NULL;
}

/** trylock gives up on a lock another thread holds, and succeeds once it is released. */
TEST(spinlock_host, trylock_gives_up_on_other_holder)
{
	pthread_t t;

	atomic_store(&sl_held_release, false);
	atomic_store(&sl_held_taken, false);
	ASSERT_EQ_INT(pthread_create(&t, NULL, sl_holder, NULL), 0);
	while (!atomic_load(&sl_held_taken)) {
		sched_yield();
	}
	EXPECT_TRUE(!spinlock_trylock_for(&sl_held, 1000));
	atomic_store(&sl_held_release, true);
	pthread_join(t, NULL);
	EXPECT_TRUE(spinlock_trylock_for(&sl_held, 0));
	spinlock_unlock(&sl_held);
}
