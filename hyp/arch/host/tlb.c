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

/*
 * A cached table entry (a walk cache): the table that holds the entries of
 * @level for the IPAs in [@base, @base + size of one entry at @level - 1).
 */
struct tlb_walk {
	bool valid;
	uint16_t vmid;
	unsigned level;
	uint64_t base;
	paddr_t table;
};

struct tlb_cpu {
	pthread_mutex_t lock;
	struct tlb_entry e[HOST_TLB_ENTRIES];
	unsigned victim;
	struct tlb_walk w[HOST_TLB_WALKS];
	unsigned walk_victim;
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

/* True when walk cache @w covers @ipa. */
static bool tlb_walk_covers(const struct tlb_walk *w, uint64_t ipa)
{
	return ipa >= w->base &&
	       ipa - w->base < stage2_level_size(w->level - 1);
}

/*
 * Walks for @ipa, resuming from the deepest cached table that covers it,
 * and caches every table entry followed. The CPU's lock is held.
 */
static int tlb_walk(struct tlb_cpu *c, const struct stage2_pgtable *pgt,
		    uint64_t ipa, struct stage2_leaf *leaf)
{
	const struct tlb_walk *from = NULL;
	struct stage2_path path;
	int ret;

	for (unsigned i = 0; i < HOST_TLB_WALKS; i++) {
		const struct tlb_walk *w = &c->w[i];

		if (w->valid && w->vmid == pgt->vmid &&
		    tlb_walk_covers(w, ipa) &&
		    (from == NULL || w->level > from->level)) {
			from = w;
		}
	}
	if (from != NULL) {
		ret = stage2_lookup_from(pgt, from->table, from->level, ipa,
					 leaf, &path);
	} else {
		ret = stage2_lookup_from(pgt, pgt->root_pa, pgt->start_level,
					 ipa, leaf, &path);
	}
	for (unsigned s = 0; s < path.n; s++) {
		struct tlb_walk *w = &c->w[c->walk_victim];
		unsigned level = path.step[s].level;

		c->walk_victim = (c->walk_victim + 1) % HOST_TLB_WALKS;
		w->valid = true;
		w->vmid = pgt->vmid;
		w->level = level + 1;
		w->base = ALIGN_DOWN(ipa, stage2_level_size(level));
		w->table = stage2_pte_oa(path.step[s].pte, level);
	}
	return ret;
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
		/* A miss walks the table (through any cached tables). */
		if (tlb_walk(c, pgt, ipa, &leaf) != 0) {
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

/* What a TLBI removes from each CPU it reaches. */
enum tlb_flush {
	/* Combined (leaf) entries of the VMID: VMALLE1. */
	TLB_FLUSH_LEAVES = 1,
	/* Cached table entries of the VMID: VMALLS12E1 (with LEAVES). */
	TLB_FLUSH_WALKS = 2,
	/* Cached table entries covering one IPA only: IPAS2E1. */
	TLB_FLUSH_WALKS_IPA = 4,
};

/*
 * Removes what @what says of @vmid's entries (for @ipa with
 * TLB_FLUSH_WALKS_IPA) from the CPUs @scope reaches; returns how many.
 */
static unsigned tlb_flush(uint16_t vmid, unsigned what, uint64_t ipa,
			  enum arch_tlbi_scope scope)
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
		for (unsigned i = 0;
		     (what & TLB_FLUSH_LEAVES) && i < HOST_TLB_ENTRIES; i++) {
			if (c->e[i].valid && c->e[i].vmid == vmid) {
				c->e[i].valid = false;
				removed++;
			}
		}
		for (unsigned i = 0; i < HOST_TLB_WALKS; i++) {
			struct tlb_walk *w = &c->w[i];

			if (!w->valid || w->vmid != vmid) {
				continue;
			}
			if ((what & TLB_FLUSH_WALKS) ||
			    ((what & TLB_FLUSH_WALKS_IPA) &&
			     tlb_walk_covers(w, ipa))) {
				w->valid = false;
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
	 * By IPA: stage-2-only entries, which for the model's combined leaf
	 * entries (guest stage 1 is off) means none of them, and the cached
	 * table entries on the way to @ipa (the non-"L" form reaches every
	 * level of the walk).
	 */
	unsigned removed =
		tlb_flush(tlb_vmid(), TLB_FLUSH_WALKS_IPA, ipa, scope);

	tlb_log((struct host_tlb_op){.kind = HOST_TLB_OP_TLBI_IPA,
				     .cpu = arch_cpu_index(),
				     .vmid = tlb_vmid(),
				     .scope = scope,
				     .ipa = ipa,
				     .removed = removed});
}

void arch_s2_tlbi_vmalle1(enum arch_tlbi_scope scope)
{
	unsigned removed = tlb_flush(tlb_vmid(), TLB_FLUSH_LEAVES, 0, scope);

	tlb_log((struct host_tlb_op){.kind = HOST_TLB_OP_TLBI_VMALLE1,
				     .cpu = arch_cpu_index(),
				     .vmid = tlb_vmid(),
				     .scope = scope,
				     .removed = removed});
}

void arch_s2_tlbi_vmalls12e1(enum arch_tlbi_scope scope)
{
	unsigned removed = tlb_flush(
		tlb_vmid(), TLB_FLUSH_LEAVES | TLB_FLUSH_WALKS, 0, scope);

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
		for (unsigned i = 0; i < HOST_TLB_WALKS; i++) {
			c->w[i].valid = false;
		}
		c->victim = 0;
		c->walk_victim = 0;
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
