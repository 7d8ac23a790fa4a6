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

/* True when the run was on the sim, which has no boot to report. */
static bool report_sim(const struct report *r)
{
	return r->backend != NULL && strcmp(r->backend, "sim") == 0;
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
	if (r->scenario != NULL && r->backend != NULL) {
		fprintf(out, " (%s)", r->backend);
	}
	if (s == NULL) {
		fprintf(out, ": no trace\n");
		return;
	}
	/* The sim has no boot: its CPUs are threads (docs/sim.md). */
	if (report_sim(r)) {
		fprintf(out, ": %llu events, %s%llu lost%s\n",
			(unsigned long long)s->events,
			color && s->lost > 0 ? REPORT_RED : "",
			(unsigned long long)s->lost,
			color && s->lost > 0 ? REPORT_RESET : "");
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

/* The expectations, one line each, and what they did to the verdict. */
static void report_expects(const struct report *r, FILE *out, bool color)
{
	unsigned skipped = 0;

	expect_print(r->expects, r->nexpects, out, color);
	for (unsigned i = 0; i < r->nexpects; i++) {
		skipped += !r->expects[i].applies;
	}
	fprintf(out, "faultline: expectations: %u of %u hold",
		r->nexpects - r->expects_failed - skipped,
		r->nexpects - skipped);
	if (r->expects_failed > 0) {
		fprintf(out, ", %s%u failed%s", color ? REPORT_RED : "",
			r->expects_failed, color ? REPORT_RESET : "");
	}
	if (skipped > 0) {
		fprintf(out, ", %u skipped", skipped);
	}
	if (r->expects_reps > 0) {
		fprintf(out, " (metrics checked in each of %u repetitions)",
			r->expects_reps);
	}
	if (r->backend_verdict == VERDICT_LIVELOCK &&
	    r->verdict != VERDICT_LIVELOCK) {
		fprintf(out, "; the livelock was expected");
	} else if (r->backend_verdict == VERDICT_VCPU_FAILED &&
		   r->verdict != VERDICT_VCPU_FAILED) {
		fprintf(out, "; the failed vCPUs were expected");
	} else if (r->expects_failed > 0 &&
		   r->verdict != VERDICT_EXPECTATION_FAILED) {
		fprintf(out, "; the verdict stays %s",
			verdict_name(r->verdict));
	}
	fprintf(out, "\n");
}

/* How the backend is named in messages. */
static const char *report_backend(const struct report *r)
{
	return report_sim(r) ? "the sim" : "QEMU";
}

/* The end of a run the backend did not finish: who ended it and why. */
static void report_ended(const struct report *r, FILE *out)
{
	const struct summary *s = r->sum;
	char cpus[512];
	int code;

	if (r->verdict == VERDICT_TIMEOUT ||
	    r->verdict == VERDICT_INTERRUPTED) {
		fprintf(out, "faultline: %s after %.1f s",
			r->verdict == VERDICT_TIMEOUT ? "timed out"
						      : "interrupted",
			r->proc != NULL ? r->proc->seconds : 0.0);
		if (s != NULL && !report_sim(r) &&
		    report_not_up(s, cpus, sizeof(cpus)) > 0) {
			fprintf(out, "; not up at the end of the trace: %s",
				cpus);
		} else if (s != NULL && !report_sim(r)) {
			fprintf(out,
				"; every CPU was up at the end of the trace");
		}
		fprintf(out, "\n");
	} else if (r->proc != NULL && r->proc->reaped &&
		   WIFSIGNALED(r->proc->status)) {
		fprintf(out,
			"faultline: %s was killed by signal %d after %.1f s: "
			"%s%llu events arrived before it (the trace is "
			"written at checkpoints)\n",
			report_backend(r), WTERMSIG(r->proc->status),
			r->proc->seconds,
			r->trace_present && s != NULL ? "" : "no trace; ",
			(unsigned long long)(s != NULL ? s->events : 0));
	} else if (r->verdict == VERDICT_QEMU_ERROR && r->proc != NULL &&
		   report_exit_code(r, &code)) {
		fprintf(out, "faultline: %s exited with status %d%s\n",
			report_backend(r), code,
			code <= 4 ? " before the hypervisor printed anything"
				  : "");
	}
}

void report_print(const struct report *r, FILE *out, bool color)
{
	const struct summary *s = r->sum;

	report_boot_line(r, out, color);
	report_trace_lines(r, out, color);
	if (r->faults != NULL) {
		faultstats_print(r->faults, out, color);
	}
	if (r->evidence != NULL) {
		evidence_print(r->evidence, out, color);
	}
	if (r->expects != NULL) {
		report_expects(r, out, color);
	} else if (r->expects_unchecked > 0) {
		fprintf(out,
			"faultline: expectations: %u not checked: the run left "
			"no trace\n",
			r->expects_unchecked);
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
	report_ended(r, out);
	if (r->plots > 0) {
		fprintf(out, "faultline: plots in %s/plots/ (%u PNG and SVG)\n",
			r->dir, r->plots);
	} else if (r->plots_note != NULL) {
		fprintf(out, "faultline: no plots: %s\n", r->plots_note);
	}
	fprintf(out,
		"faultline: results in %s/ (console.log, %s%s%s%ssummary.json, "
		"manifest.json)\n",
		r->dir, r->trace_present ? "trace.bin, " : "",
		r->csv_written ? "events.csv, " : "",
		r->latency_written ? "latency.csv, guest_latency.csv, " : "",
		r->check_written ? "check.txt, " : "");
}
