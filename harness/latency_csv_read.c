/* latency.csv and guest_latency.csv read back (latency_csv_read.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>

#include "latency_csv_read.h"

/* Most cells a row may have (the files have 12 and 8). */
#define LCR_MAX_CELLS 32

/* The columns a reader needs; -1 while not found. */
enum lcr_col {
	LCR_REP,
	LCR_WARMUP,
	LCR_LATENCY,
	/* outcome (latency.csv) or access (guest_latency.csv). */
	LCR_KIND,
	LCR_NCOLS
};

/* Splits @line at commas in place into @cells; the number of cells. */
static size_t lcr_split(char *line, char **cells)
{
	size_t n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < LCR_MAX_CELLS) {
		char *comma = strchr(line, ',');

		cells[n++] = line;
		if (comma == NULL) {
			break;
		}
		*comma = '\0';
		line = comma + 1;
	}
	return n;
}

static int lcr_push(struct latency_samples *s, uint64_t v)
{
	if (s->n == s->cap) {
		size_t cap = s->cap > 0 ? s->cap * 2 : 1024;
		uint64_t *nv = realloc(s->v, cap * sizeof(*nv));

		if (nv == NULL) {
			return -ERR_NOMEM;
		}
		s->v = nv;
		s->cap = cap;
	}
	s->v[s->n++] = v;
	return 0;
}

/* One more retry in repetition @rep. */
static int lcr_retry(struct latency_read *r, unsigned rep)
{
	struct latency_rep_retries *v;

	for (size_t i = 0; i < r->nreps; i++) {
		if (r->reps[i].rep == rep) {
			r->reps[i].retries++;
			return 0;
		}
	}
	v = realloc(r->reps, (r->nreps + 1) * sizeof(*v));
	if (v == NULL) {
		return -ERR_NOMEM;
	}
	r->reps = v;
	r->reps[r->nreps++] = (struct latency_rep_retries){rep, 1};
	return 0;
}

static bool lcr_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9') {
		return false;
	}
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0') {
		return false;
	}
	*out = v;
	return true;
}

/*
 * Reads @path: the header's columns @names (LCR_NCOLS of them) into
 * @col, then each measured row handed to the caller's rule: @kind_skip
 * (a value of the LCR_KIND column whose rows are not samples, or NULL),
 * @retry (count rows whose LCR_KIND is "retry") and @out (the samples).
 */
static int lcr_read(const char *path, const char *const *names,
		    const char *kind_skip, bool retry,
		    struct latency_samples *out, struct latency_read *r,
		    char *err, size_t err_size)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, *cells[LCR_MAX_CELLS];
	size_t cap = 0, n;
	int col[LCR_NCOLS];
	int ret = 0;

	if (f == NULL) {
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		return -ERR_IO;
	}
	for (unsigned c = 0; c < LCR_NCOLS; c++) {
		col[c] = -1;
	}
	n = getline(&line, &cap, f) > 0 ? lcr_split(line, cells) : 0;
	for (size_t i = 0; i < n; i++) {
		for (unsigned c = 0; c < LCR_NCOLS; c++) {
			if (strcmp(cells[i], names[c]) == 0) {
				col[c] = (int)i;
			}
		}
	}
	for (unsigned c = 0; c < LCR_NCOLS && ret == 0; c++) {
		if (col[c] < 0) {
			snprintf(err, err_size,
				 "%s: no column '%s' in its header", path,
				 names[c]);
			ret = -ERR_INVAL;
		}
	}
	while (ret == 0 && getline(&line, &cap, f) > 0) {
		uint64_t lat, rep = 0;
		const char *kind;

		n = lcr_split(line, cells);
		if (n == 1 && cells[0][0] == '\0') {
			continue;
		}
		if (n <= (size_t)col[LCR_REP] || n <= (size_t)col[LCR_WARMUP] ||
		    n <= (size_t)col[LCR_LATENCY] ||
		    n <= (size_t)col[LCR_KIND] ||
		    !lcr_u64(cells[col[LCR_LATENCY]], &lat) ||
		    (cells[col[LCR_REP]][0] != '\0' &&
		     !lcr_u64(cells[col[LCR_REP]], &rep))) {
			r->bad_rows++;
			continue;
		}
		/* Warm-ups are left out, as summary.json leaves them out. */
		if (strcmp(cells[col[LCR_WARMUP]], "true") == 0) {
			continue;
		}
		kind = cells[col[LCR_KIND]];
		if (kind_skip != NULL && strcmp(kind, kind_skip) == 0) {
			continue;
		}
		ret = lcr_push(out, lat);
		if (ret == 0 && retry && strcmp(kind, "retry") == 0 &&
		    cells[col[LCR_REP]][0] != '\0') {
			ret = lcr_retry(r, (unsigned)rep);
		}
	}
	if (ret == 0 && ferror(f)) {
		snprintf(err, err_size, "%s: read error", path);
		ret = -ERR_IO;
	}
	free(line);
	fclose(f);
	return ret;
}

int latency_csv_read_faults(const char *path, struct latency_read *r, char *err,
			    size_t err_size)
{
	static const char *const names[LCR_NCOLS] = {"rep", "warmup",
						     "latency_ns", "outcome"};
	int ret =
		lcr_read(path, names, NULL, true, &r->faults, r, err, err_size);

	r->have_faults = ret == 0;
	return ret;
}

int latency_csv_read_guest(const char *path, struct latency_read *r, char *err,
			   size_t err_size)
{
	static const char *const names[LCR_NCOLS] = {"rep", "warmup",
						     "latency_ns", "access"};
	/* The null hvcs are the trap floor, not accesses (docs/results.md). */
	int ret = lcr_read(path, names, "hvc", false, &r->accesses, r, err,
			   err_size);

	r->have_accesses = ret == 0;
	return ret;
}

uint64_t latency_read_retries(const struct latency_read *r, unsigned rep)
{
	for (size_t i = 0; i < r->nreps; i++) {
		if (r->reps[i].rep == rep) {
			return r->reps[i].retries;
		}
	}
	return 0;
}

void latency_read_free(struct latency_read *r)
{
	free(r->faults.v);
	free(r->accesses.v);
	free(r->reps);
	memset(r, 0, sizeof(*r));
}
