/* The export formats (export_formats.h): one row per format. */
#include <string.h>

#include <faultline/trace/export.h>

#include "export_formats.h"

const struct export_format export_formats[] = {
	{"csv", "one row per event, every field named in the header",
	 trace_export_csv, NULL, NULL},
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
