/*
 * Perfetto export (export_perfetto.h), first half: one pass over the
 * records in time order turns them into items. Per CPU it follows the
 * faults (paired by export_model), the break-before-make windows inside
 * them, the world-switch phases and the init, so that every slice is
 * closed somewhere, and it remembers which BBMs and TLBIs each fault
 * caused for the flows.
 */
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>
#include <faultline/time.h>

#include "export_perfetto_internal.h"

/* The world-switch phases, in order; 0 is "not one of them". */
static const char *const pf_phase_names[] = {
	NULL,   "enter_begin", "guest_s1_loaded", "traps_on", "enter",
	"exit", "traps_off",   "host_restored",   "exit_end",
};

#define PF_PHASE_ENTER_BEGIN 1
#define PF_PHASE_ENTER 4
#define PF_PHASE_EXIT 5
#define PF_PHASE_EXIT_END 8
/* Phase values of the schema mapped here; larger ones are "not one". */
#define PF_PHASE_VALUES 64

/* A fault open on a CPU, and the items it caused so far. */
struct pf_open_fault {
	/* Index in export_model.faults. */
	size_t fault;
	size_t *caused;
	size_t ncaused;
	size_t cap;
};

/* A break-before-make open on a CPU: broken, not yet made. */
struct pf_open_bbm {
	uint64_t vmid;
	uint64_t entry;
	uint64_t start_ns;
	size_t rec;
	uint32_t track;
	/* How many faults were open on the CPU when it broke. */
	size_t depth;
};

/* The world switch of a CPU: the step and the switch in progress. */
struct pf_switch {
	unsigned last;
	bool step_open;
	unsigned step;
	uint64_t step_ns;
	size_t step_rec;
	bool outer_open;
	bool outer_in;
	uint64_t outer_ns;
	size_t outer_rec;
};

struct pf_cpu {
	struct pf_open_fault *faults;
	size_t nfaults;
	size_t fcap;
	struct pf_open_bbm *bbms;
	size_t nbbms;
	size_t bcap;
	struct pf_switch sw;
	bool init_open;
	uint64_t init_ns;
	size_t init_rec;
	bool seen;
	uint32_t last_seq;
};

/* An entry broken somewhere, for the counter. */
struct pf_broken {
	uint64_t vmid;
	uint64_t entry;
};

struct pf_ctx {
	const struct export_model *m;
	const struct trace_data *td;
	struct export_perfetto_items *items;
	struct pf_cpu cpus[TRACE_FILE_MAX_CPUS];
	struct pf_broken *broken;
	size_t nbroken;
	size_t brcap;
	size_t in_flight;
	uint64_t next_flow;
	/* The next fault of export_model.faults to be entered. */
	size_t next_fault;
	/* Phase value -> index in pf_phase_names (0: none). */
	uint8_t phase_of[PF_PHASE_VALUES];
	int err;
};

static void *pf_grow(void *v, size_t n, size_t *cap, size_t size)
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

size_t export_perfetto_add(struct export_perfetto_items *items,
			   const struct export_perfetto_item *it)
{
	void *np = pf_grow(items->v, items->n, &items->cap, sizeof(*it));

	if (np == NULL) {
		return PF_NOREC;
	}
	items->v = np;
	items->v[items->n] = *it;
	items->v[items->n].order = items->n;
	return items->n++;
}

/* Adds an item; a failure is remembered in ctx->err. */
static size_t pf_add(struct pf_ctx *c, const struct export_perfetto_item *it)
{
	size_t i = export_perfetto_add(c->items, it);

	if (i == PF_NOREC) {
		c->err = -ERR_NOMEM;
	}
	return i;
}

static uint64_t pf_ns(const struct pf_ctx *c, const struct trace_record *r)
{
	return trace_data_rel_ns(c->td, r->ts);
}

/* The track of vCPU @v (an index in m->vcpus), or of pCPU @cpu. */
static uint32_t pf_vcpu_track(const struct pf_ctx *c, size_t v, unsigned cpu)
{
	return v == EXPORT_MODEL_NONE ? cpu : (uint32_t)(c->m->ncpus + v);
}

/*
 * Where an event of @r's CPU goes: into the fault open there (its vCPU's
 * track), else to the vCPU it names (with a VMID: not the world switch,
 * which is the pCPU's), else to the pCPU.
 */
static uint32_t pf_track_of(const struct pf_ctx *c,
			    const struct trace_record *r)
{
	const struct pf_cpu *cpu = &c->cpus[r->cpu];
	enum export_model_ev e = export_model_ev(c->m, r);
	uint64_t vmid;

	if (cpu->nfaults > 0) {
		const struct export_model_fault *f =
			&c->m->faults[cpu->faults[cpu->nfaults - 1].fault];

		return pf_vcpu_track(c, f->vcpu, r->cpu);
	}
	if (e != EXPORT_EV_WORLD_SWITCH && e != EXPORT_EV_SPE_DRAIN &&
	    export_model_get(c->m, r, EXPORT_F_VMID, &vmid)) {
		return pf_vcpu_track(c, export_model_vcpu_of(c->m, r), r->cpu);
	}
	return r->cpu;
}

static void pf_counter_of(struct pf_ctx *c, enum export_perfetto_what what,
			  uint64_t ns, uint64_t value, size_t rec)
{
	struct export_perfetto_item it = {
		.ts = ns,
		.val = value,
		.rec = rec,
		.rec2 = PF_NOREC,
		.type = PF_COUNTER,
		.what = (uint8_t)what,
		.klass = PF_K_COUNTER,
	};

	pf_add(c, &it);
}

static void pf_counter(struct pf_ctx *c, enum export_perfetto_what what,
		       uint64_t ns, uint64_t value)
{
	pf_counter_of(c, what, ns, value, PF_NOREC);
}

/* A pool gave out or took back table pages: its free-pages counter. */
static void pf_on_pool(struct pf_ctx *c, const struct trace_record *r, size_t i)
{
	uint64_t free_pages;

	if (export_model_get(c->m, r, EXPORT_F_FREE, &free_pages)) {
		pf_counter_of(c, PF_W_CNT_POOL, pf_ns(c, r), free_pages, i);
	}
}

/* A slice from @start_ns to @end_ns on @track. */
static size_t pf_slice(struct pf_ctx *c, enum export_perfetto_what what,
		       uint32_t track, uint64_t start_ns, uint64_t end_ns,
		       size_t rec, size_t rec2, enum export_perfetto_class k,
		       unsigned flags)
{
	struct export_perfetto_item it = {
		.ts = start_ns,
		.dur = end_ns > start_ns ? end_ns - start_ns : 0,
		.rec = rec,
		.rec2 = rec2,
		.track = track,
		.type = PF_SLICE,
		.what = (uint8_t)what,
		.klass = (uint8_t)k,
		.flags = (uint8_t)flags,
	};

	return pf_add(c, &it);
}

static size_t pf_instant(struct pf_ctx *c, enum export_perfetto_what what,
			 uint32_t track, uint64_t ns, size_t rec, uint64_t val)
{
	struct export_perfetto_item it = {
		.ts = ns,
		.val = val,
		.rec = rec,
		.rec2 = PF_NOREC,
		.track = track,
		.type = PF_INSTANT,
		.what = (uint8_t)what,
		.klass = PF_K_POINT,
	};

	return pf_add(c, &it);
}

/* Remembers item @item as caused by the innermost fault of @cpu. */
static void pf_caused(struct pf_ctx *c, struct pf_cpu *cpu, size_t depth,
		      size_t item)
{
	struct pf_open_fault *f;
	void *np;

	if (depth == 0 || item == PF_NOREC) {
		return;
	}
	f = &cpu->faults[depth - 1];
	np = pf_grow(f->caused, f->ncaused, &f->cap, sizeof(*f->caused));
	if (np == NULL) {
		c->err = -ERR_NOMEM;
		return;
	}
	f->caused = np;
	f->caused[f->ncaused++] = item;
}

/* The two ends of a flow from item @from to item @to. */
static void pf_flow(struct pf_ctx *c, size_t from, size_t to, uint8_t sub)
{
	struct export_perfetto_item out = c->items->v[from];
	struct export_perfetto_item in = c->items->v[to];
	uint64_t id = ++c->next_flow;
	size_t i;

	out.type = PF_FLOW_OUT;
	out.val = id;
	out.sub = sub;
	in.type = PF_FLOW_IN;
	in.val = id;
	in.sub = 1;
	/* The order of the slice each end binds to, kept through the add. */
	i = pf_add(c, &out);
	if (i != PF_NOREC) {
		c->items->v[i].order = c->items->v[from].order;
	}
	i = pf_add(c, &in);
	if (i != PF_NOREC) {
		c->items->v[i].order = c->items->v[to].order;
	}
}

/* The broken-entry set changes: the counter follows. */
static void pf_broken_set(struct pf_ctx *c, uint64_t ns, uint64_t vmid,
			  uint64_t entry, bool broken)
{
	size_t k = 0;
	void *np;

	while (k < c->nbroken &&
	       (c->broken[k].vmid != vmid || c->broken[k].entry != entry)) {
		k++;
	}
	if (broken && k == c->nbroken) {
		np = pf_grow(c->broken, c->nbroken, &c->brcap,
			     sizeof(*c->broken));
		if (np == NULL) {
			c->err = -ERR_NOMEM;
			return;
		}
		c->broken = np;
		c->broken[c->nbroken++] = (struct pf_broken){vmid, entry};
	} else if (!broken && k < c->nbroken) {
		c->broken[k] = c->broken[--c->nbroken];
	} else {
		return;
	}
	pf_counter(c, PF_W_CNT_BBM, ns, c->nbroken);
}

/* Closes BBM @k of @cpu (and any opened after it) at @ns. */
static void pf_bbm_close(struct pf_ctx *c, struct pf_cpu *cpu, size_t k,
			 uint64_t ns, size_t make_rec, unsigned flags)
{
	while (cpu->nbbms > k) {
		struct pf_open_bbm *b = &cpu->bbms[cpu->nbbms - 1];
		bool mine = cpu->nbbms - 1 == k;
		size_t it = pf_slice(c, PF_W_BBM, b->track, b->start_ns, ns,
				     b->rec, mine ? make_rec : PF_NOREC,
				     PF_K_INNER, mine ? flags : PF_F_CUT);

		pf_caused(c, cpu, b->depth, it);
		cpu->nbbms--;
	}
}

/*
 * Whether the flows of fault item @f can start on it: a flow start binds
 * to the slice last begun on its thread, and a viewer begins a shorter
 * slice of the same instant after the fault (a BBM that broke on the
 * very nanosecond the fault entered). Rare enough to leave those out.
 */
static bool pf_flows_bind(const struct pf_ctx *c, size_t f,
			  const struct pf_open_fault *of)
{
	const struct export_perfetto_item *fi = &c->items->v[f];

	for (size_t j = 0; j < of->ncaused; j++) {
		const struct export_perfetto_item *x =
			&c->items->v[of->caused[j]];

		if (x->ts == fi->ts && x->dur > 0) {
			return false;
		}
	}
	return true;
}

/* Closes fault @k of @cpu's stack (and any opened after it). */
static void pf_fault_close(struct pf_ctx *c, struct pf_cpu *cpu, size_t k)
{
	while (cpu->nfaults > k) {
		struct pf_open_fault *of = &cpu->faults[cpu->nfaults - 1];
		const struct export_model_fault *f = &c->m->faults[of->fault];
		size_t bbm = cpu->nbbms;
		size_t it;
		unsigned flags = f->how == EXPORT_END_EXITED ? 0
				 : f->how == EXPORT_END_CUT  ? PF_F_CUT
							     : PF_F_OPEN;

		/* Its BBMs left open end with it, so they stay inside it. */
		while (bbm > 0 && cpu->bbms[bbm - 1].depth >= cpu->nfaults) {
			bbm--;
		}
		pf_bbm_close(c, cpu, bbm, f->end_ns, PF_NOREC,
			     f->how == EXPORT_END_OPEN ? PF_F_OPEN : PF_F_CUT);
		it = pf_slice(c, PF_W_FAULT, pf_vcpu_track(c, f->vcpu, f->cpu),
			      f->start_ns, f->end_ns, f->enter, f->exit,
			      PF_K_MIDDLE, flags);
		if (it != PF_NOREC && pf_flows_bind(c, it, of)) {
			for (size_t j = 0; j < of->ncaused; j++) {
				pf_flow(c, it, of->caused[j],
					(uint8_t)MIN(j + 1, UINT8_MAX));
			}
		} else if (it != PF_NOREC) {
			c->items->flows_left_out += of->ncaused;
		}
		free(of->caused);
		cpu->nfaults--;
		c->in_flight--;
		pf_counter(c, PF_W_CNT_FAULTS, f->end_ns, c->in_flight);
	}
}

static void pf_on_enter(struct pf_ctx *c, struct pf_cpu *cpu, size_t i)
{
	void *np;

	/* export_model paired the same records in the same order. */
	if (c->next_fault >= c->m->nfaults ||
	    c->m->faults[c->next_fault].enter != i) {
		return;
	}
	np = pf_grow(cpu->faults, cpu->nfaults, &cpu->fcap,
		     sizeof(*cpu->faults));
	if (np == NULL) {
		c->err = -ERR_NOMEM;
		return;
	}
	cpu->faults = np;
	cpu->faults[cpu->nfaults++] =
		(struct pf_open_fault){c->next_fault++, NULL, 0, 0};
	c->in_flight++;
	pf_counter(c, PF_W_CNT_FAULTS, pf_ns(c, &c->td->records[i]),
		   c->in_flight);
}

static void pf_on_exit(struct pf_ctx *c, struct pf_cpu *cpu, size_t i)
{
	const struct trace_record *r = &c->td->records[i];

	for (size_t k = cpu->nfaults; k > 0; k--) {
		if (c->m->faults[cpu->faults[k - 1].fault].exit == i) {
			pf_fault_close(c, cpu, k - 1);
			return;
		}
	}
	pf_instant(c, PF_W_FAULT_ALONE, pf_track_of(c, r), pf_ns(c, r), i, 0);
}

static void pf_on_break(struct pf_ctx *c, struct pf_cpu *cpu, size_t i)
{
	const struct trace_record *r = &c->td->records[i];
	struct pf_open_bbm b = {.start_ns = pf_ns(c, r), .rec = i};
	void *np;

	export_model_get(c->m, r, EXPORT_F_VMID, &b.vmid);
	export_model_get(c->m, r, EXPORT_F_ENTRY, &b.entry);
	b.track = pf_track_of(c, r);
	b.depth = cpu->nfaults;
	np = pf_grow(cpu->bbms, cpu->nbbms, &cpu->bcap, sizeof(*cpu->bbms));
	if (np == NULL) {
		c->err = -ERR_NOMEM;
		return;
	}
	cpu->bbms = np;
	cpu->bbms[cpu->nbbms++] = b;
	pf_broken_set(c, b.start_ns, b.vmid, b.entry, true);
}

static void pf_on_make(struct pf_ctx *c, struct pf_cpu *cpu, size_t i)
{
	const struct trace_record *r = &c->td->records[i];
	uint64_t ns = pf_ns(c, r), vmid, entry;

	export_model_get(c->m, r, EXPORT_F_VMID, &vmid);
	export_model_get(c->m, r, EXPORT_F_ENTRY, &entry);
	pf_broken_set(c, ns, vmid, entry, false);
	for (size_t k = cpu->nbbms; k > 0; k--) {
		if (cpu->bbms[k - 1].vmid == vmid &&
		    cpu->bbms[k - 1].entry == entry) {
			pf_bbm_close(c, cpu, k - 1, ns, i, 0);
			return;
		}
	}
	pf_instant(c, PF_W_BBM_ALONE, pf_track_of(c, r), ns, i, 0);
}

static void pf_on_tlbi(struct pf_ctx *c, struct pf_cpu *cpu, size_t i)
{
	const struct trace_record *r = &c->td->records[i];
	uint64_t ns = pf_ns(c, r);
	size_t it = pf_slice(c, PF_W_TLBI, pf_track_of(c, r), ns, ns, i,
			     PF_NOREC, PF_K_POINT, 0);

	pf_caused(c, cpu, cpu->nfaults, it);
}

/* One world-switch phase: ends the step (and switch) open, opens next. */
static void pf_on_phase(struct pf_ctx *c, struct pf_cpu *cpu, size_t i)
{
	const struct trace_record *r = &c->td->records[i];
	struct pf_switch *sw = &cpu->sw;
	uint64_t ns = pf_ns(c, r), v;
	unsigned q;
	bool next;

	export_model_get(c->m, r, EXPORT_F_PHASE, &v);
	q = v < PF_PHASE_VALUES ? c->phase_of[v] : 0;
	if (q == 0) {
		pf_instant(c, PF_W_EVENT, r->cpu, ns, i, 0);
		return;
	}
	next = q == sw->last + 1;
	if (sw->step_open) {
		pf_slice(c,
			 sw->step == PF_PHASE_ENTER ? PF_W_GUEST : PF_W_PHASE,
			 r->cpu, sw->step_ns, ns, sw->step_rec, i,
			 sw->step == PF_PHASE_ENTER ? PF_K_OUTER : PF_K_MIDDLE,
			 next ? 0 : PF_F_CUT);
		sw->step_open = false;
	}
	if (sw->outer_open &&
	    (!next ||
	     q == (sw->outer_in ? PF_PHASE_ENTER : PF_PHASE_EXIT_END))) {
		struct export_perfetto_item *it;
		size_t k = pf_slice(c, PF_W_SWITCH, r->cpu, sw->outer_ns, ns,
				    sw->outer_rec, i, PF_K_OUTER,
				    next ? 0 : PF_F_CUT);

		if (k != PF_NOREC) {
			it = &c->items->v[k];
			it->val = sw->outer_in ? 0 : 1;
		}
		sw->outer_open = false;
	}
	if (q == PF_PHASE_ENTER_BEGIN || q == PF_PHASE_EXIT) {
		sw->outer_open = true;
		sw->outer_in = q == PF_PHASE_ENTER_BEGIN;
		sw->outer_ns = ns;
		sw->outer_rec = i;
	}
	if (q != PF_PHASE_EXIT_END) {
		sw->step_open = true;
		sw->step = q;
		sw->step_ns = ns;
		sw->step_rec = i;
	}
	sw->last = q;
}

static void pf_on_access(struct pf_ctx *c, const struct trace_record *r,
			 size_t i)
{
	uint64_t t0, t1;
	size_t v = export_model_vcpu_of(c->m, r);
	uint32_t track = pf_vcpu_track(c, v, r->cpu);
	size_t it;

	export_model_get(c->m, r, EXPORT_F_T_START, &t0);
	export_model_get(c->m, r, EXPORT_F_T_END, &t1);
	if (t1 < t0) {
		it = pf_instant(c, PF_W_ACCESS, track,
				trace_data_rel_ns(c->td, t0), i, 0);
		if (it != PF_NOREC) {
			c->items->v[it].flags = PF_F_BAD_TIMES;
		}
		return;
	}
	/* Its latency from the ticks: the slice may start clamped at 0. */
	it = pf_slice(c, PF_W_ACCESS, track, trace_data_rel_ns(c->td, t0),
		      trace_data_rel_ns(c->td, t1), i, PF_NOREC, PF_K_OUTER, 0);
	if (it != PF_NOREC) {
		c->items->v[it].val =
			time_ticks_to_ns(t1 - t0, c->td->counter_freq);
	}
}

static void pf_on_drain(struct pf_ctx *c, const struct trace_record *r,
			size_t i)
{
	uint64_t ticks, ns = pf_ns(c, r), dur;

	export_model_get(c->m, r, EXPORT_F_TICKS, &ticks);
	/* The record is written when the drain is over. */
	dur = time_ticks_to_ns(ticks, c->td->counter_freq);
	pf_slice(c, PF_W_DRAIN, r->cpu, ns > dur ? ns - dur : 0, ns, i,
		 PF_NOREC, PF_K_OUTER, 0);
}

static void pf_on_init(struct pf_ctx *c, struct pf_cpu *cpu,
		       const struct trace_record *r, size_t i, bool start)
{
	uint64_t ns = pf_ns(c, r);

	if (cpu->init_open) {
		pf_slice(c, PF_W_INIT, r->cpu, cpu->init_ns, ns, cpu->init_rec,
			 start ? PF_NOREC : i, PF_K_OUTER,
			 start ? PF_F_CUT : 0);
		cpu->init_open = false;
	}
	if (start) {
		cpu->init_open = true;
		cpu->init_ns = ns;
		cpu->init_rec = i;
	}
	pf_instant(c, PF_W_EVENT, r->cpu, ns, i, 0);
}

static void pf_record(struct pf_ctx *c, size_t i)
{
	const struct trace_record *r = &c->td->records[i];
	struct pf_cpu *cpu = &c->cpus[r->cpu];
	uint64_t ns = pf_ns(c, r);

	if (cpu->seen && r->seq != cpu->last_seq + 1) {
		pf_instant(c, PF_W_LOST, r->cpu, ns, PF_NOREC,
			   (uint32_t)(r->seq - cpu->last_seq - 1));
	}
	cpu->seen = true;
	cpu->last_seq = r->seq;
	switch (export_model_ev(c->m, r)) {
	case EXPORT_EV_FAULT_ENTER:
		pf_on_enter(c, cpu, i);
		break;
	case EXPORT_EV_FAULT_EXIT:
		pf_on_exit(c, cpu, i);
		break;
	case EXPORT_EV_BBM_BREAK:
		pf_on_break(c, cpu, i);
		break;
	case EXPORT_EV_BBM_MAKE:
		pf_on_make(c, cpu, i);
		break;
	case EXPORT_EV_TLBI:
		pf_on_tlbi(c, cpu, i);
		break;
	case EXPORT_EV_WORLD_SWITCH:
		pf_on_phase(c, cpu, i);
		break;
	case EXPORT_EV_GUEST_ACCESS:
		pf_on_access(c, r, i);
		break;
	case EXPORT_EV_TRACE_DRAIN:
		pf_on_drain(c, r, i);
		break;
	case EXPORT_EV_POOL_LEVEL:
		pf_on_pool(c, r, i);
		break;
	case EXPORT_EV_BOOT_TABLES_ON:
	case EXPORT_EV_CPU_UP:
		pf_on_init(c, cpu, r, i,
			   export_model_ev(c->m, r) ==
				   EXPORT_EV_BOOT_TABLES_ON);
		break;
	default:
		pf_instant(c, PF_W_EVENT, pf_track_of(c, r), ns, i, 0);
		break;
	}
}

/* The end of the trace: whatever is still open closes there. */
static void pf_finish(struct pf_ctx *c)
{
	uint64_t end = c->m->last_ns;

	for (unsigned k = 0; k < TRACE_FILE_MAX_CPUS; k++) {
		struct pf_cpu *cpu = &c->cpus[k];
		struct pf_switch *sw = &cpu->sw;

		pf_fault_close(c, cpu, 0);
		pf_bbm_close(c, cpu, 0, end, PF_NOREC, PF_F_OPEN);
		if (sw->step_open) {
			pf_slice(c,
				 sw->step == PF_PHASE_ENTER ? PF_W_GUEST
							    : PF_W_PHASE,
				 k, sw->step_ns, end, sw->step_rec, PF_NOREC,
				 sw->step == PF_PHASE_ENTER ? PF_K_OUTER
							    : PF_K_MIDDLE,
				 PF_F_OPEN);
		}
		if (sw->outer_open) {
			size_t it = pf_slice(c, PF_W_SWITCH, k, sw->outer_ns,
					     end, sw->outer_rec, PF_NOREC,
					     PF_K_OUTER, PF_F_OPEN);

			if (it != PF_NOREC) {
				c->items->v[it].val = sw->outer_in ? 0 : 1;
			}
		}
		if (cpu->init_open) {
			pf_slice(c, PF_W_INIT, k, cpu->init_ns, end,
				 cpu->init_rec, PF_NOREC, PF_K_OUTER,
				 PF_F_OPEN);
		}
		free(cpu->faults);
		free(cpu->bbms);
	}
	if (!c->td->complete || c->td->error != 0) {
		struct export_perfetto_item it = {
			.ts = end,
			.rec = PF_NOREC,
			.rec2 = PF_NOREC,
			.type = PF_GLOBAL,
			.what = PF_W_END,
			.klass = PF_K_COUNTER,
		};

		pf_add(c, &it);
	}
}

int export_perfetto_build(const struct export_model *m,
			  struct export_perfetto_items *items)
{
	struct pf_ctx *c = calloc(1, sizeof(*c));
	int ret;

	if (c == NULL) {
		return -ERR_NOMEM;
	}
	c->m = m;
	c->td = m->td;
	c->items = items;
	for (size_t k = 0; k < m->td->nenums; k++) {
		const struct trace_schema_enum *e = &m->td->enums[k];

		if (strcmp(e->kind, "SWITCH_PHASE") != 0 ||
		    e->value >= PF_PHASE_VALUES) {
			continue;
		}
		for (unsigned p = 1; p <= PF_PHASE_EXIT_END; p++) {
			if (strcmp(e->name, pf_phase_names[p]) == 0) {
				c->phase_of[e->value] = (uint8_t)p;
			}
		}
	}
	if (m->td->nrecords > 0) {
		uint64_t t0 = pf_ns(c, &m->td->records[0]);

		pf_counter(c, PF_W_CNT_FAULTS, t0, 0);
		pf_counter(c, PF_W_CNT_BBM, t0, 0);
	}
	for (size_t i = 0; i < m->td->nrecords && c->err == 0; i++) {
		if (m->td->records[i].cpu < TRACE_FILE_MAX_CPUS) {
			pf_record(c, i);
		}
	}
	pf_finish(c);
	ret = c->err;
	free(c->broken);
	free(c);
	return ret;
}

int export_perfetto(const struct trace_data *td, FILE *out)
{
	struct export_model m;
	struct export_perfetto_items items = {0};
	int ret = export_model_build(td, &m);

	if (ret == 0) {
		ret = export_perfetto_build(&m, &items);
	}
	if (ret == 0) {
		ret = export_perfetto_write(&m, &items, out);
	}
	free(items.v);
	export_model_free(&m);
	return ret;
}
