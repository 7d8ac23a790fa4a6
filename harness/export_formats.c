/* The export formats (export_formats.h): one row per format. */
#include <string.h>

#include <faultline/trace/export.h>
#include <faultline/trace/export_casemate.h>

#include "export_ctf.h"
#include "export_formats.h"
#include "export_gnuplot.h"
#include "export_perfetto.h"

/* Casemate's format has no comments: what it cannot say goes to stderr. */
static int export_casemate(const struct trace_data *td, FILE *out)
{
	struct trace_casemate_stats st;
	int ret = trace_export_casemate_stats(td, out, &st);

	if (ret == 0 && st.unsupported > 0) {
		fprintf(stderr,
			"faultline export: casemate: left out %zu events "
			"Casemate has no name for (%zu DSB, %zu TLBI, %zu "
			"lock): see docs/casemate.md\n",
			st.unsupported, st.unsupported_dsb, st.unsupported_tlbi,
			st.unsupported_lock);
	}
	return ret;
}

const struct export_format export_formats[] = {
	{"csv", "one row per event, every field named in the header",
	 trace_export_csv, NULL, NULL},
	{"perfetto", "JSON timeline for ui.perfetto.dev and chrome://tracing",
	 export_perfetto, NULL, "trace.perfetto.json"},
	{"gnuplot",
	 "gnuplot data and scripts of latency, faults, BBMs (a directory)",
	 NULL, export_gnuplot, "plots"},
	{"casemate",
	 "Casemate s-expressions: stage-2 writes, DSB/ISB, TLBI, VTTBR",
	 export_casemate, NULL, "trace.casemate"},
	{"ctf", "CTF through LTTng-UST with the EL2 timestamps (a directory)",
	 NULL, export_ctf_to_dir, "ctf"},
	{NULL, NULL, NULL, NULL, NULL},
};

const struct export_format *export_format_find(const char *name)
{
	for (const struct export_format *f = export_formats; f->name != NULL;
	     f++) {
		if (strcmp(f->name, name) == 0) {
			return f;
		}
	}
	return NULL;
}
