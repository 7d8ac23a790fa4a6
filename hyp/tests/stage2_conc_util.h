/*
 * A small vCPU harness for the host-only stage-2 concurrency tests
 * (test_stage2_conc_*_host.c). Host threads play CPUs; each "vCPU" makes
 * guest accesses through the host TLB model (host_tlb_access()) and, on a
 * fault, runs a fault handler built only from the stage-2 library:
 *
 *   rwlock_read_lock(&pgt.lock)
 *   translation fault -> stage2_map() of the page, STAGE2_SHARED | policy
 *                        flags; under "prejudge" an -ERR_PERM answer goes
 *                        to stage2_relax_perms()
 *   permission fault  -> stage2_relax_perms() ("prejudge"), or
 *                        stage2_map() with the new permissions ("legacy")
 *   -ERR_AGAIN        -> back to the guest, which faults again
 *   rwlock_read_unlock(&pgt.lock)
 *
 * and retries the access, a bounded number of times.
 */
#ifndef FAULTLINE_TESTS_STAGE2_CONC_UTIL_H
#define FAULTLINE_TESTS_STAGE2_CONC_UTIL_H

#include <pthread.h>
#include <stdatomic.h>

#include <faultline/stage2.h>

#include "host_tlb.h"

/** IPA size of the tests' tables: start level 1, two concatenated roots. */
#define CONC_IA_BITS 40
/** VMID of the tests' tables. */
#define CONC_VMID 7
/** Where the pool's pages pretend to live (table PAs). */
#define CONC_POOL_PA (UINT64_C(1) << 44)
/** Guest PA = IPA + this, the "identity + offset" mapping. */
#define CONC_PA_A (UINT64_C(1) << 39)
/** The other PA a page may be remapped to. */
#define CONC_PA_B (UINT64_C(3) << 39)
/** Most vCPU threads a test starts (CPU indexes 1..CONC_MAX_THREADS). */
#define CONC_MAX_THREADS 8
/** How long conc_join() waits before asking every thread to stop. */
#define CONC_JOIN_TIMEOUT_S 20
/** How long conc_join() then waits before aborting the run. */
#define CONC_STUCK_GRACE_S 5

/** One VM's stage-2 table and the pool its table pages come from. */
struct conc_vm {
	struct stage2_pgtable pgt;
	struct stage2_pool pool;
	void *mem;
	/** stage2_pool_available() right after init (the root taken). */
	size_t avail0;
};

/** How the fault handler treats faults (seed 002). */
enum conc_policy {
	/** No flags: every fault rebuilds the leaf with break-before-make. */
	CONC_LEGACY,
	/** SKIP_IDENTICAL | NO_PERM_CHANGE, relax on -ERR_PERM. */
	CONC_PREJUDGE,
};

/** What one vCPU did. */
struct conc_stats {
	/** Accesses that completed. */
	uint64_t accesses;
	/** Faults taken (translation + permission). */
	uint64_t faults;
	uint64_t trans_faults;
	uint64_t perm_faults;
	/** Permission faults taken on an entry cached in the TLB. */
	uint64_t perm_faults_hit;
	/** Handler answers of -ERR_AGAIN: the guest just runs again. */
	uint64_t retries;
	/** Handler answers of 0. */
	uint64_t handled;
	/** Handler answers of -ERR_NOMEM. */
	uint64_t nomem;
	/** Any other handler answer (a bug in a test or in the library). */
	uint64_t errors;
	/** Accesses abandoned when the fault bound was reached. */
	uint64_t gave_up;
	/** Write faults the handler handled (dirty logging's mark). */
	uint64_t dirty_marks;
	/** stage2_map() calls and their answers. */
	uint64_t map_calls, map_ok, map_again, map_perm, map_nomem;
	/** stage2_relax_perms() calls and their answers. */
	uint64_t relax_calls, relax_ok, relax_again;
	/** Local invalidations made by the fixed handler on -ERR_AGAIN. */
	uint64_t again_invals;
	/** Sums of every stage2_result of the handler's calls. */
	struct stage2_result map;
	struct stage2_result relax;
};

/** Chooses the PA that the handler maps @ipa to (called under the lock). */
typedef paddr_t (*conc_pa_fn)(void *arg, uint64_t ipa);

/** One vCPU: which CPU it plays and how its faults are handled. */
struct conc_vcpu {
	struct conc_vm *vm;
	/** Host CPU index (distinct per thread, 1..15). */
	unsigned cpu;
	enum conc_policy policy;
	/**
	 * The 2023 KVM fix: when relaxing answers -ERR_AGAIN, invalidate
	 * the IPA in this CPU's TLB (it may still hold the narrower entry).
	 */
	bool fix_again;
	/** PA of an IPA; NULL means IPA + CONC_PA_A. */
	conc_pa_fn pa_of;
	void *pa_arg;
	/** Faults one access may take before it is abandoned. */
	uint64_t max_faults;
	struct conc_stats st;
	/** The last access's model result. */
	struct host_tlb_result last;
};

/**
 * Time a test's accesses may take before they all give up: a watchdog
 * against a hang, not a performance bound. The slowest test takes about
 * 2 s under TSan on an idle 2-core machine; the margin covers a loaded
 * one (8 TSan runs at once took up to 8x longer).
 */
#define CONC_TEST_BUDGET_NS UINT64_C(60000000000)

/**
 * Set by conc_join() on a timeout, by conc_access() when the test's time
 * budget is spent, and by tests: every loop of a vCPU or storm thread
 * checks it and ends, and every access gives up at its next fault.
 */
extern _Atomic bool conc_stop;

/**
 * Start of every test: trace rings, TLB model, stop flag, CPU 0, and a
 * time budget of CONC_TEST_BUDGET_NS from now.
 */
void conc_test_begin(void);

/** Sets up @vm with a pool of @pool_pages pages. Returns 0 or an error. */
int conc_vm_init(struct conc_vm *vm, size_t pool_pages);

/** Unmaps the whole IPA space under the write lock (IS invalidation). */
int conc_vm_unmap_all(struct conc_vm *vm);

/** Destroys the table and frees the pool's memory. */
void conc_vm_fini(struct conc_vm *vm);

/** Initialises @v for @vm on CPU @cpu with @policy (fix_again on). */
void conc_vcpu_init(struct conc_vcpu *v, struct conc_vm *vm, unsigned cpu,
		    enum conc_policy policy);

/** The permissions an access of @kind asks for. */
unsigned conc_prot_of(enum host_tlb_access_kind kind);

/** The PA @v's handler maps @ipa to. */
paddr_t conc_pa_for(const struct conc_vcpu *v, uint64_t ipa);

/**
 * The fault handler: handles fault @r of an access of @kind to @ipa on
 * the calling CPU. Returns the handler's answer (0, -ERR_AGAIN, ...).
 */
int conc_handle_fault(struct conc_vcpu *v, uint64_t ipa,
		      enum host_tlb_access_kind kind,
		      const struct host_tlb_result *r);

/**
 * One guest access with its faults handled, at most v->max_faults times.
 * Returns 0 with the PA in *@pa, or -ERR_TIMEDOUT (gave up, or conc_stop).
 */
int conc_access(struct conc_vcpu *v, uint64_t ipa,
		enum host_tlb_access_kind kind, paddr_t *pa);

/** Adds @s to @sum. */
void conc_stats_add(struct conc_stats *sum, const struct conc_stats *s);

/** Adds the counters of @r to @sum. */
void conc_result_add(struct stage2_result *sum, const struct stage2_result *r);

/** Starts @n threads running @fn(@args[i]). Returns 0 or an errno. */
int conc_start(pthread_t *t, unsigned n, void *(*fn)(void *), void **args);

/**
 * Joins @n threads; after CONC_JOIN_TIMEOUT_S sets conc_stop and waits
 * CONC_STUCK_GRACE_S more for each late thread, then aborts the run (a
 * thread stuck where no loop of ours can stop it, e.g. in a broken lock).
 * Returns true when every thread ended in time.
 */
bool conc_join(pthread_t *t, unsigned n);

/**
 * Releases @n threads at the same instant: each increments *@ctr and
 * spins until it reaches @n (a pthread barrier wakes its waiters one by
 * one). Gives up after a second. Use a fresh counter for each meeting.
 */
void conc_spin_sync(_Atomic unsigned *ctr, unsigned n);

/**
 * Releases spinlock @l, which the caller holds, once @n other CPUs wait
 * for it (or after a second). Holding a pool's lock this way stops every
 * CPU that allocates a table page between reading an entry and its CAS,
 * so they all race for the same entry. Returns true when all @n came.
 */
bool conc_release_when_waiting(struct spinlock *l, unsigned n);

/** A small per-thread random generator (xorshift64*). */
uint64_t conc_rand(uint64_t *state);

/** Nanoseconds of CLOCK_MONOTONIC. */
uint64_t conc_now_ns(void);

/** Prints a measured figure when FAULTLINE_CONC_VERBOSE is set. */
void conc_note(const char *fmt, ...) PRINTF_LIKE(1, 2);

#endif /* FAULTLINE_TESTS_STAGE2_CONC_UTIL_H */
