/*
 * Perfetto export (export_perfetto.h), second half: the items sorted into
 * the order the viewers need and written as JSON, one event per line.
 *
 * Perfetto's importer (and chrome://tracing's) builds each thread's slice
 * stack from the events in time order: at one timestamp a parent must
 * come before its children, a slice that overlaps its parent only partly
 * is dropped, and a flow end binds to the slice on top of its thread's
 * stack when it is read. Hence the order (time, longest first, class,
 * then the slice a flow end belongs to right after that slice); guest
 * accesses that cannot nest with their vCPU's faults turned into
 * instants first; and a guard that replays the stack rule per thread and
 * cuts any other slice that would overlap its parent, saying so in its
 * args, rather than let a viewer drop it silently.
 */
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>

#include "export_perfetto_internal.h"
#include "json.h"

/* JSON (and JavaScript) numbers are exact up to 2^53. */
#define PF_EXACT_MAX (UINT64_C(1) << 53)

/* One thread's open slices: end << 1 | zero-length. */
struct pf_guard {
	uint64_t *v;
	size_t n;
	size_t cap;
};

struct pf_writer {
	const struct export_model *m;
	const struct trace_data *td;
	FILE *out;
	struct pf_guard *guards;
	size_t ntracks;
	size_t flows_left_out;
	bool first_event;
	int err;
};

/* The length an item sorts by: only complete events ("X") have one. */
static uint64_t pf_xdur(const struct export_perfetto_item *it)
{
	return it->type == PF_SLICE ? it->dur : 0;
}

/*
 * Perfetto sorts the events of one timestamp so: complete events longest
 * first, then all the others in file order. This is that order (file
 * order being class, then making order), so the file is read as written.
 */
static int pf_cmp(const void *a, const void *b)
{
	const struct export_perfetto_item *x = a, *y = b;

	if (x->ts != y->ts) {
		return x->ts < y->ts ? -1 : 1;
	}
	if (pf_xdur(x) != pf_xdur(y)) {
		return pf_xdur(x) > pf_xdur(y) ? -1 : 1;
	}
	if (x->klass != y->klass) {
		return x->klass < y->klass ? -1 : 1;
	}
	if (x->order != y->order) {
		return x->order < y->order ? -1 : 1;
	}
	return x->sub < y->sub ? -1 : x->sub > y->sub;
}

/*
 * Replays the viewers' stack rule on @g for a slice at @ts of @dur:
 * slices that ended before it (or at its start, unless both are
 * zero-length) are popped. Returns the duration it may have: @dur, or
 * less when it would outlast its parent.
 */
static uint64_t pf_guard(struct pf_writer *w, struct pf_guard *g, uint64_t ts,
			 uint64_t dur)
{
	void *np;

	while (g->n > 0) {
		uint64_t end = g->v[g->n - 1] >> 1;
		bool zero = g->v[g->n - 1] & 1;

		if (end < ts || (end == ts && !(zero && dur == 0))) {
			g->n--;
		} else {
			break;
		}
	}
	if (g->n > 0 && ts + dur > g->v[g->n - 1] >> 1) {
		dur = (g->v[g->n - 1] >> 1) - ts;
	}
	if (g->n == g->cap) {
		size_t want = g->cap > 0 ? g->cap * 2 : 16;

		np = realloc(g->v, want * sizeof(*g->v));
		if (np == NULL) {
			w->err = -ERR_NOMEM;
			return dur;
		}
		g->v = np;
		g->cap = want;
	}
	g->v[g->n++] = (ts + dur) << 1 | (dur == 0);
	return dur;
}

/* Microseconds with nanosecond decimals: exact, no floating point. */
static void pf_us(FILE *out, const char *key, uint64_t ns)
{
	fprintf(out, ",\"%s\":%llu.%03u", key, (unsigned long long)(ns / 1000),
		(unsigned)(ns % 1000));
}

static void pf_key(FILE *out, bool *first, const char *key)
{
	if (!*first) {
		fputc(',', out);
	}
	*first = false;
	json_write_escaped(out, key);
	fputc(':', out);
}

static void pf_u64(FILE *out, uint64_t v)
{
	if (v <= PF_EXACT_MAX) {
		fprintf(out, "%llu", (unsigned long long)v);
	} else {
		fprintf(out, "\"%llu\"", (unsigned long long)v);
	}
}

/* A field's value as its kind says: number, "0x..", boolean or name. */
static void pf_value(const struct trace_data *td, FILE *out, const char *kind,
		     uint64_t v)
{
	const char *name;
	char hex[24];

	if (strcmp(kind, "U64") == 0) {
		pf_u64(out, v);
	} else if (strcmp(kind, "BOOL") == 0) {
		fputs(v != 0 ? "true" : "false", out);
	} else if (strcmp(kind, "HEX") == 0) {
		snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)v);
		json_write_escaped(out, hex);
	} else if ((name = trace_data_enum_name(td, kind, v)) != NULL) {
		json_write_escaped(out, name);
	} else {
		pf_u64(out, v);
	}
}

/* True when record @r's event has a field named @name. */
static bool pf_has_field(const struct trace_data *td,
			 const struct trace_record *r, const char *name)
{
	const struct trace_schema_event *ev = trace_data_event(td, r->id);

	for (unsigned k = 0; ev != NULL && k < ev->nfields; k++) {
		if (strcmp(ev->fields[k].name, name) == 0) {
			return true;
		}
	}
	return false;
}

/* The fields of record @rec as args, less those @except also has. */
static void pf_fields(const struct pf_writer *w, bool *first, size_t rec,
		      size_t except)
{
	const struct trace_record *r = &w->td->records[rec];
	const struct trace_schema_event *ev = trace_data_event(w->td, r->id);

	for (unsigned k = 0; ev != NULL && k < ev->nfields; k++) {
		if (except != PF_NOREC &&
		    pf_has_field(w->td, &w->td->records[except],
				 ev->fields[k].name)) {
			continue;
		}
		pf_key(w->out, first, ev->fields[k].name);
		pf_value(w->td, w->out, ev->fields[k].kind, r->f[k]);
	}
}

static void pf_note(FILE *out, bool *first, const char *key, const char *text)
{
	pf_key(out, first, key);
	json_write_escaped(out, text);
}

/* The pid and tid of @track. */
static void pf_ids(const struct pf_writer *w, uint32_t track, unsigned *pid,
		   unsigned *tid)
{
	const struct export_model *m = w->m;
	size_t v = track >= m->ncpus ? track - m->ncpus : EXPORT_MODEL_NONE;
	uint64_t vmid;

	if (v == EXPORT_MODEL_NONE || v >= m->nvcpus) {
		*pid = EXPORT_PERFETTO_HYP_PID;
		*tid = EXPORT_PERFETTO_PCPU_TID_BASE +
		       (m->ncpus > 0 ? track % m->ncpus : 0);
		return;
	}
	vmid = m->vcpus[v].vmid;
	*pid = vmid < 1000000 ? EXPORT_PERFETTO_VM_PID_BASE + (unsigned)vmid
			      : EXPORT_PERFETTO_UNKNOWN_VM_PID;
	*tid = EXPORT_PERFETTO_VCPU_TID_BASE + (unsigned)v;
}

/* The name of an enum field of @rec, or "?" ("mapped", "enter"...). */
static const char *pf_enum(const struct pf_writer *w, size_t rec,
			   enum export_model_field f)
{
	const char *s =
		rec == PF_NOREC
			? NULL
			: export_model_enum(w->m, &w->td->records[rec], f);

	return s != NULL ? s : "?";
}

static const char *pf_cat(enum export_perfetto_what what)
{
	switch (what) {
	case PF_W_FAULT:
	case PF_W_FAULT_ALONE:
	case PF_W_CNT_FAULTS:
		return "fault";
	case PF_W_BBM:
	case PF_W_BBM_ALONE:
	case PF_W_CNT_BBM:
		return "bbm";
	case PF_W_CNT_POOL:
		return "pool";
	case PF_W_TLBI:
		return "tlbi";
	case PF_W_ACCESS:
		return "guest";
	case PF_W_SWITCH:
	case PF_W_PHASE:
	case PF_W_GUEST:
		return "switch";
	case PF_W_INIT:
		return "init";
	case PF_W_DRAIN:
	case PF_W_LOST:
	case PF_W_END:
		return "trace";
	default:
		return "event";
	}
}

/* The item's name into @buf. */
static const char *pf_name(const struct pf_writer *w,
			   const struct export_perfetto_item *it, char *buf,
			   size_t size)
{
	const struct trace_schema_event *ev =
		it->rec != PF_NOREC
			? trace_data_event(w->td, w->td->records[it->rec].id)
			: NULL;

	switch ((enum export_perfetto_what)it->what) {
	case PF_W_FAULT:
		if (it->rec2 == PF_NOREC) {
			return "fault (no exit)";
		}
		snprintf(buf, size, "fault %s",
			 pf_enum(w, it->rec2, EXPORT_F_OUTCOME));
		return buf;
	case PF_W_FAULT_ALONE:
		return "s2_fault_exit (no enter)";
	case PF_W_BBM:
		return "bbm";
	case PF_W_BBM_ALONE:
		return "bbm_make (no break)";
	case PF_W_TLBI:
		snprintf(buf, size, "tlbi %s",
			 pf_enum(w, it->rec, EXPORT_F_OP));
		return buf;
	case PF_W_ACCESS:
		snprintf(buf, size, "guest %s",
			 pf_enum(w, it->rec, EXPORT_F_ACCESS));
		return buf;
	case PF_W_SWITCH:
		return it->val == 0 ? "switch to guest" : "switch to host";
	case PF_W_PHASE:
		return pf_enum(w, it->rec, EXPORT_F_PHASE);
	case PF_W_GUEST:
		return "in guest";
	case PF_W_INIT:
		return "EL2 init";
	case PF_W_DRAIN:
		return "trace drain";
	case PF_W_LOST:
		return "events lost";
	case PF_W_CNT_FAULTS:
		return "faults";
	case PF_W_CNT_BBM:
		return "bbm";
	case PF_W_CNT_POOL:
		return "pool free pages";
	case PF_W_END:
		return w->td->error != 0 ? "trace damaged" : "trace incomplete";
	default:
		return ev != NULL ? ev->name : "?";
	}
}

/* Why an item was closed early or moved, in its args. */
static void pf_flag_notes(const struct export_perfetto_item *it, FILE *out,
			  bool *first)
{
	static const char *const open[] = {
		[PF_W_FAULT] = "no s2_fault_exit before the end of the trace",
		[PF_W_BBM] = "no bbm_make before the end of the trace",
	};
	static const char *const cut[] = {
		[PF_W_FAULT] = "no s2_fault_exit: an enclosing fault's exit "
			       "came first (events lost?)",
		[PF_W_BBM] = "no bbm_make before its fault ended",
	};
	const char *o = it->what < sizeof(open) / sizeof(open[0])
				? open[it->what]
				: NULL;
	const char *c =
		it->what < sizeof(cut) / sizeof(cut[0]) ? cut[it->what] : NULL;

	if (it->flags & PF_F_OPEN) {
		pf_note(out, first, "unterminated",
			o != NULL ? o : "still open at the end of the trace");
	}
	if (it->flags & PF_F_CUT) {
		pf_note(out, first, "unterminated",
			c != NULL ? c
				  : "the step that ends it is missing: "
				    "closed at the next one");
	}
	if (it->flags & PF_F_NOT_NESTED) {
		pf_note(out, first, "not_nested",
			"overlaps an EL2 fault only partly: shown as an "
			"instant at t_start");
	}
	if (it->flags & PF_F_BAD_TIMES) {
		pf_note(out, first, "bad_times", "t_end is before t_start");
	}
}

static void pf_args(const struct pf_writer *w,
		    const struct export_perfetto_item *it, uint64_t shown_dur)
{
	FILE *out = w->out;
	bool first = true;

	fputs(",\"args\":{", out);
	if (it->rec != PF_NOREC) {
		pf_key(out, &first, "cpu");
		fprintf(out, "%u", w->td->records[it->rec].cpu);
		pf_fields(w, &first, it->rec, PF_NOREC);
	}
	switch ((enum export_perfetto_what)it->what) {
	case PF_W_FAULT:
	case PF_W_BBM:
		if (it->rec2 != PF_NOREC) {
			pf_fields(w, &first, it->rec2, it->rec);
		}
		break;
	case PF_W_PHASE:
	case PF_W_SWITCH:
	case PF_W_GUEST:
		if (it->rec2 != PF_NOREC) {
			pf_note(out, &first, "until",
				pf_enum(w, it->rec2, EXPORT_F_PHASE));
		}
		break;
	case PF_W_ACCESS:
		if (!(it->flags & PF_F_BAD_TIMES)) {
			pf_key(out, &first, "latency_ns");
			pf_u64(out, it->val);
		}
		break;
	case PF_W_LOST:
		pf_key(out, &first, "events");
		pf_u64(out, it->val);
		break;
	case PF_W_CNT_FAULTS:
		pf_key(out, &first, "in_flight");
		pf_u64(out, it->val);
		break;
	case PF_W_CNT_BBM:
		pf_key(out, &first, "broken");
		pf_u64(out, it->val);
		break;
	case PF_W_CNT_POOL: {
		/* One series per pool on the one counter track. */
		uint64_t pool = 0;
		char key[32];

		export_model_get(w->m, &w->td->records[it->rec], EXPORT_F_POOL,
				 &pool);
		snprintf(key, sizeof(key), "pool %llu",
			 (unsigned long long)pool);
		pf_key(out, &first, key);
		pf_u64(out, it->val);
		break;
	}
	case PF_W_END:
		pf_key(out, &first, "complete");
		fputs(w->td->complete ? "true" : "false", out);
		if (w->td->error != 0) {
			pf_note(out, &first, "damage", w->td->error_msg);
			pf_key(out, &first, "damage_offset");
			pf_u64(out, w->td->error_offset);
		}
		break;
	default:
		break;
	}
	pf_flag_notes(it, out, &first);
	if (shown_dur != it->dur) {
		pf_note(out, &first, "truncated",
			"overlapped its parent slice: cut to fit inside it");
		pf_key(out, &first, "truncated_from_ns");
		pf_u64(out, it->dur);
	}
	fputc('}', out);
}

static void pf_begin_event(struct pf_writer *w, const char *ph)
{
	fputs(w->first_event ? "\n" : ",\n", w->out);
	w->first_event = false;
	fprintf(w->out, "{\"ph\":\"%s\"", ph);
}

static void pf_item(struct pf_writer *w, const struct export_perfetto_item *it)
{
	static const char *const ph[] = {
		[PF_SLICE] = "X",   [PF_INSTANT] = "i", [PF_FLOW_OUT] = "s",
		[PF_FLOW_IN] = "f", [PF_COUNTER] = "C", [PF_GLOBAL] = "i",
	};
	FILE *out = w->out;
	unsigned pid, tid;
	uint64_t dur = it->dur;
	char name[128];

	pf_ids(w,
	       it->type == PF_COUNTER || it->type == PF_GLOBAL ? 0 : it->track,
	       &pid, &tid);
	if ((it->type == PF_SLICE || it->type == PF_INSTANT) &&
	    it->track < w->ntracks) {
		dur = pf_guard(w, &w->guards[it->track], it->ts,
			       it->type == PF_SLICE ? it->dur : 0);
	}
	pf_begin_event(w, ph[it->type]);
	fprintf(out, ",\"cat\":\"%s\",\"name\":",
		it->type == PF_FLOW_OUT || it->type == PF_FLOW_IN
			? "fault"
			: pf_cat(it->what));
	json_write_escaped(out,
			   it->type == PF_FLOW_OUT || it->type == PF_FLOW_IN
				   ? "caused"
				   : pf_name(w, it, name, sizeof(name)));
	fprintf(out, ",\"pid\":%u,\"tid\":%u", pid, tid);
	pf_us(out, "ts", it->ts);
	switch ((enum export_perfetto_type)it->type) {
	case PF_SLICE:
		pf_us(out, "dur", dur);
		pf_args(w, it, dur);
		break;
	case PF_INSTANT:
	case PF_GLOBAL:
		fputs(it->type == PF_GLOBAL ? ",\"s\":\"g\"" : ",\"s\":\"t\"",
		      out);
		pf_args(w, it, dur);
		break;
	case PF_FLOW_OUT:
		fprintf(out, ",\"id\":%llu", (unsigned long long)it->val);
		break;
	case PF_FLOW_IN:
		fprintf(out, ",\"id\":%llu,\"bp\":\"e\"",
			(unsigned long long)it->val);
		break;
	case PF_COUNTER:
		pf_args(w, it, dur);
		break;
	}
	fputc('}', out);
}

static void pf_meta(struct pf_writer *w, const char *what, unsigned pid,
		    unsigned tid, const char *key, const char *name,
		    uint64_t index)
{
	pf_begin_event(w, "M");
	fprintf(w->out,
		",\"name\":\"%s\",\"pid\":%u,\"tid\":%u,\"args\":{\"%s\":",
		what, pid, tid, key);
	if (name != NULL) {
		json_write_escaped(w->out, name);
	} else {
		pf_u64(w->out, index);
	}
	fputs("}}", w->out);
}

/* Names and order of the processes and threads. */
static void pf_metadata(struct pf_writer *w)
{
	const struct export_model *m = w->m;
	unsigned hyp = EXPORT_PERFETTO_HYP_PID;
	unsigned base = EXPORT_PERFETTO_PCPU_TID_BASE;
	char name[96];

	pf_meta(w, "process_name", hyp, base, "name", "hypervisor (pCPUs)", 0);
	pf_meta(w, "process_sort_index", hyp, base, "sort_index", NULL, 0);
	for (unsigned c = 0; c < m->ncpus; c++) {
		snprintf(name, sizeof(name), "pCPU %u", c);
		pf_meta(w, "thread_name", hyp, base + c, "name", name, 0);
		pf_meta(w, "thread_sort_index", hyp, base + c, "sort_index",
			NULL, c);
	}
	for (size_t v = 0; v < m->nvcpus; v++) {
		const struct export_model_vcpu *vc = &m->vcpus[v];
		const struct export_model_vm *vm = &m->vms[vc->vm];
		unsigned pid, tid;

		pf_ids(w, (uint32_t)(m->ncpus + v), &pid, &tid);
		if (v == 0 || vc->vm != m->vcpus[v - 1].vm) {
			if (vm->vmid == EXPORT_MODEL_VMID_UNKNOWN) {
				snprintf(name, sizeof(name),
					 "VM ? (vCPUs known by id only)");
			} else if (vm->created && vm->policy_name != NULL) {
				snprintf(name, sizeof(name), "VM %llu (%s)",
					 (unsigned long long)vm->vmid,
					 vm->policy_name);
			} else {
				snprintf(name, sizeof(name), "VM %llu",
					 (unsigned long long)vm->vmid);
			}
			pf_meta(w, "process_name", pid, tid, "name", name, 0);
			pf_meta(w, "process_sort_index", pid, tid, "sort_index",
				NULL, 1 + vc->vm);
		}
		snprintf(name, sizeof(name), "vCPU %llu",
			 (unsigned long long)vc->vcpu);
		pf_meta(w, "thread_name", pid, tid, "name", name, 0);
		pf_meta(w, "thread_sort_index", pid, tid, "sort_index", NULL,
			v);
	}
}

/* What the trace file said about itself, for the reader of the JSON. */
static void pf_other_data(struct pf_writer *w)
{
	const struct trace_data *td = w->td;
	FILE *out = w->out;

	fprintf(out,
		"\"otherData\":{\"source\":\"faultline\",\"trace_version\":%u,"
		"\"counter_freq_hz\":%llu,\"ncpus\":%u,\"records\":%zu,"
		"\"complete\":%s,\"lost_events\":%llu,"
		"\"unmatched_fault_exits\":%zu,\"flows_left_out\":%zu",
		td->version, (unsigned long long)td->counter_freq, td->ncpus,
		td->nrecords, td->complete ? "true" : "false",
		(unsigned long long)td->lost_total, w->m->unmatched_exits,
		w->flows_left_out);
	if (td->error != 0) {
		fputs(",\"damage\":", out);
		json_write_escaped(out, td->error_msg);
	}
	fputs("},\n", out);
}

/* A fault's place on its track, for pf_fix_accesses(). */
struct pf_span {
	uint32_t track;
	uint64_t start;
	uint64_t end;
};

static int pf_cmp_span(const void *a, const void *b)
{
	const struct pf_span *x = a, *y = b;

	if (x->track != y->track) {
		return x->track < y->track ? -1 : 1;
	}
	return x->start < y->start ? -1 : x->start > y->start;
}

/* True when @x and the access [@a0, @a1] overlap only partly. */
static bool pf_partial(const struct pf_span *x, uint64_t a0, uint64_t a1)
{
	return (x->start < a0 && x->end > a0 && x->end < a1) ||
	       (x->start > a0 && x->start < a1 && x->end > a1);
}

/*
 * A guest access that overlaps one of its vCPU's faults only partly
 * cannot nest with it (the guest's clock and EL2's are one counter, so
 * only damage does that): it becomes an instant, so that no viewer drops
 * either of them.
 */
static int pf_fix_accesses(const struct export_model *m,
			   struct export_perfetto_items *items)
{
	struct pf_span *s = malloc((m->nfaults + 1) * sizeof(*s));
	size_t n = m->nfaults;

	if (s == NULL) {
		return -ERR_NOMEM;
	}
	for (size_t f = 0; f < n; f++) {
		const struct export_model_fault *x = &m->faults[f];

		s[f] = (struct pf_span){
			x->vcpu == EXPORT_MODEL_NONE
				? x->cpu
				: (uint32_t)(m->ncpus + x->vcpu),
			x->start_ns, x->end_ns};
	}
	qsort(s, n, sizeof(*s), pf_cmp_span);
	for (size_t i = 0; i < items->n; i++) {
		struct export_perfetto_item *it = &items->v[i];
		uint64_t a0 = it->ts, a1 = it->ts + it->dur;
		struct pf_span key = {it->track, a0, 0};
		size_t lo = 0, hi = n;
		bool bad = false;

		if (it->what != PF_W_ACCESS || it->type != PF_SLICE) {
			continue;
		}
		/* The first fault of the track starting at a0 or later. */
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (pf_cmp_span(&s[mid], &key) < 0) {
				lo = mid + 1;
			} else {
				hi = mid;
			}
		}
		bad = lo > 0 && s[lo - 1].track == it->track &&
		      pf_partial(&s[lo - 1], a0, a1);
		for (size_t k = lo; !bad && k < n && s[k].track == it->track &&
				    s[k].start < a1;
		     k++) {
			bad = pf_partial(&s[k], a0, a1);
		}
		if (bad) {
			it->type = PF_INSTANT;
			it->dur = 0;
			it->flags |= PF_F_NOT_NESTED;
		}
	}
	free(s);
	return 0;
}

int export_perfetto_write(const struct export_model *m,
			  struct export_perfetto_items *items, FILE *out)
{
	struct pf_writer w = {
		.m = m,
		.td = m->td,
		.out = out,
		.ntracks = m->ncpus + m->nvcpus,
		.flows_left_out = items->flows_left_out,
		.first_event = true,
	};

	w.guards = calloc(w.ntracks + 1, sizeof(*w.guards));
	if (w.guards == NULL || pf_fix_accesses(m, items) != 0) {
		free(w.guards);
		return -ERR_NOMEM;
	}
	if (items->n > 0) {
		qsort(items->v, items->n, sizeof(*items->v), pf_cmp);
	}
	fputs("{\"displayTimeUnit\":\"ns\",\n", out);
	pf_other_data(&w);
	fputs("\"traceEvents\":[", out);
	pf_metadata(&w);
	for (size_t i = 0; i < items->n && w.err == 0; i++) {
		pf_item(&w, &items->v[i]);
	}
	fputs("\n]}\n", out);
	for (size_t t = 0; t < w.ntracks; t++) {
		free(w.guards[t].v);
	}
	free(w.guards);
	if (w.err != 0) {
		return w.err;
	}
	return fflush(out) != 0 || ferror(out) ? -ERR_IO : 0;
}
