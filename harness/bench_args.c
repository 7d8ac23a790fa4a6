/* Options of `faultline bench` and `faultline compare` (bench_args.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>
#include <faultline/plan.h>

#include "bench_args.h"

const char *bench_args_bench_usage(void)
{
	return "usage: faultline bench SCENARIO... [--backend qemu|sim] "
	       "[--policy legacy|prejudge]\n"
	       "                       [--reps N] [--warmup N] [--set "
	       "NAME=VALUE]... [--timeout SECONDS]\n"
	       "                       [--out FILE.json] [--results DIR] "
	       "[--no-plots]\n"
	       "Runs each scenario once with N measured repetitions (a "
	       "complete `faultline run`\n"
	       "each, in results/bench/RUN-ID/SCENARIO/) and writes the "
	       "repetitions' figures\n"
	       "as Google Benchmark JSON: one benchmark per scenario, policy "
	       "and metric\n"
	       "(SCENARIO/POLICY/fault_p50, fault_p99, access_p50, "
	       "faulting_access_p50,\n"
	       "hvc_p50), one entry per repetition, times in ns. The JSON "
	       "goes to\n"
	       "results/bench/RUN-ID/bench.json, beside each run's results "
	       "(RUN_DIR/bench.json)\n"
	       "and to --out FILE.json; Google Benchmark's compare.py reads "
	       "it.\n"
	       "  --reps N          measured repetitions of each scenario "
	       "(default 9)\n"
	       "  --warmup N        repetitions run first, not measured "
	       "(default: the scenario's)\n"
	       "  --policy NAME     every VM of every scenario uses this "
	       "fault policy\n"
	       "  --backend NAME    qemu (default) or sim\n"
	       "  --set NAME=VALUE  a scenario parameter's value "
	       "(repeatable)\n"
	       "  --append ARGS     hypervisor boot arguments, as `faultline "
	       "run` (tracing=off)\n"
	       "  --timeout SECONDS the vCPUs' deadline per repetition "
	       "(default: the scenario's)\n"
	       "  --no-plots        no gnuplot plots in the run "
	       "directories\n"
	       "Exit status: 0 every run ok; 1 a run failed (livelock, even "
	       "an expected one,\n"
	       "crash, timeout, a failed expectation...): its entries carry "
	       "error_occurred;\n"
	       "2 bad usage or a bad scenario.\n";
}

const char *bench_args_compare_usage(void)
{
	return "usage: faultline compare --policy A --vs-policy B SCENARIO... "
	       "[options]\n"
	       "       faultline compare [--append ARGS] --vs-append ARGS "
	       "SCENARIO... [options]\n"
	       "       faultline compare --base GIT-REV [--policy P] "
	       "SCENARIO... [options]\n"
	       "options: [--reps N] [--runs N] [--warmup N] [--backend "
	       "qemu|sim]\n"
	       "         [--set NAME=VALUE]... [--timeout SECONDS] [--out "
	       "DIR] [--results DIR]\n"
	       "         [--no-plots]\n"
	       "Compares two policies on this build, or a base revision's "
	       "build (A) with this\n"
	       "one (B), on the same scenarios: runs of A and B "
	       "interleaved (A B A B ...) until\n"
	       "each side has N repetitions, then per scenario and metric "
	       "the medians of the\n"
	       "repetitions, B/A, and a Mann-Whitney U test; the counts per "
	       "repetition and the\n"
	       "verdicts of each side; overlaid latency CDFs. Everything "
	       "goes to\n"
	       "results/compare/RUN-ID/ (compare.txt, compare.json, a.json "
	       "and b.json as Google\n"
	       "Benchmark JSON, plots/, manifest.json, runs/).\n"
	       "  --policy A --vs-policy B  the two policies "
	       "(legacy|prejudge)\n"
	       "  --append ARGS    hypervisor boot arguments of both sides "
	       "(as `faultline run`)\n"
	       "  --vs-append ARGS side B's boot arguments instead: "
	       "tracing=off against the\n"
	       "                   default, a bug= knob against none\n"
	       "  --base GIT-REV   build GIT-REV in build/compare-base/SHA/ "
	       "(a git worktree,\n"
	       "                   kept for the next time) and run its own "
	       "faultline as A\n"
	       "  --reps N         repetitions per side (default 9; fewer "
	       "than 9: \"too few\n"
	       "                   repetitions\")\n"
	       "  --runs N         runs (QEMU boots) per side the "
	       "repetitions are spread over\n"
	       "                   (default 3); a run cut short (a "
	       "livelock) adds runs\n"
	       "  --warmup N       warm-up repetitions per run (default: the "
	       "scenario's)\n"
	       "  --backend NAME   qemu (default) or sim\n"
	       "  --set NAME=VALUE, --timeout SECONDS   as `faultline run`\n"
	       "  --out DIR        the comparison's directory (default "
	       "results/compare/RUN-ID)\n"
	       "  --no-plots       no CDF plots\n"
	       "Exit status: 0 the comparison was made (livelocks and failed "
	       "expectations are\n"
	       "reported, not failures); 1 a run crashed, timed out or could "
	       "not run, or a side\n"
	       "has no repetition to compare; 2 bad usage, a bad scenario, "
	       "or a base revision\n"
	       "that cannot be built or run.\n";
}

static int ba_fail(char *err, size_t size, const char *arg, const char *why)
{
	snprintf(err, size, "%s: %s", arg, why);
	return -ERR_INVAL;
}

static bool ba_uint(const char *s, unsigned long lo, unsigned long hi,
		    unsigned *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9') {
		return false;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < lo || v > hi) {
		return false;
	}
	*out = (unsigned)v;
	return true;
}

static bool ba_policy(const char *s)
{
	return strcmp(s, "legacy") == 0 || strcmp(s, "prejudge") == 0;
}

/* Stores option @name's value @val. */
static int ba_value(struct bench_args *a, const char *name, const char *val,
		    char *err, size_t size)
{
	char what[64];
	double secs;
	char *end;

	snprintf(what, sizeof(what), "%s %s", name, val);
	if (strcmp(name, "--backend") == 0) {
		if (backend_parse(val, &a->backend) != 0) {
			return ba_fail(err, size, what, "must be qemu or sim");
		}
	} else if (strcmp(name, "--policy") == 0 ||
		   strcmp(name, "--vs-policy") == 0) {
		if (!ba_policy(val)) {
			return ba_fail(err, size, what,
				       "must be legacy or prejudge");
		}
		*(name[2] == 'p' ? &a->policy : &a->vs_policy) = val;
	} else if (strcmp(name, "--append") == 0 ||
		   strcmp(name, "--vs-append") == 0) {
		/* The run pipeline checks the words when the sides are. */
		*(name[2] == 'a' ? &a->append : &a->vs_append) = val;
	} else if (strcmp(name, "--base") == 0) {
		if (val[0] == '\0' || val[0] == '-') {
			return ba_fail(err, size, name,
				       "needs a git revision (HEAD~1, a tag, "
				       "a commit)");
		}
		a->base = val;
	} else if (strcmp(name, "--reps") == 0) {
		if (!ba_uint(val, 1, PLAN_MAX_REPS, &a->reps)) {
			return ba_fail(err, size, what, "needs 1 to 1000");
		}
	} else if (strcmp(name, "--runs") == 0) {
		if (!ba_uint(val, 1, BENCH_ARGS_MAX_RUNS, &a->runs)) {
			return ba_fail(err, size, what, "needs 1 to 100");
		}
	} else if (strcmp(name, "--warmup") == 0) {
		if (!ba_uint(val, 0, PLAN_MAX_REPS, &a->warmup)) {
			return ba_fail(err, size, what, "needs 0 to 1000");
		}
		a->warmup_given = true;
	} else if (strcmp(name, "--set") == 0) {
		const char *eq = strchr(val, '=');

		if (eq == NULL || eq == val) {
			return ba_fail(err, size, what, "needs NAME=VALUE");
		}
		if (a->nsets == BENCH_RUN_MAX_SETS) {
			return ba_fail(err, size, what,
				       "too many --set (at most 16)");
		}
		a->sets[a->nsets++] = val;
	} else if (strcmp(name, "--timeout") == 0) {
		errno = 0;
		secs = strtod(val, &end);
		if (errno != 0 || end == val || *end != '\0' ||
		    !isfinite(secs) || secs <= 0 || secs > 86400) {
			return ba_fail(err, size, what,
				       "needs seconds, more than 0 and at most "
				       "86400");
		}
		a->timeout = val;
	} else if (strcmp(name, "--out") == 0 ||
		   strcmp(name, "--results") == 0) {
		if (val[0] == '\0') {
			return ba_fail(err, size, name, "needs a path");
		}
		*(name[2] == 'o' ? &a->out : &a->results) = val;
	}
	return 0;
}

/* Whether option @name takes a value for @cmd. */
static bool ba_takes_value(enum bench_args_cmd cmd, const char *name)
{
	static const char *const both[] = {
		"--backend", "--policy",  "--reps",    "--warmup", "--set",
		"--out",     "--results", "--timeout", "--append",
	};
	static const char *const compare[] = {"--vs-policy", "--base", "--runs",
					      "--vs-append"};

	for (size_t i = 0; i < sizeof(both) / sizeof(both[0]); i++) {
		if (strcmp(name, both[i]) == 0) {
			return true;
		}
	}
	for (size_t i = 0; cmd == BENCH_ARGS_COMPARE &&
			   i < sizeof(compare) / sizeof(compare[0]);
	     i++) {
		if (strcmp(name, compare[i]) == 0) {
			return true;
		}
	}
	return false;
}

/* The options together, once all are parsed. */
static int ba_check(struct bench_args *a, char *err, size_t size)
{
	if (a->nscenarios == 0) {
		return ba_fail(err, size, "SCENARIO",
			       "give at least one (a .scn file or a name in "
			       "scenarios/)");
	}
	if (a->cmd == BENCH_ARGS_BENCH) {
		return 0;
	}
	if (a->base != NULL && a->vs_policy != NULL) {
		return ba_fail(err, size, "--vs-policy",
			       "compares two policies on this build; with "
			       "--base both builds run --policy");
	}
	if (a->base != NULL && a->vs_append != NULL) {
		return ba_fail(err, size, "--vs-append",
			       "compares two sets of boot arguments on this "
			       "build; with --base both builds run --append");
	}
	if (a->base == NULL && a->vs_policy == NULL && a->vs_append == NULL) {
		return ba_fail(err, size, "compare",
			       "say what to compare: --policy A --vs-policy "
			       "B, --append ARGS --vs-append ARGS, or --base "
			       "GIT-REV");
	}
	if (a->vs_append != NULL && a->append != NULL &&
	    strcmp(a->vs_append, a->append) == 0 && a->vs_policy == NULL) {
		return ba_fail(err, size, "--vs-append",
			       "is the same as --append: nothing to compare");
	}
	if (a->vs_policy != NULL && a->policy == NULL) {
		return ba_fail(err, size, "--vs-policy",
			       "needs --policy (side A's policy)");
	}
	if (a->vs_policy != NULL && strcmp(a->vs_policy, a->policy) == 0) {
		return ba_fail(err, size, "--vs-policy",
			       "is the same policy as --policy: nothing to "
			       "compare");
	}
	if (a->runs > a->reps) {
		return ba_fail(err, size, "--runs",
			       "more runs than --reps repetitions");
	}
	return 0;
}

int bench_args_parse(enum bench_args_cmd cmd, int argc, char *const *argv,
		     struct bench_args *a, char *err, size_t err_size)
{
	*a = (struct bench_args){
		.cmd = cmd,
		.backend = BACKEND_QEMU,
		.reps = cmd == BENCH_ARGS_COMPARE ? BENCH_ARGS_COMPARE_REPS
						  : BENCH_ARGS_BENCH_REPS,
		.runs = BENCH_ARGS_COMPARE_RUNS,
	};
	bool runs_given = false;

	err[0] = '\0';
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *eq = strchr(arg, '=');
		size_t len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
		char name[32];

		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			a->help = true;
			return 0;
		}
		if (strcmp(arg, "--no-plots") == 0) {
			a->no_plots = true;
			continue;
		}
		if (arg[0] != '-') {
			if (a->nscenarios == BENCH_ARGS_MAX_SCENARIOS) {
				return ba_fail(err, err_size, arg,
					       "too many scenarios (at most "
					       "32)");
			}
			a->scenarios[a->nscenarios++] = arg;
			continue;
		}
		if (len >= sizeof(name) || strncmp(arg, "--", 2) != 0) {
			return ba_fail(err, err_size, arg, "unknown option");
		}
		memcpy(name, arg, len);
		name[len] = '\0';
		if (!ba_takes_value(cmd, name)) {
			return ba_fail(err, err_size, name, "unknown option");
		}
		if (eq == NULL && i + 1 >= argc) {
			return ba_fail(err, err_size, name, "needs a value");
		}
		if (ba_value(a, name, eq != NULL ? eq + 1 : argv[++i], err,
			     err_size) != 0) {
			return -ERR_INVAL;
		}
		runs_given |= strcmp(name, "--runs") == 0;
	}
	/* Fewer repetitions than runs: one repetition per run. */
	if (!runs_given && a->runs > a->reps) {
		a->runs = a->reps;
	}
	return ba_check(a, err, err_size);
}

int bench_args_start(enum bench_args_cmd cmd, int argc, char *const *argv,
		     struct bench_args *a)
{
	const char *name = cmd == BENCH_ARGS_BENCH ? "bench" : "compare";
	char err[256];

	if (bench_args_parse(cmd, argc - 1, argv + 1, a, err, sizeof(err)) !=
	    0) {
		fprintf(stderr,
			"faultline %s: %s\n(faultline %s --help for details)\n",
			name, err, name);
		return 2;
	}
	if (a->help) {
		fputs(cmd == BENCH_ARGS_BENCH ? bench_args_bench_usage()
					      : bench_args_compare_usage(),
		      stdout);
		return 0;
	}
	return -1;
}
