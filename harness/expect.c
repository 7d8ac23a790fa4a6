/* A scenario's expectations, checked against a run (expect.h). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <faultline/err.h>
#include <faultline/trace/event.h>

#include "expect.h"

/* A count of struct faultstats read by name. */
struct expect_count {
	const char *name;
	size_t offset;
};

#define EXPECT_FIELD(n, f)                                                     \
	{                                                                      \
		n, offsetof(struct faultstats, f)                              \
	}

static const struct expect_count expect_counts[] = {
	EXPECT_FIELD("bbm", bbm_breaks),
	EXPECT_FIELD("pages.mapped", pages_mapped),
	EXPECT_FIELD("pages.mapped_again", pages_mapped_again),
	EXPECT_FIELD("pages.remapped", pages_remapped),
	EXPECT_FIELD("pages.broken_again", pages_broken_again),
	EXPECT_FIELD("tlbi", tlbis),
	EXPECT_FIELD("pte_writes", pte_writes),
	EXPECT_FIELD("backoffs", backoffs),
	EXPECT_FIELD("cmo", cmos),
	EXPECT_FIELD("pool.exhausted", pool_exhausted),
	EXPECT_FIELD("pool.recycles", pool_recycles),
	EXPECT_FIELD("dirty_marks", dirty_marks),
	EXPECT_FIELD("aborts", aborts_injected),
	EXPECT_FIELD("vcpus.done", vcpus_done),
	EXPECT_FIELD("vcpus.failed", vcpus_failed),
};

/* A family of counts: PREFIX.<value of an enum of the trace>. */
struct expect_family {
	const char *prefix;
	const char *enum_kind;
	bool per_vm;
};

static const struct expect_family expect_families[] = {
	{"faults.", "FAULT_KIND", true}, {"access.", "ACCESS", true},
	{"outcome.", "OUTCOME", true},   {"tlbi.", "TLBI_OP", false},
	{"cmo.", "CMO_WHY", false},      {"backoff.", "BACKOFF", false},
};

static const char *const expect_lat_names[] = {"fault", "access", "hvc",
					       "faulting_access"};
static const char *const expect_stat_names[] = {"n",   "min",  "p50", "p90",
						"p99", "p999", "max", "mean"};

static const struct trace_enum_desc *expect_enum(const char *kind)
{
	for (unsigned i = 0; i < trace_nenums; i++) {
		if (strcmp(trace_enums[i].name, kind) == 0) {
			return &trace_enums[i];
		}
	}
	return NULL;
}

/* The family @metric belongs to, with *@suffix after its prefix. */
static const struct expect_family *expect_family_of(const char *metric,
						    const char **suffix)
{
	for (size_t i = 0;
	     i < sizeof(expect_families) / sizeof(expect_families[0]); i++) {
		size_t n = strlen(expect_families[i].prefix);

		if (strncmp(metric, expect_families[i].prefix, n) == 0) {
			*suffix = metric + n;
			return &expect_families[i];
		}
	}
	return NULL;
}

/* Splits "latency.WHAT.STAT"; the indexes of WHAT and STAT, or false. */
static bool expect_latency_of(const char *metric, size_t *what, size_t *stat)
{
	static const char prefix[] = "latency.";
	const char *rest = metric + sizeof(prefix) - 1;
	const char *dot;

	if (strncmp(metric, prefix, sizeof(prefix) - 1) != 0 ||
	    (dot = strchr(rest, '.')) == NULL) {
		return false;
	}
	for (*what = 0; *what < 4; (*what)++) {
		if (strlen(expect_lat_names[*what]) == (size_t)(dot - rest) &&
		    strncmp(rest, expect_lat_names[*what],
			    (size_t)(dot - rest)) == 0) {
			break;
		}
	}
	for (*stat = 0; *stat < 8; (*stat)++) {
		if (strcmp(dot + 1, expect_stat_names[*stat]) == 0) {
			break;
		}
	}
	return *what < 4 && *stat < 8;
}

bool expect_metric_is_duration(const char *metric)
{
	size_t what, stat;

	return expect_latency_of(metric, &what, &stat) && stat != 0;
}

/* Appends the values of enum @kind to @hint. */
static void expect_hint_values(const char *prefix, const char *kind, char *hint,
			       size_t size)
{
	const struct trace_enum_desc *e = expect_enum(kind);
	size_t n =
		(size_t)snprintf(hint, size, "%s followed by one of:", prefix);

	for (unsigned v = 0; e != NULL && v < e->nvalues && n < size; v++) {
		n += (size_t)snprintf(hint + n, size - n, " %s",
				      e->values[v].name);
	}
}

int expect_metric_valid(const char *metric, bool per_vm, char *hint,
			size_t hint_size)
{
	const struct expect_family *f;
	const char *suffix;
	size_t what, stat;

	hint[0] = '\0';
	if (strcmp(metric, "faults") == 0) {
		return 0;
	}
	f = expect_family_of(metric, &suffix);
	if (f != NULL) {
		const struct trace_enum_desc *e = expect_enum(f->enum_kind);

		for (unsigned v = 0; e != NULL && v < e->nvalues; v++) {
			if (strcmp(e->values[v].name, suffix) == 0) {
				if (per_vm && !f->per_vm) {
					snprintf(hint, hint_size,
						 "%s... counts the whole run, "
						 "not one VM",
						 f->prefix);
					return -ERR_INVAL;
				}
				return 0;
			}
		}
		expect_hint_values(f->prefix, f->enum_kind, hint, hint_size);
		return -ERR_INVAL;
	}
	if (per_vm) {
		snprintf(hint, hint_size,
			 "per VM: faults, faults.KIND, access.KIND, "
			 "outcome.OUTCOME");
		return -ERR_INVAL;
	}
	for (size_t i = 0; i < sizeof(expect_counts) / sizeof(expect_counts[0]);
	     i++) {
		if (strcmp(metric, expect_counts[i].name) == 0) {
			return 0;
		}
	}
	if (strcmp(metric, "bbm.max_per_page") == 0 ||
	    strcmp(metric, "pages.max_maps") == 0 ||
	    strcmp(metric, "ratio.fault_hvc") == 0 ||
	    strcmp(metric, "ratio.access_hvc") == 0 ||
	    strcmp(metric, "ratio.faulting_access_hvc") == 0 ||
	    expect_latency_of(metric, &what, &stat)) {
		return 0;
	}
	snprintf(
		hint, hint_size,
		"metrics: faults, faults.KIND, access.KIND, outcome.OUTCOME, "
		"bbm, bbm.max_per_page, pages.mapped, pages.mapped_again, "
		"pages.max_maps, tlbi, tlbi.OP, cmo, cmo.WHY, backoffs, "
		"backoff.WHY, pool.recycles, "
		"dirty_marks, aborts, vcpus.done, "
		"latency.{fault,access,faulting_access,hvc}.{n,p50,p99,max,...}"
		", "
		"ratio.{fault,access,faulting_access}_hvc (docs/scenarios.md)");
	return -ERR_INVAL;
}

static const struct faultstats_dist *expect_dist(const struct faultstats *fs,
						 size_t what)
{
	switch (what) {
	case 0:
		return &fs->fault_lat;
	case 1:
		return &fs->access_lat;
	case 3:
		return &fs->faulting_access_lat;
	default:
		return &fs->hvc_floor;
	}
}

static double expect_stat(const struct faultstats_dist *d, size_t stat)
{
	const uint64_t v[] = {d->n,   d->min,  d->p50, d->p90,
			      d->p99, d->p999, d->max};

	return stat < 7 ? (double)v[stat] : d->mean;
}

/* Per-VM and family metrics. */
static bool expect_vm_value(const struct faultstats *fs, const char *metric,
			    int64_t vmid, double *out)
{
	const struct faultstats_counts *counts[3];
	const struct expect_family *f;
	const struct faultstats_vm *vm = NULL;
	const char *suffix;

	for (size_t i = 0; vmid >= 0 && i < fs->nvms; i++) {
		if (fs->vms[i].vmid == (uint64_t)vmid) {
			vm = &fs->vms[i];
		}
	}
	if (vmid >= 0 && vm == NULL) {
		return false;
	}
	if (strcmp(metric, "faults") == 0) {
		*out = (double)(vm != NULL ? vm->faults : fs->faults);
		return true;
	}
	f = expect_family_of(metric, &suffix);
	if (f == NULL) {
		return false;
	}
	counts[0] = vm != NULL ? &vm->kinds : &fs->kinds;
	counts[1] = vm != NULL ? &vm->accesses : &fs->accesses;
	counts[2] = vm != NULL ? &vm->outcomes : &fs->outcomes;
	if (f == &expect_families[3]) {
		*out = (double)faultstats_count_of(&fs->tlbi_ops, suffix);
	} else if (f == &expect_families[4]) {
		*out = (double)faultstats_count_of(&fs->cmo_whys, suffix);
	} else if (f == &expect_families[5]) {
		*out = (double)faultstats_count_of(&fs->backoff_whys, suffix);
	} else {
		*out = (double)faultstats_count_of(counts[f - expect_families],
						   suffix);
	}
	return true;
}

bool expect_metric_value(const struct faultstats *fs, const char *metric,
			 int64_t vmid, double *out)
{
	size_t what, stat;

	if (vmid >= 0 || strcmp(metric, "faults") == 0 ||
	    strchr(metric, '.') != NULL) {
		if (expect_vm_value(fs, metric, vmid, out)) {
			return true;
		}
		if (vmid >= 0) {
			return false;
		}
	}
	for (size_t i = 0; i < sizeof(expect_counts) / sizeof(expect_counts[0]);
	     i++) {
		if (strcmp(metric, expect_counts[i].name) == 0) {
			*out = (double)*(
				const uint64_t *)((const char *)fs +
						  expect_counts[i].offset);
			return true;
		}
	}
	if (strcmp(metric, "bbm.max_per_page") == 0) {
		*out = (double)fs->most_broken.n;
		return true;
	}
	if (strcmp(metric, "pages.max_maps") == 0) {
		*out = (double)fs->most_mapped.n;
		return true;
	}
	if (strcmp(metric, "ratio.fault_hvc") == 0) {
		*out = fs->fault_hvc_ratio;
		return *out > 0;
	}
	if (strcmp(metric, "ratio.access_hvc") == 0) {
		*out = fs->access_hvc_ratio;
		return *out > 0;
	}
	if (strcmp(metric, "ratio.faulting_access_hvc") == 0) {
		*out = fs->faulting_access_hvc_ratio;
		return *out > 0;
	}
	if (expect_latency_of(metric, &what, &stat)) {
		const struct faultstats_dist *d = expect_dist(fs, what);

		*out = expect_stat(d, stat);
		return stat == 0 || d->n > 0;
	}
	return false;
}

static const char *const expect_op_names[] = {"==", "!=", "<", "<=", ">", ">="};

int expect_op_parse(const char *s, size_t len, enum expect_op *op)
{
	for (unsigned i = 0; i < 6; i++) {
		if (strlen(expect_op_names[i]) == len &&
		    strncmp(s, expect_op_names[i], len) == 0) {
			*op = (enum expect_op)i;
			return 0;
		}
	}
	return -ERR_INVAL;
}

const char *expect_op_name(enum expect_op op)
{
	return (unsigned)op < 6 ? expect_op_names[op] : "?";
}

static bool expect_compare(double a, enum expect_op op, double b)
{
	switch (op) {
	case EXPECT_OP_EQ:
		return a == b;
	case EXPECT_OP_NE:
		return a != b;
	case EXPECT_OP_LT:
		return a < b;
	case EXPECT_OP_LE:
		return a <= b;
	case EXPECT_OP_GT:
		return a > b;
	default:
		return a >= b;
	}
}

/* True when the trace says lean tracing was on (the tracing_off knob). */
static bool expect_lean_trace(const struct faultstats *fs)
{
	for (size_t i = 0; i < fs->nknobs; i++) {
		if (strcmp(fs->knobs[i].name, "tracing_off") == 0 &&
		    fs->knobs[i].value != 0) {
			return true;
		}
	}
	return false;
}

/*
 * Whether @metric is made of events lean tracing keeps: the guest's own
 * timings and the vCPUs' stops. Every other count needs the fault path's
 * events, which tracing=off drops.
 */
static bool expect_lean_metric(const char *metric)
{
	static const char *const lean[] = {"latency.access.", "latency.hvc.",
					   "ratio.access_hvc", "vcpus."};

	for (size_t i = 0; i < sizeof(lean) / sizeof(lean[0]); i++) {
		if (strncmp(metric, lean[i], strlen(lean[i])) == 0) {
			return true;
		}
	}
	return false;
}

unsigned expect_check(const struct expect *e, unsigned n,
		      const struct faultstats *fs, unsigned backend,
		      bool livelocked, const int64_t *vmid_of,
		      struct expect_result *out)
{
	unsigned failed = 0;
	bool lean = expect_lean_trace(fs);

	for (unsigned i = 0; i < n; i++) {
		struct expect_result *r = &out[i];

		*r = (struct expect_result){.e = &e[i]};
		r->applies =
			(e[i].backends == 0 || (e[i].backends & backend)) &&
			!e[i].off_policy;
		if (r->applies && lean && e[i].kind == EXPECT_METRIC &&
		    !expect_lean_metric(e[i].metric)) {
			r->applies = false;
			r->skip_why =
				"tracing=off records no fault-path events";
		}
		if (!r->applies) {
			continue;
		}
		switch (e[i].kind) {
		case EXPECT_LIVELOCK:
		case EXPECT_PROGRESS:
			r->available = true;
			r->observed = livelocked ? 1 : 0;
			r->ok = livelocked == (e[i].kind == EXPECT_LIVELOCK);
			break;
		default:
			r->available = expect_metric_value(
				fs, e[i].metric,
				e[i].vm >= 0 ? vmid_of[e[i].vm] : -1,
				&r->observed);
			r->ok = r->available &&
				expect_compare(r->observed, e[i].op,
					       e[i].value);
			break;
		}
		failed += !r->ok;
	}
	return failed;
}

/* @v as the metric's unit: a duration, a ratio or a count. */
static void expect_format(const struct expect *e, double v, char *buf,
			  size_t size)
{
	if (e->kind != EXPECT_METRIC) {
		snprintf(buf, size, "%s", v != 0 ? "livelock" : "progress");
	} else if (expect_metric_is_duration(e->metric)) {
		snprintf(buf, size, v < 1e6 ? "%.1f us" : "%.2f ms",
			 v < 1e6 ? v / 1e3 : v / 1e6);
	} else if (strncmp(e->metric, "ratio.", 6) == 0) {
		snprintf(buf, size, "%.2fx", v);
	} else {
		snprintf(buf, size, "%.0f", v);
	}
}

void expect_print(const struct expect_result *r, unsigned n, FILE *out,
		  bool color)
{
	for (unsigned i = 0; i < n; i++) {
		char v[48];
		const char *mark = !r[i].applies ? "skipped"
				   : r[i].ok     ? "ok"
						 : "FAILED";

		expect_format(r[i].e, r[i].observed, v, sizeof(v));
		fprintf(out, "faultline: expect %s: %s%s%s", r[i].e->text,
			color && r[i].applies && !r[i].ok ? "\033[31m" : "",
			mark,
			color && r[i].applies && !r[i].ok ? "\033[0m" : "");
		if (r[i].skip_why != NULL) {
			fprintf(out, " (not checked: %s)", r[i].skip_why);
		} else if (!r[i].applies) {
			fprintf(out, " (not %s%s%s)",
				r[i].e->off_policy ? "under this policy"
						   : "on this backend",
				r[i].e->reason[0] != '\0' ? ": " : "",
				r[i].e->reason);
		} else if (!r[i].available) {
			fprintf(out, " (the run has no such figure)");
		} else {
			fprintf(out, " (%s)", v);
		}
		fprintf(out, "\n");
	}
}

void expect_json(const struct expect_result *r, unsigned n,
		 struct json_writer *w)
{
	json_array_begin(w);
	for (unsigned i = 0; i < n; i++) {
		json_object_begin(w);
		json_key(w, "expect");
		json_string(w, r[i].e->text);
		json_key(w, "line");
		json_u64(w, r[i].e->line);
		json_key(w, "result");
		json_string(w, !r[i].applies ? "skipped"
			       : r[i].ok     ? "ok"
					     : "failed");
		json_key(w, "observed");
		if (r[i].applies && r[i].available) {
			json_fixed(w, r[i].observed, 3);
		} else {
			json_null(w);
		}
		json_key(w, "reason");
		json_string(w, r[i].skip_why != NULL       ? r[i].skip_why
			       : r[i].e->reason[0] != '\0' ? r[i].e->reason
							   : NULL);
		json_object_end(w);
	}
	json_array_end(w);
}
