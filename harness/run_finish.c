/*
 * `faultline run` once the backend has ended (run_internal.h): the trace
 * decoded and summarised, events.csv, latency.csv and guest_latency.csv,
 * the rule check, the livelock's evidence, the scenario's expectations and
 * the verdict they make, the plots, summary.json and manifest.json, and
 * the report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <faultline/err.h>
#include <faultline/trace/export.h>

#include "backend.h"
#include "expect_reps.h"
#include "latency_csv.h"
#include "plot_cmd.h"
#include "run_internal.h"
#include "term.h"

/* How much of a log is shown when it explains a failure. */
#define RUN_TAIL_BYTES 4096u
#define RUN_TAIL_LINES 20u

/* Writes latency.csv and guest_latency.csv. */
static void run_latency(struct run_state *s)
{
	FILE *faults = fopen(s->p.latency, "w");
	FILE *guest = fopen(s->p.guest_latency, "w");
	bool ok = faults != NULL && guest != NULL &&
		  latency_csv_write(&s->td, faults, guest) == 0;

	if (faults != NULL && fclose(faults) != 0) {
		ok = false;
	}
	if (guest != NULL && fclose(guest) != 0) {
		ok = false;
	}
	s->r.latency_written = ok;
	if (!ok) {
		fprintf(stderr, "faultline: cannot write %s/latency.csv: %s\n",
			s->p.shown_dir, strerror(errno));
	}
}

/* Decodes the trace, summarises it, writes events.csv and check.txt. */
static void run_collect_trace(struct run_state *s)
{
	struct report *r = &s->r;
	FILE *csv;
	int ret;

	r->trace_present = paths_is_file(s->p.trace);
	if (!r->trace_present) {
		return;
	}
	/* Whatever arrived: a damaged or cut file still yields its records. */
	r->trace_ret = trace_data_load_file(s->p.trace, &s->td);
	r->td = &s->td;
	if (summary_compute(&s->td, &s->sum) == 0 &&
	    faultstats_compute(&s->td, &s->faults) == 0) {
		r->sum = &s->sum;
		r->faults = &s->faults;
	} else {
		fprintf(stderr, "faultline: out of memory summarising the "
				"trace\n");
	}
	if (s->td.nrecords == 0) {
		return;
	}
	evidence_compute(&s->td, &s->ev);
	r->evidence = &s->ev;
	csv = fopen(s->p.csv, "w");
	r->csv_written = csv != NULL && trace_export_csv(&s->td, csv) == 0;
	if (csv != NULL && fclose(csv) != 0) {
		r->csv_written = false;
	}
	if (!r->csv_written) {
		fprintf(stderr, "faultline: cannot write %s: %s\n", s->p.csv,
			strerror(errno));
	}
	if (s->o.scenario != NULL) {
		run_latency(s);
	}
	/* The rule check reports; it never changes the run's verdict. */
	ret = check_cmd_run_dir(&s->td, s->p.dir, &s->check);
	r->check = ret != -ERR_NOMEM ? &s->check : NULL;
	r->check_written = ret == 0;
	if (ret != 0) {
		fprintf(stderr,
			"faultline: cannot check the trace into %s/%s\n",
			s->p.shown_dir, CHECK_CMD_FILE);
	}
}

/*
 * Checks the scenario's expectations against the run's statistics and
 * decides the verdict (verdict_after_expectations(), docs/results.md).
 */
static void run_expectations(struct run_state *s)
{
	const struct scenario *sc = &s->sc.s;
	struct report *r = &s->r;
	int64_t vmid_of[PLAN_MAX_VMS];
	bool livelocked =
		s->ev.count > 0 || r->backend_verdict == VERDICT_LIVELOCK;
	unsigned expected = 0;

	if (s->o.scenario == NULL || sc->nexpects == 0) {
		return;
	}
	/* Without a trace there is nothing to check them against. */
	if (r->faults == NULL) {
		r->expects_unchecked = sc->nexpects;
		return;
	}
	for (unsigned i = 0; i < sc->nvms && i < PLAN_MAX_VMS; i++) {
		vmid_of[i] = scenario_vmid(sc, i);
	}
	r->expects_failed =
		expect_reps_check(sc->expects, sc->nexpects, &s->td, r->faults,
				  backend_expect_mask(s->o.backend), livelocked,
				  vmid_of, s->expects, &r->expects_reps);
	r->expects = s->expects;
	r->nexpects = sc->nexpects;
	for (unsigned i = 0; i < sc->nexpects; i++) {
		const struct expect_result *er = &s->expects[i];

		if (!er->applies) {
			continue;
		}
		if (sc->expects[i].kind == EXPECT_LIVELOCK) {
			expected |= VERDICT_EXPECT_LIVELOCK;
		}
		if (sc->expects[i].kind == EXPECT_METRIC &&
		    strcmp(sc->expects[i].metric, "vcpus.failed") == 0 &&
		    er->ok && er->observed > 0) {
			expected |= VERDICT_EXPECT_VCPU_FAILED;
		}
	}
	r->verdict = verdict_after_expectations(r->backend_verdict,
						r->expects_failed, expected);
}

/* The plots of a scenario run into DIR/plots/, unless --no-plots. */
static void run_plots(struct run_state *s)
{
	struct report *r = &s->r;
	int n;

	if (s->o.scenario == NULL || r->faults == NULL ||
	    !faultstats_any(r->faults)) {
		return;
	}
	if (s->o.no_plots) {
		return;
	}
	n = plot_cmd_render(&s->td, s->p.dir, PLOT_CMD_TIMEOUT_S, s->plots_note,
			    sizeof(s->plots_note));
	if (n > 0) {
		r->plots = (unsigned)n;
	} else {
		r->plots_note = s->plots_note;
	}
}

/* Shows what explains a failed run when the user has not seen it yet. */
static void run_explain(const struct run_state *s)
{
	enum verdict v = s->r.verdict;
	char title[PATHS_MAX + 64];

	if ((v == VERDICT_QEMU_ERROR || v == VERDICT_CRASH) &&
	    s->o.verbosity != RUN_VERBOSE && s->res.started &&
	    !(v == VERDICT_CRASH && !WIFSIGNALED(s->res.status))) {
		snprintf(title, sizeof(title), "faultline: %s's stderr (%s):",
			 s->o.backend == BACKEND_SIM ? "the sim" : "QEMU",
			 s->p.stderr_log);
		if (term_show_tail(stderr, title, s->p.stderr_log,
				   RUN_TAIL_BYTES, RUN_TAIL_LINES) == 0) {
			fprintf(stderr,
				"faultline: %s wrote nothing on "
				"stderr\n",
				s->o.backend == BACKEND_SIM ? "the sim"
							    : "QEMU");
		}
	}
	if (s->o.verbosity == RUN_QUIET &&
	    (v == VERDICT_BAD_ARGUMENTS || v == VERDICT_BOOT_FAILED ||
	     v == VERDICT_VCPU_FAILED || v == VERDICT_DEADLINE ||
	     v == VERDICT_LIVELOCK || v == VERDICT_TIMEOUT ||
	     v == VERDICT_INTERRUPTED || v == VERDICT_CRASH)) {
		snprintf(title, sizeof(title),
			 "faultline: the end of %s/console.log:",
			 s->p.shown_dir);
		term_show_tail(stdout, title, s->p.console, RUN_TAIL_BYTES, 5);
	}
}

int run_finish(struct run_state *s)
{
	struct report *r = &s->r;
	char *lines = NULL;
	size_t len = 0;
	FILE *mem;

	run_collect_trace(s);
	if (strcmp(s->o.mode, "test") == 0) {
		testout_parse_file(&s->tests, s->p.console);
		r->tests = &s->tests;
	}
	run_expectations(s);
	run_plots(s);
	if (r->trace_present && s->td.version != 0) {
		s->m.build_id = s->td.build_id;
		s->m.build_id_len = sizeof(s->td.build_id);
	}
	/* The report as printed, kept in summary.json for `faultline show`. */
	mem = open_memstream(&lines, &len);
	if (mem != NULL) {
		report_print(r, mem, false);
		fclose(mem);
	}
	if (manifest_write(&s->m, s->p.manifest) != 0 ||
	    report_write_summary(r, lines, s->p.summary) != 0) {
		fprintf(stderr,
			"faultline: cannot write the summary in %s: %s\n",
			s->p.shown_dir, strerror(errno));
	}
	free(lines);
	/* Only now, with every file written: stdout may block. */
	if (s->echo_unterminated) {
		fputc('\n', stdout);
	}
	run_explain(s);
	report_print(r, stdout, term_color(STDOUT_FILENO));
	fflush(stdout);
	return verdict_exit_code(r->verdict);
}
