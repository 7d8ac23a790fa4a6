/* `faultline list` and `faultline show` (results_cmd.h). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>

#include "json_read.h"
#include "paths.h"
#include "results.h"
#include "results_cmd.h"
#include "sweep.h"

/* One line of `faultline list`. */
struct rc_row {
	/* SCENARIO/RUN-ID[/SUB], for `faultline show`. */
	char run[256];
	char scenario[64];
	char backend[8];
	char policy[16];
	char verdict[32];
	char faults[24];
	char p50[24];
	char date[32];
};

struct rc_rows {
	struct rc_row *v;
	size_t n;
	size_t cap;
};

const char *results_cmd_list_usage(void)
{
	return "usage: faultline list [SCENARIO] [--results DIR]\n"
	       "Lists the runs kept in the results tree (results/ of the "
	       "repository, or\n"
	       "DIR), oldest first: RUN (for `faultline show RUN`), scenario, "
	       "backend,\n"
	       "policy, verdict, faults, fault latency p50 and date. A sweep's "
	       "runs are\n"
	       "listed one by one as SCENARIO/RUN-ID/NAME-VALUE.\n";
}

const char *results_cmd_show_usage(void)
{
	return "usage: faultline show RUN [--results DIR]\n"
	       "Prints the summary `faultline run` printed for RUN, from its "
	       "summary.json\n"
	       "(a sweep: its table, from sweep.json; a comparison or a "
	       "benchmark: its\n"
	       "compare.txt or bench.txt), without running anything. RUN is "
	       "a run\n"
	       "directory, `latest`, or SCENARIO/RUN-ID in the results "
	       "tree.\n";
}

/* The results tree: @opt (--results), or ROOT/results. */
static int rc_results(const char *opt, char *out, size_t size)
{
	char root[PATHS_MAX];

	if (opt != NULL) {
		return paths_join("", opt, out, size);
	}
	if (paths_repo_root(root, sizeof(root)) != 0) {
		return -ERR_NOENT;
	}
	return paths_join(root, "results", out, size);
}

/* Parses [NAME] [--results DIR]; 0, 2 (usage) or -1 (--help). */
static int rc_args(int argc, char *const *argv, const char **name,
		   const char **results, const char *(*usage)(void))
{
	*name = NULL;
	*results = NULL;
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(usage(), stdout);
			return -1;
		}
		if (strcmp(a, "--results") == 0 && i + 1 < argc) {
			*results = argv[++i];
		} else if (strncmp(a, "--results=", 10) == 0) {
			*results = a + 10;
		} else if (a[0] == '-' || *name != NULL) {
			fprintf(stderr, "faultline %s: %s: %s\n%s", argv[1], a,
				a[0] == '-' ? "unknown option"
					    : "one at a time",
				usage());
			return 2;
		} else {
			*name = a;
		}
	}
	return 0;
}

static void rc_copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "-");
}

/* @ns as "3.2 us", or "-". */
static void rc_dur(const struct json_node *n, char *buf, size_t size)
{
	double ns;

	if (!json_read_num(n, &ns)) {
		snprintf(buf, size, "-");
	} else if (ns < 1e3) {
		snprintf(buf, size, "%.0f ns", ns);
	} else if (ns < 1e6) {
		snprintf(buf, size, "%.1f us", ns / 1e3);
	} else if (ns < 1e9) {
		snprintf(buf, size, "%.1f ms", ns / 1e6);
	} else {
		snprintf(buf, size, "%.2f s", ns / 1e9);
	}
}

/* The row of the run in @dir, named @run; false when it has no summary. */
static bool rc_row_of(const char *dir, const char *run, struct rc_row *row)
{
	char path[PATHS_MAX], err[256];
	struct json_node sum, man;
	const struct json_node *fp;
	const char *scn;
	double faults;

	memset(&sum, 0, sizeof(sum));
	memset(&man, 0, sizeof(man));
	if (paths_join(dir, "summary.json", path, sizeof(path)) != 0 ||
	    json_read_file(path, &sum, err, sizeof(err)) != 0) {
		json_read_free(&sum);
		return false;
	}
	memset(row, 0, sizeof(*row));
	rc_copy(row->run, sizeof(row->run), run);
	scn = json_read_str(json_read_get(&sum, "scenario"), NULL);
	if (scn != NULL) {
		rc_copy(row->scenario, sizeof(row->scenario), scn);
	} else {
		snprintf(row->scenario, sizeof(row->scenario), "(%s)",
			 json_read_str(json_read_get(&sum, "mode"), "?"));
	}
	rc_copy(row->backend, sizeof(row->backend),
		json_read_str(json_read_get(&sum, "backend"), "qemu"));
	rc_copy(row->policy, sizeof(row->policy),
		json_read_str(json_read_get(&sum, "policy"), NULL));
	rc_copy(row->verdict, sizeof(row->verdict),
		json_read_str(json_read_get(&sum, "verdict"), "?"));
	fp = json_read_get(&sum, "fault_path");
	if (json_read_num(json_read_get(fp, "faults"), &faults)) {
		snprintf(row->faults, sizeof(row->faults), "%.0f", faults);
	} else {
		snprintf(row->faults, sizeof(row->faults), "-");
	}
	rc_dur(json_read_path(fp, "fault_latency_ns.p50"), row->p50,
	       sizeof(row->p50));
	json_read_free(&sum);
	/* The date the manifest recorded, without its seconds and zone. */
	if (paths_join(dir, "manifest.json", path, sizeof(path)) == 0 &&
	    json_read_file(path, &man, err, sizeof(err)) == 0) {
		snprintf(row->date, sizeof(row->date), "%.16s",
			 json_read_str(json_read_get(&man, "date"), "-"));
	} else {
		snprintf(row->date, sizeof(row->date), "-");
	}
	json_read_free(&man);
	return true;
}

static int rc_add(struct rc_rows *rows, const struct rc_row *row)
{
	if (rows->n == rows->cap) {
		size_t cap = rows->cap > 0 ? rows->cap * 2 : 64;
		struct rc_row *v = realloc(rows->v, cap * sizeof(*v));

		if (v == NULL) {
			return -ERR_NOMEM;
		}
		rows->v = v;
		rows->cap = cap;
	}
	rows->v[rows->n++] = *row;
	return 0;
}

/*
 * The runs of a sweep's directory @dir (named @run), one row each: its
 * subdirectories with a summary (also those of a sweep cut short, which
 * never wrote sweep.json).
 */
static void rc_sweep_rows(const char *dir, const char *run,
			  struct rc_rows *rows)
{
	char sub[PATHS_MAX], name[PATHS_MAX];
	struct dirent *e;
	struct rc_row row;
	DIR *d = opendir(dir);

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' ||
		    paths_join(dir, e->d_name, sub, sizeof(sub)) != 0 ||
		    !paths_is_dir(sub) ||
		    (size_t)snprintf(name, sizeof(name), "%s/%s", run,
				     e->d_name) >= sizeof(name)) {
			continue;
		}
		if (rc_row_of(sub, name, &row)) {
			rc_add(rows, &row);
		}
	}
	if (d != NULL) {
		closedir(d);
	}
}

/* The runs under @results/@scn. */
static void rc_scenario_rows(const char *results, const char *scn,
			     struct rc_rows *rows)
{
	char dir[PATHS_MAX], run_dir[PATHS_MAX], run[PATHS_MAX];
	struct dirent *e;
	struct rc_row row;
	DIR *d;

	if (paths_join(results, scn, dir, sizeof(dir)) != 0 ||
	    (d = opendir(dir)) == NULL) {
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' ||
		    paths_join(dir, e->d_name, run_dir, sizeof(run_dir)) != 0 ||
		    !paths_is_dir(run_dir) ||
		    (size_t)snprintf(run, sizeof(run), "%s/%s", scn,
				     e->d_name) >= sizeof(run)) {
			continue;
		}
		if (rc_row_of(run_dir, run, &row)) {
			rc_add(rows, &row);
		} else {
			rc_sweep_rows(run_dir, run, rows);
		}
	}
	closedir(d);
}

/* Oldest first: by run id (it starts with the date), then by name. */
static int rc_order(const void *a, const void *b)
{
	const struct rc_row *x = a;
	const struct rc_row *y = b;
	const char *ix = strchr(x->run, '/');
	const char *iy = strchr(y->run, '/');
	int c = strcmp(ix != NULL ? ix : x->run, iy != NULL ? iy : y->run);

	return c != 0 ? c : strcmp(x->run, y->run);
}

static void rc_print(const struct rc_rows *rows)
{
	static const char *const head[] = {"RUN",       "SCENARIO", "BACKEND",
					   "POLICY",    "VERDICT",  "FAULTS",
					   "FAULT P50", "DATE"};
	size_t w[8];

	for (unsigned c = 0; c < 8; c++) {
		w[c] = strlen(head[c]);
	}
	for (size_t i = 0; i < rows->n; i++) {
		const struct rc_row *r = &rows->v[i];
		const char *cells[] = {r->run,    r->scenario, r->backend,
				       r->policy, r->verdict,  r->faults,
				       r->p50,    r->date};

		for (unsigned c = 0; c < 8; c++) {
			size_t n = strlen(cells[c]);

			w[c] = n > w[c] ? n : w[c];
		}
	}
	for (size_t i = 0; i <= rows->n; i++) {
		const struct rc_row *r = i > 0 ? &rows->v[i - 1] : NULL;
		const char *cells[] = {
			r != NULL ? r->run : head[0],
			r != NULL ? r->scenario : head[1],
			r != NULL ? r->backend : head[2],
			r != NULL ? r->policy : head[3],
			r != NULL ? r->verdict : head[4],
			r != NULL ? r->faults : head[5],
			r != NULL ? r->p50 : head[6],
			r != NULL ? r->date : head[7],
		};

		for (unsigned c = 0; c < 8; c++) {
			printf("%-*s%s", c < 7 ? (int)w[c] : 0, cells[c],
			       c < 7 ? "  " : "\n");
		}
	}
}

int results_cmd_list(int argc, char *const *argv)
{
	struct rc_rows rows = {NULL, 0, 0};
	const char *scn, *opt;
	char results[PATHS_MAX];
	struct dirent *e;
	DIR *d;
	int ret = rc_args(argc, argv, &scn, &opt, results_cmd_list_usage);

	if (ret != 0) {
		return ret < 0 ? 0 : ret;
	}
	if (rc_results(opt, results, sizeof(results)) != 0 ||
	    (d = opendir(results)) == NULL) {
		fprintf(stderr, "faultline list: no results in %s yet\n",
			opt != NULL ? opt : "results/");
		return 1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.' && strcmp(e->d_name, "latest") != 0 &&
		    (scn == NULL || strcmp(scn, e->d_name) == 0)) {
			rc_scenario_rows(results, e->d_name, &rows);
		}
	}
	closedir(d);
	if (rows.n > 1) {
		qsort(rows.v, rows.n, sizeof(*rows.v), rc_order);
	}
	if (rows.n == 0) {
		printf("faultline list: no runs%s%s in %s\n",
		       scn != NULL ? " of " : "", scn != NULL ? scn : "",
		       results);
	} else {
		rc_print(&rows);
	}
	free(rows.v);
	return 0;
}

/* The run directory RUN names into @out. */
static int rc_find_run(const char *run, const char *opt, char *out, size_t size)
{
	char results[PATHS_MAX];

	if (strcmp(run, "latest") != 0 && paths_is_dir(run)) {
		return paths_join("", run, out, size);
	}
	if (rc_results(opt, results, sizeof(results)) != 0 ||
	    paths_join(results, run, out, size) != 0 || !paths_is_dir(out)) {
		return -ERR_NOENT;
	}
	return 0;
}

/* A summary without its report (an older run): its main figures. */
static void rc_show_fields(const struct json_node *sum, const char *dir)
{
	printf("faultline: %s: %s %s (no report stored with this run)\n", dir,
	       json_read_str(json_read_get(sum, "scenario"),
			     json_read_str(json_read_get(sum, "mode"), "?")),
	       json_read_str(json_read_get(sum, "verdict"), "?"));
}

/* Prints DIR/@name as it is; false when there is no such file. */
static bool rc_print_file(const char *dir, const char *name)
{
	char path[PATHS_MAX], buf[4096];
	FILE *f;
	size_t n;

	if (paths_join(dir, name, path, sizeof(path)) != 0 ||
	    (f = fopen(path, "r")) == NULL) {
		return false;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		fwrite(buf, 1, n, stdout);
	}
	fclose(f);
	return true;
}

int results_cmd_show(int argc, char *const *argv)
{
	static struct sweep sw;
	const char *run, *opt;
	char dir[PATHS_MAX], path[PATHS_MAX], err[512];
	struct json_node sum;
	const struct json_node *lines;
	int ret = rc_args(argc, argv, &run, &opt, results_cmd_show_usage);

	if (ret != 0) {
		return ret < 0 ? 0 : ret;
	}
	if (run == NULL) {
		fprintf(stderr, "faultline show: which run?\n%s",
			results_cmd_show_usage());
		return 2;
	}
	if (rc_find_run(run, opt, dir, sizeof(dir)) != 0) {
		fprintf(stderr,
			"faultline show: %s: no such run directory (see "
			"`faultline list`)\n",
			run);
		return 1;
	}
	if (paths_join(dir, "summary.json", path, sizeof(path)) == 0 &&
	    paths_is_file(path)) {
		if (json_read_file(path, &sum, err, sizeof(err)) != 0) {
			fprintf(stderr, "faultline show: %s\n", err);
			json_read_free(&sum);
			return 1;
		}
		lines = json_read_get(&sum, "report");
		if (lines == NULL || lines->type != JSON_NODE_ARRAY ||
		    lines->n == 0) {
			rc_show_fields(&sum, dir);
		}
		for (size_t i = 0; lines != NULL && i < lines->n; i++) {
			printf("%s\n", json_read_str(&lines->items[i], ""));
		}
		json_read_free(&sum);
		return 0;
	}
	if (paths_join(dir, "sweep.json", path, sizeof(path)) == 0 &&
	    paths_is_file(path)) {
		if (sweep_read_json(path, &sw, err, sizeof(err)) != 0) {
			fprintf(stderr, "faultline show: %s\n", err);
			return 1;
		}
		sweep_print(&sw, dir, stdout);
		return 0;
	}
	/* A comparison's or a benchmark's directory: its table as written. */
	if (rc_print_file(dir, "compare.txt") ||
	    rc_print_file(dir, "bench.txt")) {
		return 0;
	}
	fprintf(stderr,
		"faultline show: %s: no summary.json, sweep.json, compare.txt "
		"or bench.txt (the run never finished?)\n",
		dir);
	return 1;
}
