/* Options of `faultline run` (run_args.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>

#include "qemu.h"
#include "results.h"
#include "run_args.h"

#define RUN_ARGS_SYNOPSIS                                                      \
	"usage: faultline run [SCENARIO] [--policy legacy|prejudge] [--smp "   \
	"N]\n"                                                                 \
	"                     [--backend qemu|sim] [--set NAME=VALUE]... "     \
	"[--sweep NAME=V1,V2,...]\n"                                           \
	"                     [--reps N] [--warmup N] [--no-plots] "           \
	"[--results DIR]\n"                                                    \
	"                     [--mode boot|test|hotplug] [--test PREFIX]\n"    \
	"                     [--append \"k=v ...\"] [--timeout SECONDS] "     \
	"[--out DIR]\n"                                                        \
	"                     [--name NAME] [--hyp PATH] [--qemu PATH] "       \
	"[--quiet|--verbose]\n"

const char *run_args_synopsis(void)
{
	return RUN_ARGS_SYNOPSIS;
}

const char *run_args_usage(void)
{
	return RUN_ARGS_SYNOPSIS
		"Boots the hypervisor under QEMU, collects the console and the "
		"trace,\n"
		"and writes a summary into a run directory. With a SCENARIO (a "
		".scn file,\n"
		"or a name in scenarios/), the hypervisor builds its VMs and "
		"runs "
		"its vCPUs'\n"
		"programs (docs/scenarios.md); without one, --mode says what "
		"runs.\n"
		"  --policy NAME        every VM of the scenario uses this "
		"fault policy\n"
		"  --backend NAME       qemu (default: the hypervisor at EL2) "
		"or sim (the\n"
		"                       portable core on host threads, "
		"build/faultline-sim)\n"
		"  --set NAME=VALUE     a value for the scenario's parameter "
		"NAME (repeatable)\n"
		"  --sweep NAME=V1,V2,...  one run per value of parameter "
		"NAME, and a table\n"
		"                       of them (sweep.csv, sweep.json in the "
		"sweep's directory)\n"
		"  --no-plots           do not draw the gnuplot plots into "
		"RUN_DIR/plots/\n"
		"  --results DIR        the results tree (default results/ of "
		"the repository)\n"
		"  --reps N             repetitions of the scenario (the VMs "
		"built anew each)\n"
		"  --warmup N           repetitions run first, not measured\n"
		"  --smp N              CPUs (1-16, default 4; a scenario's "
		"own count)\n"
		"  --mode MODE          boot, test or hotplug (default boot)\n"
		"  --test PREFIX        with --mode test: run the EL2 tests "
		"matching PREFIX\n"
		"  --append \"k=v ...\"   extra boot arguments (crash=data "
		"crash_cpu=1 ...;\n"
		"                       bug=skip_tlbi|skip_dsb|no_local_inval "
		"breaks the\n"
		"                       fault path on purpose: "
		"docs/checker.md)\n"
		"  --timeout SECONDS    end the run after this long (default "
		"60; for a\n"
		"                       scenario, its vCPUs' deadline, and the "
		"run ends\n"
		"                       15 s after it)\n"
		"  --out DIR            run directory (default "
		"results/NAME/RUN-ID)\n"
		"  --name NAME          results directory name (default: the "
		"mode)\n"
		"  --hyp PATH           hypervisor ELF (default "
		"build/hyp.elf)\n"
		"  --qemu PATH          QEMU binary (default "
		"qemu-system-aarch64)\n"
		"  --quiet              print only the summary\n"
		"  --verbose            also print the QEMU command and its "
		"stderr\n"
		"Exit status: 0 ok; 1 failed run (an expectation failed, "
		"tests, "
		"crashed,\n"
		"boot, a vCPU failed, livelock, deadline, timeout, QEMU, "
		"interrupted); 2 bad\n"
		"usage, a bad scenario or boot arguments the hypervisor "
		"rejected. A sweep\n"
		"exits with the highest status of its runs.\n";
}

static int run_args_fail(char *err, size_t size, const char *fmt,
			 const char *arg, const char *why)
{
	snprintf(err, size, fmt, arg, why);
	return -ERR_INVAL;
}

static bool run_args_uint(const char *s, unsigned long max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9') {
		return false;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max) {
		return false;
	}
	*out = (unsigned)v;
	return true;
}

static bool run_args_seconds(const char *s, unsigned *ms)
{
	char *end;
	double v;

	if ((*s < '0' || *s > '9') && *s != '.') {
		return false;
	}
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v <= 0 ||
	    v > RUN_MAX_TIMEOUT_S) {
		return false;
	}
	*ms = (unsigned)(v * 1000.0 + 0.5);
	return *ms > 0;
}

/* Boot arguments the harness sets itself and the user must not override. */
static const char *run_args_reserved(const char *append)
{
	static const char *const keys[] = {"mode=", "trace=", "test=", "plan="};
	const char *w = append;

	while (*w != '\0') {
		size_t len;

		w += strspn(w, " \t");
		len = strcspn(w, " \t");
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			if (strncmp(w, keys[k], strlen(keys[k])) == 0) {
				return keys[k];
			}
		}
		w += len;
	}
	return NULL;
}

/* Checks the options together, once all are parsed. */
static int run_args_check(struct run_options *o, bool mode_given, char *err,
			  size_t size)
{
	const char *key;

	if (o->scenario != NULL && mode_given) {
		return run_args_fail(err, size, "%s: %s", o->scenario,
				     "a scenario run takes no --mode");
	}
	if (o->scenario == NULL && o->policy != NULL) {
		return run_args_fail(err, size, "--policy %s: %s", o->policy,
				     "needs a SCENARIO");
	}
	if (o->scenario == NULL && o->backend != BACKEND_QEMU) {
		return run_args_fail(err, size, "--backend %s: %s",
				     backend_name(o->backend),
				     "runs scenarios only (give a SCENARIO)");
	}
	if (o->scenario == NULL && (o->nsets > 0 || o->nsweep > 0)) {
		return run_args_fail(err, size, "%s: %s",
				     o->nsets > 0 ? "--set" : "--sweep",
				     "needs a SCENARIO");
	}
	for (unsigned i = 0; o->nsweep > 0 && i < o->nsets; i++) {
		if (strcmp(o->sets[i].name, o->sweep_name) == 0) {
			return run_args_fail(err, size, "--set %s: %s",
					     o->sweep_name,
					     "is the parameter --sweep varies");
		}
	}
	if (o->scenario == NULL && (o->reps != 0 || o->warmup_given)) {
		return run_args_fail(err, size, "%s: %s",
				     o->reps != 0 ? "--reps" : "--warmup",
				     "needs a SCENARIO");
	}
	if (o->scenario != NULL && o->test != NULL) {
		return run_args_fail(err, size, "--test %s: %s", o->test,
				     "is for --mode test, not a scenario");
	}
	if (o->scenario != NULL) {
		o->mode = "plan";
	}
	if (o->test != NULL) {
		if (!mode_given) {
			o->mode = "test";
		} else if (strcmp(o->mode, "test") != 0) {
			return run_args_fail(err, size, "--test %s: %s",
					     o->test, "needs --mode test");
		}
		if (o->test[0] == '\0' || strpbrk(o->test, " \t\n") != NULL) {
			return run_args_fail(err, size, "--test '%s': %s",
					     o->test,
					     "must be one non-empty word");
		}
	}
	if (o->append != NULL && (key = run_args_reserved(o->append)) != NULL) {
		return run_args_fail(
			err, size, "--append: %s %s", key,
			"is set by the harness (use --mode, --test)");
	}
	if (o->append != NULL && strlen(o->append) > RUN_MAX_APPEND) {
		return run_args_fail(err, size, "--append: %s%s", "",
				     "too long (at most 512 characters)");
	}
	if (o->append != NULL && strchr(o->append, '\n') != NULL) {
		return run_args_fail(err, size, "--append: %s%s", "",
				     "must be one line");
	}
	if (o->name == NULL && o->scenario == NULL) {
		o->name = o->mode;
	}
	if (o->name != NULL && !results_name_ok(o->name)) {
		return run_args_fail(
			err, size, "--name '%s': %s", o->name,
			"use letters, digits, '-', '_', '.' (not 'latest')");
	}
	if (o->out != NULL && o->out[0] == '\0') {
		return run_args_fail(err, size, "--out %s%s", "",
				     "needs a directory");
	}
	return 0;
}

int run_args_add_set(struct run_options *o, const char *name, size_t name_len,
		     const char *value)
{
	unsigned i = 0;

	if (name_len >= SCN_NAME_MAX) {
		return -ERR_RANGE;
	}
	while (i < o->nsets &&
	       (strlen(o->sets[i].name) != name_len ||
		strncmp(o->sets[i].name, name, name_len) != 0)) {
		i++;
	}
	if (i == o->nsets) {
		if (o->nsets == SCN_MAX_PARAMS + 1) {
			return -ERR_RANGE;
		}
		memcpy(o->set_names[i], name, name_len);
		o->set_names[i][name_len] = '\0';
		o->sets[i].name = o->set_names[i];
		o->nsets++;
	}
	o->sets[i].value = value;
	return 0;
}

void run_args_copy(struct run_options *dst, const struct run_options *src)
{
	*dst = *src;
	for (unsigned i = 0; i < dst->nsets; i++) {
		dst->sets[i].name = dst->set_names[i];
	}
	for (unsigned i = 0; i < dst->nsweep; i++) {
		dst->sweep_values[i] = dst->sweep_buf +
				       (src->sweep_values[i] - src->sweep_buf);
	}
}

/* The NAME of NAME=VALUE: its length, or 0 when it is no name. */
static size_t run_args_param_name(const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq != NULL ? (size_t)(eq - arg) : 0;

	if (n == 0 || n >= SCN_NAME_MAX ||
	    !((arg[0] >= 'a' && arg[0] <= 'z') ||
	      (arg[0] >= 'A' && arg[0] <= 'Z'))) {
		return 0;
	}
	for (size_t i = 1; i < n; i++) {
		char c = arg[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-' ||
		      c == '.')) {
			return 0;
		}
	}
	return n;
}

/* --set NAME=VALUE. */
static int run_args_set(struct run_options *o, const char *val, char *err,
			size_t size)
{
	size_t n = run_args_param_name(val);

	if (n == 0) {
		return run_args_fail(err, size, "--set '%s': %s", val,
				     "needs NAME=VALUE (a parameter's name)");
	}
	for (unsigned i = 0; i < o->nsets; i++) {
		if (strlen(o->sets[i].name) == n &&
		    strncmp(o->sets[i].name, val, n) == 0) {
			return run_args_fail(err, size, "--set '%s': %s", val,
					     "that parameter is set twice");
		}
	}
	if (o->nsets == SCN_MAX_PARAMS ||
	    run_args_add_set(o, val, n, val + n + 1) != 0) {
		return run_args_fail(err, size, "--set '%s': %s", val,
				     "too many --set (at most 16)");
	}
	return 0;
}

/* --sweep NAME=V1,V2,...: the values split in o->sweep_buf. */
static int run_args_sweep(struct run_options *o, const char *val, char *err,
			  size_t size)
{
	size_t n = run_args_param_name(val);
	char *v;

	if (o->nsweep > 0) {
		return run_args_fail(err, size, "--sweep '%s': %s", val,
				     "one --sweep per run");
	}
	if (n == 0 || val[n + 1] == '\0') {
		return run_args_fail(err, size, "--sweep '%s': %s", val,
				     "needs NAME=V1,V2,...");
	}
	if (strlen(val + n + 1) >= sizeof(o->sweep_buf)) {
		return run_args_fail(err, size, "--sweep '%s': %s", val,
				     "too long");
	}
	memcpy(o->sweep_name, val, n);
	o->sweep_name[n] = '\0';
	memcpy(o->sweep_buf, val + n + 1, strlen(val + n + 1) + 1);
	for (v = o->sweep_buf; v != NULL;) {
		char *comma = strchr(v, ',');

		if (comma != NULL) {
			*comma = '\0';
		}
		if (*v == '\0' || o->nsweep == RUN_MAX_SWEEP) {
			o->nsweep = 0;
			return run_args_fail(err, size, "--sweep '%s': %s", val,
					     *v == '\0' ? "an empty value"
							: "at most 32 values");
		}
		for (unsigned i = 0; i < o->nsweep; i++) {
			if (strcmp(o->sweep_values[i], v) == 0) {
				o->nsweep = 0;
				return run_args_fail(err, size,
						     "--sweep '%s': %s", val,
						     "a value given twice");
			}
		}
		o->sweep_values[o->nsweep++] = v;
		v = comma != NULL ? comma + 1 : NULL;
	}
	return 0;
}

static bool run_args_takes_value(const char *name)
{
	static const char *const opts[] = {
		"--smp",     "--timeout", "--mode",  "--out",
		"--test",    "--append",  "--hyp",   "--qemu",
		"--name",    "--policy",  "--reps",  "--warmup",
		"--backend", "--set",     "--sweep", "--results",
	};

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		if (strcmp(name, opts[i]) == 0) {
			return true;
		}
	}
	return false;
}

/* Stores option @name (one that takes a value) with value @val. */
static int run_args_value(struct run_options *o, const char *name,
			  const char *val, char *err, size_t size)
{
	if (strcmp(name, "--smp") == 0) {
		if (!run_args_uint(val, RUN_MAX_SMP, &o->smp) || o->smp == 0) {
			return run_args_fail(
				err, size, "--smp '%s': %s", val,
				"needs a number of CPUs from 1 to 16");
		}
	} else if (strcmp(name, "--timeout") == 0) {
		if (!run_args_seconds(val, &o->timeout_ms)) {
			return run_args_fail(
				err, size, "--timeout '%s': %s", val,
				"needs seconds, more than 0 and at most 86400");
		}
	} else if (strcmp(name, "--mode") == 0) {
		if (strcmp(val, "boot") != 0 && strcmp(val, "test") != 0 &&
		    strcmp(val, "hotplug") != 0) {
			return run_args_fail(err, size, "--mode '%s': %s", val,
					     "must be boot, test or hotplug");
		}
		o->mode = val;
	} else if (strcmp(name, "--out") == 0) {
		o->out = val;
	} else if (strcmp(name, "--test") == 0) {
		o->test = val;
	} else if (strcmp(name, "--append") == 0) {
		o->append = val;
	} else if (strcmp(name, "--hyp") == 0) {
		o->hyp = val;
	} else if (strcmp(name, "--qemu") == 0) {
		o->qemu = val;
	} else if (strcmp(name, "--reps") == 0 ||
		   strcmp(name, "--warmup") == 0) {
		bool reps = name[2] == 'r';
		unsigned n;

		if (!run_args_uint(val, 1000, &n) || (reps && n == 0)) {
			return run_args_fail(err, size, "%s: %s", val,
					     reps ? "--reps needs 1 to 1000"
						  : "--warmup needs 0 to 1000");
		}
		if (reps) {
			o->reps = n;
		} else {
			o->warmup = n;
			o->warmup_given = true;
		}
	} else if (strcmp(name, "--backend") == 0) {
		if (backend_parse(val, &o->backend) != 0) {
			return run_args_fail(err, size, "--backend '%s': %s",
					     val, "must be qemu or sim");
		}
	} else if (strcmp(name, "--set") == 0) {
		return run_args_set(o, val, err, size);
	} else if (strcmp(name, "--sweep") == 0) {
		return run_args_sweep(o, val, err, size);
	} else if (strcmp(name, "--results") == 0) {
		if (val[0] == '\0') {
			return run_args_fail(err, size, "--results%s %s", "",
					     "needs a directory");
		}
		o->results = val;
	} else if (strcmp(name, "--policy") == 0) {
		if (strcmp(val, "legacy") != 0 &&
		    strcmp(val, "prejudge") != 0) {
			return run_args_fail(err, size, "--policy '%s': %s",
					     val, "must be legacy or prejudge");
		}
		o->policy = val;
	} else {
		o->name = val;
	}
	return 0;
}

int run_args_parse(int argc, char *const *argv, struct run_options *o,
		   char *err, size_t err_size)
{
	bool mode_given = false;

	*o = (struct run_options){
		.smp = 4,
		.timeout_ms = 60000,
		.mode = "boot",
		.qemu = QEMU_DEFAULT_BINARY,
		.verbosity = RUN_NORMAL,
	};
	err[0] = '\0';
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *eq = strchr(arg, '=');
		size_t name_len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);
		const char *val = NULL;
		char name[32];

		if (strcmp(arg, "-h") == 0) {
			o->help = true;
			continue;
		}
		if (strncmp(arg, "--", 2) != 0) {
			if (o->scenario != NULL || arg[0] == '-' ||
			    arg[0] == '\0') {
				return run_args_fail(
					err, err_size, "%s: %s", arg,
					o->scenario != NULL
						? "one scenario per "
						  "run"
						: "unexpected "
						  "argument");
			}
			o->scenario = arg;
			continue;
		}
		if (name_len >= sizeof(name)) {
			return run_args_fail(err, err_size, "%s: %s", arg,
					     "unknown option");
		}
		memcpy(name, arg, name_len);
		name[name_len] = '\0';
		if (strcmp(name, "--help") == 0 ||
		    strcmp(name, "--quiet") == 0 ||
		    strcmp(name, "--verbose") == 0 ||
		    strcmp(name, "--no-plots") == 0) {
			if (eq != NULL) {
				return run_args_fail(err, err_size, "%s: %s",
						     arg, "takes no value");
			}
			if (name[2] == 'n') {
				o->no_plots = true;
				continue;
			}
			if (name[2] == 'h') {
				o->help = true;
				continue;
			}
			if (o->verbosity != RUN_NORMAL) {
				return run_args_fail(
					err, err_size, "%s: %s", arg,
					"give one of --quiet and --verbose");
			}
			o->verbosity = name[2] == 'q' ? RUN_QUIET : RUN_VERBOSE;
			continue;
		}
		if (!run_args_takes_value(name)) {
			return run_args_fail(err, err_size, "%s: %s", name,
					     "unknown option");
		}
		if (eq != NULL) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			return run_args_fail(err, err_size, "%s: %s", name,
					     "needs a value");
		}
		if (run_args_value(o, name, val, err, err_size) != 0) {
			return -ERR_INVAL;
		}
		mode_given |= strcmp(name, "--mode") == 0;
		o->smp_given |= strcmp(name, "--smp") == 0;
		o->timeout_given |= strcmp(name, "--timeout") == 0;
	}
	if (o->help) {
		return 0;
	}
	return run_args_check(o, mode_given, err, err_size);
}
