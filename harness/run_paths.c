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
	"console.log",  "qemu-stderr.log", "trace.bin", "events.csv",
	"summary.json", "manifest.json",   "plan.bin",  "scenario.scn",
};

/* @path relative to the current directory when it is inside it. */
static void run_paths_shown(const char *path, char *out, size_t size)
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

static int run_paths_programs(const struct run_options *o, struct run_paths *p)
{
	char hyp[PATHS_MAX];
	char qemu[PATHS_MAX];

	if (o->hyp != NULL) {
		snprintf(hyp, sizeof(hyp), "%s", o->hyp);
	} else if (paths_join(p->root, "build/hyp.elf", hyp, sizeof(hyp)) !=
		   0) {
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

/* --out DIR: created if needed, a previous run's files removed. */
static int run_paths_out_dir(const char *out, struct run_paths *p)
{
	int ret = paths_mkdir_p(out);

	if (ret == 0 && realpath(out, p->dir) == NULL) {
		ret = -ERR_IO;
	}
	for (size_t i = 0;
	     ret == 0 &&
	     i < sizeof(run_paths_files) / sizeof(run_paths_files[0]);
	     i++) {
		char stale[PATHS_MAX];

		if (paths_join(p->dir, run_paths_files[i], stale,
			       sizeof(stale)) == 0 &&
		    unlink(stale) != 0 && errno != ENOENT) {
			ret = -ERR_IO;
		}
	}
	return ret;
}

int run_paths_prepare(const struct run_options *o, struct run_paths *p)
{
	char results[PATHS_MAX];
	int ret;

	if (paths_repo_root(p->root, sizeof(p->root)) != 0 ||
	    paths_join(p->root, "results", results, sizeof(results)) != 0) {
		fprintf(stderr, "faultline: cannot find the repository root\n");
		return -ERR_NOENT;
	}
	ret = run_paths_programs(o, p);
	if (ret != 0) {
		return ret;
	}
	if (o->out != NULL) {
		ret = run_paths_out_dir(o->out, p);
	} else {
		ret = results_create_run_dir(results, o->name, p->dir,
					     sizeof(p->dir));
		if (ret == 0 && results_update_latest(results, p->dir) != 0) {
			fprintf(stderr,
				"faultline: warning: cannot update "
				"%s/latest: %s\n",
				results, strerror(errno));
		}
	}
	if (ret != 0) {
		fprintf(stderr,
			"faultline: cannot prepare the run directory %s: %s\n",
			o->out != NULL ? o->out : results, strerror(errno));
		return -ERR_IO;
	}
	run_paths_shown(p->dir, p->shown_dir, sizeof(p->shown_dir));
	if (paths_join(p->dir, "console.log", p->console, sizeof(p->console)) !=
		    0 ||
	    paths_join(p->dir, "qemu-stderr.log", p->stderr_log,
		       sizeof(p->stderr_log)) != 0 ||
	    paths_join(p->dir, "trace.bin", p->trace, sizeof(p->trace)) != 0 ||
	    paths_join(p->dir, "events.csv", p->csv, sizeof(p->csv)) != 0 ||
	    paths_join(p->dir, "summary.json", p->summary,
		       sizeof(p->summary)) != 0 ||
	    paths_join(p->dir, "manifest.json", p->manifest,
		       sizeof(p->manifest)) != 0) {
		fprintf(stderr, "faultline: run directory path too long\n");
		return -ERR_RANGE;
	}
	return 0;
}
