/*
 * The scenario of `faultline run SCENARIO`: found, parsed and checked
 * before anything starts, then compiled into the run directory's plan.bin
 * for the hypervisor (mode=plan), with a copy of its text beside it.
 */
#ifndef FAULTLINE_HARNESS_RUN_SCENARIO_H
#define FAULTLINE_HARNESS_RUN_SCENARIO_H

#include "paths.h"
#include "run_args.h"
#include "scenario.h"

/** Time a scenario run gets past its vCPUs' deadline to boot and report. */
#define RUN_SCENARIO_SLACK_MS 15000u

/** A scenario run's scenario. */
struct run_scenario {
	struct scenario s;
	/** The file it was read from. */
	char path[PATHS_MAX];
	/** The hypervisor's deadline for the vCPUs. */
	uint64_t deadline_ms;
};

/**
 * Finds @o->scenario (a file, or NAME for scenarios/NAME.scn in the
 * current directory or the repository), parses it with @o's parameter
 * values (--set, a sweep's value) and applies the options:
 * --policy overrides every VM's policy, --smp must leave room for every
 * vCPU (the scenario's count otherwise), --timeout replaces its deadline.
 * Sets @o's name (the scenario's, unless --name), smp and timeout (the
 * deadline plus RUN_SCENARIO_SLACK_MS). Prints the error, as
 * file:line:col with a hint where it can, on stderr. Returns 0 or a
 * negative error; @rs must be released with run_scenario_free() either way.
 */
int run_scenario_load(struct run_options *o, struct run_scenario *rs);

/**
 * Writes plan.bin (validated with the hypervisor's own plan_validate())
 * and scenario.scn into run directory @dir. Prints what failed. Returns 0
 * or a negative error.
 */
int run_scenario_write(const struct run_scenario *rs,
		       const struct run_options *o, const char *dir);

/** Releases what @rs holds. */
void run_scenario_free(struct run_scenario *rs);

#endif /* FAULTLINE_HARNESS_RUN_SCENARIO_H */
