/* This build's schema for hand-made traces (schema_fixture.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>
#include <faultline/trace/event.h>
#include <faultline/trace/format.h>

#include "schema_fixture.h"

/* Event @d as a SCHEMA chunk declares it. */
static void sf_event(const struct trace_event_desc *d,
		     struct trace_schema_event *e)
{
	e->id = d->id;
	snprintf(e->name, sizeof(e->name), "%s", d->name);
	e->nfields = d->nfields;
	for (unsigned f = 0; f < d->nfields; f++) {
		snprintf(e->fields[f].name, sizeof(e->fields[f].name), "%s",
			 d->fields[f].name);
		snprintf(e->fields[f].kind, sizeof(e->fields[f].kind), "%s",
			 trace_kind_name(d->fields[f].kind));
	}
}

int trace_fixture_schema(struct trace_data *td, unsigned ncpus, uint64_t freq)
{
	size_t nenums = 0;

	memset(td, 0, sizeof(*td));
	td->version = TRACE_FORMAT_VERSION;
	td->ncpus = ncpus;
	td->counter_freq = freq;
	td->complete = true;
	td->end_seen = true;
	for (unsigned k = 0; k < trace_nenums; k++) {
		nenums += trace_enums[k].nvalues;
	}
	td->events = calloc(trace_nevents, sizeof(*td->events));
	td->enums = calloc(nenums > 0 ? nenums : 1, sizeof(*td->enums));
	if (td->events == NULL || td->enums == NULL) {
		free(td->events);
		free(td->enums);
		td->events = NULL;
		td->enums = NULL;
		return -ERR_NOMEM;
	}
	for (unsigned i = 0; i < trace_nevents; i++) {
		sf_event(&trace_events[i], &td->events[i]);
	}
	td->nevents = trace_nevents;
	for (unsigned k = 0; k < trace_nenums; k++) {
		for (unsigned v = 0; v < trace_enums[k].nvalues; v++) {
			struct trace_schema_enum *e = &td->enums[td->nenums++];

			snprintf(e->kind, sizeof(e->kind), "%s",
				 trace_enums[k].name);
			snprintf(e->name, sizeof(e->name), "%s",
				 trace_enums[k].values[v].name);
			e->value = trace_enums[k].values[v].value;
		}
	}
	return 0;
}
