/*
 * The vCPU harness of the stage-2 concurrency tests (stage2_conc_util.h).
 * Host-only: threads, the TLB model and stdio.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <faultline/err.h>
#include <faultline/trace/ring.h>

#include "host_arch.h"
#include "stage2_conc_util.h"

_Atomic bool conc_stop;
static _Atomic uint64_t conc_deadline_ns;

void conc_test_begin(void)
{
	host_set_cpu_index(0);
	trace_rings_reset();
	host_tlb_reset();
	atomic_store(&conc_stop, false);
	atomic_store(&conc_deadline_ns, conc_now_ns() + CONC_TEST_BUDGET_NS);
}

/* True once the test should stop: asked to, or out of time. */
static bool conc_should_stop(void)
{
	if (atomic_load(&conc_stop)) {
		return true;
	}
	if (conc_now_ns() > atomic_load(&conc_deadline_ns)) {
		if (!atomic_exchange(&conc_stop, true)) {
			fprintf(stderr,
				"    the test ran out of its %llu s budget: "
				"threads stopped\n",
				(unsigned long long)(CONC_TEST_BUDGET_NS /
						     1000000000));
		}
		return true;
	}
	return false;
}

int conc_vm_init(struct conc_vm *vm, size_t pool_pages)
{
	int ret;

	vm->mem = aligned_alloc(PAGE_SIZE, pool_pages * PAGE_SIZE);
	if (vm->mem == NULL) {
		return -ERR_NOMEM;
	}
	stage2_pool_init(&vm->pool, "conc", 1, vm->mem, pa_init(CONC_POOL_PA),
			 pool_pages);
	ret = stage2_pgtable_init(&vm->pgt, CONC_IA_BITS, CONC_VMID, &vm->pool);
	if (ret != 0) {
		free(vm->mem);
		vm->mem = NULL;
		return ret;
	}
	vm->avail0 = stage2_pool_available(&vm->pool);
	return 0;
}

int conc_vm_unmap_all(struct conc_vm *vm)
{
	int ret;

	rwlock_write_lock(&vm->pgt.lock);
	/* Every CPU may cache the entries: inner-shareable. */
	ret = stage2_unmap(&vm->pgt, 0, UINT64_C(1) << CONC_IA_BITS,
			   STAGE2_SCOPE_INNER_SHAREABLE, NULL);
	rwlock_write_unlock(&vm->pgt.lock);
	return ret;
}

void conc_vm_fini(struct conc_vm *vm)
{
	if (vm->mem == NULL) {
		return;
	}
	rwlock_write_lock(&vm->pgt.lock);
	stage2_pgtable_destroy(&vm->pgt);
	rwlock_write_unlock(&vm->pgt.lock);
	free(vm->mem);
	vm->mem = NULL;
}

void conc_vcpu_init(struct conc_vcpu *v, struct conc_vm *vm, unsigned cpu,
		    enum conc_policy policy)
{
	*v = (struct conc_vcpu){
		.vm = vm,
		.cpu = cpu,
		.policy = policy,
		.fix_again = true,
		.max_faults = 100000,
	};
}

unsigned conc_prot_of(enum host_tlb_access_kind kind)
{
	switch (kind) {
	case HOST_TLB_READ:
		return STAGE2_PROT_R;
	case HOST_TLB_WRITE:
		return STAGE2_PROT_R | STAGE2_PROT_W;
	case HOST_TLB_EXEC:
		return STAGE2_PROT_R | STAGE2_PROT_X;
	}
	return 0;
}

paddr_t conc_pa_for(const struct conc_vcpu *v, uint64_t ipa)
{
	uint64_t page = ALIGN_DOWN(ipa, PAGE_SIZE);

	if (v->pa_of != NULL) {
		return v->pa_of(v->pa_arg, page);
	}
	return pa_init(page + CONC_PA_A);
}

void conc_result_add(struct stage2_result *sum, const struct stage2_result *r)
{
	sum->installed += r->installed;
	sum->replaced += r->replaced;
	sum->identical += r->identical;
	sum->relaxed += r->relaxed;
	sum->removed += r->removed;
	sum->split += r->split;
	sum->collapsed += r->collapsed;
	sum->tables_added += r->tables_added;
	sum->tables_freed += r->tables_freed;
}

void conc_stats_add(struct conc_stats *sum, const struct conc_stats *s)
{
	const uint64_t *src = (const uint64_t *)s;
	uint64_t *dst = (uint64_t *)sum;
	size_t n = offsetof(struct conc_stats, map) / sizeof(uint64_t);

	/* Every counter before the results is a uint64_t. */
	for (size_t i = 0; i < n; i++) {
		dst[i] += src[i];
	}
	conc_result_add(&sum->map, &s->map);
	conc_result_add(&sum->relax, &s->relax);
}

/* stage2_map() of one page for the handler, counted. */
static int conc_map(struct conc_vcpu *v, uint64_t page, unsigned prot,
		    struct stage2_result *res)
{
	unsigned flags = STAGE2_SHARED;
	int ret;

	if (v->policy == CONC_PREJUDGE) {
		flags |= STAGE2_MAP_SKIP_IDENTICAL | STAGE2_MAP_NO_PERM_CHANGE;
	}
	/*
	 * A break-before-make here replaces an entry every CPU may have
	 * cached (the entry is shared by all vCPUs): inner-shareable.
	 */
	ret = stage2_map(&v->vm->pgt, page, PAGE_SIZE, conc_pa_for(v, page),
			 prot, &v->vm->pool, STAGE2_SCOPE_INNER_SHAREABLE,
			 flags, res);
	v->st.map_calls++;
	conc_result_add(&v->st.map, res);
	if (ret == 0) {
		v->st.map_ok++;
	} else if (ret == -ERR_AGAIN) {
		v->st.map_again++;
	} else if (ret == -ERR_PERM) {
		v->st.map_perm++;
	} else if (ret == -ERR_NOMEM) {
		v->st.map_nomem++;
	}
	return ret;
}

/* stage2_relax_perms() of one page for the handler, counted. */
static int conc_relax(struct conc_vcpu *v, uint64_t page, unsigned prot,
		      struct stage2_result *res)
{
	int ret;

	/*
	 * As KVM does since 2023: relaxing needs only this CPU's TLB
	 * invalidated; another CPU holding the narrower entry faults and
	 * relaxes (or invalidates) for itself. Local.
	 */
	ret = stage2_relax_perms(&v->vm->pgt, page, prot & STAGE2_PROT_RWX,
				 STAGE2_SCOPE_LOCAL, STAGE2_SHARED, res);
	v->st.relax_calls++;
	conc_result_add(&v->st.relax, res);
	if (ret == 0) {
		v->st.relax_ok++;
	} else if (ret == -ERR_AGAIN) {
		v->st.relax_again++;
		if (v->fix_again) {
			/*
			 * Another CPU relaxed first, or the entry changed:
			 * this CPU's TLB may still hold the narrower entry,
			 * which only a local invalidation removes.
			 */
			stage2_tlb_inval_ipa(&v->vm->pgt, page, res->level,
					     STAGE2_SCOPE_LOCAL);
			v->st.again_invals++;
		}
	}
	return ret;
}

int conc_handle_fault(struct conc_vcpu *v, uint64_t ipa,
		      enum host_tlb_access_kind kind,
		      const struct host_tlb_result *r)
{
	uint64_t page = ALIGN_DOWN(ipa, PAGE_SIZE);
	unsigned prot = conc_prot_of(kind);
	struct stage2_result res = {0};
	int ret;

	rwlock_read_lock(&v->vm->pgt.lock);
	if (r->fault == HOST_TLB_TRANSLATION || v->policy == CONC_LEGACY) {
		ret = conc_map(v, page, prot, &res);
		if (ret == -ERR_PERM) {
			res = (struct stage2_result){0};
			ret = conc_relax(v, page, prot, &res);
		}
	} else {
		ret = conc_relax(v, page, prot, &res);
	}
	rwlock_read_unlock(&v->vm->pgt.lock);

	if (ret == 0) {
		v->st.handled++;
		if (kind == HOST_TLB_WRITE) {
			v->st.dirty_marks++;
		}
	} else if (ret == -ERR_AGAIN) {
		v->st.retries++;
	} else if (ret == -ERR_NOMEM) {
		v->st.nomem++;
	} else {
		v->st.errors++;
	}
	return ret;
}

int conc_access(struct conc_vcpu *v, uint64_t ipa,
		enum host_tlb_access_kind kind, paddr_t *pa)
{
	for (uint64_t n = 0; n <= v->max_faults; n++) {
		struct host_tlb_result r;
		int ret;

		host_tlb_access(&v->vm->pgt, ipa, kind, &r);
		v->last = r;
		if (r.fault == HOST_TLB_OK) {
			v->st.accesses++;
			*pa = r.pa;
			return 0;
		}
		v->st.faults++;
		if (r.fault == HOST_TLB_TRANSLATION) {
			v->st.trans_faults++;
		} else {
			v->st.perm_faults++;
			if (r.hit) {
				v->st.perm_faults_hit++;
			}
		}
		if (n == v->max_faults || conc_should_stop()) {
			break;
		}
		ret = conc_handle_fault(v, ipa, kind, &r);
		if (ret != 0 && ret != -ERR_AGAIN) {
			/* Out of memory or a bug: the access is not retried. */
			break;
		}
	}
	v->st.gave_up++;
	return -ERR_TIMEDOUT;
}

int conc_start(pthread_t *t, unsigned n, void *(*fn)(void *), void **args)
{
	for (unsigned i = 0; i < n; i++) {
		int ret = pthread_create(&t[i], NULL, fn, args[i]);

		if (ret != 0) {
			atomic_store(&conc_stop, true);
			conc_join(t, i);
			return ret;
		}
	}
	return 0;
}

bool conc_join(pthread_t *t, unsigned n)
{
	struct timespec deadline;
	bool in_time = true;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += CONC_JOIN_TIMEOUT_S;
	for (unsigned i = 0; i < n; i++) {
		if (pthread_timedjoin_np(t[i], NULL, &deadline) != ETIMEDOUT) {
			continue;
		}
		/* Ask every loop to end, and give them a little while. */
		in_time = false;
		atomic_store(&conc_stop, true);
		clock_gettime(CLOCK_REALTIME, &deadline);
		deadline.tv_sec += CONC_STUCK_GRACE_S;
		if (pthread_timedjoin_np(t[i], NULL, &deadline) == ETIMEDOUT) {
			/* Stuck outside any loop we bound (a lock?): end loudly. */
			fprintf(stderr,
				"stage2_conc: a thread is stuck %d s after the "
				"stop request; aborting\n",
				CONC_STUCK_GRACE_S);
			abort();
		}
	}
	return in_time;
}

void conc_spin_sync(_Atomic unsigned *ctr, unsigned n)
{
	uint64_t start = conc_now_ns();

	atomic_fetch_add(ctr, 1);
	for (unsigned spins = 1; atomic_load(ctr) < n; spins++) {
		uint64_t waited;

		if (spins % 64 != 0) {
			continue;
		}
		waited = conc_now_ns() - start;
		if (waited > UINT64_C(1000000000) || atomic_load(&conc_stop)) {
			return;
		}
		/*
		 * Spin hard for a while, so the threads that are running
		 * leave together; then, with more threads than cores, let
		 * the descheduled ones run.
		 */
		if (waited > UINT64_C(50000)) {
			sched_yield();
		}
	}
}

bool conc_release_when_waiting(struct spinlock *l, unsigned n)
{
	uint64_t deadline = conc_now_ns() + UINT64_C(1000000000);
	bool all = false;

	/* Tickets handed out beyond the holder's are waiters. */
	while (!(all = atomic_load(&l->next) - atomic_load(&l->owner) - 1 >=
		       n) &&
	       conc_now_ns() < deadline && !atomic_load(&conc_stop)) {
		sched_yield();
	}
	spinlock_unlock(l);
	return all;
}

uint64_t conc_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * UINT64_C(0x2545F4914F6CDD1D);
}

uint64_t conc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * UINT64_C(1000000000) +
	       (uint64_t)ts.tv_nsec;
}

void conc_note(const char *fmt, ...)
{
	va_list ap;

	if (getenv("FAULTLINE_CONC_VERBOSE") == NULL) {
		return;
	}
	va_start(ap, fmt);
	printf("    # ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}
