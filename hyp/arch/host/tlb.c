/*
 * The host's TLB model (host_tlb.h) and arch/tlb.h on top of it. Each
 * modelled CPU's TLB has its own mutex: TLBIs from other CPUs reach into
 * it, as broadcast invalidations do on hardware.
 */
#include <pthread.h>

#include <faultline/arch/cpu.h>
#include <faultline/platform.h>

#include "host_tlb.h"

#define HOST_TLB_LOG_MAX 8192

struct tlb_entry {
	bool valid;
	uint16_t vmid;
	/* The IPA range the entry translates (VA == IPA, stage 1 off). */
	uint64_t base;
	uint64_t size;
	paddr_t pa;
	unsigned prot;
	unsigned level;
};

struct tlb_cpu {
	pthread_mutex_t lock;
	struct tlb_entry e[HOST_TLB_ENTRIES];
	unsigned victim;
};

static struct tlb_cpu tlb_cpus[PLATFORM_MAX_CPUS];
/*
 * Walks hold this for reading, TLBIs for writing: a TLBI (with its DSB)
 * completes only after every walk in flight has, as on hardware, so no
 * walk that began before an invalidation can cache what it removed, or
 * read a table page freed after it. Lock order: this, then a tlb_cpu.
 */
static pthread_rwlock_t tlb_walk_lock = PTHREAD_RWLOCK_INITIALIZER;
static pthread_once_t tlb_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t tlb_log_lock = PTHREAD_MUTEX_INITIALIZER;
static struct host_tlb_op tlb_log_ops[HOST_TLB_LOG_MAX];
static size_t tlb_log_len;

/* The VTTBR value each thread "loaded" with arch_s2_tlb_enter(). */
static _Thread_local uint64_t tlb_vttbr;

static void tlb_init(void)
{
	for (unsigned i = 0; i < PLATFORM_MAX_CPUS; i++) {
		pthread_mutex_init(&tlb_cpus[i].lock, NULL);
	}
}

static struct tlb_cpu *tlb_this_cpu(void)
{
	pthread_once(&tlb_once, tlb_init);
	return &tlb_cpus[arch_cpu_index() % PLATFORM_MAX_CPUS];
}

static uint16_t tlb_vmid(void)
{
	return (uint16_t)(tlb_vttbr >> 48);
}

static void tlb_log(struct host_tlb_op op)
{
	pthread_mutex_lock(&tlb_log_lock);
	if (tlb_log_len < HOST_TLB_LOG_MAX) {
		tlb_log_ops[tlb_log_len] = op;
	}
	tlb_log_len++;
	pthread_mutex_unlock(&tlb_log_lock);
}

static bool tlb_allows(unsigned prot, enum host_tlb_access_kind kind)
{
	switch (kind) {
	case HOST_TLB_READ:
		return (prot & STAGE2_PROT_R) != 0;
	case HOST_TLB_WRITE:
		return (prot & STAGE2_PROT_W) != 0;
	case HOST_TLB_EXEC:
		return (prot & STAGE2_PROT_X) != 0;
	}
	return false;
}

void host_tlb_access(const struct stage2_pgtable *pgt, uint64_t ipa,
		     enum host_tlb_access_kind kind,
		     struct host_tlb_result *out)
{
	struct tlb_cpu *c = tlb_this_cpu();
	struct stage2_leaf leaf;
	struct tlb_entry *hit = NULL;

	pthread_rwlock_rdlock(&tlb_walk_lock);
	pthread_mutex_lock(&c->lock);
	for (unsigned i = 0; i < HOST_TLB_ENTRIES; i++) {
		struct tlb_entry *e = &c->e[i];

		if (e->valid && e->vmid == pgt->vmid && ipa >= e->base &&
		    ipa - e->base < e->size) {
			hit = e;
			break;
		}
	}
	out->hit = hit != NULL;
	if (hit == NULL) {
		/* A miss walks the table as it is now. */
		if (stage2_lookup(pgt, ipa, &leaf) != 0) {
			pthread_mutex_unlock(&c->lock);
			pthread_rwlock_unlock(&tlb_walk_lock);
			out->fault = HOST_TLB_TRANSLATION;
			out->level = leaf.level;
			return;
		}
		hit = &c->e[c->victim];
		c->victim = (c->victim + 1) % HOST_TLB_ENTRIES;
		hit->valid = true;
		hit->vmid = pgt->vmid;
		hit->size = stage2_level_size(leaf.level);
		hit->base = ALIGN_DOWN(ipa, hit->size);
		hit->pa = stage2_pte_oa(leaf.pte, leaf.level);
		hit->prot = leaf.prot;
		hit->level = leaf.level;
	}
	out->level = hit->level;
	if (tlb_allows(hit->prot, kind)) {
		out->fault = HOST_TLB_OK;
		out->pa = pa_add(hit->pa, ipa - hit->base);
	} else {
		/* The entry stays cached: the next access faults on it too. */
		out->fault = HOST_TLB_PERMISSION;
	}
	pthread_mutex_unlock(&c->lock);
	pthread_rwlock_unlock(&tlb_walk_lock);
}

/* Removes @vmid's entries from the CPUs @scope reaches; returns how many. */
static unsigned tlb_flush_vmid(uint16_t vmid, enum arch_tlbi_scope scope)
{
	unsigned removed = 0;
	unsigned self = arch_cpu_index() % PLATFORM_MAX_CPUS;

	pthread_once(&tlb_once, tlb_init);
	pthread_rwlock_wrlock(&tlb_walk_lock);
	for (unsigned cpu = 0; cpu < PLATFORM_MAX_CPUS; cpu++) {
		struct tlb_cpu *c = &tlb_cpus[cpu];

		if (scope == ARCH_TLBI_LOCAL && cpu != self) {
			continue;
		}
		pthread_mutex_lock(&c->lock);
		for (unsigned i = 0; i < HOST_TLB_ENTRIES; i++) {
			if (c->e[i].valid && c->e[i].vmid == vmid) {
				c->e[i].valid = false;
				removed++;
			}
		}
		pthread_mutex_unlock(&c->lock);
	}
	pthread_rwlock_unlock(&tlb_walk_lock);
	return removed;
}

bool arch_s2_tlb_enter(uint64_t vttbr, struct arch_s2_tlb_ctx *ctx)
{
	ctx->saved_vttbr = tlb_vttbr;
	ctx->switched = tlb_vttbr != vttbr;
	tlb_vttbr = vttbr;
	tlb_log((struct host_tlb_op){.kind = HOST_TLB_OP_ENTER,
				     .cpu = arch_cpu_index(),
				     .vmid = tlb_vmid()});
	return ctx->switched;
}

void arch_s2_tlb_exit(const struct arch_s2_tlb_ctx *ctx)
{
	tlb_log((struct host_tlb_op){.kind = HOST_TLB_OP_EXIT,
				     .cpu = arch_cpu_index(),
				     .vmid = tlb_vmid()});
	tlb_vttbr = ctx->saved_vttbr;
}

void arch_s2_tlbi_ipa(uint64_t ipa, unsigned level UNUSED,
		      enum arch_tlbi_scope scope)
{
	/*
	 * Only stage-2-only entries are invalidated by IPA, and the model
	 * holds only combined ones (guest stage 1 is off): nothing goes. It
	 * still waits for the walks in flight, as any TLBI does.
	 */
	pthread_rwlock_wrlock(&tlb_walk_lock);
	pthread_rwlock_unlock(&tlb_walk_lock);
	tlb_log((struct host_tlb_op){.kind = HOST_TLB_OP_TLBI_IPA,
				     .cpu = arch_cpu_index(),
				     .vmid = tlb_vmid(),
				     .scope = scope,
				     .ipa = ipa});
}

void arch_s2_tlbi_vmalle1(enum arch_tlbi_scope scope)
{
	unsigned removed = tlb_flush_vmid(tlb_vmid(), scope);

	tlb_log((struct host_tlb_op){.kind = HOST_TLB_OP_TLBI_VMALLE1,
				     .cpu = arch_cpu_index(),
				     .vmid = tlb_vmid(),
				     .scope = scope,
				     .removed = removed});
}

void arch_s2_tlbi_vmalls12e1(enum arch_tlbi_scope scope)
{
	unsigned removed = tlb_flush_vmid(tlb_vmid(), scope);

	tlb_log((struct host_tlb_op){.kind = HOST_TLB_OP_TLBI_VMALLS12E1,
				     .cpu = arch_cpu_index(),
				     .vmid = tlb_vmid(),
				     .scope = scope,
				     .removed = removed});
}

void arch_barrier(enum arch_barrier b)
{
	/* Memory ordering on the host comes from the C11 atomics. */
	tlb_log((struct host_tlb_op){.kind = HOST_TLB_OP_BARRIER,
				     .cpu = arch_cpu_index(),
				     .vmid = tlb_vmid(),
				     .barrier = b});
}

void host_tlb_reset(void)
{
	pthread_once(&tlb_once, tlb_init);
	for (unsigned cpu = 0; cpu < PLATFORM_MAX_CPUS; cpu++) {
		struct tlb_cpu *c = &tlb_cpus[cpu];

		pthread_mutex_lock(&c->lock);
		for (unsigned i = 0; i < HOST_TLB_ENTRIES; i++) {
			c->e[i].valid = false;
		}
		c->victim = 0;
		pthread_mutex_unlock(&c->lock);
	}
	pthread_mutex_lock(&tlb_log_lock);
	tlb_log_len = 0;
	pthread_mutex_unlock(&tlb_log_lock);
}

unsigned host_tlb_cached(unsigned cpu, uint16_t vmid, uint64_t ipa)
{
	struct tlb_cpu *c;
	unsigned n = 0;

	pthread_once(&tlb_once, tlb_init);
	c = &tlb_cpus[cpu % PLATFORM_MAX_CPUS];
	pthread_mutex_lock(&c->lock);
	for (unsigned i = 0; i < HOST_TLB_ENTRIES; i++) {
		const struct tlb_entry *e = &c->e[i];

		if (e->valid && e->vmid == vmid && ipa >= e->base &&
		    ipa - e->base < e->size) {
			n++;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return n;
}

size_t host_tlb_log(struct host_tlb_op *out, size_t max)
{
	size_t n;

	pthread_mutex_lock(&tlb_log_lock);
	n = tlb_log_len;
	for (size_t i = 0; i < n && i < max && i < HOST_TLB_LOG_MAX; i++) {
		out[i] = tlb_log_ops[i];
	}
	pthread_mutex_unlock(&tlb_log_lock);
	return n;
}
