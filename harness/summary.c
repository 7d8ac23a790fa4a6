/* The boot, crash and loss summary of a decoded trace (summary.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>
#include <faultline/time.h>

#include "summary.h"

/* One phase event of one CPU, as collected before sorting. */
struct summary_item {
	uint64_t ts;
	uint32_t seq;
	enum summary_phase phase;
};

static const char *const summary_phase_names[SUMMARY_PHASE_COUNT] = {
	[SUMMARY_PHASE_BOOT_TABLES_ON] = "boot_tables_on",
	[SUMMARY_PHASE_TRAMPOLINE_ENTERED] = "trampoline_entered",
	[SUMMARY_PHASE_RUNTIME_TABLES_ON] = "runtime_tables_on",
	[SUMMARY_PHASE_TLBI] = "tlbi",
	[SUMMARY_PHASE_CPU_UP] = "cpu_up",
	[SUMMARY_PHASE_CPU_OFF] = "cpu_off",
};

const char *summary_phase_name(enum summary_phase p)
{
	return (unsigned)p < SUMMARY_PHASE_COUNT ? summary_phase_names[p] : "?";
}

/* The schema kind of field @field of event @ev, or NULL. */
static const char *summary_field_kind(const struct trace_schema_event *ev,
				      const char *field)
{
	for (unsigned i = 0; i < ev->nfields; i++) {
		if (strcmp(ev->fields[i].name, field) == 0) {
			return ev->fields[i].kind;
		}
	}
	return NULL;
}

/* The name of enum field @field of @r, or NULL. */
static const char *summary_enum_field(const struct trace_data *td,
				      const struct trace_schema_event *ev,
				      const struct trace_record *r,
				      const char *field, uint64_t *value)
{
	const char *kind = summary_field_kind(ev, field);

	if (kind == NULL || !trace_data_field(td, r, field, value)) {
		return NULL;
	}
	return trace_data_enum_name(td, kind, *value);
}

/* The phase of @r in *@p; false when @r is not an init phase. */
static bool summary_phase_of(const struct trace_data *td,
			     const struct trace_schema_event *ev,
			     const struct trace_record *r,
			     enum summary_phase *p)
{
	unsigned i = 0;

	while (i < SUMMARY_PHASE_COUNT &&
	       strcmp(ev->name, summary_phase_names[i]) != 0) {
		i++;
	}
	if (i == SUMMARY_PHASE_COUNT) {
		return false;
	}
	*p = (enum summary_phase)i;
	if (*p == SUMMARY_PHASE_TLBI) {
		uint64_t op;
		const char *name = summary_enum_field(td, ev, r, "op", &op);

		/* Only the init's local invalidation; fault-path TLBIs are not. */
		return name != NULL && strcmp(name, "alle2") == 0;
	}
	return true;
}

static void summary_note_crash(const struct trace_data *td,
			       const struct trace_schema_event *ev,
			       const struct trace_record *r, struct summary *s)
{
	struct summary_crash *c = &s->crash;
	const char *name;

	/* The first crash in time: it may have caused the others. */
	if (s->has_crash && c->ts <= r->ts) {
		return;
	}
	s->has_crash = true;
	memset(c, 0, sizeof(*c));
	c->cpu = r->cpu;
	c->ts = r->ts;
	name = summary_enum_field(td, ev, r, "ec", &c->ec);
	if (name != NULL) {
		snprintf(c->ec_name, sizeof(c->ec_name), "%s", name);
	} else {
		snprintf(c->ec_name, sizeof(c->ec_name), "ec 0x%llx",
			 (unsigned long long)c->ec);
	}
	trace_data_field(td, r, "esr", &c->esr);
	trace_data_field(td, r, "far", &c->far);
	trace_data_field(td, r, "elr", &c->elr);
}

static int summary_item_order(const void *a, const void *b)
{
	const struct summary_item *x = a;
	const struct summary_item *y = b;

	if (x->ts != y->ts) {
		return x->ts < y->ts ? -1 : 1;
	}
	return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

/* Sorts one CPU's phases in time order and counts its complete boots. */
static int summary_cpu_boots(struct summary_cpu *c, struct summary_item *it,
			     size_t n, uint64_t freq)
{
	static const enum summary_phase order[] = {
		SUMMARY_PHASE_BOOT_TABLES_ON,
		SUMMARY_PHASE_TRAMPOLINE_ENTERED,
		SUMMARY_PHASE_RUNTIME_TABLES_ON,
		SUMMARY_PHASE_TLBI,
		SUMMARY_PHASE_CPU_UP,
	};
	size_t step = 0;
	uint64_t start = 0;

	qsort(it, n, sizeof(*it), summary_item_order);
	c->phases = calloc(n > 0 ? n : 1, sizeof(*c->phases));
	c->boot_ns = calloc(n > 0 ? n : 1, sizeof(*c->boot_ns));
	if (c->phases == NULL || c->boot_ns == NULL) {
		return -ERR_NOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		enum summary_phase p = it[i].phase;

		c->phases[c->nphases++] = p;
		if (p == order[step]) {
			if (step == 0) {
				start = it[i].ts;
			}
			step++;
		} else if (p == SUMMARY_PHASE_BOOT_TABLES_ON) {
			/* A boot that restarts: the unfinished one is dropped. */
			start = it[i].ts;
			step = 1;
		} else {
			step = 0;
		}
		if (step == sizeof(order) / sizeof(order[0])) {
			c->boot_ns[c->boots++] =
				time_ticks_to_ns(it[i].ts - start, freq);
			step = 0;
		}
	}
	return 0;
}

int summary_compute(const struct trace_data *td, struct summary *s)
{
	struct summary_item *items = NULL;
	size_t *counts = NULL;
	size_t *firsts = NULL;
	int ret = 0;

	memset(s, 0, sizeof(*s));
	s->ncpus = td->ncpus;
	for (size_t i = 0; i < td->nrecords; i++) {
		if (td->records[i].cpu < TRACE_FILE_MAX_CPUS &&
		    td->records[i].cpu + 1u > s->ncpus) {
			s->ncpus = td->records[i].cpu + 1u;
		}
	}
	s->ncpus = MIN(s->ncpus, (unsigned)TRACE_FILE_MAX_CPUS);
	s->events = td->nrecords;
	s->cpus = calloc(s->ncpus > 0 ? s->ncpus : 1, sizeof(*s->cpus));
	/* Phase items grouped by CPU: counts, then a prefix sum, then fill. */
	counts = calloc(s->ncpus + 1u, sizeof(*counts));
	firsts = calloc(s->ncpus + 1u, sizeof(*firsts));
	items = calloc(td->nrecords > 0 ? td->nrecords : 1, sizeof(*items));
	if (s->cpus == NULL || counts == NULL || firsts == NULL ||
	    items == NULL) {
		ret = -ERR_NOMEM;
		goto out;
	}
	for (unsigned c = 0; c < s->ncpus; c++) {
		s->cpus[c].cpu = c;
		/*
		 * A complete file carries the hypervisor's own count of
		 * events its rings dropped; other gaps in the sequence are
		 * events read from the ring on purpose (EL2 unit tests do).
		 * An incomplete file has no count: the gaps are all we have.
		 */
		s->cpus[c].lost = td->complete
					  ? td->lost[c]
					  : MAX(td->lost[c], td->seq_gaps[c]);
		s->lost += s->cpus[c].lost;
	}
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned c = 0; pass == 1 && c < s->ncpus; c++) {
			firsts[c + 1] = firsts[c] + counts[c];
			counts[c] = 0;
		}
		for (size_t i = 0; i < td->nrecords; i++) {
			const struct trace_record *r = &td->records[i];
			const struct trace_schema_event *ev =
				trace_data_event(td, r->id);
			struct summary_cpu *c;
			enum summary_phase p;
			uint64_t mpidr;

			if (ev == NULL || r->cpu >= s->ncpus) {
				continue;
			}
			c = &s->cpus[r->cpu];
			if (pass == 0 && strcmp(ev->name, "crash") == 0) {
				summary_note_crash(td, ev, r, s);
			}
			if (!summary_phase_of(td, ev, r, &p)) {
				c->seen = true;
				continue;
			}
			if (pass == 1) {
				items[firsts[r->cpu] + counts[r->cpu]] =
					(struct summary_item){r->ts, r->seq, p};
			}
			counts[r->cpu]++;
			c->seen = true;
			if ((p == SUMMARY_PHASE_CPU_UP ||
			     p == SUMMARY_PHASE_CPU_OFF) &&
			    trace_data_field(td, r, "mpidr", &mpidr)) {
				c->mpidr = mpidr;
				c->has_mpidr = true;
			}
		}
	}
	for (unsigned c = 0; c < s->ncpus && ret == 0; c++) {
		ret = summary_cpu_boots(&s->cpus[c], items + firsts[c],
					counts[c], td->counter_freq);
	}
out:
	free(items);
	free(counts);
	free(firsts);
	return ret;
}

void summary_free(struct summary *s)
{
	for (unsigned c = 0; s->cpus != NULL && c < s->ncpus; c++) {
		free(s->cpus[c].phases);
		free(s->cpus[c].boot_ns);
	}
	free(s->cpus);
	memset(s, 0, sizeof(*s));
}

unsigned summary_cpus_booted(const struct summary *s)
{
	unsigned n = 0;

	for (unsigned c = 0; c < s->ncpus; c++) {
		n += s->cpus[c].boots > 0;
	}
	return n;
}

bool summary_boot_range(const struct summary *s, uint64_t *min_ns,
			uint64_t *max_ns)
{
	bool any = false;

	for (unsigned c = 0; c < s->ncpus; c++) {
		uint64_t ns;

		if (s->cpus[c].boots == 0) {
			continue;
		}
		ns = s->cpus[c].boot_ns[0];
		if (!any || ns < *min_ns) {
			*min_ns = ns;
		}
		if (!any || ns > *max_ns) {
			*max_ns = ns;
		}
		any = true;
	}
	return any;
}
