/* What the timeline exporters read from a trace (export_model.h). */
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>

#include "export_model.h"

static const char *const export_model_ev_names[EXPORT_EV_COUNT] = {
	[EXPORT_EV_FAULT_ENTER] = "s2_fault_enter",
	[EXPORT_EV_FAULT_EXIT] = "s2_fault_exit",
	[EXPORT_EV_BBM_BREAK] = "bbm_break",
	[EXPORT_EV_BBM_MAKE] = "bbm_make",
	[EXPORT_EV_TLBI] = "tlbi",
	[EXPORT_EV_WORLD_SWITCH] = "world_switch",
	[EXPORT_EV_SPE_DRAIN] = "spe_drain",
	[EXPORT_EV_GUEST_ACCESS] = "guest_access",
	[EXPORT_EV_VM_CREATE] = "vm_create",
	[EXPORT_EV_TRACE_DRAIN] = "trace_drain",
	[EXPORT_EV_BOOT_TABLES_ON] = "boot_tables_on",
	[EXPORT_EV_CPU_UP] = "cpu_up",
	[EXPORT_EV_POOL_LEVEL] = "pool_level",
};

static const char *const export_model_field_names[EXPORT_F_COUNT] = {
	[EXPORT_F_VCPU] = "vcpu",       [EXPORT_F_VMID] = "vmid",
	[EXPORT_F_IPA] = "ipa",         [EXPORT_F_OUTCOME] = "outcome",
	[EXPORT_F_POLICY] = "policy",   [EXPORT_F_ENTRY] = "entry",
	[EXPORT_F_PHASE] = "phase",     [EXPORT_F_ACCESS] = "access",
	[EXPORT_F_T_START] = "t_start", [EXPORT_F_T_END] = "t_end",
	[EXPORT_F_TICKS] = "ticks",     [EXPORT_F_NVCPUS] = "nvcpus",
	[EXPORT_F_OP] = "op",           [EXPORT_F_POOL] = "pool",
	[EXPORT_F_FREE] = "free",
};

/* Open faults of one CPU, innermost last: indices into m->faults. */
struct export_model_stack {
	size_t *v;
	size_t n;
	size_t cap;
};

static void *export_model_grow(void *v, size_t n, size_t *cap, size_t size)
{
	size_t want;
	void *np;

	if (n < *cap) {
		return v;
	}
	want = *cap > 0 ? *cap * 2 : 16;
	np = realloc(v, want * size);
	if (np != NULL) {
		*cap = want;
	}
	return np;
}

/* Resolves the schema's event and field names once, per schema id. */
static int export_model_bind(struct export_model *m)
{
	const struct trace_data *td = m->td;

	for (size_t i = 0; i < td->nevents; i++) {
		m->nids = MAX(m->nids, (size_t)td->events[i].id + 1);
	}
	m->ev_of = malloc(m->nids > 0 ? m->nids : 1);
	m->fidx = malloc((m->nids > 0 ? m->nids : 1) * sizeof(*m->fidx));
	if (m->ev_of == NULL || m->fidx == NULL) {
		return -ERR_NOMEM;
	}
	memset(m->ev_of, EXPORT_EV_OTHER, m->nids);
	memset(m->fidx, -1, m->nids * sizeof(*m->fidx));
	for (size_t i = 0; i < td->nevents; i++) {
		const struct trace_schema_event *ev = &td->events[i];

		for (unsigned e = 0; e < EXPORT_EV_COUNT; e++) {
			if (strcmp(ev->name, export_model_ev_names[e]) == 0) {
				m->ev_of[ev->id] = (uint8_t)e;
			}
		}
		for (unsigned f = 0; f < EXPORT_F_COUNT; f++) {
			for (unsigned k = 0;
			     k < ev->nfields && k < TRACE_MAX_FIELDS; k++) {
				if (strcmp(ev->fields[k].name,
					   export_model_field_names[f]) == 0) {
					m->fidx[ev->id][f] = (int8_t)k;
				}
			}
		}
	}
	return 0;
}

enum export_model_ev export_model_ev(const struct export_model *m,
				     const struct trace_record *r)
{
	return r->id < m->nids ? (enum export_model_ev)m->ev_of[r->id]
			       : EXPORT_EV_OTHER;
}

bool export_model_get(const struct export_model *m,
		      const struct trace_record *r, enum export_model_field f,
		      uint64_t *v)
{
	int k = r->id < m->nids ? m->fidx[r->id][f] : -1;

	*v = k >= 0 ? r->f[k] : 0;
	return k >= 0;
}

const char *export_model_enum(const struct export_model *m,
			      const struct trace_record *r,
			      enum export_model_field f)
{
	const struct trace_schema_event *ev = trace_data_event(m->td, r->id);
	int k = r->id < m->nids ? m->fidx[r->id][f] : -1;

	if (ev == NULL || k < 0) {
		return NULL;
	}
	return trace_data_enum_name(m->td, ev->fields[k].kind, r->f[k]);
}

size_t export_model_vcpu_find(const struct export_model *m, uint64_t vmid,
			      uint64_t vcpu)
{
	size_t lo = 0, hi = m->nvcpus;

	/* Binary search: called for most records of a large trace. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct export_model_vcpu *v = &m->vcpus[mid];

		if (v->vmid == vmid && v->vcpu == vcpu) {
			return mid;
		}
		if (v->vmid < vmid || (v->vmid == vmid && v->vcpu < vcpu)) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return EXPORT_MODEL_NONE;
}

size_t export_model_vcpu_of(const struct export_model *m,
			    const struct trace_record *r)
{
	uint64_t vmid, vcpu;

	if (!export_model_get(m, r, EXPORT_F_VCPU, &vcpu)) {
		return EXPORT_MODEL_NONE;
	}
	if (export_model_get(m, r, EXPORT_F_VMID, &vmid)) {
		return export_model_vcpu_find(m, vmid, vcpu);
	}
	for (size_t i = 0; i < m->nvcpus; i++) {
		if (m->vcpus[i].vcpu == vcpu) {
			return i;
		}
	}
	return EXPORT_MODEL_NONE;
}

/* Adds vCPU (@vmid, @vcpu) unless known (an unsorted append). */
static int export_model_add_vcpu(struct export_model *m, size_t *cap,
				 uint64_t vmid, uint64_t vcpu)
{
	void *np;

	for (size_t i = 0; i < m->nvcpus; i++) {
		if (m->vcpus[i].vmid == vmid && m->vcpus[i].vcpu == vcpu) {
			return 0;
		}
	}
	if (m->nvcpus >= EXPORT_MODEL_MAX_VCPUS) {
		return 0;
	}
	np = export_model_grow(m->vcpus, m->nvcpus, cap, sizeof(*m->vcpus));
	if (np == NULL) {
		return -ERR_NOMEM;
	}
	m->vcpus = np;
	m->vcpus[m->nvcpus++] =
		(struct export_model_vcpu){vmid, vcpu, EXPORT_MODEL_NONE};
	return 0;
}

/* The VM @vmid, added when new; NULL when memory ran out. */
static struct export_model_vm *export_model_add_vm(struct export_model *m,
						   size_t *cap, uint64_t vmid)
{
	void *np;

	for (size_t i = 0; i < m->nvms; i++) {
		if (m->vms[i].vmid == vmid) {
			return &m->vms[i];
		}
	}
	np = export_model_grow(m->vms, m->nvms, cap, sizeof(*m->vms));
	if (np == NULL) {
		return NULL;
	}
	m->vms = np;
	memset(&m->vms[m->nvms], 0, sizeof(*m->vms));
	m->vms[m->nvms].vmid = vmid;
	return &m->vms[m->nvms++];
}

static int export_model_cmp_vcpu(const void *a, const void *b)
{
	const struct export_model_vcpu *x = a, *y = b;

	if (x->vmid != y->vmid) {
		return x->vmid < y->vmid ? -1 : 1;
	}
	return x->vcpu < y->vcpu ? -1 : x->vcpu > y->vcpu;
}

static int export_model_cmp_vm(const void *a, const void *b)
{
	const struct export_model_vm *x = a, *y = b;

	return x->vmid < y->vmid ? -1 : x->vmid > y->vmid;
}

/* The VM (vm_create) of @r, filled in. */
static int export_model_on_vm_create(struct export_model *m, size_t *cap,
				     const struct trace_record *r)
{
	uint64_t vmid;
	struct export_model_vm *vm;

	export_model_get(m, r, EXPORT_F_VMID, &vmid);
	vm = export_model_add_vm(m, cap, vmid);
	if (vm == NULL) {
		return -ERR_NOMEM;
	}
	vm->created = true;
	export_model_get(m, r, EXPORT_F_POLICY, &vm->policy);
	export_model_get(m, r, EXPORT_F_NVCPUS, &vm->nvcpus);
	vm->policy_name = export_model_enum(m, r, EXPORT_F_POLICY);
	return 0;
}

/*
 * The VMs and vCPUs: a vCPU is any (vmid, vcpu) pair a record names; a
 * vCPU id named without a VMID (guest_access) joins the first VM that
 * has it, or an unknown VM.
 */
static int export_model_tracks(struct export_model *m)
{
	const struct trace_data *td = m->td;
	size_t vcap = 0, mcap = 0;
	int ret = 0;

	for (size_t i = 0; i < td->nrecords && ret == 0; i++) {
		const struct trace_record *r = &td->records[i];
		uint64_t vmid, vcpu;

		if (r->cpu < TRACE_FILE_MAX_CPUS) {
			m->ncpus = MAX(m->ncpus, (unsigned)r->cpu + 1);
		}
		if (export_model_ev(m, r) == EXPORT_EV_VM_CREATE) {
			ret = export_model_on_vm_create(m, &mcap, r);
		} else if (export_model_get(m, r, EXPORT_F_VCPU, &vcpu) &&
			   export_model_get(m, r, EXPORT_F_VMID, &vmid)) {
			ret = export_model_add_vcpu(m, &vcap, vmid, vcpu);
		}
	}
	/* Second look: ids without a VMID, now that every pair is known. */
	for (size_t i = 0; i < td->nrecords && ret == 0; i++) {
		const struct trace_record *r = &td->records[i];
		uint64_t vmid, vcpu;
		bool known = false;

		if (!export_model_get(m, r, EXPORT_F_VCPU, &vcpu) ||
		    export_model_get(m, r, EXPORT_F_VMID, &vmid)) {
			continue;
		}
		for (size_t k = 0; k < m->nvcpus && !known; k++) {
			known = m->vcpus[k].vcpu == vcpu;
		}
		if (!known && export_model_ev(m, r) == EXPORT_EV_GUEST_ACCESS) {
			ret = export_model_add_vcpu(
				m, &vcap, EXPORT_MODEL_VMID_UNKNOWN, vcpu);
		}
	}
	for (size_t i = 0; i < m->nvcpus && ret == 0; i++) {
		if (export_model_add_vm(m, &mcap, m->vcpus[i].vmid) == NULL) {
			ret = -ERR_NOMEM;
		}
	}
	if (ret != 0) {
		return ret;
	}
	if (m->nvcpus > 0) {
		qsort(m->vcpus, m->nvcpus, sizeof(*m->vcpus),
		      export_model_cmp_vcpu);
	}
	if (m->nvms > 0) {
		qsort(m->vms, m->nvms, sizeof(*m->vms), export_model_cmp_vm);
	}
	for (size_t i = 0; i < m->nvcpus; i++) {
		for (size_t k = 0; k < m->nvms; k++) {
			if (m->vms[k].vmid == m->vcpus[i].vmid) {
				m->vcpus[i].vm = k;
			}
		}
	}
	return 0;
}

static int export_model_on_enter(struct export_model *m, size_t *cap,
				 struct export_model_stack *st, size_t i)
{
	const struct trace_record *r = &m->td->records[i];
	struct export_model_fault *f;
	void *np;

	np = export_model_grow(m->faults, m->nfaults, cap, sizeof(*m->faults));
	if (np == NULL) {
		return -ERR_NOMEM;
	}
	m->faults = np;
	np = export_model_grow(st->v, st->n, &st->cap, sizeof(*st->v));
	if (np == NULL) {
		return -ERR_NOMEM;
	}
	st->v = np;
	f = &m->faults[m->nfaults];
	memset(f, 0, sizeof(*f));
	f->enter = i;
	f->exit = EXPORT_MODEL_NONE;
	f->start_ns = trace_data_rel_ns(m->td, r->ts);
	f->how = EXPORT_END_OPEN;
	f->vcpu = export_model_vcpu_of(m, r);
	f->cpu = r->cpu;
	st->v[st->n++] = m->nfaults++;
	return 0;
}

/* True when enter record @e and exit record @x are the same fault. */
static bool export_model_same(const struct export_model *m,
			      const struct trace_record *e,
			      const struct trace_record *x)
{
	static const enum export_model_field keys[] = {
		EXPORT_F_VCPU, EXPORT_F_VMID, EXPORT_F_IPA};

	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		uint64_t a, b;

		if (export_model_get(m, e, keys[k], &a) !=
			    export_model_get(m, x, keys[k], &b) ||
		    a != b) {
			return false;
		}
	}
	return true;
}

static void export_model_on_exit(struct export_model *m,
				 struct export_model_stack *st, size_t i)
{
	const struct trace_record *x = &m->td->records[i];
	uint64_t ns = trace_data_rel_ns(m->td, x->ts);
	size_t k = st->n;

	while (k > 0 &&
	       !export_model_same(
		       m, &m->td->records[m->faults[st->v[k - 1]].enter], x)) {
		k--;
	}
	if (k == 0) {
		m->unmatched_exits++;
		return;
	}
	/* Faults opened above the one exited lost their exits. */
	for (size_t j = k; j < st->n; j++) {
		m->faults[st->v[j]].how = EXPORT_END_CUT;
		m->faults[st->v[j]].end_ns = ns;
	}
	m->faults[st->v[k - 1]].how = EXPORT_END_EXITED;
	m->faults[st->v[k - 1]].exit = i;
	m->faults[st->v[k - 1]].end_ns = ns;
	st->n = k - 1;
}

static int export_model_pair(struct export_model *m)
{
	struct export_model_stack st[TRACE_FILE_MAX_CPUS] = {0};
	size_t cap = 0;
	int ret = 0;

	for (size_t i = 0; i < m->td->nrecords && ret == 0; i++) {
		const struct trace_record *r = &m->td->records[i];
		enum export_model_ev e = export_model_ev(m, r);

		if (r->cpu >= TRACE_FILE_MAX_CPUS) {
			continue;
		}
		if (e == EXPORT_EV_FAULT_ENTER) {
			ret = export_model_on_enter(m, &cap, &st[r->cpu], i);
		} else if (e == EXPORT_EV_FAULT_EXIT) {
			export_model_on_exit(m, &st[r->cpu], i);
		}
	}
	for (size_t f = 0; f < m->nfaults; f++) {
		if (m->faults[f].how == EXPORT_END_OPEN) {
			m->faults[f].end_ns = m->last_ns;
		}
	}
	for (unsigned c = 0; c < TRACE_FILE_MAX_CPUS; c++) {
		free(st[c].v);
	}
	return ret;
}

int export_model_build(const struct trace_data *td, struct export_model *m)
{
	int ret;

	memset(m, 0, sizeof(*m));
	m->td = td;
	m->ncpus = MIN(td->ncpus, TRACE_FILE_MAX_CPUS);
	if (td->nrecords > 0) {
		m->last_ns =
			trace_data_rel_ns(td, td->records[td->nrecords - 1].ts);
	}
	ret = export_model_bind(m);
	if (ret == 0) {
		ret = export_model_tracks(m);
	}
	if (ret == 0) {
		ret = export_model_pair(m);
	}
	return ret;
}

void export_model_free(struct export_model *m)
{
	free(m->ev_of);
	free(m->fidx);
	free(m->vms);
	free(m->vcpus);
	free(m->faults);
	memset(m, 0, sizeof(*m));
}
