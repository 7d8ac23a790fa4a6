/*
 * The reader-writer lock that guards a stage-2 table (pgt->lock), under
 * real contention: the exclusion the table's locking rules rely on (no
 * walker inside while unmap or collapse frees pages), and the writer
 * preference that keeps a stream of faults from starving an unmap.
 */
#include <sched.h>

#include <faultline/rwlock.h>
#include <faultline/test.h>

#include "host_arch.h"
#include "stage2_conc_util.h"

#define LK_READERS 3u
#define LK_WRITERS 2u
#define LK_ITERS 3000u

struct lk_shared {
	struct rwlock lock;
	/* Written by writers only, with plain accesses: TSan sees misuse. */
	uint64_t value;
	uint64_t shadow;
	_Atomic unsigned readers_inside;
	_Atomic unsigned writers_inside;
	_Atomic unsigned violations;
	_Atomic unsigned torn;
	_Atomic unsigned max_readers;
	_Atomic unsigned go;
};

struct lk_thread {
	struct lk_shared *sh;
	unsigned cpu;
	bool writer;
};

static void lk_read(struct lk_shared *sh)
{
	unsigned in;
	unsigned max;

	rwlock_read_lock(&sh->lock);
	in = atomic_fetch_add(&sh->readers_inside, 1) + 1;
	max = atomic_load(&sh->max_readers);
	while (in > max &&
	       !atomic_compare_exchange_weak(&sh->max_readers, &max, in)) {
	}
	if (atomic_load(&sh->writers_inside) != 0) {
		atomic_fetch_add(&sh->violations, 1);
	}
	/* A writer updates both together: a reader never sees them differ. */
	if (sh->value != sh->shadow) {
		atomic_fetch_add(&sh->torn, 1);
	}
	atomic_fetch_sub(&sh->readers_inside, 1);
	rwlock_read_unlock(&sh->lock);
}

static void lk_write(struct lk_shared *sh)
{
	rwlock_write_lock(&sh->lock);
	if (atomic_fetch_add(&sh->writers_inside, 1) != 0 ||
	    atomic_load(&sh->readers_inside) != 0 ||
	    !rwlock_write_held(&sh->lock)) {
		atomic_fetch_add(&sh->violations, 1);
	}
	sh->value++;
	if (sh->value % 16 == 0) {
		sched_yield();
	}
	sh->shadow++;
	atomic_fetch_sub(&sh->writers_inside, 1);
	rwlock_write_unlock(&sh->lock);
}

static void *lk_thread_fn(void *arg)
{
	struct lk_thread *t = arg;

	host_set_cpu_index(t->cpu);
	conc_spin_sync(&t->sh->go, LK_READERS + LK_WRITERS);
	for (unsigned i = 0; i < LK_ITERS && !atomic_load(&conc_stop); i++) {
		if (t->writer) {
			lk_write(t->sh);
		} else {
			lk_read(t->sh);
		}
	}
	return NULL;
}

/** Readers and writers of pgt->lock: a writer is always alone, readers never see a half-done update, and no write is lost. */
TEST(stage2_conc_lock, writers_exclude_everyone)
{
	struct lk_shared sh = {.lock = RWLOCK_INIT};
	struct lk_thread th[LK_READERS + LK_WRITERS];
	pthread_t tid[LK_READERS + LK_WRITERS];
	void *args[LK_READERS + LK_WRITERS];

	conc_test_begin();
	for (unsigned i = 0; i < LK_READERS + LK_WRITERS; i++) {
		th[i] = (struct lk_thread){&sh, 1 + i, i < LK_WRITERS};
		args[i] = &th[i];
	}
	ASSERT_EQ_INT(
		conc_start(tid, LK_READERS + LK_WRITERS, lk_thread_fn, args),
		0);
	EXPECT_TRUE(conc_join(tid, LK_READERS + LK_WRITERS));
	EXPECT_EQ(atomic_load(&sh.violations), 0);
	EXPECT_EQ(atomic_load(&sh.torn), 0);
	EXPECT_EQ(sh.value, LK_WRITERS * LK_ITERS);
	EXPECT_EQ(sh.shadow, LK_WRITERS * LK_ITERS);
	EXPECT_TRUE(!rwlock_held(&sh.lock));
	conc_note("rwlock: at most %u readers inside at once",
		  atomic_load(&sh.max_readers));
}

struct lk_pref {
	struct rwlock lock;
	_Atomic unsigned step;
	/* Order in which the writer and the late reader got in. */
	_Atomic unsigned order;
	unsigned writer_pos, reader_pos;
};

/* Waits (bounded) until @p->step reaches @n. */
static bool lk_wait_step(struct lk_pref *p, unsigned n)
{
	uint64_t deadline = conc_now_ns() + UINT64_C(2000000000);

	while (atomic_load(&p->step) < n) {
		if (conc_now_ns() > deadline) {
			return false;
		}
		sched_yield();
	}
	return true;
}

static void *lk_pref_writer(void *arg)
{
	struct lk_pref *p = arg;

	host_set_cpu_index(1);
	atomic_store(&p->step, 1);
	rwlock_write_lock(&p->lock);
	p->writer_pos = atomic_fetch_add(&p->order, 1);
	rwlock_write_unlock(&p->lock);
	return NULL;
}

static void *lk_pref_reader(void *arg)
{
	struct lk_pref *p = arg;

	host_set_cpu_index(2);
	atomic_store(&p->step, 2);
	rwlock_read_lock(&p->lock);
	p->reader_pos = atomic_fetch_add(&p->order, 1);
	rwlock_read_unlock(&p->lock);
	return NULL;
}

/** A reader arriving while a writer waits for the lock gets in only after that writer (faults cannot starve an unmap). */
TEST(stage2_conc_lock, waiting_writer_goes_before_new_readers)
{
	struct lk_pref p = {.lock = RWLOCK_INIT};
	pthread_t w, r;
	void *wa[1] = {&p};

	conc_test_begin();
	rwlock_read_lock(&p.lock);
	ASSERT_EQ_INT(conc_start(&w, 1, lk_pref_writer, wa), 0);
	EXPECT_TRUE(lk_wait_step(&p, 1));
	/* The writer has announced itself once writers_waiting is set. */
	for (unsigned i = 0;
	     i < 1000000 && atomic_load(&p.lock.writers_waiting) == 0; i++) {
		sched_yield();
	}
	EXPECT_EQ(atomic_load(&p.lock.writers_waiting), 1);
	if (conc_start(&r, 1, lk_pref_reader, wa) != 0) {
		rwlock_read_unlock(&p.lock);
		conc_join(&w, 1);
		ASSERT_TRUE(false);
	}
	EXPECT_TRUE(lk_wait_step(&p, 2));
	/* Give the reader time to (wrongly) get in. */
	for (unsigned i = 0; i < 1000; i++) {
		sched_yield();
	}
	EXPECT_EQ(atomic_load(&p.order), 0);
	rwlock_read_unlock(&p.lock);
	EXPECT_TRUE(conc_join(&w, 1));
	EXPECT_TRUE(conc_join(&r, 1));
	EXPECT_EQ(p.writer_pos, 0);
	EXPECT_EQ(p.reader_pos, 1);
}
