/* summary.json and the terminal summary of a run (report.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include <faultline/err.h>

#include "json.h"
#include "report.h"

#define REPORT_RED "\033[31m"
#define REPORT_GREEN "\033[32m"
#define REPORT_RESET "\033[0m"

bool report_exit_code(const struct report *r, int *code)
{
	if (r->proc == NULL || !r->proc->reaped ||
	    !WIFEXITED(r->proc->status)) {
		return false;
	}
	*code = WEXITSTATUS(r->proc->status);
	return true;
}

static void report_hex(struct json_writer *w, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	json_string(w, buf);
}

static void report_json_cpu(struct json_writer *w, const struct summary_cpu *c)
{
	json_object_begin(w);
	json_key(w, "cpu");
	json_u64(w, c->cpu);
	json_key(w, "mpidr");
	if (c->has_mpidr) {
		report_hex(w, c->mpidr);
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
	report_hex(w, s->crash.ec);
	json_key(w, "esr");
	report_hex(w, s->crash.esr);
	json_key(w, "far");
	report_hex(w, s->crash.far);
	json_key(w, "elr");
	report_hex(w, s->crash.elr);
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

int report_write_summary(const struct report *r, const char *path)
{
	FILE *f = fopen(path, "w");
	const struct trace_data *td = r->trace_present ? r->td : NULL;
	struct json_writer w;
	int code;
	int ret;

	if (f == NULL) {
		return -ERR_IO;
	}
	json_init(&w, f);
	json_object_begin(&w);
	json_key(&w, "verdict");
	json_string(&w, verdict_name(r->verdict));
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
	json_key(&w, "mode");
	json_string(&w, r->mode);
	json_key(&w, "scenario");
	json_string(&w, r->scenario);
	json_key(&w, "policy");
	json_string(&w, r->policy);
	json_key(&w, "smp");
	json_u64(&w, r->smp);
	json_key(&w, "duration_s");
	json_fixed(&w, r->proc != NULL ? r->proc->seconds : 0.0, 3);
	json_key(&w, "timeout_s");
	json_fixed(&w, r->timeout_ms / 1000.0, 3);
	json_key(&w, "events");
	json_u64(&w, r->sum != NULL ? r->sum->events : 0);
	json_key(&w, "lost");
	json_u64(&w, r->sum != NULL ? r->sum->lost : 0);
	json_key(&w, "trace");
	json_string(&w, r->trace_present ? "trace.bin" : NULL);
	json_key(&w, "trace_complete");
	/* A damaged file is not complete, whatever its header claims. */
	json_bool(&w, td != NULL && td->complete && td->error == 0);
	json_key(&w, "events_csv");
	json_string(&w, r->csv_written ? "events.csv" : NULL);
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
	json_key(&w, "rule_check");
	report_json_check(&w, r->check);
	json_key(&w, "fault_path");
	if (r->faults != NULL && faultstats_any(r->faults)) {
		faultstats_json(r->faults, &w);
	} else {
		json_null(&w);
	}
	json_object_end(&w);
	ret = json_finish(&w);
	if (fclose(f) != 0 && ret == 0) {
		ret = -ERR_IO;
	}
	return ret;
}

/*
 * Describes the CPUs that were not up when the run ended into @buf:
 * "2 (never reached cpu_up), 3 (last phase cpu_off)". Returns how many.
 */
static unsigned report_not_up(const struct summary *s, char *buf, size_t size)
{
	unsigned n = 0;
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned c = 0; c < s->ncpus; c++) {
		const struct summary_cpu *cpu = &s->cpus[c];
		char why[64];
		int w;

		if (cpu->nphases > 0 &&
		    cpu->phases[cpu->nphases - 1] == SUMMARY_PHASE_CPU_UP) {
			continue;
		}
		if (cpu->boots == 0) {
			snprintf(
				why, sizeof(why), "never reached cpu_up%s%s",
				cpu->nphases > 0 ? ", last phase " : "",
				cpu->nphases > 0
					? summary_phase_name(
						  cpu->phases[cpu->nphases - 1])
					: "");
		} else {
			snprintf(why, sizeof(why), "last phase %s",
				 summary_phase_name(
					 cpu->phases[cpu->nphases - 1]));
		}
		w = snprintf(buf + len, size - len, "%scpu %u (%s)",
			     n > 0 ? ", " : "", c, why);
		if (w > 0 && (size_t)w < size - len) {
			len += (size_t)w;
		}
		n++;
	}
	return n;
}

/* @ns as "12.3 us" below a millisecond, "1.2 ms" above. */
static const char *report_duration(uint64_t ns, char *buf, size_t size)
{
	if (ns < 1000000) {
		snprintf(buf, size, "%.1f us", (double)ns / 1e3);
	} else {
		snprintf(buf, size, "%.1f ms", (double)ns / 1e6);
	}
	return buf;
}

static void report_boot_line(const struct report *r, FILE *out, bool color)
{
	const struct summary *s = r->sum;
	bool ok = r->verdict == VERDICT_OK;
	uint64_t lo = 0, hi = 0;
	unsigned reboots = 0;

	fprintf(out, "faultline: %s%s %s%s%s",
		r->scenario != NULL ? "scenario " : "",
		r->scenario != NULL ? r->scenario : r->mode,
		color ? (ok ? REPORT_GREEN : REPORT_RED) : "",
		verdict_name(r->verdict), color ? REPORT_RESET : "");
	if (s == NULL) {
		fprintf(out, ": no trace\n");
		return;
	}
	for (unsigned c = 0; c < s->ncpus; c++) {
		if (s->cpus[c].boots > 1) {
			reboots += s->cpus[c].boots - 1;
		}
	}
	fprintf(out, ": %u/%u CPUs through the dual-step init",
		summary_cpus_booted(s), s->ncpus);
	if (summary_boot_range(s, &lo, &hi)) {
		char a[32], b[32];

		fprintf(out, " (boot %s .. %s)",
			report_duration(lo, a, sizeof(a)),
			report_duration(hi, b, sizeof(b)));
	}
	if (reboots > 0) {
		fprintf(out, ", %u reboot%s after CPU_OFF", reboots,
			reboots == 1 ? "" : "s");
	}
	fprintf(out, ", %llu events, %s%llu lost%s\n",
		(unsigned long long)s->events,
		color && s->lost > 0 ? REPORT_RED : "",
		(unsigned long long)s->lost,
		color && s->lost > 0 ? REPORT_RESET : "");
}

static void report_trace_lines(const struct report *r, FILE *out, bool color)
{
	const struct trace_data *td = r->td;
	const struct summary *s = r->sum;

	if (!r->trace_present) {
		fprintf(out,
			"faultline: no trace: %s/trace.bin was not written\n",
			r->dir);
		return;
	}
	if (td->error != 0) {
		fprintf(out,
			"faultline: trace damaged at offset %llu: %s (%zu "
			"records before it kept)\n",
			(unsigned long long)td->error_offset, td->error_msg,
			td->nrecords);
	}
	if (!td->complete && td->error == 0) {
		fprintf(out, "faultline: trace incomplete: the run did not "
			     "finish writing it\n");
	}
	if (s != NULL && s->lost > 0) {
		fprintf(out, "faultline: %s%llu events lost",
			color ? REPORT_RED : "", (unsigned long long)s->lost);
		for (unsigned c = 0; c < s->ncpus; c++) {
			if (s->cpus[c].lost > 0) {
				fprintf(out, " (cpu %u: %llu)", c,
					(unsigned long long)s->cpus[c].lost);
			}
		}
		fprintf(out, "%s\n", color ? REPORT_RESET : "");
	}
}

/* One line: the rule check's verdict, red when a rule is broken. */
static void report_check(const struct report *r, FILE *out, bool color)
{
	char verdict[256];
	bool bad = r->check->total > 0;

	fprintf(out, "faultline: rule check: %s%s%s%s\n",
		color && bad ? REPORT_RED : "",
		check_verdict(r->check, verdict, sizeof(verdict)),
		color && bad ? REPORT_RESET : "",
		bad && r->check_written ? " (see check.txt)" : "");
}

static void report_tests(const struct testout *t, FILE *out, bool color)
{
	unsigned failed = t->finished ? t->final_failed : t->failed;

	fprintf(out,
		"faultline: EL2 tests: %u passed, %s%u failed%s, %u "
		"skipped%s\n",
		t->finished ? t->final_passed : t->passed,
		color && failed > 0 ? REPORT_RED : "", failed,
		color && failed > 0 ? REPORT_RESET : "", t->skipped,
		t->finished ? "" : " (the run ended before the tests did)");
	for (size_t i = 0; i < t->nfailures; i++) {
		fprintf(out, "faultline:   FAIL %s\n", t->failures[i]);
	}
}

void report_print(const struct report *r, FILE *out, bool color)
{
	const struct summary *s = r->sum;
	char cpus[512];
	int code;

	report_boot_line(r, out, color);
	report_trace_lines(r, out, color);
	if (r->faults != NULL) {
		faultstats_print(r->faults, out, color);
	}
	if (r->check != NULL) {
		report_check(r, out, color);
	}
	if (s != NULL && s->has_crash) {
		fprintf(out,
			"faultline: %scrash on cpu %u: %s (ESR 0x%llx), FAR "
			"0x%llx, ELR 0x%llx%s\n",
			color ? REPORT_RED : "", s->crash.cpu, s->crash.ec_name,
			(unsigned long long)s->crash.esr,
			(unsigned long long)s->crash.far,
			(unsigned long long)s->crash.elr,
			color ? REPORT_RESET : "");
	}
	if (r->tests != NULL) {
		report_tests(r->tests, out, color);
	}
	if (r->verdict == VERDICT_TIMEOUT ||
	    r->verdict == VERDICT_INTERRUPTED) {
		fprintf(out, "faultline: %s after %.1f s",
			r->verdict == VERDICT_TIMEOUT ? "timed out"
						      : "interrupted",
			r->proc != NULL ? r->proc->seconds : 0.0);
		if (s != NULL && report_not_up(s, cpus, sizeof(cpus)) > 0) {
			fprintf(out, "; not up at the end of the trace: %s",
				cpus);
		} else if (s != NULL) {
			fprintf(out,
				"; every CPU was up at the end of the trace");
		}
		fprintf(out, "\n");
	} else if (r->verdict == VERDICT_QEMU_ERROR && r->proc != NULL) {
		if (report_exit_code(r, &code)) {
			fprintf(out,
				"faultline: QEMU exited with status %d%s\n",
				code,
				code <= 4 ? " before the hypervisor printed "
					    "anything"
					  : "");
		} else if (r->proc->reaped && WIFSIGNALED(r->proc->status)) {
			fprintf(out,
				"faultline: QEMU was killed by signal %d\n",
				WTERMSIG(r->proc->status));
		}
	}
	fprintf(out,
		"faultline: results in %s/ (console.log, %s%s%ssummary.json)\n",
		r->dir, r->trace_present ? "trace.bin, " : "",
		r->csv_written ? "events.csv, " : "",
		r->check_written ? "check.txt, " : "");
}
