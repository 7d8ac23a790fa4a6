/* The fault-path statistics of a decoded trace (faultstats.h). */
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>
#include <faultline/time.h>

#include "faultstats_internal.h"

/* The events read here. */
enum fs_ev {
	FS_ENTER,
	FS_EXIT,
	FS_BBM_BREAK,
	FS_BBM_MAKE,
	FS_TLBI,
	FS_PTE_WRITE,
	FS_BACKOFF,
	FS_CMO,
	FS_POOL_EXHAUSTED,
	FS_POOL_RECYCLE,
	FS_DIRTY_MARK,
	FS_ABORT,
	FS_ACCESS,
	FS_STOP,
	FS_VM_CREATE,
	FS_KNOB,
	FS_DRAIN,
	FS_EV_COUNT,
	/* A schema event none of the above. */
	FS_EV_NONE = FS_EV_COUNT
};

static const char *const fs_ev_names[FS_EV_COUNT] = {
	[FS_ENTER] = "s2_fault_enter",
	[FS_EXIT] = "s2_fault_exit",
	[FS_BBM_BREAK] = "bbm_break",
	[FS_BBM_MAKE] = "bbm_make",
	[FS_TLBI] = "tlbi",
	[FS_PTE_WRITE] = "pte_write",
	[FS_BACKOFF] = "s2_backoff",
	[FS_CMO] = "cmo",
	[FS_POOL_EXHAUSTED] = "pool_exhausted",
	[FS_POOL_RECYCLE] = "pool_recycle",
	[FS_DIRTY_MARK] = "dirty_mark",
	[FS_ABORT] = "guest_abort_injected",
	[FS_ACCESS] = "guest_access",
	[FS_STOP] = "vcpu_stop",
	[FS_VM_CREATE] = "vm_create",
	[FS_KNOB] = "knob",
	[FS_DRAIN] = "trace_drain",
};

/* The fields read here, of whichever event has them. */
enum fs_field {
	FS_F_VCPU,
	FS_F_VMID,
	FS_F_IPA,
	FS_F_KIND,
	FS_F_ACCESS,
	FS_F_OUTCOME,
	FS_F_POLICY,
	FS_F_OP,
	FS_F_WHY,
	FS_F_SIZE,
	FS_F_PAGES,
	FS_F_T_START,
	FS_F_T_END,
	FS_F_PC,
	FS_F_ESR,
	FS_F_NAME,
	FS_F_VALUE,
	FS_F_NVCPUS,
	FS_F_IA_BITS,
	FS_F_FLAGS,
	FS_F_TICKS,
	FS_F_COUNT
};

static const char *const fs_field_names[FS_F_COUNT] = {
	[FS_F_VCPU] = "vcpu",       [FS_F_VMID] = "vmid",
	[FS_F_IPA] = "ipa",         [FS_F_KIND] = "kind",
	[FS_F_ACCESS] = "access",   [FS_F_OUTCOME] = "outcome",
	[FS_F_POLICY] = "policy",   [FS_F_OP] = "op",
	[FS_F_WHY] = "why",         [FS_F_SIZE] = "size",
	[FS_F_PAGES] = "pages",     [FS_F_T_START] = "t_start",
	[FS_F_T_END] = "t_end",     [FS_F_PC] = "pc",
	[FS_F_ESR] = "esr",         [FS_F_NAME] = "name",
	[FS_F_VALUE] = "value",     [FS_F_NVCPUS] = "nvcpus",
	[FS_F_IA_BITS] = "ia_bits", [FS_F_FLAGS] = "flags",
	[FS_F_TICKS] = "ticks",
};

/*
 * The file's schema resolved once, so that the pass over what may be
 * millions of records compares no names.
 */
struct fs_bind {
	/* Our event of each schema id below @nids, or FS_EV_NONE. */
	uint8_t *ev_of;
	size_t nids;
	/* Per event and field: its index in the record, or -1. */
	int8_t idx[FS_EV_COUNT][FS_F_COUNT];
	/* Per event and field: the schema's kind ("OUTCOME"), or NULL. */
	const char *kind[FS_EV_COUNT][FS_F_COUNT];
};

/* A fault entered on a CPU and not yet exited. */
struct fs_open {
	uint64_t ts;
	uint64_t vcpu;
	uint64_t vmid;
	uint64_t ipa;
};

struct fs_stack {
	struct fs_open *v;
	size_t n;
	size_t cap;
};

/* One latency sample and the value (outcome, access) it is filed under. */
struct fs_sample {
	uint64_t ns;
	uint64_t key;
};

struct fs_samples {
	struct fs_sample *v;
	size_t n;
	size_t cap;
	/* The distinct keys, and how many samples each has. */
	struct faultstats_counts keys;
};

/* An enum value the stats single out by name, when the schema has it. */
struct fs_special {
	bool known;
	uint64_t value;
};

struct fs_ctx {
	const struct trace_data *td;
	struct faultstats *fs;
	struct fs_bind b;
	/* Faults in progress, per CPU: they nest strictly on one CPU. */
	struct fs_stack cpus[TRACE_FILE_MAX_CPUS];
	struct fs_samples lat;
	struct fs_samples acc;
	struct faultstats_pagemap mapped;
	struct faultstats_pagemap remapped;
	struct faultstats_pagemap broken;
	struct fs_special outcome_mapped;
	struct fs_special outcome_remapped;
	struct fs_special access_hvc;
	struct fs_special stop_done;
};

/* The value of enum @kind named @name in @sp, when the schema has it. */
static void fs_special_find(const struct trace_data *td, const char *kind,
			    const char *name, struct fs_special *sp)
{
	sp->known = false;
	for (size_t i = 0; kind != NULL && i < td->nenums; i++) {
		if (strcmp(td->enums[i].kind, kind) == 0 &&
		    strcmp(td->enums[i].name, name) == 0) {
			sp->known = true;
			sp->value = td->enums[i].value;
			return;
		}
	}
}

static bool fs_special_is(const struct fs_special *sp, uint64_t v)
{
	return sp->known && sp->value == v;
}

static int fs_bind(const struct trace_data *td, struct fs_bind *b)
{
	memset(b->idx, -1, sizeof(b->idx));
	for (size_t i = 0; i < td->nevents; i++) {
		b->nids = MAX(b->nids, (size_t)td->events[i].id + 1);
	}
	b->ev_of = malloc(b->nids > 0 ? b->nids : 1);
	if (b->ev_of == NULL) {
		return -ERR_NOMEM;
	}
	memset(b->ev_of, FS_EV_NONE, b->nids);
	for (size_t i = 0; i < td->nevents; i++) {
		const struct trace_schema_event *ev = &td->events[i];
		unsigned e = 0;

		while (e < FS_EV_COUNT &&
		       strcmp(ev->name, fs_ev_names[e]) != 0) {
			e++;
		}
		if (e == FS_EV_COUNT) {
			continue;
		}
		b->ev_of[ev->id] = (uint8_t)e;
		for (unsigned f = 0; f < FS_F_COUNT; f++) {
			b->idx[e][f] = -1;
			b->kind[e][f] = NULL;
			for (unsigned k = 0;
			     k < ev->nfields && k < TRACE_MAX_FIELDS; k++) {
				if (strcmp(ev->fields[k].name,
					   fs_field_names[f]) == 0) {
					b->idx[e][f] = (int8_t)k;
					b->kind[e][f] = ev->fields[k].kind;
				}
			}
		}
	}
	return 0;
}

/* Field @f of @r, an event @e; 0 when the file's event lacks it. */
static uint64_t fs_get(const struct fs_ctx *c, const struct trace_record *r,
		       enum fs_ev e, enum fs_field f)
{
	int i = c->b.idx[e][f];

	return i >= 0 ? r->f[i] : 0;
}

/* The stats of VM @vmid, added when new; NULL when memory ran out. */
static struct faultstats_vm *fs_vm(struct faultstats *fs, uint64_t vmid)
{
	struct faultstats_vm *v;

	for (size_t i = 0; i < fs->nvms; i++) {
		if (fs->vms[i].vmid == vmid) {
			return &fs->vms[i];
		}
	}
	v = realloc(fs->vms, (fs->nvms + 1) * sizeof(*v));
	if (v == NULL) {
		return NULL;
	}
	fs->vms = v;
	v = &fs->vms[fs->nvms++];
	memset(v, 0, sizeof(*v));
	v->vmid = vmid;
	return v;
}

static int fs_sample_add(struct fs_samples *s, uint64_t ns, uint64_t key)
{
	void *np = faultstats_reserve(s->v, s->n, &s->cap, sizeof(*s->v));

	if (np == NULL) {
		return -ERR_NOMEM;
	}
	s->v = np;
	s->v[s->n++] = (struct fs_sample){ns, key};
	return faultstats_counts_add(&s->keys, key, 0);
}

static void fs_samples_free(struct fs_samples *s)
{
	free(s->v);
	faultstats_counts_free(&s->keys);
}

static int fs_on_enter(struct fs_ctx *c, const struct trace_record *r)
{
	struct faultstats *fs = c->fs;
	uint64_t vmid = fs_get(c, r, FS_ENTER, FS_F_VMID);
	uint64_t kind = fs_get(c, r, FS_ENTER, FS_F_KIND);
	uint64_t access = fs_get(c, r, FS_ENTER, FS_F_ACCESS);
	struct faultstats_vm *vm = fs_vm(fs, vmid);
	struct fs_stack *st;
	void *np;

	fs->faults++;
	if (vm == NULL || faultstats_counts_add(&fs->kinds, kind, 0) != 0 ||
	    faultstats_counts_add(&fs->accesses, access, 0) != 0 ||
	    faultstats_counts_add(&vm->kinds, kind, 0) != 0 ||
	    faultstats_counts_add(&vm->accesses, access, 0) != 0) {
		return -ERR_NOMEM;
	}
	vm->faults++;
	if (r->cpu >= TRACE_FILE_MAX_CPUS) {
		fs->unmatched_enters++;
		return 0;
	}
	st = &c->cpus[r->cpu];
	np = faultstats_reserve(st->v, st->n, &st->cap, sizeof(*st->v));
	if (np == NULL) {
		return -ERR_NOMEM;
	}
	st->v = np;
	st->v[st->n++] =
		(struct fs_open){r->ts, fs_get(c, r, FS_ENTER, FS_F_VCPU), vmid,
				 fs_get(c, r, FS_ENTER, FS_F_IPA)};
	return 0;
}

/*
 * Closes the innermost fault of @r's CPU that @r exits. Faults nest
 * strictly on a CPU, so it is the top one unless events were lost: then
 * the enters above it never get their exit and count as unmatched.
 */
static int fs_match_exit(struct fs_ctx *c, const struct trace_record *r,
			 uint64_t vcpu, uint64_t vmid, uint64_t ipa,
			 uint64_t outcome)
{
	struct fs_stack *st;
	struct fs_open o;
	size_t k;

	if (r->cpu >= TRACE_FILE_MAX_CPUS) {
		c->fs->unmatched_exits++;
		return 0;
	}
	st = &c->cpus[r->cpu];
	for (k = st->n; k > 0; k--) {
		o = st->v[k - 1];
		if (o.vcpu == vcpu && o.vmid == vmid && o.ipa == ipa) {
			break;
		}
	}
	if (k == 0) {
		c->fs->unmatched_exits++;
		return 0;
	}
	c->fs->unmatched_enters += st->n - k;
	st->n = k - 1;
	return fs_sample_add(&c->lat,
			     time_ticks_to_ns(r->ts >= o.ts ? r->ts - o.ts : 0,
					      c->td->counter_freq),
			     outcome);
}

static int fs_on_exit(struct fs_ctx *c, const struct trace_record *r)
{
	struct faultstats *fs = c->fs;
	uint64_t vmid = fs_get(c, r, FS_EXIT, FS_F_VMID);
	uint64_t ipa = fs_get(c, r, FS_EXIT, FS_F_IPA);
	uint64_t outcome = fs_get(c, r, FS_EXIT, FS_F_OUTCOME);
	uint64_t policy = fs_get(c, r, FS_EXIT, FS_F_POLICY);
	struct faultstats_vm *vm = fs_vm(fs, vmid);
	int ret = 0;

	fs->exits++;
	if (vm == NULL ||
	    faultstats_counts_add(&fs->outcomes, outcome, 0) != 0 ||
	    faultstats_counts_add(&vm->outcomes, outcome, 0) != 0 ||
	    faultstats_counts_add(&vm->policies, policy, 0) != 0) {
		return -ERR_NOMEM;
	}
	if (fs_special_is(&c->outcome_mapped, outcome)) {
		ret = faultstats_pagemap_add(&c->mapped, vmid, ipa & PAGE_MASK);
	} else if (fs_special_is(&c->outcome_remapped, outcome)) {
		ret = faultstats_pagemap_add(&c->remapped, vmid,
					     ipa & PAGE_MASK);
	}
	if (ret != 0) {
		return ret;
	}
	return fs_match_exit(c, r, fs_get(c, r, FS_EXIT, FS_F_VCPU), vmid, ipa,
			     outcome);
}

static int fs_on_access(struct fs_ctx *c, const struct trace_record *r)
{
	uint64_t t0 = fs_get(c, r, FS_ACCESS, FS_F_T_START);
	uint64_t t1 = fs_get(c, r, FS_ACCESS, FS_F_T_END);

	/* The guest wrote these: a garbled pair is counted, not believed. */
	if (t1 < t0) {
		c->fs->access_bad++;
		return 0;
	}
	return fs_sample_add(&c->acc,
			     time_ticks_to_ns(t1 - t0, c->td->counter_freq),
			     fs_get(c, r, FS_ACCESS, FS_F_ACCESS));
}

static int fs_on_stop(struct fs_ctx *c, const struct trace_record *r)
{
	struct faultstats *fs = c->fs;
	struct faultstats_stop *s;

	s = realloc(fs->stops, (fs->nstops + 1) * sizeof(*s));
	if (s == NULL) {
		return -ERR_NOMEM;
	}
	fs->stops = s;
	s = &fs->stops[fs->nstops++];
	memset(s, 0, sizeof(*s));
	s->vcpu = fs_get(c, r, FS_STOP, FS_F_VCPU);
	s->vmid = fs_get(c, r, FS_STOP, FS_F_VMID);
	s->why = fs_get(c, r, FS_STOP, FS_F_WHY);
	s->pc = fs_get(c, r, FS_STOP, FS_F_PC);
	s->esr = fs_get(c, r, FS_STOP, FS_F_ESR);
	s->done = fs_special_is(&c->stop_done, s->why);
	faultstats_name(c->td, c->b.kind[FS_STOP][FS_F_WHY], s->why,
			s->why_name);
	if (s->done) {
		fs->vcpus_done++;
	} else {
		fs->vcpus_failed++;
	}
	return 0;
}

static int fs_on_vm_create(struct fs_ctx *c, const struct trace_record *r)
{
	struct faultstats_vm *vm =
		fs_vm(c->fs, fs_get(c, r, FS_VM_CREATE, FS_F_VMID));

	if (vm == NULL) {
		return -ERR_NOMEM;
	}
	vm->created = true;
	vm->policy = fs_get(c, r, FS_VM_CREATE, FS_F_POLICY);
	faultstats_name(c->td, c->b.kind[FS_VM_CREATE][FS_F_POLICY], vm->policy,
			vm->policy_name);
	vm->nvcpus = fs_get(c, r, FS_VM_CREATE, FS_F_NVCPUS);
	vm->ia_bits = fs_get(c, r, FS_VM_CREATE, FS_F_IA_BITS);
	vm->flags = fs_get(c, r, FS_VM_CREATE, FS_F_FLAGS);
	c->fs->vcpus_declared += vm->nvcpus;
	return 0;
}

static int fs_on_knob(struct fs_ctx *c, const struct trace_record *r)
{
	struct faultstats *fs = c->fs;
	struct faultstats_knob *k;
	char name[FAULTSTATS_NAME_LEN];

	faultstats_name(c->td, c->b.kind[FS_KNOB][FS_F_NAME],
			fs_get(c, r, FS_KNOB, FS_F_NAME), name);
	/* A knob set again: the last value is the one in force. */
	for (size_t i = 0; i < fs->nknobs; i++) {
		if (strcmp(fs->knobs[i].name, name) == 0) {
			fs->knobs[i].value = fs_get(c, r, FS_KNOB, FS_F_VALUE);
			return 0;
		}
	}
	k = realloc(fs->knobs, (fs->nknobs + 1) * sizeof(*k));
	if (k == NULL) {
		return -ERR_NOMEM;
	}
	fs->knobs = k;
	k = &fs->knobs[fs->nknobs++];
	memcpy(k->name, name, sizeof(k->name));
	k->value = fs_get(c, r, FS_KNOB, FS_F_VALUE);
	return 0;
}

static int fs_on_record(struct fs_ctx *c, const struct trace_record *r)
{
	struct faultstats *fs = c->fs;
	enum fs_ev e =
		r->id < c->b.nids ? (enum fs_ev)c->b.ev_of[r->id] : FS_EV_NONE;

	switch (e) {
	case FS_ENTER:
		fs->plan_events++;
		return fs_on_enter(c, r);
	case FS_EXIT:
		fs->plan_events++;
		return fs_on_exit(c, r);
	case FS_ACCESS:
		fs->plan_events++;
		return fs_on_access(c, r);
	case FS_STOP:
		fs->plan_events++;
		return fs_on_stop(c, r);
	case FS_VM_CREATE:
		fs->plan_events++;
		return fs_on_vm_create(c, r);
	case FS_KNOB:
		return fs_on_knob(c, r);
	case FS_BBM_BREAK:
		fs->bbm_breaks++;
		return faultstats_pagemap_add(
			&c->broken, fs_get(c, r, FS_BBM_BREAK, FS_F_VMID),
			fs_get(c, r, FS_BBM_BREAK, FS_F_IPA) & PAGE_MASK);
	case FS_BBM_MAKE:
		fs->bbm_makes++;
		return 0;
	case FS_TLBI:
		fs->tlbis++;
		return faultstats_counts_add(&fs->tlbi_ops,
					     fs_get(c, r, FS_TLBI, FS_F_OP), 0);
	case FS_PTE_WRITE:
		fs->pte_writes++;
		return 0;
	case FS_BACKOFF:
		fs->backoffs++;
		return faultstats_counts_add(&fs->backoff_whys,
					     fs_get(c, r, FS_BACKOFF, FS_F_WHY),
					     0);
	case FS_CMO:
		fs->cmos++;
		fs->cmo_bytes += fs_get(c, r, FS_CMO, FS_F_SIZE);
		return faultstats_counts_add(&fs->cmo_whys,
					     fs_get(c, r, FS_CMO, FS_F_WHY),
					     fs_get(c, r, FS_CMO, FS_F_SIZE));
	case FS_POOL_EXHAUSTED:
		fs->pool_exhausted++;
		return 0;
	case FS_POOL_RECYCLE:
		fs->pool_recycles++;
		fs->pool_pages_recycled +=
			fs_get(c, r, FS_POOL_RECYCLE, FS_F_PAGES);
		return 0;
	case FS_DIRTY_MARK:
		fs->dirty_marks++;
		return 0;
	case FS_ABORT:
		fs->aborts_injected++;
		return 0;
	case FS_DRAIN:
		fs->trace_drains++;
		fs->trace_drain_ns +=
			time_ticks_to_ns(fs_get(c, r, FS_DRAIN, FS_F_TICKS),
					 c->td->counter_freq);
		return 0;
	default:
		return 0;
	}
}

/* Which samples a distribution is made of. */
enum fs_pick {
	FS_PICK_ALL,
	FS_PICK_KEY,
	FS_PICK_OTHER_KEYS,
};

/*
 * The distribution of the samples of @s that @pick and @key select into
 * @d, with @tmp (room for every sample) as scratch.
 */
static void fs_samples_dist(const struct fs_samples *s, enum fs_pick pick,
			    uint64_t key, uint64_t *tmp,
			    struct faultstats_dist *d)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (pick == FS_PICK_ALL ||
		    (s->v[i].key == key) == (pick == FS_PICK_KEY)) {
			tmp[n++] = s->v[i].ns;
		}
	}
	faultstats_dist_compute(tmp, n, d);
}

/* One distribution per key of @s, named as enum @kind names the keys. */
static int fs_samples_by_key(const struct trace_data *td,
			     const struct fs_samples *s, const char *kind,
			     uint64_t *tmp, struct faultstats_dists *out)
{
	out->v = calloc(s->keys.n > 0 ? s->keys.n : 1, sizeof(*out->v));
	if (out->v == NULL) {
		return -ERR_NOMEM;
	}
	out->n = s->keys.n;
	for (size_t i = 0; i < s->keys.n; i++) {
		struct faultstats_named_dist *nd = &out->v[i];

		nd->value = s->keys.v[i].value;
		faultstats_name(td, kind, nd->value, nd->name);
		fs_samples_dist(s, FS_PICK_KEY, nd->value, tmp, &nd->d);
	}
	return 0;
}

static double fs_ratio(const struct faultstats_dist *a,
		       const struct faultstats_dist *b)
{
	if (a->n == 0 || b->n == 0 || b->p50 == 0) {
		return 0.0;
	}
	return (double)a->p50 / (double)b->p50;
}

/* Everything computed from what the pass collected. */
static int fs_finish(struct fs_ctx *c)
{
	const struct trace_data *td = c->td;
	const struct fs_bind *b = &c->b;
	struct faultstats *fs = c->fs;
	uint64_t *tmp;
	int ret;

	for (unsigned i = 0; i < TRACE_FILE_MAX_CPUS; i++) {
		fs->unmatched_enters += c->cpus[i].n;
	}
	faultstats_counts_finish(td, &c->lat.keys, NULL);
	faultstats_counts_finish(td, &c->acc.keys, NULL);
	tmp = malloc(MAX(MAX(c->lat.n, c->acc.n), (size_t)1) * sizeof(*tmp));
	if (tmp == NULL) {
		return -ERR_NOMEM;
	}
	fs_samples_dist(&c->lat, FS_PICK_ALL, 0, tmp, &fs->fault_lat);
	ret = fs_samples_by_key(td, &c->lat, b->kind[FS_EXIT][FS_F_OUTCOME],
				tmp, &fs->fault_lat_by_outcome);
	if (ret == 0) {
		ret = fs_samples_by_key(td, &c->acc,
					b->kind[FS_ACCESS][FS_F_ACCESS], tmp,
					&fs->access_lat_by_kind);
	}
	if (c->access_hvc.known) {
		fs_samples_dist(&c->acc, FS_PICK_OTHER_KEYS,
				c->access_hvc.value, tmp, &fs->access_lat);
		fs_samples_dist(&c->acc, FS_PICK_KEY, c->access_hvc.value, tmp,
				&fs->hvc_floor);
	} else {
		fs_samples_dist(&c->acc, FS_PICK_ALL, 0, tmp, &fs->access_lat);
	}
	free(tmp);
	fs->fault_hvc_ratio = fs_ratio(&fs->fault_lat, &fs->hvc_floor);
	fs->access_hvc_ratio = fs_ratio(&fs->access_lat, &fs->hvc_floor);

	faultstats_pagemap_sum(&c->broken, &fs->pages_broken,
			       &fs->pages_broken_again, &fs->most_broken);
	faultstats_pagemap_sum(&c->mapped, &fs->pages_mapped,
			       &fs->pages_mapped_again, &fs->most_mapped);
	fs->pages_remapped = c->remapped.used;

	faultstats_counts_finish(td, &fs->kinds, b->kind[FS_ENTER][FS_F_KIND]);
	faultstats_counts_finish(td, &fs->accesses,
				 b->kind[FS_ENTER][FS_F_ACCESS]);
	faultstats_counts_finish(td, &fs->outcomes,
				 b->kind[FS_EXIT][FS_F_OUTCOME]);
	faultstats_counts_finish(td, &fs->tlbi_ops, b->kind[FS_TLBI][FS_F_OP]);
	faultstats_counts_finish(td, &fs->backoff_whys,
				 b->kind[FS_BACKOFF][FS_F_WHY]);
	faultstats_counts_finish(td, &fs->cmo_whys, b->kind[FS_CMO][FS_F_WHY]);
	for (size_t i = 0; i < fs->nvms; i++) {
		struct faultstats_vm *vm = &fs->vms[i];

		faultstats_counts_finish(td, &vm->kinds,
					 b->kind[FS_ENTER][FS_F_KIND]);
		faultstats_counts_finish(td, &vm->accesses,
					 b->kind[FS_ENTER][FS_F_ACCESS]);
		faultstats_counts_finish(td, &vm->outcomes,
					 b->kind[FS_EXIT][FS_F_OUTCOME]);
		faultstats_counts_finish(td, &vm->policies,
					 b->kind[FS_EXIT][FS_F_POLICY]);
	}
	return ret;
}

static int fs_vm_order(const void *a, const void *b)
{
	const struct faultstats_vm *x = a;
	const struct faultstats_vm *y = b;

	return x->vmid < y->vmid ? -1 : (x->vmid > y->vmid);
}

static int fs_stop_order(const void *a, const void *b)
{
	const struct faultstats_stop *x = a;
	const struct faultstats_stop *y = b;

	return x->vcpu < y->vcpu ? -1 : (x->vcpu > y->vcpu);
}

int faultstats_compute(const struct trace_data *td, struct faultstats *fs)
{
	struct fs_ctx *c = calloc(1, sizeof(*c));
	int ret;

	memset(fs, 0, sizeof(*fs));
	if (c == NULL) {
		return -ERR_NOMEM;
	}
	c->td = td;
	c->fs = fs;
	ret = fs_bind(td, &c->b);
	fs_special_find(td, c->b.kind[FS_EXIT][FS_F_OUTCOME], "mapped",
			&c->outcome_mapped);
	fs_special_find(td, c->b.kind[FS_EXIT][FS_F_OUTCOME], "remapped",
			&c->outcome_remapped);
	fs_special_find(td, c->b.kind[FS_ACCESS][FS_F_ACCESS], "hvc",
			&c->access_hvc);
	fs_special_find(td, c->b.kind[FS_STOP][FS_F_WHY], "done",
			&c->stop_done);
	for (size_t i = 0; ret == 0 && i < td->nrecords; i++) {
		ret = fs_on_record(c, &td->records[i]);
	}
	if (ret == 0) {
		ret = fs_finish(c);
	}
	if (fs->nvms > 1) {
		qsort(fs->vms, fs->nvms, sizeof(*fs->vms), fs_vm_order);
	}
	if (fs->nstops > 1) {
		qsort(fs->stops, fs->nstops, sizeof(*fs->stops), fs_stop_order);
	}
	for (unsigned i = 0; i < TRACE_FILE_MAX_CPUS; i++) {
		free(c->cpus[i].v);
	}
	fs_samples_free(&c->lat);
	fs_samples_free(&c->acc);
	faultstats_pagemap_free(&c->mapped);
	faultstats_pagemap_free(&c->remapped);
	faultstats_pagemap_free(&c->broken);
	free(c->b.ev_of);
	free(c);
	return ret;
}

void faultstats_free(struct faultstats *fs)
{
	faultstats_counts_free(&fs->kinds);
	faultstats_counts_free(&fs->accesses);
	faultstats_counts_free(&fs->outcomes);
	for (size_t i = 0; fs->vms != NULL && i < fs->nvms; i++) {
		faultstats_counts_free(&fs->vms[i].kinds);
		faultstats_counts_free(&fs->vms[i].accesses);
		faultstats_counts_free(&fs->vms[i].outcomes);
		faultstats_counts_free(&fs->vms[i].policies);
	}
	free(fs->vms);
	free(fs->fault_lat_by_outcome.v);
	free(fs->access_lat_by_kind.v);
	faultstats_counts_free(&fs->tlbi_ops);
	faultstats_counts_free(&fs->backoff_whys);
	faultstats_counts_free(&fs->cmo_whys);
	free(fs->knobs);
	free(fs->stops);
	memset(fs, 0, sizeof(*fs));
}

bool faultstats_any(const struct faultstats *fs)
{
	return fs->plan_events > 0;
}
