/* `faultline check` (check_cmd.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>

#include "check_cmd.h"
#include "paths.h"

/* Records of the violation's CPU shown before it, unless told. */
#define CHECK_CMD_WINDOW 8u
/* Most records a window may show. */
#define CHECK_CMD_MAX_WINDOW 64u

/* The parsed command line. */
struct check_args {
	const char *input;
	unsigned window;
	unsigned max_per_rule;
	bool quiet;
};

const char *check_cmd_usage(void)
{
	return "usage: faultline check [--window N] [--max N] [--quiet] "
	       "RUN_DIR|TRACE\n"
	       "Checks a trace (or RUN_DIR/trace.bin) against the fault "
	       "path's ordering rules:\n"
	       "  1 break-before-make            5 ISB after VTTBR/HCR "
	       "writes\n"
	       "  2 stage-2 invalidation order   6 SPE drain order\n"
	       "  3 VMID scope                   7 cache maintenance with "
	       "caches off\n"
	       "  4 invalidation after a lost race  8 table lock\n"
	       "(docs/checker.md). Each violation is printed with its rule, "
	       "record, CPU,\n"
	       "VMID and IPA and the records of its CPU around it; a run "
	       "directory also\n"
	       "gets the report in RUN_DIR/check.txt. A damaged or cut trace "
	       "is checked up\n"
	       "to the damage. Exit status: 0 clean, 1 a rule is broken, 2 "
	       "usage error or\n"
	       "nothing decodable.\n"
	       "  --window N   records of the CPU shown before each violation "
	       "(default 8)\n"
	       "  --max N      violations shown per rule (default 10; all "
	       "are counted)\n"
	       "  --quiet      print the verdict line only\n";
}

static int check_cmd_usage_error(const char *arg, const char *why)
{
	fprintf(stderr, "faultline check: %s: %s\n%s", arg, why,
		check_cmd_usage());
	return 2;
}

/* Parses "N" into *@out (1..@max); false when it is not one. */
static bool check_cmd_number(const char *s, unsigned max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (s == NULL || s[0] < '0' || s[0] > '9') {
		return false;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > max) {
		return false;
	}
	*out = (unsigned)v;
	return true;
}

/* Parses the arguments; 0, or an exit status (2, or -1 for --help). */
static int check_cmd_parse(int argc, char *const *argv, struct check_args *x)
{
	x->window = CHECK_CMD_WINDOW;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(check_cmd_usage(), stdout);
			return -1;
		}
		if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
			x->quiet = true;
		} else if (strcmp(a, "--window") == 0) {
			if (!check_cmd_number(i + 1 < argc ? argv[++i] : NULL,
					      CHECK_CMD_MAX_WINDOW,
					      &x->window)) {
				return check_cmd_usage_error(
					a, "needs a number from 1 to 64");
			}
		} else if (strcmp(a, "--max") == 0) {
			if (!check_cmd_number(i + 1 < argc ? argv[++i] : NULL,
					      1000000, &x->max_per_rule)) {
				return check_cmd_usage_error(
					a, "needs a number from 1 to 1000000");
			}
		} else if (a[0] == '-' && a[1] != '\0') {
			return check_cmd_usage_error(a, "unknown option");
		} else if (x->input != NULL) {
			return check_cmd_usage_error(a, "one trace at a time");
		} else {
			x->input = a;
		}
	}
	if (x->input == NULL) {
		return check_cmd_usage_error("RUN_DIR|TRACE", "missing");
	}
	return 0;
}

int check_cmd_run_dir(const struct trace_data *td, const char *dir,
		      struct check_result *res)
{
	char path[PATHS_MAX];
	FILE *out;
	int ret = check_run(td, NULL, res);

	if (ret != 0) {
		return ret;
	}
	if (paths_join(dir, CHECK_CMD_FILE, path, sizeof(path)) != 0) {
		return -ERR_IO;
	}
	out = fopen(path, "w");
	if (out == NULL) {
		return -ERR_IO;
	}
	ret = check_report(td, res, "trace.bin", CHECK_CMD_WINDOW, out);
	if (fclose(out) != 0) {
		ret = -ERR_IO;
	}
	return ret;
}

/* Writes the report to @path too; false when that failed. */
static bool check_cmd_write(const struct trace_data *td,
			    const struct check_result *res, const char *name,
			    unsigned window, const char *path)
{
	FILE *out = fopen(path, "w");
	bool ok = out != NULL && check_report(td, res, name, window, out) == 0;

	if (out != NULL && fclose(out) != 0) {
		ok = false;
	}
	if (!ok) {
		fprintf(stderr, "faultline check: cannot write %s: %s\n", path,
			strerror(errno));
	}
	return ok;
}

int check_cmd_main(int argc, char *const *argv)
{
	struct check_args x = {0};
	struct check_options o = {0};
	struct trace_data td = {0};
	struct check_result res = {0};
	char path[PATHS_MAX], txt[PATHS_MAX], verdict[256];
	bool run_dir;
	int status = check_cmd_parse(argc, argv, &x);

	if (status != 0) {
		return status < 0 ? 0 : status;
	}
	run_dir = paths_is_dir(x.input);
	if (run_dir &&
	    (paths_join(x.input, "trace.bin", path, sizeof(path)) != 0 ||
	     paths_join(x.input, CHECK_CMD_FILE, txt, sizeof(txt)) != 0)) {
		return check_cmd_usage_error(x.input, "path too long");
	}
	if (!run_dir) {
		snprintf(path, sizeof(path), "%s", x.input);
	}
	if (trace_data_load_file(path, &td) != 0 && td.nrecords == 0) {
		fprintf(stderr, "faultline check: %s: nothing to check: %s\n",
			path, td.error_msg);
		trace_data_free(&td);
		return 2;
	}
	o.max_per_rule = x.max_per_rule;
	if (check_run(&td, &o, &res) != 0) {
		fprintf(stderr, "faultline check: out of memory\n");
		status = 2;
	} else {
		if (x.quiet) {
			printf("faultline check: %s\n",
			       check_verdict(&res, verdict, sizeof(verdict)));
		} else {
			check_report(&td, &res, path, x.window, stdout);
		}
		if (run_dir &&
		    check_cmd_write(&td, &res, "trace.bin", x.window, txt)) {
			fprintf(stderr, "faultline check: wrote %s\n", txt);
		}
		status = res.total > 0 ? 1 : 0;
	}
	check_result_free(&res);
	trace_data_free(&td);
	return status;
}
