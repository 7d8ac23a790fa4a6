/* `faultline export` (export_cmd.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>

#include "export_cmd.h"
#include "export_formats.h"
#include "paths.h"

/* The parsed command line. */
struct export_args {
	const char *input;
	const char *output;
	const struct export_format *fmt;
	/* The input was a run directory. */
	bool run_dir;
};

const char *export_cmd_usage(void)
{
	static char text[2048];
	size_t n;

	n = (size_t)snprintf(text, sizeof(text),
			     "usage: faultline export TRACE|RUN_DIR [--format "
			     "FORMAT] [-o OUTPUT]\n"
			     "Decodes a trace file (or RUN_DIR/trace.bin) and "
			     "writes it in another\n"
			     "format. A damaged or cut trace is reported with "
			     "the byte offset of the\n"
			     "damage, and what precedes it is still exported.\n"
			     "  --format FORMAT   (default csv):\n");
	for (const struct export_format *f = export_formats;
	     f->name != NULL && n < sizeof(text); f++) {
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "      %-10s %s\n", f->name, f->what);
	}
	if (n < sizeof(text)) {
		snprintf(text + n, sizeof(text) - n,
			 "  -o, --output OUT  the file (or directory, for "
			 "directory formats) to write;\n"
			 "                    default: stdout, or inside "
			 "RUN_DIR for the formats that\n"
			 "                    name a default there\n");
	}
	return text;
}

static int export_cmd_usage_error(const char *arg, const char *why)
{
	fprintf(stderr, "faultline export: %s: %s\n%s", arg, why,
		export_cmd_usage());
	return 2;
}

/* The value of option @a (argv[*i]), "--opt=v" or "--opt v". */
static const char *export_cmd_value(int argc, char *const *argv, int *i,
				    size_t name_len)
{
	const char *a = argv[*i];

	if (a[name_len] == '=') {
		return a + name_len + 1;
	}
	return *i + 1 < argc ? argv[++*i] : NULL;
}

/* Parses the arguments; 0, or an exit status (2, or -1 for --help). */
static int export_cmd_parse(int argc, char *const *argv, struct export_args *x)
{
	x->fmt = export_format_find("csv");
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(export_cmd_usage(), stdout);
			return -1;
		}
		if (strcmp(a, "--format") == 0 ||
		    strncmp(a, "--format=", 9) == 0) {
			const char *v = export_cmd_value(argc, argv, &i, 8);

			if (v == NULL) {
				return export_cmd_usage_error(a,
							      "needs a value");
			}
			x->fmt = export_format_find(v);
			if (x->fmt == NULL) {
				return export_cmd_usage_error(
					v, "unknown format (see the list "
					   "below)");
			}
		} else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 ||
			   strncmp(a, "--output=", 9) == 0) {
			const char *v = export_cmd_value(argc, argv, &i,
							 a[1] == '-' ? 8 : 2);

			if (v == NULL || v[0] == '\0') {
				return export_cmd_usage_error(
					a, "needs a file name");
			}
			x->output = v;
		} else if (a[0] == '-' && a[1] != '\0') {
			return export_cmd_usage_error(a, "unknown option");
		} else if (x->input != NULL) {
			return export_cmd_usage_error(a, "one trace at a time");
		} else {
			x->input = a;
		}
	}
	if (x->input == NULL) {
		return export_cmd_usage_error("TRACE", "missing");
	}
	return 0;
}

/* Decodes the trace; 0, or 1 when nothing could be decoded. */
static int export_cmd_load(struct export_args *x, struct trace_data *td)
{
	char path[PATHS_MAX];
	int ret;

	x->run_dir = paths_is_dir(x->input);
	if (x->run_dir) {
		if (paths_join(x->input, "trace.bin", path, sizeof(path)) !=
		    0) {
			return export_cmd_usage_error(x->input,
						      "path too long");
		}
	} else {
		snprintf(path, sizeof(path), "%s", x->input);
	}
	ret = trace_data_load_file(path, td);
	if (ret == -ERR_IO) {
		fprintf(stderr, "faultline export: %s\n", td->error_msg);
	} else if (ret != 0) {
		fprintf(stderr,
			"faultline export: %s: damaged at offset %llu: %s (%zu "
			"records before it)\n",
			path, (unsigned long long)td->error_offset,
			td->error_msg, td->nrecords);
	}
	if (ret != 0 && td->nrecords == 0) {
		fprintf(stderr,
			"faultline export: %s: nothing could be decoded\n",
			path);
		return 1;
	}
	if (ret == 0 && !td->complete) {
		fprintf(stderr,
			"faultline export: %s: incomplete (the run did not "
			"finish writing it)\n",
			path);
	}
	return 0;
}

static int export_cmd_stream(const struct export_args *x,
			     const struct trace_data *td, const char *output)
{
	FILE *out = output != NULL ? fopen(output, "w") : stdout;
	int status = 0;

	if (out == NULL) {
		fprintf(stderr, "faultline export: cannot create %s: %s\n",
			output, strerror(errno));
		return 1;
	}
	if (x->fmt->to_stream(td, out) != 0 || fflush(out) != 0) {
		fprintf(stderr, "faultline export: writing %s failed: %s\n",
			output != NULL ? output : "stdout", strerror(errno));
		status = 1;
	}
	if (output != NULL && fclose(out) != 0) {
		status = 1;
	}
	if (status == 0 && output != NULL) {
		fprintf(stderr, "faultline export: wrote %s\n", output);
	}
	return status;
}

static int export_cmd_dir(const struct export_args *x,
			  const struct trace_data *td, const char *output)
{
	char err[512] = "";

	if (output == NULL) {
		fprintf(stderr,
			"faultline export: --format %s writes a directory: "
			"give -o DIR\n",
			x->fmt->name);
		return 2;
	}
	if (x->fmt->to_dir(td, output, err, sizeof(err)) != 0) {
		fprintf(stderr, "faultline export: %s: %s\n", x->fmt->name,
			err[0] != '\0' ? err : "failed");
		return 1;
	}
	fprintf(stderr, "faultline export: wrote %s/\n", output);
	return 0;
}

int export_cmd_main(int argc, char *const *argv)
{
	struct export_args x = {0};
	struct trace_data td = {0};
	char def[PATHS_MAX];
	const char *output;
	int status = export_cmd_parse(argc, argv, &x);

	if (status != 0) {
		return status < 0 ? 0 : status;
	}
	status = export_cmd_load(&x, &td);
	output = x.output;
	if (status == 0 && output == NULL && x.run_dir &&
	    x.fmt->default_output != NULL) {
		if (paths_join(x.input, x.fmt->default_output, def,
			       sizeof(def)) != 0) {
			status = export_cmd_usage_error(x.input,
							"path too long");
		}
		output = def;
	}
	if (status == 0) {
		status = x.fmt->to_stream != NULL
				 ? export_cmd_stream(&x, &td, output)
				 : export_cmd_dir(&x, &td, output);
	}
	trace_data_free(&td);
	return status;
}
