/* The table of a sweep (sweep.h). */
#include <stdio.h>
#include <string.h>

#include <faultline/err.h>

#include "json.h"
#include "json_read.h"
#include "sweep.h"

/* Columns of the table. */
enum sw_col {
	SW_VALUE,
	SW_VERDICT,
	SW_FAULTS,
	SW_OUTCOMES,
	SW_BBM,
	SW_FAULT_P50,
	SW_FAULT_P99,
	SW_ACCESS_P50,
	SW_FAULTING_P50,
	SW_HVC_P50,
	SW_RATIO,
	SW_NCOLS
};

/*
 * "fault" is the EL2 handler (entry to exit); "faulting" the guest's
 * accesses that faulted, trap included; the ratio is theirs to the floor.
 */
static const char *const sw_heads[SW_NCOLS] = {
	NULL,           "verdict",   "faults",      "outcomes",
	"BBM",          "fault p50", "fault p99",   "access p50",
	"faulting p50", "hvc p50",   "faulting/hvc"};

void sweep_row_fill(struct sweep_row *row, const char *value, const char *dir,
		    const char *verdict, int status,
		    const struct faultstats *fs)
{
	size_t len = 0;

	memset(row, 0, sizeof(*row));
	snprintf(row->value, sizeof(row->value), "%s", value);
	snprintf(row->dir, sizeof(row->dir), "%s", dir);
	snprintf(row->verdict, sizeof(row->verdict), "%s", verdict);
	row->status = status;
	if (fs == NULL) {
		return;
	}
	row->faults = fs->faults;
	row->bbm = fs->bbm_breaks;
	for (size_t i = 0; i < fs->outcomes.n; i++) {
		int n = snprintf(row->outcomes + len,
				 sizeof(row->outcomes) - len, "%s%s %llu",
				 i > 0 ? ", " : "", fs->outcomes.v[i].name,
				 (unsigned long long)fs->outcomes.v[i].n);

		if (n < 0 || (size_t)n >= sizeof(row->outcomes) - len) {
			break;
		}
		len += (size_t)n;
	}
	row->has_fault = fs->fault_lat.n > 0;
	row->fault_p50 = fs->fault_lat.p50;
	row->fault_p99 = fs->fault_lat.p99;
	row->has_access = fs->access_lat.n > 0;
	row->access_p50 = fs->access_lat.p50;
	row->has_hvc = fs->hvc_floor.n > 0;
	row->hvc_p50 = fs->hvc_floor.p50;
	row->ratio = fs->fault_hvc_ratio;
	row->has_faulting = fs->faulting_access_lat.n > 0;
	row->faulting_p50 = fs->faulting_access_lat.p50;
	row->faulting_ratio = fs->faulting_access_hvc_ratio;
}

/* @ns as "850 ns", "12.3 us", "4.5 ms" or "1.20 s"; "-" when absent. */
static void sw_dur(bool has, uint64_t ns, char *buf, size_t size)
{
	if (!has) {
		snprintf(buf, size, "-");
	} else if (ns < 1000) {
		snprintf(buf, size, "%llu ns", (unsigned long long)ns);
	} else if (ns < 1000000) {
		snprintf(buf, size, "%.1f us", (double)ns / 1e3);
	} else if (ns < 1000000000) {
		snprintf(buf, size, "%.1f ms", (double)ns / 1e6);
	} else {
		snprintf(buf, size, "%.2f s", (double)ns / 1e9);
	}
}

/* The cells of @r (or the header when @r is NULL). */
static void sw_cells(const struct sweep *sw, const struct sweep_row *r,
		     char cells[SW_NCOLS][SWEEP_OUTCOMES_MAX])
{
	if (r == NULL) {
		for (unsigned c = 0; c < SW_NCOLS; c++) {
			snprintf(cells[c], SWEEP_OUTCOMES_MAX, "%s",
				 c == SW_VALUE ? sw->param : sw_heads[c]);
		}
		return;
	}
	snprintf(cells[SW_VALUE], SWEEP_OUTCOMES_MAX, "%s", r->value);
	snprintf(cells[SW_VERDICT], SWEEP_OUTCOMES_MAX, "%s", r->verdict);
	snprintf(cells[SW_FAULTS], SWEEP_OUTCOMES_MAX, "%llu",
		 (unsigned long long)r->faults);
	snprintf(cells[SW_OUTCOMES], SWEEP_OUTCOMES_MAX, "%s",
		 r->outcomes[0] != '\0' ? r->outcomes : "-");
	snprintf(cells[SW_BBM], SWEEP_OUTCOMES_MAX, "%llu",
		 (unsigned long long)r->bbm);
	sw_dur(r->has_fault, r->fault_p50, cells[SW_FAULT_P50],
	       SWEEP_OUTCOMES_MAX);
	sw_dur(r->has_fault, r->fault_p99, cells[SW_FAULT_P99],
	       SWEEP_OUTCOMES_MAX);
	sw_dur(r->has_access, r->access_p50, cells[SW_ACCESS_P50],
	       SWEEP_OUTCOMES_MAX);
	sw_dur(r->has_faulting, r->faulting_p50, cells[SW_FAULTING_P50],
	       SWEEP_OUTCOMES_MAX);
	sw_dur(r->has_hvc, r->hvc_p50, cells[SW_HVC_P50], SWEEP_OUTCOMES_MAX);
	if (r->faulting_ratio > 0) {
		snprintf(cells[SW_RATIO], SWEEP_OUTCOMES_MAX,
			 r->faulting_ratio < 10 ? "%.2fx" : "%.1fx",
			 r->faulting_ratio);
	} else {
		snprintf(cells[SW_RATIO], SWEEP_OUTCOMES_MAX, "-");
	}
}

static void sw_line(FILE *out, char cells[SW_NCOLS][SWEEP_OUTCOMES_MAX],
		    const size_t *width)
{
	fprintf(out, "faultline: ");
	for (unsigned c = 0; c < SW_NCOLS; c++) {
		fprintf(out, "  %-*s", c + 1 < SW_NCOLS ? (int)width[c] : 0,
			cells[c]);
	}
	fprintf(out, "\n");
}

void sweep_print(const struct sweep *sw, const char *where, FILE *out)
{
	static char cells[SW_NCOLS][SWEEP_OUTCOMES_MAX];
	size_t width[SW_NCOLS] = {0};

	for (unsigned i = 0; i <= sw->nrows; i++) {
		sw_cells(sw, i == 0 ? NULL : &sw->rows[i - 1], cells);
		for (unsigned c = 0; c < SW_NCOLS; c++) {
			size_t n = strlen(cells[c]);

			width[c] = n > width[c] ? n : width[c];
		}
	}
	fprintf(out,
		"faultline: sweep of %s over %u value%s: scenario %s on %s, "
		"in %s/\n",
		sw->param, sw->nrows, sw->nrows == 1 ? "" : "s", sw->scenario,
		sw->backend, where);
	for (unsigned i = 0; i <= sw->nrows; i++) {
		sw_cells(sw, i == 0 ? NULL : &sw->rows[i - 1], cells);
		sw_line(out, cells, width);
	}
}

/* A CSV cell: quoted when it holds a comma or a quote. */
static void sw_csv_cell(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"') {
			fputc('"', f);
		}
		fputc(*s, f);
	}
	fputc('"', f);
}

static void sw_csv_ns(FILE *f, bool has, uint64_t ns)
{
	if (has) {
		fprintf(f, ",%llu", (unsigned long long)ns);
	} else {
		fputc(',', f);
	}
}

int sweep_write_csv(const struct sweep *sw, const char *path)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (f == NULL) {
		return -ERR_IO;
	}
	fprintf(f, "value,verdict,exit_status,faults,outcomes,bbm,"
		   "fault_p50_ns,fault_p99_ns,access_p50_ns,hvc_p50_ns,"
		   "fault_hvc_ratio,dir,faulting_access_p50_ns,"
		   "faulting_access_hvc_ratio\n");
	for (unsigned i = 0; i < sw->nrows; i++) {
		const struct sweep_row *r = &sw->rows[i];

		sw_csv_cell(f, r->value);
		fprintf(f, ",%s,%d,%llu,", r->verdict, r->status,
			(unsigned long long)r->faults);
		sw_csv_cell(f, r->outcomes);
		fprintf(f, ",%llu", (unsigned long long)r->bbm);
		sw_csv_ns(f, r->has_fault, r->fault_p50);
		sw_csv_ns(f, r->has_fault, r->fault_p99);
		sw_csv_ns(f, r->has_access, r->access_p50);
		sw_csv_ns(f, r->has_hvc, r->hvc_p50);
		if (r->ratio > 0) {
			fprintf(f, ",%.3f,", r->ratio);
		} else {
			fprintf(f, ",,");
		}
		sw_csv_cell(f, r->dir);
		/* New columns go last: scripts that read by position still work. */
		sw_csv_ns(f, r->has_faulting, r->faulting_p50);
		if (r->faulting_ratio > 0) {
			fprintf(f, ",%.3f", r->faulting_ratio);
		} else {
			fputc(',', f);
		}
		fputc('\n', f);
	}
	ok = !ferror(f);
	return fclose(f) == 0 && ok ? 0 : -ERR_IO;
}

static void sw_json_ns(struct json_writer *w, const char *key, bool has,
		       uint64_t ns)
{
	json_key(w, key);
	if (has) {
		json_u64(w, ns);
	} else {
		json_null(w);
	}
}

int sweep_write_json(const struct sweep *sw, const char *path)
{
	struct json_writer w;
	int ret;

	if (json_file_open(&w, path) != 0) {
		return -ERR_IO;
	}
	json_object_begin(&w);
	json_key(&w, "param");
	json_string(&w, sw->param);
	json_key(&w, "scenario");
	json_string(&w, sw->scenario);
	json_key(&w, "backend");
	json_string(&w, sw->backend);
	json_key(&w, "runs");
	json_array_begin(&w);
	for (unsigned i = 0; i < sw->nrows; i++) {
		const struct sweep_row *r = &sw->rows[i];

		json_object_begin(&w);
		json_key(&w, "value");
		json_string(&w, r->value);
		json_key(&w, "dir");
		json_string(&w, r->dir);
		json_key(&w, "verdict");
		json_string(&w, r->verdict);
		json_key(&w, "exit_status");
		json_i64(&w, r->status);
		json_key(&w, "faults");
		json_u64(&w, r->faults);
		json_key(&w, "outcomes");
		json_string(&w, r->outcomes);
		json_key(&w, "bbm");
		json_u64(&w, r->bbm);
		sw_json_ns(&w, "fault_p50_ns", r->has_fault, r->fault_p50);
		sw_json_ns(&w, "fault_p99_ns", r->has_fault, r->fault_p99);
		sw_json_ns(&w, "access_p50_ns", r->has_access, r->access_p50);
		sw_json_ns(&w, "hvc_p50_ns", r->has_hvc, r->hvc_p50);
		json_key(&w, "fault_p50_over_hvc_p50");
		if (r->ratio > 0) {
			json_fixed(&w, r->ratio, 3);
		} else {
			json_null(&w);
		}
		sw_json_ns(&w, "faulting_access_p50_ns", r->has_faulting,
			   r->faulting_p50);
		json_key(&w, "faulting_access_p50_over_hvc_p50");
		if (r->faulting_ratio > 0) {
			json_fixed(&w, r->faulting_ratio, 3);
		} else {
			json_null(&w);
		}
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);
	ret = json_file_close(&w);
	return ret;
}

/* Number @key of @o into *@out and true, or false when null/missing. */
static bool sw_read_u64(const struct json_node *o, const char *key,
			uint64_t *out)
{
	double v;

	if (!json_read_num(json_read_get(o, key), &v) || v < 0) {
		*out = 0;
		return false;
	}
	*out = (uint64_t)v;
	return true;
}

static void sw_read_row(const struct json_node *o, struct sweep_row *r)
{
	double v = 0;

	memset(r, 0, sizeof(*r));
	snprintf(r->value, sizeof(r->value), "%s",
		 json_read_str(json_read_get(o, "value"), "?"));
	snprintf(r->dir, sizeof(r->dir), "%s",
		 json_read_str(json_read_get(o, "dir"), ""));
	snprintf(r->verdict, sizeof(r->verdict), "%s",
		 json_read_str(json_read_get(o, "verdict"), "?"));
	snprintf(r->outcomes, sizeof(r->outcomes), "%s",
		 json_read_str(json_read_get(o, "outcomes"), ""));
	if (json_read_num(json_read_get(o, "exit_status"), &v)) {
		r->status = (int)v;
	}
	sw_read_u64(o, "faults", &r->faults);
	sw_read_u64(o, "bbm", &r->bbm);
	r->has_fault = sw_read_u64(o, "fault_p50_ns", &r->fault_p50);
	sw_read_u64(o, "fault_p99_ns", &r->fault_p99);
	r->has_access = sw_read_u64(o, "access_p50_ns", &r->access_p50);
	r->has_hvc = sw_read_u64(o, "hvc_p50_ns", &r->hvc_p50);
	if (json_read_num(json_read_get(o, "fault_p50_over_hvc_p50"), &v)) {
		r->ratio = v;
	}
	r->has_faulting =
		sw_read_u64(o, "faulting_access_p50_ns", &r->faulting_p50);
	if (json_read_num(json_read_get(o, "faulting_access_p50_over_hvc_p50"),
			  &v)) {
		r->faulting_ratio = v;
	}
}

int sweep_read_json(const char *path, struct sweep *sw, char *err,
		    size_t err_size)
{
	struct json_node root;
	const struct json_node *runs;
	int ret = json_read_file(path, &root, err, err_size);

	memset(sw, 0, sizeof(*sw));
	if (ret == 0) {
		runs = json_read_get(&root, "runs");
		if (runs == NULL || runs->type != JSON_NODE_ARRAY) {
			snprintf(err, err_size, "%s: no runs", path);
			ret = -ERR_INVAL;
		}
	}
	if (ret == 0) {
		snprintf(sw->param, sizeof(sw->param), "%s",
			 json_read_str(json_read_get(&root, "param"), "?"));
		snprintf(sw->scenario, sizeof(sw->scenario), "%s",
			 json_read_str(json_read_get(&root, "scenario"), "?"));
		snprintf(sw->backend, sizeof(sw->backend), "%s",
			 json_read_str(json_read_get(&root, "backend"), "?"));
		for (size_t i = 0; i < runs->n && i < RUN_MAX_SWEEP; i++) {
			sw_read_row(&runs->items[i], &sw->rows[sw->nrows++]);
		}
	}
	json_read_free(&root);
	return ret;
}
