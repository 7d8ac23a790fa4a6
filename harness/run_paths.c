/* The files of one run (run_paths.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <faultline/err.h>

#include "results.h"
#include "run_paths.h"

/* The files a run directory holds; a previous run's are removed first. */
static const char *const run_paths_files[] = {
	"console.log",  "qemu-stderr.log", "trace.bin",         "events.csv",
	"summary.json", "manifest.json",   "plan.bin",          "scenario.scn",
	"check.txt",    "latency.csv",     "guest_latency.csv", "sweep.csv",
	"sweep.json",   "sim-stderr.log",
};

void run_paths_shown(const char *path, char *out, size_t size)
{
	char cwd[PATHS_MAX];
	size_t len;

	if (getcwd(cwd, sizeof(cwd)) != NULL) {
		len = strlen(cwd);
		if (strncmp(path, cwd, len) == 0 && path[len] == '/') {
			snprintf(out, size, "%s", path + len + 1);
			return;
		}
	}
	snprintf(out, size, "%s", path);
}

/*
 * @name beside the running binary (build/NAME for build/faultline), else
 * ROOT/build/NAME: a tree built with BUILD=elsewhere runs its own programs.
 */
static int run_paths_built(const struct run_paths *p, const char *name,
			   char *out, size_t size)
{
	char dir[PATHS_MAX];
	char rel[PATHS_MAX];

	if (paths_exe_dir(dir, sizeof(dir)) == 0 &&
	    paths_join(dir, name, out, size) == 0 && paths_is_file(out)) {
		return 0;
	}
	if ((size_t)snprintf(rel, sizeof(rel), "build/%s", name) >=
	    sizeof(rel)) {
		return -ERR_RANGE;
	}
	return paths_join(p->root, rel, out, size);
}

static int run_paths_sim(struct run_paths *p)
{
	char sim[PATHS_MAX];

	if (run_paths_built(p, BACKEND_SIM_BINARY, sim, sizeof(sim)) != 0 ||
	    !paths_find_program(sim, NULL, 0) ||
	    realpath(sim, p->sim) == NULL) {
		fprintf(stderr,
			"faultline: the sim backend %s is not built: build it "
			"with `make`\n",
			sim);
		return -ERR_NOENT;
	}
	return 0;
}

static int run_paths_programs(const struct run_options *o, struct run_paths *p)
{
	char hyp[PATHS_MAX];
	char qemu[PATHS_MAX];

	if (o->backend == BACKEND_SIM) {
		return run_paths_sim(p);
	}
	if (o->hyp != NULL) {
		snprintf(hyp, sizeof(hyp), "%s", o->hyp);
	} else if (run_paths_built(p, "hyp.elf", hyp, sizeof(hyp)) != 0) {
		return -ERR_RANGE;
	}
	if (!paths_is_file(hyp) || realpath(hyp, p->hyp) == NULL) {
		fprintf(stderr,
			"faultline: hypervisor image %s not found: build it "
			"with `make`%s\n",
			hyp, o->hyp == NULL ? " (or give --hyp PATH)" : "");
		return -ERR_NOENT;
	}
	if (!paths_find_program(o->qemu, qemu, sizeof(qemu)) ||
	    realpath(qemu, p->qemu) == NULL) {
		fprintf(stderr,
			"faultline: cannot run %s: %s; install QEMU with "
			"`make deps`\n",
			o->qemu,
			strchr(o->qemu, '/') != NULL
				? "not found or not executable"
				: "not found in PATH");
		return -ERR_NOENT;
	}
	return 0;
}

/* --out DIR: a previous run's files removed (not its other files). */
static int run_paths_clean(const char *dir)
{
	for (size_t i = 0;
	     i < sizeof(run_paths_files) / sizeof(run_paths_files[0]); i++) {
		char stale[PATHS_MAX];

		if (paths_join(dir, run_paths_files[i], stale, sizeof(stale)) ==
			    0 &&
		    unlink(stale) != 0 && errno != ENOENT) {
			return -ERR_IO;
		}
	}
	return 0;
}

int run_paths_results(const struct run_options *o, char *out, size_t size)
{
	char root[PATHS_MAX];

	if (o->results != NULL) {
		return paths_join("", o->results, out, size);
	}
	if (paths_repo_root(root, sizeof(root)) != 0) {
		return -ERR_NOENT;
	}
	return paths_join(root, "results", out, size);
}

int run_paths_new_dir(const struct run_options *o, const char *results,
		      char *dir, size_t size)
{
	int ret;

	if (o->out != NULL) {
		ret = paths_mkdir_p(o->out);
		if (ret == 0 &&
		    (size < PATHS_MAX || realpath(o->out, dir) == NULL)) {
			ret = -ERR_IO;
		}
	} else {
		ret = paths_mkdir_p(results);
		if (ret == 0) {
			char real[PATHS_MAX];

			/* The latest link must be made from the real path. */
			ret = realpath(results, real) == NULL
				      ? -ERR_IO
				      : results_create_run_dir(real, o->name,
							       dir, size);
			if (ret == 0 && results_update_latest(real, dir) != 0) {
				fprintf(stderr,
					"faultline: warning: cannot update "
					"%s/latest: %s\n",
					results, strerror(errno));
			}
		}
	}
	if (ret != 0) {
		fprintf(stderr,
			"faultline: cannot prepare the run directory %s: %s\n",
			o->out != NULL ? o->out : results, strerror(errno));
		return -ERR_IO;
	}
	return 0;
}

int run_paths_prepare(const struct run_options *o, struct run_paths *p)
{
	static const struct {
		size_t offset;
		const char *name;
	} files[] = {
		{offsetof(struct run_paths, console), "console.log"},
		{offsetof(struct run_paths, stderr_log), "qemu-stderr.log"},
		{offsetof(struct run_paths, trace), "trace.bin"},
		{offsetof(struct run_paths, csv), "events.csv"},
		{offsetof(struct run_paths, summary), "summary.json"},
		{offsetof(struct run_paths, manifest), "manifest.json"},
		{offsetof(struct run_paths, latency), "latency.csv"},
		{offsetof(struct run_paths, guest_latency),
		 "guest_latency.csv"},
	};
	int ret;

	if (paths_repo_root(p->root, sizeof(p->root)) != 0 ||
	    run_paths_results(o, p->results, sizeof(p->results)) != 0) {
		fprintf(stderr, "faultline: cannot find the repository root\n");
		return -ERR_NOENT;
	}
	ret = run_paths_programs(o, p);
	if (ret != 0) {
		return ret;
	}
	ret = run_paths_new_dir(o, p->results, p->dir, sizeof(p->dir));
	if (ret == 0 && o->out != NULL && run_paths_clean(p->dir) != 0) {
		fprintf(stderr, "faultline: cannot clean %s: %s\n", p->dir,
			strerror(errno));
		ret = -ERR_IO;
	}
	if (ret != 0) {
		return ret;
	}
	run_paths_shown(p->dir, p->shown_dir, sizeof(p->shown_dir));
	/* The backend's stderr, named after it. */
	if (o->backend == BACKEND_SIM &&
	    paths_join(p->dir, "sim-stderr.log", p->stderr_log,
		       sizeof(p->stderr_log)) != 0) {
		return -ERR_RANGE;
	}
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (o->backend == BACKEND_SIM &&
		    files[i].offset == offsetof(struct run_paths, stderr_log)) {
			continue;
		}
		if (paths_join(p->dir, files[i].name,
			       (char *)p + files[i].offset, PATHS_MAX) != 0) {
			fprintf(stderr,
				"faultline: run directory path too long\n");
			return -ERR_RANGE;
		}
	}
	return 0;
}
