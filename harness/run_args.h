/*
 * The options of `faultline run`, parsed and checked before anything is
 * started, so a mistake is a usage error naming the bad argument.
 */
#ifndef FAULTLINE_HARNESS_RUN_ARGS_H
#define FAULTLINE_HARNESS_RUN_ARGS_H

#include <stddef.h>

#include <faultline/types.h>

#include "backend.h"
#include "scenario.h"

/** Most CPUs a run can ask for (the hypervisor's PLATFORM_MAX_CPUS). */
#define RUN_MAX_SMP 16
/** Longest --append accepted (the -append line also holds mode= etc.). */
#define RUN_MAX_APPEND 512
/** Longest timeout accepted, in seconds (a day). */
#define RUN_MAX_TIMEOUT_S 86400.0
/** Most values of one --sweep. */
#define RUN_MAX_SWEEP 32
/** Longest --sweep argument, NAME=v1,v2,... */
#define RUN_MAX_SWEEP_CHARS 1024

/** How much the run prints. */
enum run_verbosity {
	/** The console as it arrives, then the summary. */
	RUN_NORMAL,
	/** The summary only. */
	RUN_QUIET,
	/** Also the QEMU command line and QEMU's stderr as it arrives. */
	RUN_VERBOSE,
};

/** Parsed options of `faultline run`. */
struct run_options {
	unsigned smp;
	/** --out DIR, or NULL for results/NAME/RUN-ID. */
	const char *out;
	/** Milliseconds before the run is ended. */
	unsigned timeout_ms;
	/** "boot", "test" or "hotplug"; "plan" when a scenario is given. */
	const char *mode;
	/** The SCENARIO argument (a file, or a name in scenarios/), or NULL. */
	const char *scenario;
	/** --policy NAME (scenario runs), or NULL for the scenario's own. */
	const char *policy;
	/** --smp was given (else a scenario picks the CPU count). */
	bool smp_given;
	/** --timeout was given (else a scenario's own deadline is used). */
	bool timeout_given;
	/** --reps N (0: the scenario's), --warmup N (when @warmup_given). */
	unsigned reps;
	unsigned warmup;
	bool warmup_given;
	/** --test PREFIX, or NULL. */
	const char *test;
	/** --append "k=v ...", or NULL. */
	const char *append;
	/** --hyp PATH, or NULL for build/hyp.elf under the repository. */
	const char *hyp;
	/** QEMU binary. */
	const char *qemu;
	/**
	 * Results directory name (defaults to the mode; for a scenario run,
	 * NULL here and the scenario's name once it is read).
	 */
	const char *name;
	enum run_verbosity verbosity;
	/** --help was given. */
	bool help;
	/** --backend: QEMU (the default) or the sim. */
	enum backend backend;
	/**
	 * --set NAME=VALUE, in the order given, then (during a sweep) the
	 * swept parameter's value of the run: the parameter values handed to
	 * scenario_load_with(). The names live in @set_names.
	 */
	struct scn_set sets[SCN_MAX_PARAMS + 1];
	unsigned nsets;
	char set_names[SCN_MAX_PARAMS + 1][SCN_NAME_MAX];
	/** --sweep NAME=v1,v2,...: the parameter and its values, or 0 values. */
	char sweep_name[SCN_NAME_MAX];
	const char *sweep_values[RUN_MAX_SWEEP];
	unsigned nsweep;
	/** The values' text (split in place). */
	char sweep_buf[RUN_MAX_SWEEP_CHARS];
	/** --no-plots: no gnuplot plots after a scenario run. */
	bool no_plots;
	/** --results DIR: where results/NAME/RUN-ID go (NULL: ROOT/results). */
	const char *results;
};

/**
 * Parses the words after `run` (@argv[0] is "run") into @o, defaults
 * first. Returns 0, or -ERR_INVAL with @err naming the bad argument and
 * saying why.
 */
int run_args_parse(int argc, char *const *argv, struct run_options *o,
		   char *err, size_t err_size);

/** The one-paragraph synopsis of `faultline run` (for usage errors). */
const char *run_args_synopsis(void);

/** The usage text of `faultline run`. */
const char *run_args_usage(void);

/**
 * Adds NAME=VALUE to @o's parameter values (as --set does), replacing a
 * value already given for NAME. Returns 0, or -ERR_RANGE when there are
 * already SCN_MAX_PARAMS + 1 of them or NAME is too long.
 */
int run_args_add_set(struct run_options *o, const char *name, size_t name_len,
		     const char *value);

/**
 * Copies @src into @dst, with @dst's parameter names and sweep values
 * pointing into @dst's own buffers (a plain struct copy would leave them
 * pointing into @src).
 */
void run_args_copy(struct run_options *dst, const struct run_options *src);

#endif /* FAULTLINE_HARNESS_RUN_ARGS_H */
