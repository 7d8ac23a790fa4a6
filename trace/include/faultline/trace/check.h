/*
 * The rule checker: reads a decoded trace, in time order with each CPU's
 * records in the order that CPU emitted them, and verifies the ordering
 * rules the fault path must follow (break-before-make, TLB maintenance,
 * VMID scope, the lost relax race, ISBs, the SPE drain, cache maintenance
 * with the guest's caches off, the table lock). docs/checker.md says what
 * each rule checks, why, and where it comes from.
 *
 * Events, fields and enum values are matched by name in the file's own
 * schema. A rule whose events the schema lacks is reported as not checked,
 * never as clean. A damaged or cut trace is checked up to the damage.
 */
#ifndef FAULTLINE_TRACE_CHECK_H
#define FAULTLINE_TRACE_CHECK_H

#include <stdio.h>

#include <faultline/trace/decode.h>

/** The rules, by the number users see. */
enum check_rule_id {
	/** A valid entry replaced only through invalid + TLBI + DSBs. */
	CHECK_RULE_BBM = 1,
	/** By IPA, DSB, then the stage-1 (combined) TLBI, DSB; tables by VMID. */
	CHECK_RULE_INVAL_ORDER = 2,
	/** A TLBI runs with the VMID of the table it is for loaded. */
	CHECK_RULE_VMID_SCOPE = 3,
	/** A vCPU that lost a relax race invalidates its own TLB. */
	CHECK_RULE_LOST_RACE = 4,
	/** An ISB after a VTTBR_EL2/HCR_EL2 write, before a TLBI. */
	CHECK_RULE_ISB = 5,
	/** SPE drained before guest state is loaded (seed 003). */
	CHECK_RULE_SPE = 6,
	/** Clean+invalidate before a Normal mapping with caches off (seed 001). */
	CHECK_RULE_CMO = 7,
	/** Stage-2 entries written under the table's lock. */
	CHECK_RULE_LOCK = 8,
};

/** Number of rules; rule numbers run from 1 to CHECK_NRULES. */
#define CHECK_NRULES 8

/** "No such record" for check_violation.related. */
#define CHECK_NO_INDEX SIZE_MAX

/** What a rule is, for reports. */
struct check_rule_desc {
	unsigned number;
	/** Short name ("break-before-make"). */
	const char *name;
	/** One sentence: what it checks. */
	const char *what;
	/** Where the rule comes from (Arm ARM section, seed, KVM commit). */
	const char *ref;
};

/** The description of rule @number, or NULL when there is no such rule. */
const struct check_rule_desc *check_rule(unsigned number);

/** One broken rule. */
struct check_violation {
	unsigned rule;
	/** Index of the record where the rule was found broken. */
	size_t index;
	/** An earlier record it refers to, or CHECK_NO_INDEX. */
	size_t related;
	unsigned cpu;
	bool has_ipa;
	uint64_t ipa;
	bool has_vmid;
	uint64_t vmid;
	/** What is wrong, in one line. */
	char msg[320];
};

/** Options of check_run(); zeroed means the defaults. */
struct check_options {
	/** Violations kept in detail per rule (the rest only counted); 0: 10. */
	unsigned max_per_rule;
};

/** The outcome of check_run(). */
struct check_result {
	/** The violations kept, in trace order within each rule. */
	struct check_violation *v;
	size_t nv;
	size_t cap;
	/** Violations found per rule number (kept or only counted). */
	uint64_t count[CHECK_NRULES + 1];
	/** All violations found. */
	uint64_t total;
	/** Rules not checked: the schema lacks an event they need. */
	bool unchecked[CHECK_NRULES + 1];
	/**
	 * The run traced lean (tracing=off): its fault-path events were
	 * dropped, so no rule was checked.
	 */
	bool lean;
	/**
	 * The run traced with tracing=fault: the world switch's own events
	 * were left out, so the rules that follow them were not checked.
	 */
	bool switch_quiet;
	/** The event that was missing, for the rules not checked. */
	const char *missing[CHECK_NRULES + 1];
	/** Records read. */
	size_t nrecords;
	/** Places where a CPU's sequence numbers jump (lost events). */
	uint64_t gaps;
	/** Wall-clock nanoseconds the pass took. */
	uint64_t elapsed_ns;
};

/**
 * Checks every rule over @td's records into @res (which the caller frees
 * with check_result_free() in every case). @o may be NULL. Returns 0 (the
 * trace may still have violations: see res->total), or -ERR_NOMEM.
 */
int check_run(const struct trace_data *td, const struct check_options *o,
	      struct check_result *res);

/** Frees what check_run() allocated; @res may be zeroed. */
void check_result_free(struct check_result *res);

/**
 * The verdict in one line into @buf: "clean (8 rules, 1234 records)" or
 * "3 violations (rules 1, 2)", with the rules not checked. Returns @buf.
 */
char *check_verdict(const struct check_result *res, char *buf, size_t size);

/**
 * Writes the report of @res on @out: what was checked (@name is the
 * trace as the user knows it; its damage, losses), each violation kept
 * with its rule, record, CPU, VMID, IPA and @window records of its CPU
 * around it (events.csv indices and fields), a line per rule, and the
 * verdict. Returns 0 or -ERR_IO.
 */
int check_report(const struct trace_data *td, const struct check_result *res,
		 const char *name, unsigned window, FILE *out);

#endif /* FAULTLINE_TRACE_CHECK_H */
