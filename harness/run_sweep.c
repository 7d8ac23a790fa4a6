/*
 * `faultline run SCENARIO --sweep NAME=V1,V2,...` (run_internal.h): the
 * scenario once per value of parameter NAME, each run complete in its own
 * directory DIR/NAME-VALUE/ of the sweep's directory DIR (results/
 * SCENARIO/RUN-ID/, or --out), then the table of the runs, also written
 * as DIR/sweep.csv and DIR/sweep.json, and DIR/manifest.json.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>

#include "backend.h"
#include "run_internal.h"
#include "sweep.h"

/* The directory name of the run of @value: NAME-VALUE, made safe. */
static void run_sweep_subdir(const struct sweep *sw, const char *value,
			     char *out, size_t size)
{
	size_t n;
	unsigned extra = 1;
	bool taken;

	snprintf(out, size, "%s-%s", sw->param, value);
	for (n = 0; out[n] != '\0'; n++) {
		char c = out[n];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		      c == '.')) {
			out[n] = '_';
		}
	}
	/* Two values made the same name: the later one is numbered. */
	do {
		taken = false;
		for (unsigned i = 0; i < sw->nrows; i++) {
			taken |= strcmp(sw->rows[i].dir, out) == 0;
		}
		if (taken) {
			snprintf(out + n, size - n, "-%u", ++extra);
		}
	} while (taken);
}

/*
 * @o with the swept parameter at @value, into @vo: a run of its own (no
 * sweep), its directory @out (NULL: not decided yet).
 */
static int run_sweep_options(const struct run_options *o, const char *value,
			     const char *out, struct run_options *vo)
{
	run_args_copy(vo, o);
	vo->nsweep = 0;
	vo->out = out;
	return run_args_add_set(vo, o->sweep_name, strlen(o->sweep_name),
				value);
}

/*
 * Loads the scenario with every value before anything runs, so that a bad
 * value is a usage error, not a run that fails halfway. The scenario's
 * name into @sw, @vo left as the first value's options (with the name).
 */
static int run_sweep_check(const struct run_options *o, struct sweep *sw,
			   struct run_options *vo)
{
	struct run_scenario rs;
	struct run_options first;
	int ret = 0;

	run_args_copy(&first, o);
	for (unsigned i = 0; ret == 0 && i < o->nsweep; i++) {
		ret = run_sweep_options(o, o->sweep_values[i], NULL, vo);
		if (ret == 0) {
			ret = run_scenario_load(vo, &rs);
		} else {
			fprintf(stderr,
				"faultline run: --sweep %s: too many "
				"parameter values\n",
				o->sweep_name);
		}
		if (ret == 0 && i == 0) {
			snprintf(sw->scenario, sizeof(sw->scenario), "%s",
				 rs.s.name);
			run_args_copy(&first, vo);
		}
		run_scenario_free(&rs);
	}
	if (ret == 0) {
		run_args_copy(vo, &first);
	}
	return ret;
}

/* The sweep's own manifest: what was asked for. */
static void run_sweep_manifest(const struct run_options *o, unsigned smp,
			       const struct sweep *sw, const char *dir,
			       int argc, char *const *argv)
{
	char path[PATHS_MAX];
	struct manifest m = {
		.argc = argc,
		.argv = argv,
		.backend = sw->backend,
		.dir = dir,
		.scenario = sw->scenario,
		.scenario_path = o->scenario,
		.policy = o->policy,
		.smp = smp,
		.sets = o->sets,
		.nsets = o->nsets,
		.sweep_name = o->sweep_name,
		.sweep_values = o->sweep_values,
		.nsweep = o->nsweep,
	};

	if (paths_join(dir, "manifest.json", path, sizeof(path)) != 0 ||
	    manifest_write(&m, path) != 0) {
		fprintf(stderr, "faultline: cannot write %s/manifest.json\n",
			dir);
	}
}

/*
 * Runs the value @i of the sweep into its row; its exit status. *@stop
 * is set when the run was interrupted: the sweep ends there.
 */
static int run_sweep_one(const struct run_options *o, struct sweep *sw,
			 unsigned i, const char *dir, int argc,
			 char *const *argv, bool *stop)
{
	struct run_state *s = calloc(1, sizeof(*s));
	char sub[sizeof(sw->rows[0].dir)];
	char out[PATHS_MAX];
	int status;

	if (s == NULL) {
		fprintf(stderr, "faultline: out of memory\n");
		return 1;
	}
	run_sweep_subdir(sw, o->sweep_values[i], sub, sizeof(sub));
	if (paths_join(dir, sub, out, sizeof(out)) != 0) {
		free(s);
		return 1;
	}
	run_sweep_options(o, o->sweep_values[i], out, &s->o);
	s->sweep = o;
	if (o->verbosity != RUN_QUIET) {
		printf("faultline: sweep run %u of %u: %s=%s\n", i + 1,
		       o->nsweep, o->sweep_name, o->sweep_values[i]);
	}
	status = run_one(s, argc, argv);
	*stop = s->r.verdict == VERDICT_INTERRUPTED;
	sweep_row_fill(&sw->rows[sw->nrows++], o->sweep_values[i], sub,
		       verdict_name(s->r.verdict), status,
		       s->r.faults != NULL ? s->r.faults : NULL);
	run_state_free(s);
	free(s);
	return status;
}

int run_sweep(const struct run_options *o, int argc, char *const *argv)
{
	struct sweep *sw = calloc(1, sizeof(*sw));
	struct run_options *vo = calloc(1, sizeof(*vo));
	char results[PATHS_MAX], dir[PATHS_MAX], shown[PATHS_MAX];
	char path[PATHS_MAX];
	bool ready = false;
	bool stop = false;
	int worst = 0;

	if (sw == NULL || vo == NULL) {
		fprintf(stderr, "faultline: out of memory\n");
		free(sw);
		free(vo);
		return 1;
	}
	snprintf(sw->param, sizeof(sw->param), "%s", o->sweep_name);
	snprintf(sw->backend, sizeof(sw->backend), "%s",
		 backend_name(o->backend));
	if (run_sweep_check(o, sw, vo) != 0) {
		worst = 2;
	} else {
		/* The sweep's directory is --out, or results/SCENARIO/ID. */
		vo->out = o->out;
		ready = run_paths_results(o, results, sizeof(results)) == 0 &&
			run_paths_new_dir(vo, results, dir, sizeof(dir)) == 0;
		worst = ready ? 0 : 1;
	}
	for (unsigned i = 0; ready && !stop && i < o->nsweep; i++) {
		int status = run_sweep_one(o, sw, i, dir, argc, argv, &stop);

		worst = status > worst ? status : worst;
	}
	if (sw->nrows > 0) {
		run_paths_shown(dir, shown, sizeof(shown));
		run_sweep_manifest(o, vo->smp, sw, dir, argc, argv);
		if (paths_join(dir, "sweep.csv", path, sizeof(path)) != 0 ||
		    sweep_write_csv(sw, path) != 0 ||
		    paths_join(dir, "sweep.json", path, sizeof(path)) != 0 ||
		    sweep_write_json(sw, path) != 0) {
			fprintf(stderr,
				"faultline: cannot write the sweep's "
				"table in %s\n",
				shown);
		}
		sweep_print(sw, shown, stdout);
		printf("faultline: sweep results in %s/ (sweep.csv, "
		       "sweep.json; one directory per value)\n",
		       shown);
	}
	free(sw);
	free(vo);
	return worst;
}
