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
		"Exit status: 0 ok; 1 failed run (tests, crash, boot, a vCPU "
		"failed,\n"
		"deadline, timeout, QEMU, interrupted); 2 bad usage, a bad "
		"scenario or\n"
		"boot arguments the hypervisor rejected.\n";
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

static bool run_args_takes_value(const char *name)
{
	static const char *const opts[] = {
		"--smp",  "--timeout", "--mode", "--out",
		"--test", "--append",  "--hyp",  "--qemu",
		"--name", "--policy",  "--reps", "--warmup",
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
		    strcmp(name, "--verbose") == 0) {
			if (eq != NULL) {
				return run_args_fail(err, err_size, "%s: %s",
						     arg, "takes no value");
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
