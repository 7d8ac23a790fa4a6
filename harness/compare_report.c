/* The report of `faultline compare` (compare_report.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <faultline/err.h>

#include "compare_report.h"
#include "json.h"
#include "rep_stats.h"

/* Columns of the metric table. */
enum cr_col {
	CR_NAME,
	CR_A,
	CR_B,
	CR_RATIO,
	CR_P,
	CR_WORD,
	CR_NCOLS
};

/* Widths of the name and value columns (the last is as long as it is). */
static const int cr_width[CR_NCOLS] = {30, 10, 10, 8, 9, 0};

const char *compare_report_p(double p, char *out, size_t size)
{
	if (isnan(p)) {
		snprintf(out, size, "-");
	} else if (p >= 0.001) {
		snprintf(out, size, "%.2g", p);
	} else {
		snprintf(out, size, "%.1e", p);
	}
	return out;
}

const char *compare_report_verdict(const struct compare_metric *cm, char *out,
				   size_t size)
{
	if (!cm->tested) {
		snprintf(out, size, "no samples on %s",
			 cm->n[COMPARE_A] == 0 && cm->n[COMPARE_B] == 0
				 ? "A or B"
			 : cm->n[COMPARE_A] == 0 ? "A"
						 : "B");
	} else if (cm->too_few) {
		snprintf(out, size,
			 "too few repetitions (A %zu, B %zu; %d wanted)",
			 cm->n[COMPARE_A], cm->n[COMPARE_B], COMPARE_MIN_REPS);
	} else if (cm->u.p >= COMPARE_ALPHA) {
		snprintf(out, size, "not significant");
	} else {
		/* U of A above half its range: A tends to be the larger. */
		snprintf(out, size, "significant: B %s",
			 cm->u.u1 > cm->u.u2 ? "lower" : "higher");
	}
	return out;
}

/* A ratio as "0.93x", or "-". */
static const char *cr_ratio(double r, char *out, size_t size)
{
	if (isnan(r) || isinf(r)) {
		snprintf(out, size, "-");
	} else {
		snprintf(out, size, "%.3gx", r);
	}
	return out;
}

/* A count per repetition: whole, or with one decimal. */
static const char *cr_count(double v, char *out, size_t size)
{
	if (isnan(v)) {
		snprintf(out, size, "-");
	} else if (v == floor(v)) {
		snprintf(out, size, "%.0f", v);
	} else {
		snprintf(out, size, "%.1f", v);
	}
	return out;
}

static void cr_row(FILE *out, const char *const cells[CR_NCOLS])
{
	fputs("  ", out);
	for (unsigned c = 0; c < CR_NCOLS; c++) {
		if (c + 1 == CR_NCOLS || cells[c + 1][0] == '\0') {
			fprintf(out, "%s\n", cells[c]);
			return;
		}
		fprintf(out, "%-*s ", cr_width[c], cells[c]);
	}
}

/* "A: 3 runs, 9 repetitions: ok in 3 of 3 runs". */
static void cr_side(FILE *out, const char *name,
		    const struct compare_side_stats *s)
{
	fprintf(out, "  %s: %u run%s, %zu repetition%s", name, s->runs,
		s->runs == 1 ? "" : "s", s->reps, s->reps == 1 ? "" : "s");
	if (s->cut_short > 0) {
		fprintf(out, " (%zu cut short)", s->cut_short);
	}
	for (unsigned e = 0; e < s->nendings; e++) {
		fprintf(out, "%s %s in %u of %u run%s", e == 0 ? ":" : ";",
			s->endings[e].what, s->endings[e].runs, s->runs,
			s->runs == 1 ? "" : "s");
	}
	fputc('\n', out);
}

/* The counts: a row each for those that changed, a line for the rest. */
static void cr_counts(FILE *out, const struct compare_stats *st)
{
	const char *head[CR_NCOLS] = {
		"count per repetition", "A", "B", "B/A", "", ""};
	char a[32], b[32], r[32];
	bool any = false, same = false;

	for (size_t i = 0; i < st->ncounts; i++) {
		const struct compare_count *c = &st->counts[i];
		const char *cells[CR_NCOLS] = {c->name, a, b, r, "", ""};

		if (c->per_rep[0] == c->per_rep[1] ||
		    (isnan(c->per_rep[0]) && isnan(c->per_rep[1]))) {
			continue;
		}
		if (!any) {
			cr_row(out, head);
			any = true;
		}
		cr_count(c->per_rep[0], a, sizeof(a));
		cr_count(c->per_rep[1], b, sizeof(b));
		cr_ratio(c->per_rep[0] > 0 ? c->per_rep[1] / c->per_rep[0]
					   : NAN,
			 r, sizeof(r));
		cr_row(out, cells);
	}
	for (size_t i = 0; i < st->ncounts; i++) {
		const struct compare_count *c = &st->counts[i];

		if (c->per_rep[0] != c->per_rep[1]) {
			continue;
		}
		fprintf(out, "%s %s %s",
			same ? "," : "  unchanged per repetition:", c->name,
			cr_count(c->per_rep[0], a, sizeof(a)));
		same = true;
	}
	if (same) {
		fputc('\n', out);
	}
}

void compare_report_print_scenario(const struct compare_report_scenario *s,
				   FILE *out)
{
	const struct compare_stats *st = &s->st;
	const char *head[CR_NCOLS] = {"metric (median of repetitions)",
				      "A",
				      "B",
				      "B/A",
				      "p",
				      "U test"};
	char a[32], b[32], r[32], p[32], word[96];

	fprintf(out, "\n%s (%s)\n", s->name, s->path);
	cr_side(out, "A", &st->side[COMPARE_A]);
	cr_side(out, "B", &st->side[COMPARE_B]);
	if (st->nmetrics == 0) {
		fprintf(out, "  no figures on either side: nothing to "
			     "compare\n");
	} else {
		cr_row(out, head);
	}
	for (size_t i = 0; i < st->nmetrics; i++) {
		const struct compare_metric *cm = &st->metrics[i];
		const char *cells[CR_NCOLS] = {
			run_metric_title(cm->m), a, b, r, p, word};

		rep_stats_format(cm->m, cm->median[COMPARE_A], a, sizeof(a));
		rep_stats_format(cm->m, cm->median[COMPARE_B], b, sizeof(b));
		cr_ratio(cm->ratio, r, sizeof(r));
		compare_report_p(cm->tested ? cm->u.p : NAN, p, sizeof(p));
		compare_report_verdict(cm, word, sizeof(word));
		cr_row(out, cells);
	}
	cr_counts(out, st);
	if (s->plot[0] != '\0') {
		fprintf(out, "  latency CDFs: %s (and .svg)\n", s->plot);
	} else if (s->plot_note[0] != '\0') {
		fprintf(out, "  no plot: %s\n", s->plot_note);
	}
}

void compare_report_print(const struct compare_report *r, FILE *out)
{
	fprintf(out,
		"faultline compare on %s: A = %s, B = %s\n"
		"  %u repetitions per side wanted over %u run%s each, runs "
		"interleaved A B A B ...;\n"
		"  a metric is a percentile of one repetition: the table "
		"gives its median over\n"
		"  the repetitions of each side, and a two-sided "
		"Mann-Whitney U test of the two\n"
		"  sides' repetitions, significant when p < %.2g with %d or "
		"more repetitions a side\n",
		r->backend, r->side[COMPARE_A].label, r->side[COMPARE_B].label,
		r->reps, r->runs, r->runs == 1 ? "" : "s", COMPARE_ALPHA,
		COMPARE_MIN_REPS);
	for (size_t i = 0; i < r->nsc; i++) {
		compare_report_print_scenario(&r->sc[i], out);
	}
}

static void cr_json_side(struct json_writer *w, const struct compare_report *r,
			 unsigned s)
{
	const struct compare_report_side *sd = &r->side[s];

	json_object_begin(w);
	json_key(w, "label");
	json_string(w, sd->label);
	json_key(w, "policy");
	json_string(w, sd->policy);
	json_key(w, "build");
	json_string(w, sd->build);
	json_key(w, "faultline");
	json_string(w, sd->faultline);
	json_object_end(w);
}

/* One side's runs of scenario @s. */
static void cr_json_runs(struct json_writer *w, const struct compare_report *r,
			 const struct compare_report_scenario *s, unsigned side)
{
	const struct compare_side_stats *ss = &s->st.side[side];
	char what[48];
	size_t skip = strlen(r->dir);

	json_object_begin(w);
	json_key(w, "repetitions");
	json_u64(w, ss->reps);
	json_key(w, "cut_short");
	json_u64(w, ss->cut_short);
	json_key(w, "endings");
	json_object_begin(w);
	for (unsigned e = 0; e < ss->nendings; e++) {
		json_key(w, ss->endings[e].what);
		json_u64(w, ss->endings[e].runs);
	}
	json_object_end(w);
	json_key(w, "runs");
	json_array_begin(w);
	for (size_t i = 0; i < s->nruns[side]; i++) {
		const struct run_figures *rf = s->runs[side][i];
		const char *dir = rf->dir;

		if (strncmp(dir, r->dir, skip) == 0 && dir[skip] == '/') {
			dir += skip + 1;
		}
		json_object_begin(w);
		json_key(w, "dir");
		json_string(w, dir);
		json_key(w, "verdict");
		json_string(w, rf->verdict);
		json_key(w, "backend_verdict");
		json_string(w, rf->backend_verdict);
		json_key(w, "ending");
		json_string(w, compare_stats_ending(rf, what, sizeof(what)));
		json_key(w, "repetitions");
		json_u64(w, rf->nreps);
		json_key(w, "duration_s");
		json_fixed(w, rf->duration_s, 3);
		json_object_end(w);
	}
	json_array_end(w);
	json_object_end(w);
}

static void cr_json_metric(struct json_writer *w,
			   const struct compare_metric *cm)
{
	char word[96];

	json_object_begin(w);
	json_key(w, "name");
	json_string(w, run_metric_name(cm->m));
	json_key(w, "unit");
	json_string(w, run_metric_is_ratio(cm->m) ? "ratio" : "ns");
	for (unsigned s = 0; s < 2; s++) {
		json_key(w, s == 0 ? "a" : "b");
		json_object_begin(w);
		json_key(w, "n");
		json_u64(w, cm->n[s]);
		json_key(w, "median");
		json_fixed(w, cm->median[s], 4);
		json_key(w, "samples");
		json_array_begin_flat(w);
		for (size_t i = 0; i < cm->n[s]; i++) {
			json_fixed(w, cm->v[s][i], 4);
		}
		json_array_end(w);
		json_object_end(w);
	}
	json_key(w, "ratio_b_over_a");
	json_fixed(w, cm->ratio, 4);
	json_key(w, "u_test");
	if (!cm->tested) {
		json_null(w);
	} else {
		json_object_begin(w);
		json_key(w, "u_a");
		json_fixed(w, cm->u.u1, 1);
		json_key(w, "u_b");
		json_fixed(w, cm->u.u2, 1);
		json_key(w, "p");
		json_fixed(w, cm->u.p, 8);
		json_key(w, "method");
		json_string(w, cm->u.method == MANN_WHITNEY_EXACT ? "exact"
			       : cm->u.method == MANN_WHITNEY_EXACT_TIES
				       ? "exact_ties"
				       : "normal");
		json_key(w, "z");
		json_fixed(w, cm->u.z, 4);
		json_key(w, "ties");
		json_bool(w, cm->u.ties);
		json_object_end(w);
	}
	json_key(w, "too_few_repetitions");
	json_bool(w, cm->too_few);
	json_key(w, "significant");
	json_bool(w, cm->tested && !cm->too_few && cm->u.p < COMPARE_ALPHA);
	json_key(w, "verdict");
	json_string(w, compare_report_verdict(cm, word, sizeof(word)));
	json_object_end(w);
}

static void cr_json_scenario(struct json_writer *w,
			     const struct compare_report *r,
			     const struct compare_report_scenario *s)
{
	json_object_begin(w);
	json_key(w, "name");
	json_string(w, s->name);
	json_key(w, "path");
	json_string(w, s->path);
	json_key(w, "a");
	cr_json_runs(w, r, s, COMPARE_A);
	json_key(w, "b");
	cr_json_runs(w, r, s, COMPARE_B);
	json_key(w, "metrics");
	json_array_begin(w);
	for (size_t i = 0; i < s->st.nmetrics; i++) {
		cr_json_metric(w, &s->st.metrics[i]);
	}
	json_array_end(w);
	json_key(w, "counts");
	json_array_begin(w);
	for (size_t i = 0; i < s->st.ncounts; i++) {
		const struct compare_count *c = &s->st.counts[i];

		json_object_begin(w);
		json_key(w, "name");
		json_string(w, c->name);
		json_key(w, "a_total");
		json_u64(w, c->total[0]);
		json_key(w, "b_total");
		json_u64(w, c->total[1]);
		json_key(w, "a_per_rep");
		json_fixed(w, c->per_rep[0], 3);
		json_key(w, "b_per_rep");
		json_fixed(w, c->per_rep[1], 3);
		json_object_end(w);
	}
	json_array_end(w);
	json_key(w, "plot");
	json_string(w, s->plot[0] != '\0' ? s->plot : NULL);
	json_object_end(w);
}

int compare_report_json(const struct compare_report *r, const char *path)
{
	struct json_writer w;
	int ret;

	if (json_file_open(&w, path) != 0) {
		return -ERR_IO;
	}
	json_object_begin(&w);
	json_key(&w, "backend");
	json_string(&w, r->backend);
	json_key(&w, "repetitions_wanted");
	json_u64(&w, r->reps);
	json_key(&w, "runs_planned");
	json_u64(&w, r->runs);
	json_key(&w, "min_repetitions");
	json_u64(&w, COMPARE_MIN_REPS);
	json_key(&w, "alpha");
	json_fixed(&w, COMPARE_ALPHA, 2);
	json_key(&w, "a");
	cr_json_side(&w, r, COMPARE_A);
	json_key(&w, "b");
	cr_json_side(&w, r, COMPARE_B);
	json_key(&w, "scenarios");
	json_array_begin(&w);
	for (size_t i = 0; i < r->nsc; i++) {
		cr_json_scenario(&w, r, &r->sc[i]);
	}
	json_array_end(&w);
	json_object_end(&w);
	ret = json_file_close(&w);
	return ret != 0 ? -ERR_IO : 0;
}
