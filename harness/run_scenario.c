/* The scenario of a run (run_scenario.h). */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>

#include "results.h"
#include "run_scenario.h"

/* Tries DIR/scenarios/NAME.scn; true when it is a file. */
static bool run_scenario_try(const char *dir, const char *name, char *out,
			     size_t size)
{
	char rel[PATHS_MAX];

	if ((size_t)snprintf(rel, sizeof(rel), "scenarios/%s.scn", name) >=
	    sizeof(rel)) {
		return false;
	}
	return paths_join(dir, rel, out, size) == 0 && paths_is_file(out);
}

/* Lists the scenarios of ROOT/scenarios on stderr, for a wrong name. */
static void run_scenario_list(const char *root)
{
	char dir[PATHS_MAX];
	struct dirent *e;
	DIR *d;
	bool any = false;

	if (paths_join(root, "scenarios", dir, sizeof(dir)) != 0 ||
	    (d = opendir(dir)) == NULL) {
		return;
	}
	fprintf(stderr, "faultline: the scenarios in %s:", dir);
	while ((e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);

		if (n > 4 && strcmp(e->d_name + n - 4, ".scn") == 0) {
			fprintf(stderr, " %.*s", (int)(n - 4), e->d_name);
			any = true;
		}
	}
	fprintf(stderr, "%s\n", any ? "" : " none");
	closedir(d);
}

/* @arg as a file, or as a name in scenarios/ here or in the repository. */
static int run_scenario_find(const char *arg, char *out, size_t size)
{
	char root[PATHS_MAX];
	bool has_root = paths_repo_root(root, sizeof(root)) == 0;

	if (paths_is_file(arg)) {
		snprintf(out, size, "%s", arg);
		return 0;
	}
	if (strchr(arg, '/') == NULL &&
	    (run_scenario_try(".", arg, out, size) ||
	     (has_root && run_scenario_try(root, arg, out, size)))) {
		return 0;
	}
	fprintf(stderr, "faultline run: %s: no such scenario file or name\n",
		arg);
	if (has_root) {
		run_scenario_list(root);
	}
	return -ERR_NOENT;
}

static int run_scenario_fail(const struct scn_diag *d)
{
	char text[sizeof(d->msg) + sizeof(d->hint) + 16];

	fprintf(stderr, "%s\n", scn_diag_format(d, text, sizeof(text)));
	return -ERR_INVAL;
}

int run_scenario_load(struct run_options *o, struct run_scenario *rs)
{
	struct scn_diag d;
	int ret;

	memset(rs, 0, sizeof(*rs));
	ret = run_scenario_find(o->scenario, rs->path, sizeof(rs->path));
	if (ret != 0) {
		return ret;
	}
	ret = scenario_load_with(rs->path, o->sets, o->nsets, &rs->s, &d);
	if (ret != 0) {
		run_scenario_fail(&d);
		return ret;
	}
	if (o->policy != NULL) {
		scenario_set_policy(&rs->s, scenario_policy_id(o->policy));
	}
	if (!o->smp_given) {
		o->smp = scenario_smp(&rs->s);
	}
	if (scenario_check_smp(&rs->s, o->smp, &d) != 0) {
		return run_scenario_fail(&d);
	}
	if (o->reps != 0) {
		rs->s.reps = o->reps;
	}
	if (o->warmup_given) {
		rs->s.warmup = o->warmup;
	}
	if ((uint64_t)rs->s.reps + rs->s.warmup > PLAN_MAX_REPS) {
		fprintf(stderr,
			"faultline run: %u repetitions and %u warm-up ones: "
			"more than %u in all\n",
			rs->s.reps, rs->s.warmup, PLAN_MAX_REPS);
		return -ERR_INVAL;
	}
	rs->deadline_ms = o->timeout_given ? o->timeout_ms : rs->s.timeout_ms;
	/* Each repetition has the deadline; the watchdog covers them all. */
	{
		uint64_t all = rs->deadline_ms *
				       (rs->s.reps + (uint64_t)rs->s.warmup) +
			       RUN_SCENARIO_SLACK_MS;

		o->timeout_ms =
			all > UINT32_MAX / 2 ? UINT32_MAX / 2 : (unsigned)all;
	}
	if (o->name == NULL) {
		o->name = rs->s.name;
	}
	if (!results_name_ok(o->name)) {
		fprintf(stderr,
			"faultline run: %s: the scenario's name '%s' cannot "
			"name a results directory; give --name\n",
			rs->path, o->name);
		return -ERR_INVAL;
	}
	return 0;
}

/* Writes @size bytes at @data to DIR/NAME. */
static int run_scenario_file(const char *dir, const char *name,
			     const void *data, size_t size)
{
	char path[PATHS_MAX];
	FILE *f;
	bool ok;

	if (paths_join(dir, name, path, sizeof(path)) != 0) {
		return -ERR_RANGE;
	}
	f = fopen(path, "wb");
	ok = f != NULL && fwrite(data, 1, size, f) == size;
	if (f != NULL && fclose(f) != 0) {
		ok = false;
	}
	if (!ok) {
		fprintf(stderr, "faultline: cannot write %s: %s\n", path,
			strerror(errno));
		return -ERR_IO;
	}
	return 0;
}

int run_scenario_write(const struct run_scenario *rs,
		       const struct run_options *o, const char *dir)
{
	struct plan plan;
	char err[256];
	void *blob = NULL;
	size_t size = 0;
	int ret = scenario_plan(&rs->s, rs->deadline_ms, &blob, &size);

	if (ret != 0) {
		fprintf(stderr, "faultline: out of memory compiling %s\n",
			rs->path);
		return ret;
	}
	/* The hypervisor's own check: a plan it would refuse is our bug. */
	ret = plan_validate(blob, size, o->smp, &plan, err, sizeof(err));
	if (ret != 0) {
		fprintf(stderr,
			"faultline: internal error: the plan compiled from %s "
			"is invalid: %s\n",
			rs->path, err);
	}
	if (ret == 0) {
		ret = run_scenario_file(dir, "plan.bin", blob, size);
	}
	if (ret == 0) {
		/* The bytes that were parsed, not the file as it is now. */
		ret = run_scenario_file(dir, "scenario.scn", rs->s.text,
					rs->s.text_len);
	}
	free(blob);
	return ret;
}

void run_scenario_free(struct run_scenario *rs)
{
	scenario_free(&rs->s);
}
