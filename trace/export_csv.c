/* CSV export (export.h): a fixed prefix of columns, then every field name. */
#include <string.h>

#include <faultline/err.h>
#include <faultline/trace/export.h>

/* Most distinct field names across all events. */
#define CSV_MAX_COLUMNS 256

/* Collects the distinct field names of the schema, in schema order. */
static size_t csv_columns(const struct trace_data *td, const char **cols)
{
	size_t n = 0;

	for (size_t e = 0; e < td->nevents; e++) {
		for (unsigned f = 0; f < td->events[e].nfields; f++) {
			const char *name = td->events[e].fields[f].name;
			size_t i = 0;

			while (i < n && strcmp(cols[i], name) != 0) {
				i++;
			}
			if (i == n && n < CSV_MAX_COLUMNS) {
				cols[n++] = name;
			}
		}
	}
	return n;
}

int trace_export_csv(const struct trace_data *td, FILE *out)
{
	const char *cols[CSV_MAX_COLUMNS];
	size_t ncols = csv_columns(td, cols);

	fprintf(out, "index,time_ns,ticks,cpu,seq,event");
	for (size_t c = 0; c < ncols; c++) {
		fprintf(out, ",%s", cols[c]);
	}
	fputc('\n', out);
	for (size_t i = 0; i < td->nrecords; i++) {
		const struct trace_record *r = &td->records[i];
		const struct trace_schema_event *ev =
			trace_data_event(td, r->id);

		fprintf(out, "%zu,%llu,%llu,%u,%u,%s", i,
			(unsigned long long)trace_data_rel_ns(td, r->ts),
			(unsigned long long)r->ts, r->cpu, r->seq,
			ev != NULL ? ev->name : "?");
		for (size_t c = 0; c < ncols; c++) {
			char val[64] = "";

			for (unsigned f = 0; ev != NULL && f < ev->nfields;
			     f++) {
				if (strcmp(ev->fields[f].name, cols[c]) == 0) {
					trace_data_format(
						td, ev->fields[f].kind, r->f[f],
						val, sizeof(val));
				}
			}
			fprintf(out, ",%s", val);
		}
		fputc('\n', out);
	}
	fflush(out);
	return ferror(out) ? -ERR_IO : 0;
}
