/* `faultline export` (export_cmd.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <faultline/err.h>
#include <faultline/trace/export.h>

#include "export_cmd.h"
#include "paths.h"

const char *export_cmd_usage(void)
{
	return "usage: faultline export TRACE|RUN_DIR [--format csv] [-o "
	       "FILE]\n"
	       "Decodes a trace file (or RUN_DIR/trace.bin) and writes it in "
	       "another\n"
	       "format, to FILE or to stdout.\n"
	       "  --format FORMAT   csv (the default; the only one so far)\n"
	       "  -o, --output FILE write to FILE instead of stdout\n";
}

static int export_cmd_usage_error(const char *arg, const char *why)
{
	fprintf(stderr, "faultline export: %s: %s\n%s", arg, why,
		export_cmd_usage());
	return 2;
}

/* Parses the arguments; 0, or an exit status (2, or -1 for --help). */
static int export_cmd_parse(int argc, char *const *argv, const char **input,
			    const char **output)
{
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(export_cmd_usage(), stdout);
			return -1;
		}
		if (strcmp(a, "--format") == 0 ||
		    strncmp(a, "--format=", 9) == 0) {
			const char *v =
				a[8] == '=' ? a + 9
					    : (i + 1 < argc ? argv[++i] : NULL);

			if (v == NULL) {
				return export_cmd_usage_error(a,
							      "needs a value");
			}
			if (strcmp(v, "csv") != 0) {
				return export_cmd_usage_error(
					v, "unknown format (known: csv)");
			}
		} else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 ||
			   strncmp(a, "--output=", 9) == 0) {
			const char *v =
				a[1] == '-' && a[8] == '='
					? a + 9
					: (i + 1 < argc ? argv[++i] : NULL);

			if (v == NULL || v[0] == '\0') {
				return export_cmd_usage_error(
					a, "needs a file name");
			}
			*output = v;
		} else if (a[0] == '-' && a[1] != '\0') {
			return export_cmd_usage_error(a, "unknown option");
		} else if (*input != NULL) {
			return export_cmd_usage_error(a, "one trace at a time");
		} else {
			*input = a;
		}
	}
	if (*input == NULL) {
		return export_cmd_usage_error("TRACE", "missing");
	}
	return 0;
}

int export_cmd_main(int argc, char *const *argv)
{
	const char *input = NULL;
	const char *output = NULL;
	char path[PATHS_MAX];
	struct trace_data td;
	FILE *out;
	int status = 0;
	int ret = export_cmd_parse(argc, argv, &input, &output);

	if (ret != 0) {
		return ret < 0 ? 0 : ret;
	}
	if (paths_is_dir(input)) {
		if (paths_join(input, "trace.bin", path, sizeof(path)) != 0) {
			return export_cmd_usage_error(input, "path too long");
		}
	} else {
		snprintf(path, sizeof(path), "%s", input);
	}
	ret = trace_data_load_file(path, &td);
	if (ret == -ERR_IO) {
		fprintf(stderr, "faultline export: %s\n", td.error_msg);
	} else if (ret != 0) {
		fprintf(stderr,
			"faultline export: %s: damaged at offset %llu: %s (%zu "
			"records before it)\n",
			path, (unsigned long long)td.error_offset, td.error_msg,
			td.nrecords);
	}
	if (ret != 0 && td.nrecords == 0) {
		fprintf(stderr,
			"faultline export: %s: nothing could be decoded\n",
			path);
		trace_data_free(&td);
		return 1;
	}
	if (ret == 0 && !td.complete) {
		fprintf(stderr,
			"faultline export: %s: incomplete (the run did not "
			"finish writing it)\n",
			path);
	}
	out = output != NULL ? fopen(output, "w") : stdout;
	if (out == NULL) {
		fprintf(stderr, "faultline export: cannot create %s: %s\n",
			output, strerror(errno));
		trace_data_free(&td);
		return 1;
	}
	if (trace_export_csv(&td, out) != 0 || fflush(out) != 0) {
		fprintf(stderr, "faultline export: writing %s failed: %s\n",
			output != NULL ? output : "stdout", strerror(errno));
		status = 1;
	}
	if (output != NULL && fclose(out) != 0) {
		status = 1;
	}
	trace_data_free(&td);
	return status;
}
