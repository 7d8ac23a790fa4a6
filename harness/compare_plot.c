/* The latency CDFs of a compared scenario (compare_plot.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>

#include "compare_plot.h"
#include "export_gnuplot.h"
#include "paths.h"
#include "plot_cmd.h"

/* The lines: which samples, drawn how. */
enum cp_line {
	CP_FAULT_A,
	CP_FAULT_B,
	CP_ACCESS_A,
	CP_ACCESS_B,
	CP_NLINES
};

/* Pooled, sorted latencies of one line. */
struct cp_pool {
	uint64_t *v;
	size_t n;
};

static int cp_order(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a;
	uint64_t y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The fault (@access false) or access samples of @n runs, sorted. */
static int cp_pool(const struct run_figures *const *runs, size_t n, bool access,
		   struct cp_pool *out)
{
	size_t total = 0;

	out->n = 0;
	for (size_t r = 0; r < n; r++) {
		total += access ? runs[r]->samples.accesses.n
				: runs[r]->samples.faults.n;
	}
	out->v = malloc((total > 0 ? total : 1) * sizeof(*out->v));
	if (out->v == NULL) {
		return -ERR_NOMEM;
	}
	for (size_t r = 0; r < n; r++) {
		const struct latency_samples *s =
			access ? &runs[r]->samples.accesses
			       : &runs[r]->samples.faults;

		if (s->n > 0) {
			memcpy(out->v + out->n, s->v, s->n * sizeof(*s->v));
			out->n += s->n;
		}
	}
	qsort(out->v, out->n, sizeof(*out->v), cp_order);
	return 0;
}

/* @in with its single quotes replaced, for a gnuplot string. */
static void cp_label(char *out, size_t size, const char *in)
{
	size_t n = 0;

	for (; in[n] != '\0' && n + 1 < size; n++) {
		out[n] = in[n] == '\'' ? '"' : in[n];
	}
	out[n] = '\0';
}

/* NAME.dat: one block per non-empty line; their titles into @titles. */
static int cp_data(const struct compare_plot *p, const char *path,
		   const struct cp_pool *pools, char titles[CP_NLINES][200],
		   bool *shown)
{
	static const char *const what[CP_NLINES] = {
		"fault (EL2)", "fault (EL2)", "access (guest)",
		"access (guest)"};
	FILE *f = fopen(path, "w");
	char label[160];

	if (f == NULL) {
		return -ERR_IO;
	}
	fprintf(f,
		"# faultline compare: latency CDFs of %s, one block per "
		"line of the plot\n# (gnuplot `index`): the non-empty ones "
		"of fault A, fault B, access A,\n# access B\n\n",
		p->scenario);
	for (unsigned l = 0; l < CP_NLINES; l++) {
		shown[l] = pools[l].n > 0;
		cp_label(label, sizeof(label), p->label[l % 2]);
		snprintf(titles[l], sizeof(titles[l]), "%s %s: %s",
			 l % 2 == 0 ? "A" : "B", what[l], label);
		if (shown[l]) {
			export_gnuplot_cdf_block(f, titles[l], pools[l].v,
						 pools[l].n);
		}
	}
	return fclose(f) == 0 ? 0 : -ERR_IO;
}

/* NAME.gp: the lines of the blocks written, or a note when none is. */
static int cp_script(const struct compare_plot *p, const char *path,
		     char titles[CP_NLINES][200], const bool *shown)
{
	FILE *f = fopen(path, "w");
	unsigned block = 0;
	bool any = false;
	char scn[128];

	if (f == NULL) {
		return -ERR_IO;
	}
	cp_label(scn, sizeof(scn), p->scenario);
	fprintf(f,
		"# faultline compare: the latency CDFs of %s, A against B.\n"
		"# Run `gnuplot %s.gp` in this directory: it reads %s.dat\n"
		"# and writes %s.png and %s.svg next to it.\n"
		"set datafile commentschars '#'\n"
		"set title '%s: latency CDFs, A against B' noenhanced\n"
		"set xlabel 'latency (us, log scale)' noenhanced\n"
		"set ylabel 'fraction at or below' noenhanced\n"
		"set grid\nset key noenhanced bottom right\n"
		"set logscale x\nset yrange [0:1]\n"
		"set terminal pngcairo size 1000,600 noenhanced font ',10'\n"
		"set output '%s.png'\n",
		scn, p->name, p->name, p->name, p->name, scn, p->name);
	for (unsigned l = 0; l < CP_NLINES; l++) {
		any |= shown[l];
	}
	if (!any) {
		fputs("set label 1 'no latencies on either side' at graph 0.5, "
		      "graph 0.5 center noenhanced\n"
		      "unset key\nunset logscale x\nset xrange [0:1]\n"
		      "plot NaN notitle\n",
		      f);
	} else {
		fputs("plot", f);
	}
	for (unsigned l = 0; any && l < CP_NLINES; l++) {
		if (!shown[l]) {
			continue;
		}
		/* A blue, B red; faults full, accesses dashed. */
		fprintf(f,
			"%s '%s.dat' index %u using 1:2 with steps lw 2 "
			"lc rgb '%s' dt %u title '%s'",
			block == 0 ? "" : ", \\\n    ", p->name, block,
			l % 2 == 0 ? "#1f4e9e" : "#c0392b", l < 2 ? 1u : 2u,
			titles[l]);
		block++;
	}
	fprintf(f,
		"\nset terminal svg size 1000,600 noenhanced font ',10'\n"
		"set output '%s.svg'\nreplot\nunset output\n",
		p->name);
	return fclose(f) == 0 ? 0 : -ERR_IO;
}

int compare_plot_draw(const struct compare_plot *p, char *note, size_t size)
{
	struct cp_pool pools[CP_NLINES] = {{NULL, 0}};
	char titles[CP_NLINES][200];
	char path[PATHS_MAX], file[160];
	bool shown[CP_NLINES];
	int ret = 0;

	for (unsigned l = 0; ret == 0 && l < CP_NLINES; l++) {
		ret = cp_pool(p->runs[l % 2], p->nruns[l % 2], l >= 2,
			      &pools[l]);
	}
	if (ret != 0) {
		snprintf(note, size, "out of memory");
	} else if (paths_mkdir_p(p->dir) != 0) {
		snprintf(note, size, "cannot make %s: %s", p->dir,
			 strerror(errno));
		ret = -ERR_IO;
	} else {
		snprintf(file, sizeof(file), "%s.dat", p->name);
		ret = paths_join(p->dir, file, path, sizeof(path));
		ret = ret != 0 ? ret : cp_data(p, path, pools, titles, shown);
		snprintf(file, sizeof(file), "%s.gp", p->name);
		ret = ret != 0 ? ret
			       : paths_join(p->dir, file, path, sizeof(path));
		ret = ret != 0 ? ret : cp_script(p, path, titles, shown);
		if (ret != 0) {
			snprintf(note, size, "cannot write %s: %s", path,
				 strerror(errno));
		}
	}
	for (unsigned l = 0; l < CP_NLINES; l++) {
		free(pools[l].v);
	}
	if (ret != 0) {
		return ret;
	}
	if (!paths_find_program("gnuplot", NULL, 0)) {
		snprintf(note, size,
			 "gnuplot is not installed (make deps); "
			 "the data and script are written");
		return -ERR_NOENT;
	}
	ret = plot_cmd_gnuplot(p->dir, p->name, PLOT_CMD_TIMEOUT_S);
	if (ret != 0) {
		snprintf(note, size, "gnuplot failed on %s.gp (said above)",
			 p->name);
	}
	return ret;
}
