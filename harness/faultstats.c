/* The fault-path statistics of a decoded trace (faultstats.h). */
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>
#include <faultline/time.h>

#include "faultstats_internal.h"

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
	[FS_REP] = "rep",
	[FS_LIVELOCK] = "livelock",
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
	[FS_F_TICKS] = "ticks",     [FS_F_NUMBER] = "number",
	[FS_F_WARMUP] = "warmup",   [FS_F_PHASE] = "phase",
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

static int fs_sample_add(struct fs_samples *s, uint64_t ns, uint64_t key,
			 size_t rep)
{
	void *np = faultstats_reserve(s->v, s->n, &s->cap, sizeof(*s->v));

	if (np == NULL) {
		return -ERR_NOMEM;
	}
	s->v = np;
	s->v[s->n++] = (struct fs_sample){ns, key, rep};
	return faultstats_counts_add(&s->keys, key, 0);
}

static void fs_samples_free(struct fs_samples *s)
{
	free(s->v);
	faultstats_counts_free(&s->keys);
}

/*
 * The VM of a page in the page tables: each repetition builds its VMs
 * anew, so a page mapped again in the next one is another VM's page, not
 * a page mapped twice. The repetition goes above the VMID's 32 bits
 * (faultstats_finish() takes it off again).
 */
static uint64_t fs_page_vm(const struct fs_ctx *c, uint64_t vmid)
{
	return (vmid & FS_VMID_MASK) | (uint64_t)c->rep << 32;
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
	np = faultstats_reserve(c->entries.v, c->entries.n, &c->entries.cap,
				sizeof(*c->entries.v));
	if (np == NULL) {
		return -ERR_NOMEM;
	}
	c->entries.v = np;
	c->entries.v[c->entries.n++] = (struct fs_entry_mark){
		r->ts, fs_get(c, r, FS_ENTER, FS_F_VCPU),
		fs_get(c, r, FS_ENTER, FS_F_IPA) & PAGE_MASK};
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
			     outcome, c->rep);
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
		ret = faultstats_pagemap_add(&c->mapped, fs_page_vm(c, vmid),
					     ipa & PAGE_MASK);
	} else if (fs_special_is(&c->outcome_remapped, outcome)) {
		ret = faultstats_pagemap_add(&c->remapped, fs_page_vm(c, vmid),
					     ipa & PAGE_MASK);
	}
	if (ret != 0) {
		return ret;
	}
	return fs_match_exit(c, r, fs_get(c, r, FS_EXIT, FS_F_VCPU), vmid, ipa,
			     outcome);
}

/*
 * Whether @vcpu entered a fault on @page between @t0 and @t1. The
 * entries are in time order (so are the records), so a binary search
 * finds the first at or after @t0. vCPU ids are per VM and guest_access
 * names no VM, so two VMs' vCPUs of one id faulting on one IPA in the
 * same window would match each other: the price of a record that does
 * not carry its VMID.
 */
static bool fs_access_faulted(const struct fs_entry_log *log, uint64_t vcpu,
			      uint64_t page, uint64_t t0, uint64_t t1)
{
	size_t lo = 0;
	size_t hi = log->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (log->v[mid].ts < t0) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	for (size_t i = lo; i < log->n && log->v[i].ts <= t1; i++) {
		if (log->v[i].vcpu == vcpu && log->v[i].page == page) {
			return true;
		}
	}
	return false;
}

static int fs_on_access(struct fs_ctx *c, const struct trace_record *r)
{
	uint64_t t0 = fs_get(c, r, FS_ACCESS, FS_F_T_START);
	uint64_t t1 = fs_get(c, r, FS_ACCESS, FS_F_T_END);
	uint64_t access = fs_get(c, r, FS_ACCESS, FS_F_ACCESS);
	uint64_t ns;
	int ret;

	/* The guest wrote these: a garbled pair is counted, not believed. */
	if (t1 < t0) {
		c->fs->access_bad++;
		return 0;
	}
	ns = time_ticks_to_ns(t1 - t0, c->td->counter_freq);
	ret = fs_sample_add(&c->acc, ns, access, c->rep);
	if (ret == 0 && !fs_special_is(&c->access_hvc, access) &&
	    fs_access_faulted(&c->entries, fs_get(c, r, FS_ACCESS, FS_F_VCPU),
			      fs_get(c, r, FS_ACCESS, FS_F_IPA) & PAGE_MASK, t0,
			      t1)) {
		ret = fs_sample_add(&c->facc, ns, access, c->rep);
	}
	return ret;
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

/*
 * A repetition begins or ends. A warm-up's records are left out until its
 * end; a measured one gets its entry in fs->reps, which the records until
 * its end count into.
 */
static int fs_on_rep(struct fs_ctx *c, const struct trace_record *r)
{
	struct faultstats *fs = c->fs;
	uint64_t phase = fs_get(c, r, FS_REP, FS_F_PHASE);
	struct faultstats_rep *rep;

	if (fs_special_is(&c->rep_end, phase)) {
		if (c->rep != 0) {
			rep = &fs->reps[c->rep - 1];
			rep->ended = true;
			rep->count =
				(size_t)(r - c->td->records) + 1 - rep->first;
			rep->duration_ns = time_ticks_to_ns(
				r->ts >= c->rep_start ? r->ts - c->rep_start
						      : 0,
				c->td->counter_freq);
		}
		c->in_warmup = false;
		c->rep = 0;
		return 0;
	}
	if (!fs_special_is(&c->rep_begin, phase)) {
		return 0;
	}
	c->rep = 0;
	c->in_warmup = fs_get(c, r, FS_REP, FS_F_WARMUP) != 0;
	if (c->in_warmup) {
		fs->warmup_reps++;
		return 0;
	}
	rep = realloc(fs->reps, (fs->nreps + 1) * sizeof(*rep));
	if (rep == NULL) {
		return -ERR_NOMEM;
	}
	fs->reps = rep;
	rep = &fs->reps[fs->nreps++];
	memset(rep, 0, sizeof(*rep));
	rep->number = fs_get(c, r, FS_REP, FS_F_NUMBER);
	rep->first = (size_t)(r - c->td->records);
	c->rep = fs->nreps;
	c->rep_start = r->ts;
	return 0;
}

/* Counts @r into the measured repetition in progress, if any. */
static void fs_rep_count(struct fs_ctx *c, enum fs_ev e)
{
	struct faultstats_rep *rep;

	if (c->rep == 0) {
		return;
	}
	rep = &c->fs->reps[c->rep - 1];
	rep->faults += e == FS_ENTER;
	rep->bbm_breaks += e == FS_BBM_BREAK;
	rep->tlbis += e == FS_TLBI;
}

static int fs_on_record(struct fs_ctx *c, const struct trace_record *r)
{
	struct faultstats *fs = c->fs;
	enum fs_ev e =
		r->id < c->b.nids ? (enum fs_ev)c->b.ev_of[r->id] : FS_EV_NONE;

	if (e == FS_REP) {
		return fs_on_rep(c, r);
	}
	if (e == FS_LIVELOCK) {
		fs->livelocks++;
		return 0;
	}
	if (c->in_warmup) {
		fs->warmup_records++;
		return 0;
	}
	fs_rep_count(c, e);
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
			&c->broken,
			fs_page_vm(c, fs_get(c, r, FS_BBM_BREAK, FS_F_VMID)),
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
	fs_special_find(td, c->b.kind[FS_REP][FS_F_PHASE], "begin",
			&c->rep_begin);
	fs_special_find(td, c->b.kind[FS_REP][FS_F_PHASE], "end", &c->rep_end);
	for (size_t i = 0; ret == 0 && i < td->nrecords; i++) {
		ret = fs_on_record(c, &td->records[i]);
	}
	if (ret == 0) {
		ret = faultstats_finish(c);
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
	fs_samples_free(&c->facc);
	free(c->entries.v);
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
	free(fs->reps);
	memset(fs, 0, sizeof(*fs));
}

bool faultstats_any(const struct faultstats *fs)
{
	return fs->plan_events > 0;
}
