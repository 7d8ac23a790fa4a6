/*
 * The rule checker's report (check_report() in check.h): what was checked,
 * each violation kept with the records of its CPU around it (events.csv
 * indices, times and fields), a line per rule and the verdict.
 */
#include <string.h>

#include <faultline/err.h>

#include "check_internal.h"

/* How far the window looks for records of the CPU before giving up. */
#define REP_SCAN_LIMIT 100000u
/* Most records a window shows before the violating one. */
#define REP_MAX_BEFORE 64u

/* One record as an events.csv-like row, marked with '>' when @mark. */
static void rep_row(const struct trace_data *td, size_t i, bool mark, FILE *out)
{
	const struct trace_record *r = &td->records[i];
	const struct trace_schema_event *ev = trace_data_event(td, r->id);

	fprintf(out, "  %c %9zu %14llu %3u  %-16s", mark ? '>' : ' ', i,
		(unsigned long long)trace_data_rel_ns(td, r->ts), r->cpu,
		ev != NULL ? ev->name : "?");
	for (unsigned f = 0; ev != NULL && f < ev->nfields; f++) {
		char val[64];

		fprintf(out, " %s=%s", ev->fields[f].name,
			trace_data_format(td, ev->fields[f].kind, r->f[f], val,
					  sizeof(val)));
	}
	fputc('\n', out);
}

/*
 * The records of the violation's CPU: up to @window before it, it, and
 * two after; the related record first when it is further back.
 */
static void rep_window(const struct trace_data *td,
		       const struct check_violation *v, unsigned window,
		       FILE *out)
{
	size_t before[REP_MAX_BEFORE];
	size_t nb = 0, scanned = 0, after = 0;
	bool related_shown = v->related == CHECK_NO_INDEX;
	size_t max = window < REP_MAX_BEFORE ? window : REP_MAX_BEFORE;

	for (size_t i = v->index;
	     i-- > 0 && nb < max && scanned < REP_SCAN_LIMIT; scanned++) {
		if (td->records[i].cpu == v->cpu) {
			before[nb++] = i;
			related_shown |= i == v->related;
		}
	}
	fprintf(out, "    %9s %14s %3s  %s\n", "index", "time_ns", "cpu",
		"event");
	if (!related_shown && v->related < td->nrecords) {
		rep_row(td, v->related, true, out);
		fprintf(out, "    %9s\n", "...");
	}
	while (nb-- > 0) {
		rep_row(td, before[nb], before[nb] == v->related, out);
	}
	rep_row(td, v->index, true, out);
	scanned = 0;
	for (size_t i = v->index + 1;
	     i < td->nrecords && after < 2 && scanned < REP_SCAN_LIMIT;
	     i++, scanned++) {
		if (td->records[i].cpu == v->cpu) {
			rep_row(td, i, false, out);
			after++;
		}
	}
}

static void rep_violation(const struct trace_data *td,
			  const struct check_violation *v, unsigned window,
			  FILE *out)
{
	const struct check_rule_desc *d = check_rule(v->rule);

	fprintf(out, "rule %u (%s) broken at record %zu, cpu %u", v->rule,
		d != NULL ? d->name : "?", v->index, v->cpu);
	if (v->has_vmid) {
		fprintf(out, ", vmid %llu", (unsigned long long)v->vmid);
	}
	if (v->has_ipa) {
		fprintf(out, ", ipa 0x%llx", (unsigned long long)v->ipa);
	}
	fprintf(out, ":\n  %s\n", v->msg);
	if (v->index < td->nrecords) {
		rep_window(td, v, window, out);
	}
	fputc('\n', out);
}

static void rep_header(const struct trace_data *td,
		       const struct check_result *res, const char *name,
		       FILE *out)
{
	fprintf(out,
		"faultline check: %s: %zu records on %u CPU%s, format %u\n",
		name, res->nrecords, td->ncpus, td->ncpus == 1 ? "" : "s",
		td->version);
	if (td->error != 0) {
		fprintf(out,
			"faultline check: the trace is damaged at byte %llu "
			"(%s): the %zu records before the damage were "
			"checked\n",
			(unsigned long long)td->error_offset, td->error_msg,
			td->nrecords);
	} else if (!td->complete) {
		fprintf(out, "faultline check: the trace is incomplete (the "
			     "run did not finish writing it): what arrived "
			     "was checked\n");
	}
	if (td->lost_total > 0 || res->gaps > 0) {
		fprintf(out,
			"faultline check: %llu events lost (%llu gaps in the "
			"CPUs' sequence numbers): each CPU's state is reset "
			"at a gap, so a broken rule that spans one is "
			"missed\n",
			(unsigned long long)td->lost_total,
			(unsigned long long)res->gaps);
	}
	fputc('\n', out);
}

static void rep_rules(const struct check_result *res, FILE *out)
{
	fprintf(out, "rules:\n");
	for (unsigned r = 1; r <= CHECK_NRULES; r++) {
		const struct check_rule_desc *d = check_rule(r);
		uint64_t shown = 0;

		for (size_t i = 0; i < res->nv; i++) {
			shown += res->v[i].rule == r;
		}
		fprintf(out, "  %u %-36s ", r, d->name);
		if (res->unchecked[r] && res->lean) {
			fprintf(out, "not checked: tracing=off dropped the "
				     "events it needs\n");
		} else if (res->unchecked[r] && res->missing[r] == NULL) {
			fprintf(out, "not checked: tracing=fault dropped the "
				     "world switch's events it needs\n");
		} else if (res->unchecked[r]) {
			fprintf(out, "not checked: the trace has no %s event\n",
				res->missing[r]);
		} else if (res->count[r] == 0) {
			fprintf(out, "ok\n");
		} else {
			fprintf(out, "%llu violation%s (%llu shown)\n",
				(unsigned long long)res->count[r],
				res->count[r] == 1 ? "" : "s",
				(unsigned long long)shown);
		}
	}
}

int check_report(const struct trace_data *td, const struct check_result *res,
		 const char *name, unsigned window, FILE *out)
{
	char verdict[256];
	double ms = (double)res->elapsed_ns / 1e6;

	rep_header(td, res, name, out);
	/* Grouped by rule, in trace order within each. */
	for (unsigned r = 1; r <= CHECK_NRULES; r++) {
		for (size_t i = 0; i < res->nv; i++) {
			if (res->v[i].rule == r) {
				rep_violation(td, &res->v[i], window, out);
			}
		}
	}
	rep_rules(res, out);
	fprintf(out, "faultline check: %zu records in %.1f ms", res->nrecords,
		ms);
	if (res->elapsed_ns > 0) {
		fprintf(out, " (%.1f M records/s)",
			(double)res->nrecords / (double)res->elapsed_ns * 1e3);
	}
	fprintf(out, "\nfaultline check: %s\n",
		check_verdict(res, verdict, sizeof(verdict)));
	fflush(out);
	return ferror(out) ? -ERR_IO : 0;
}
