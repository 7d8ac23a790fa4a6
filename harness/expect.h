/*
 * A scenario's expectations (`expect` statements, docs/scenarios.md):
 * which metrics exist, what each reads from a run's fault-path statistics
 * (faultstats.h), and the check of every expectation after the run.
 */
#ifndef FAULTLINE_HARNESS_EXPECT_H
#define FAULTLINE_HARNESS_EXPECT_H

#include <stdio.h>

#include "faultstats.h"
#include "json.h"

/** Longest metric name, with the NUL. */
#define EXPECT_METRIC_MAX 48

/** How an observed value is compared with the expected one. */
enum expect_op {
	EXPECT_OP_EQ,
	EXPECT_OP_NE,
	EXPECT_OP_LT,
	EXPECT_OP_LE,
	EXPECT_OP_GT,
	EXPECT_OP_GE,
};

/** What an expectation is about. */
enum expect_kind {
	/** METRIC OP VALUE. */
	EXPECT_METRIC,
	/** The run livelocked (a vCPU stopped making progress). */
	EXPECT_LIVELOCK,
	/** Every vCPU made progress to the end of its program. */
	EXPECT_PROGRESS,
};

/** The backends an expectation holds on (a mask; 0: all). */
enum expect_backend {
	EXPECT_ON_QEMU = 1u << 0,
	EXPECT_ON_SIM = 1u << 1,
};

/** One `expect` statement. */
struct expect {
	enum expect_kind kind;
	char metric[EXPECT_METRIC_MAX];
	enum expect_op op;
	/** The expected value (durations in ns). */
	double value;
	/** Scenario index of the VM it is about, or -1 for the whole run. */
	int vm;
	/** enum expect_backend mask; 0 for every backend. */
	unsigned backends;
	/**
	 * `policy=`: the enum plan_policy the VM (or every VM) must run
	 * with for it to apply, or 0 for any policy.
	 */
	uint32_t policy;
	/**
	 * Set by the scenario (scenario_set_policy()) when @policy is not
	 * the policy the run's VMs have: the expectation is skipped.
	 */
	bool off_policy;
	/** Why it holds (or holds on one backend only), or "". */
	char reason[128];
	/** The statement as written, for reports. */
	char text[192];
	unsigned line;
	unsigned col;
};

/** What an expectation came to after a run. */
struct expect_result {
	const struct expect *e;
	/** False when it does not hold on this run's backend (skipped). */
	bool applies;
	/**
	 * Why it was skipped when the scope (backend, policy) was not the
	 * reason, else NULL: the run's trace cannot say (tracing=off).
	 */
	const char *skip_why;
	/** The run produced the metric (a latency needs samples...). */
	bool available;
	double observed;
	bool ok;
};

/**
 * Checks that @metric names a metric (for one VM when @per_vm). Returns
 * 0, or -ERR_INVAL with @hint (of @hint_size bytes) saying what exists.
 */
int expect_metric_valid(const char *metric, bool per_vm, char *hint,
			size_t hint_size);

/** True when @metric is a latency (its values are durations in ns). */
bool expect_metric_is_duration(const char *metric);

/**
 * The value of @metric in @fs, for the VM with @vmid when @vmid >= 0, into
 * *@out. Returns false when the run did not produce it (no samples of a
 * latency, no such VM in the trace).
 */
bool expect_metric_value(const struct faultstats *fs, const char *metric,
			 int64_t vmid, double *out);

/** The operator spelled @s ("==", "<="...): 0 and *@op, or -ERR_INVAL. */
int expect_op_parse(const char *s, size_t len, enum expect_op *op);

/** The spelling of @op. */
const char *expect_op_name(enum expect_op op);

/**
 * Checks the @n expectations at @e against a run on @backend
 * (EXPECT_ON_*) with statistics @fs, in which a livelock was detected or
 * not (@livelocked). @vmid_of maps a scenario VM index to its VMID.
 * Fills @out (@n entries) and returns how many failed.
 */
unsigned expect_check(const struct expect *e, unsigned n,
		      const struct faultstats *fs, unsigned backend,
		      bool livelocked, const int64_t *vmid_of,
		      struct expect_result *out);

/** Prints one line per result ("faultline: expect ...: ok (1024)"). */
void expect_print(const struct expect_result *r, unsigned n, FILE *out,
		  bool color);

/** Writes the results as a JSON array (the value of a key) with @w. */
void expect_json(const struct expect_result *r, unsigned n,
		 struct json_writer *w);

#endif /* FAULTLINE_HARNESS_EXPECT_H */
