/* CSV export (export.h): a fixed prefix of columns, then every field name. */
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>
#include <faultline/trace/export.h>

/* Most distinct field names across all events. */
#define CSV_MAX_COLUMNS 256

/* The columns every row starts with; a field of the same name is renamed. */
static const char *const csv_fixed[] = {"index", "time_ns", "ticks",
					"cpu",   "seq",     "event"};

/*
 * The layout, worked out once from the schema so that the pass over the
 * records compares no names: for each schema event, which of its fields
 * goes in each column (-1: none), and each schema event by id.
 */
struct csv_layout {
	const char *cols[CSV_MAX_COLUMNS];
	size_t ncols;
	/* [event index][column]: field index or -1. */
	int8_t (*field_of)[CSV_MAX_COLUMNS];
	/* Event index + 1 of each id (0: not in the schema). */
	uint16_t by_id[65536];
};

/* Collects the distinct field names of the schema, in schema order. */
static void csv_columns(const struct trace_data *td, struct csv_layout *l)
{
	for (size_t e = 0; e < td->nevents; e++) {
		for (unsigned f = 0; f < td->events[e].nfields; f++) {
			const char *name = td->events[e].fields[f].name;
			size_t i = 0;

			while (i < l->ncols && strcmp(l->cols[i], name) != 0) {
				i++;
			}
			if (i == l->ncols && l->ncols < CSV_MAX_COLUMNS) {
				l->cols[l->ncols++] = name;
			}
		}
	}
}

static int csv_layout_init(const struct trace_data *td, struct csv_layout *l)
{
	csv_columns(td, l);
	l->field_of = malloc((td->nevents > 0 ? td->nevents : 1) *
			     sizeof(*l->field_of));
	if (l->field_of == NULL) {
		return -ERR_NOMEM;
	}
	for (size_t e = 0; e < td->nevents; e++) {
		const struct trace_schema_event *ev = &td->events[e];

		memset(l->field_of[e], -1, sizeof(l->field_of[e]));
		for (size_t c = 0; c < l->ncols; c++) {
			for (unsigned f = 0; f < ev->nfields; f++) {
				if (strcmp(ev->fields[f].name, l->cols[c]) ==
				    0) {
					l->field_of[e][c] = (int8_t)f;
				}
			}
		}
		if (l->by_id[ev->id] == 0) {
			l->by_id[ev->id] = (uint16_t)(e + 1);
		}
	}
	return 0;
}

/* The header row; a field named like a fixed column gets a prefix. */
static void csv_header(const struct csv_layout *l, FILE *out)
{
	for (size_t i = 0; i < sizeof(csv_fixed) / sizeof(csv_fixed[0]); i++) {
		fprintf(out, "%s%s", i > 0 ? "," : "", csv_fixed[i]);
	}
	for (size_t c = 0; c < l->ncols; c++) {
		bool clash = false;

		for (size_t i = 0; i < sizeof(csv_fixed) / sizeof(csv_fixed[0]);
		     i++) {
			clash |= strcmp(l->cols[c], csv_fixed[i]) == 0;
		}
		fprintf(out, ",%s%s", clash ? "field_" : "", l->cols[c]);
	}
	fputc('\n', out);
}

int trace_export_csv(const struct trace_data *td, FILE *out)
{
	struct csv_layout *l = calloc(1, sizeof(*l));

	if (l == NULL || csv_layout_init(td, l) != 0) {
		if (l != NULL) {
			free(l->field_of);
		}
		free(l);
		return -ERR_NOMEM;
	}
	csv_header(l, out);
	for (size_t i = 0; i < td->nrecords; i++) {
		const struct trace_record *r = &td->records[i];
		unsigned e = l->by_id[r->id];
		const struct trace_schema_event *ev =
			e > 0 ? &td->events[e - 1] : NULL;

		fprintf(out, "%zu,%llu,%llu,%u,%u,%s", i,
			(unsigned long long)trace_data_rel_ns(td, r->ts),
			(unsigned long long)r->ts, r->cpu, r->seq,
			ev != NULL ? ev->name : "?");
		for (size_t c = 0; c < l->ncols; c++) {
			int f = ev != NULL ? l->field_of[e - 1][c] : -1;
			char val[64];

			if (f < 0) {
				fputc(',', out);
				continue;
			}
			trace_data_format(td, ev->fields[f].kind, r->f[f], val,
					  sizeof(val));
			fprintf(out, ",%s", val);
		}
		fputc('\n', out);
	}
	free(l->field_of);
	free(l);
	fflush(out);
	return ferror(out) ? -ERR_IO : 0;
}
