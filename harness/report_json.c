/* summary.json of a run (report.h, docs/results.md). */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <faultline/err.h>

#include "json.h"
#include "report.h"

static void report_json_cpu(struct json_writer *w, const struct summary_cpu *c)
{
	json_object_begin(w);
	json_key(w, "cpu");
	json_u64(w, c->cpu);
	json_key(w, "mpidr");
	if (c->has_mpidr) {
		json_hex(w, c->mpidr);
	} else {
		json_null(w);
	}
	json_key(w, "boots");
	json_u64(w, c->boots);
	json_key(w, "phases");
	json_array_begin_flat(w);
	for (size_t i = 0; i < c->nphases; i++) {
		json_string(w, summary_phase_name(c->phases[i]));
	}
	json_array_end(w);
	json_key(w, "boot_us");
	if (c->boots > 0) {
		json_fixed(w, (double)c->boot_ns[0] / 1000.0, 3);
	} else {
		json_null(w);
	}
	json_key(w, "boot_us_all");
	json_array_begin_flat(w);
	for (unsigned i = 0; i < c->boots; i++) {
		json_fixed(w, (double)c->boot_ns[i] / 1000.0, 3);
	}
	json_array_end(w);
	json_key(w, "lost");
	json_u64(w, c->lost);
	json_object_end(w);
}

static void report_json_crash(struct json_writer *w, const struct summary *s)
{
	if (s == NULL || !s->has_crash) {
		json_null(w);
		return;
	}
	json_object_begin(w);
	json_key(w, "cpu");
	json_u64(w, s->crash.cpu);
	json_key(w, "ec");
	json_string(w, s->crash.ec_name);
	json_key(w, "ec_value");
	json_hex(w, s->crash.ec);
	json_key(w, "esr");
	json_hex(w, s->crash.esr);
	json_key(w, "far");
	json_hex(w, s->crash.far);
	json_key(w, "elr");
	json_hex(w, s->crash.elr);
	json_object_end(w);
}

static void report_json_tests(struct json_writer *w, const struct testout *t)
{
	if (t == NULL) {
		json_null(w);
		return;
	}
	json_object_begin(w);
	json_key(w, "passed");
	json_u64(w, t->finished ? t->final_passed : t->passed);
	json_key(w, "failed");
	json_u64(w, t->finished ? t->final_failed : t->failed);
	json_key(w, "skipped");
	json_u64(w, t->skipped);
	json_key(w, "finished");
	json_bool(w, t->finished);
	json_key(w, "failures");
	json_array_begin(w);
	for (size_t i = 0; i < t->nfailures; i++) {
		json_string(w, t->failures[i]);
	}
	json_array_end(w);
	json_object_end(w);
}

/* {"violations": N, "rules": [numbers broken], "unchecked": [...]}. */
static void report_json_check(struct json_writer *w,
			      const struct check_result *c)
{
	if (c == NULL) {
		json_null(w);
		return;
	}
	json_object_begin(w);
	json_key(w, "violations");
	json_u64(w, c->total);
	json_key(w, "rules");
	json_array_begin_flat(w);
	for (unsigned r = 1; r <= CHECK_NRULES; r++) {
		if (c->count[r] != 0) {
			json_u64(w, r);
		}
	}
	json_array_end(w);
	json_key(w, "unchecked");
	json_array_begin_flat(w);
	for (unsigned r = 1; r <= CHECK_NRULES; r++) {
		if (c->unchecked[r]) {
			json_u64(w, r);
		}
	}
	json_array_end(w);
	json_object_end(w);
}

/* "params": {NAME: VALUE} of the run's parameter values. */
static void report_json_params(struct json_writer *w, const struct report *r)
{
	json_object_begin(w);
	for (unsigned i = 0; i < r->nsets; i++) {
		json_key(w, r->sets[i].name);
		json_string(w, r->sets[i].value);
	}
	json_object_end(w);
}

/* "report": the printed summary, one string per line (no colours). */
static void report_json_lines(struct json_writer *w, const char *lines)
{
	json_array_begin(w);
	while (lines != NULL && *lines != '\0') {
		const char *nl = strchr(lines, '\n');
		size_t n = nl != NULL ? (size_t)(nl - lines) : strlen(lines);
		char line[4096];

		snprintf(line, sizeof(line), "%.*s", (int)n, lines);
		json_string(w, line);
		lines += n + (nl != NULL);
	}
	json_array_end(w);
}

/* What the run is: mode, scenario, backend, policy, CPUs, parameters. */
static void report_json_setup(struct json_writer *w, const struct report *r)
{
	json_key(w, "mode");
	json_string(w, r->mode);
	json_key(w, "scenario");
	json_string(w, r->scenario);
	json_key(w, "backend");
	json_string(w, r->backend);
	json_key(w, "policy");
	json_string(w, r->policy);
	json_key(w, "smp");
	json_u64(w, r->smp);
	json_key(w, "params");
	report_json_params(w, r);
	json_key(w, "reps");
	json_u64(w, r->reps);
	json_key(w, "warmup");
	json_u64(w, r->warmup);
}

/* The files of the run directory the run wrote, or null for each. */
static void report_json_files(struct json_writer *w, const struct report *r)
{
	json_key(w, "trace");
	json_string(w, r->trace_present ? "trace.bin" : NULL);
	json_key(w, "events_csv");
	json_string(w, r->csv_written ? "events.csv" : NULL);
	json_key(w, "latency_csv");
	json_string(w, r->latency_written ? "latency.csv" : NULL);
	json_key(w, "guest_latency_csv");
	json_string(w, r->latency_written ? "guest_latency.csv" : NULL);
	json_key(w, "check_txt");
	json_string(w, r->check_written ? "check.txt" : NULL);
	json_key(w, "plots");
	json_string(w, r->plots > 0 ? "plots/" : NULL);
}

int report_write_summary(const struct report *r, const char *lines,
			 const char *path)
{
	const struct trace_data *td = r->trace_present ? r->td : NULL;
	struct json_writer w;
	int code;
	int ret;

	if (json_file_open(&w, path) != 0) {
		return -ERR_IO;
	}
	json_object_begin(&w);
	json_key(&w, "verdict");
	json_string(&w, verdict_name(r->verdict));
	json_key(&w, "backend_verdict");
	json_string(&w, verdict_name(r->backend_verdict));
	json_key(&w, "exit_status");
	if (report_exit_code(r, &code)) {
		json_i64(&w, code);
	} else {
		json_null(&w);
	}
	json_key(&w, "signal");
	if (r->proc != NULL && r->proc->reaped &&
	    WIFSIGNALED(r->proc->status)) {
		json_i64(&w, WTERMSIG(r->proc->status));
	} else {
		json_null(&w);
	}
	report_json_setup(&w, r);
	json_key(&w, "duration_s");
	json_fixed(&w, r->proc != NULL ? r->proc->seconds : 0.0, 3);
	json_key(&w, "timeout_s");
	json_fixed(&w, r->timeout_ms / 1000.0, 3);
	json_key(&w, "events");
	json_u64(&w, r->sum != NULL ? r->sum->events : 0);
	json_key(&w, "lost");
	json_u64(&w, r->sum != NULL ? r->sum->lost : 0);
	json_key(&w, "trace_complete");
	/* A damaged file is not complete, whatever its header claims. */
	json_bool(&w, td != NULL && td->complete && td->error == 0);
	report_json_files(&w, r);
	json_key(&w, "decode_error");
	if (td != NULL && td->error != 0) {
		json_object_begin(&w);
		json_key(&w, "offset");
		json_u64(&w, td->error_offset);
		json_key(&w, "message");
		json_string(&w, td->error_msg);
		json_object_end(&w);
	} else {
		json_null(&w);
	}
	json_key(&w, "cpus");
	json_array_begin(&w);
	for (unsigned c = 0; r->sum != NULL && c < r->sum->ncpus; c++) {
		report_json_cpu(&w, &r->sum->cpus[c]);
	}
	json_array_end(&w);
	json_key(&w, "crash");
	report_json_crash(&w, r->sum);
	json_key(&w, "tests");
	report_json_tests(&w, r->tests);
	json_key(&w, "expectations");
	if (r->expects != NULL) {
		expect_json(r->expects, r->nexpects, &w);
	} else {
		json_null(&w);
	}
	json_key(&w, "expectations_failed");
	json_u64(&w, r->expects_failed);
	json_key(&w, "expectations_per_rep");
	json_u64(&w, r->expects_reps);
	json_key(&w, "rule_check");
	report_json_check(&w, r->check);
	json_key(&w, "livelock");
	evidence_json(r->evidence, &w);
	json_key(&w, "repetitions");
	if (r->faults != NULL && faultstats_any(r->faults)) {
		faultstats_reps_json(r->faults, &w);
	} else {
		json_null(&w);
	}
	json_key(&w, "fault_path");
	if (r->faults != NULL && faultstats_any(r->faults)) {
		faultstats_json(r->faults, &w);
	} else {
		json_null(&w);
	}
	json_key(&w, "report");
	report_json_lines(&w, lines);
	json_object_end(&w);
	ret = json_file_close(&w);
	return ret;
}
