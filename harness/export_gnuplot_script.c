/*
 * The gnuplot scripts of the gnuplot export (export_gnuplot.h). Each one
 * reads its NAME.dat from the current directory and writes NAME.png and
 * NAME.svg there, so `gnuplot NAME.gp` works from the plots directory
 * (as `faultline plot` runs it). Labels are plain text (noenhanced: an
 * outcome such as dirty_logged must not turn into a subscript), and a
 * plot without data draws a note saying so instead of failing.
 */
#include <ctype.h>
#include <string.h>

#include <faultline/err.h>

#include "export_gnuplot_internal.h"

void export_gnuplot_label(char *buf, size_t size, const char *name,
			  uint64_t value)
{
	size_t n = 0;

	if (name == NULL) {
		snprintf(buf, size, "outcome%llu", (unsigned long long)value);
		return;
	}
	for (; name[n] != '\0' && n + 1 < size; n++) {
		unsigned char ch = (unsigned char)name[n];

		buf[n] = isalnum(ch) || ch == '_' || ch == '.' || ch == '-'
				 ? (char)ch
				 : '_';
	}
	buf[n] = '\0';
}

const char *export_gnuplot_duration(char *buf, size_t size, uint64_t ns)
{
	static const struct {
		uint64_t div;
		const char *unit;
	} units[] = {{1000000000, "s"}, {1000000, "ms"}, {1000, "us"}};

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (ns >= units[i].div && ns % units[i].div == 0) {
			snprintf(buf, size, "%llu %s",
				 (unsigned long long)(ns / units[i].div),
				 units[i].unit);
			return buf;
		}
	}
	snprintf(buf, size, "%llu ns", (unsigned long long)ns);
	return buf;
}

void export_gnuplot_vcpu_label(const struct export_gnuplot_ctx *c, size_t v,
			       FILE *f)
{
	const struct export_model_vcpu *vc = &c->m->vcpus[v];

	if (vc->vmid == EXPORT_MODEL_VMID_UNKNOWN) {
		fprintf(f, " vm?.vcpu%llu", (unsigned long long)vc->vcpu);
	} else {
		fprintf(f, " vm%llu.vcpu%llu", (unsigned long long)vc->vmid,
			(unsigned long long)vc->vcpu);
	}
}

FILE *export_gnuplot_begin(struct export_gnuplot_ctx *c, const char *name,
			   const char *title, const char *xlabel,
			   const char *ylabel)
{
	FILE *f = export_gnuplot_open(c, name, "gp");

	if (f == NULL) {
		return NULL;
	}
	fprintf(f,
		"# faultline: %s.\n"
		"# Run `gnuplot %s.gp` in this directory: it reads %s.dat\n"
		"# and writes %s.png and %s.svg next to it.\n"
		"set datafile commentschars '#'\n"
		"set title '%s' noenhanced\n"
		"set xlabel '%s' noenhanced\n"
		"set ylabel '%s' noenhanced\n"
		"set grid\n"
		"set key noenhanced\n",
		title, name, name, name, name, title, xlabel, ylabel);
	return f;
}

void export_gnuplot_png(FILE *f, const char *name)
{
	fprintf(f,
		"set terminal pngcairo size 1000,600 noenhanced font ',10'\n"
		"set output '%s.png'\n",
		name);
}

int export_gnuplot_end(struct export_gnuplot_ctx *c, FILE *f, const char *name)
{
	fprintf(f,
		"set terminal svg size 1000,600 noenhanced font ',10'\n"
		"set output '%s.svg'\n"
		"replot\n"
		"unset output\n",
		name);
	return export_gnuplot_close(c, f);
}

int export_gnuplot_empty(struct export_gnuplot_ctx *c, FILE *f,
			 const char *name, const char *why)
{
	fprintf(f,
		"set label 1 '%s' at graph 0.5, graph 0.5 center noenhanced\n"
		"unset key\n"
		"set xrange [0:1]\n"
		"set yrange [0:1]\n",
		why);
	export_gnuplot_png(f, name);
	fputs("plot NaN notitle\n", f);
	return export_gnuplot_end(c, f, name);
}

int export_gnuplot_script_hist(struct export_gnuplot_ctx *c)
{
	static const char *const name = "fault_latency_hist";
	size_t k = c->noutcomes;
	FILE *f = export_gnuplot_begin(
		c, name,
		"Stage-2 fault latency, EL2 entry to exit, by "
		"outcome",
		"latency (us, log scale)", "faults per bin");

	if (f == NULL) {
		return -ERR_IO;
	}
	if (c->all.n == 0) {
		return export_gnuplot_empty(
			c, f, name, "no completed faults in this trace");
	}
	fputs("set logscale x\n"
	      "set yrange [0:*]\n"
	      "set style fill solid 0.75 border -1\n"
	      "set key top right\n",
	      f);
	export_gnuplot_png(f, name);
	/*
	 * Stacked: outcome o spans columns cum_(o-1) to cum_o of each bin
	 * (columns 4+k+o-1 and 4+k+o), the bin's edges exactly.
	 */
	fputs("plot", f);
	for (size_t o = 0; o < k; o++) {
		char low[24] = "0";

		if (o > 0) {
			snprintf(low, sizeof(low), "column(%zu)", 3 + k + o);
		}
		fprintf(f,
			"%s '%s.dat' using (sqrt($1*$2)):(0):1:2:(%s):"
			"(column(%zu)) with boxxyerror title '%s'",
			o == 0 ? "" : ", \\\n    ", name, low, 4 + k + o,
			c->outcomes[o].name);
	}
	fputc('\n', f);
	return export_gnuplot_end(c, f, name);
}

int export_gnuplot_script_cdf(struct export_gnuplot_ctx *c)
{
	static const char *const name = "fault_latency_cdf";
	FILE *f = export_gnuplot_begin(
		c, name,
		"Latency CDF: stage-2 faults (EL2) and guest-timed "
		"accesses",
		"latency (us, log scale)", "fraction at or below");

	if (f == NULL) {
		return -ERR_IO;
	}
	if (c->nblocks == 0) {
		return export_gnuplot_empty(c, f, name,
					    "no latencies in this trace");
	}
	fputs("set logscale x\n"
	      "set yrange [0:1]\n"
	      "set key bottom right\n",
	      f);
	export_gnuplot_png(f, name);
	fputs("plot", f);
	for (size_t b = 0; b < c->nblocks; b++) {
		fprintf(f,
			"%s '%s.dat' index %zu using 1:2 with steps lw %u "
			"title '%s'",
			b == 0 ? "" : ", \\\n    ", name, b, c->blocks[b].width,
			c->blocks[b].title);
	}
	fputc('\n', f);
	return export_gnuplot_end(c, f, name);
}

int export_gnuplot_script_faults_time(struct export_gnuplot_ctx *c)
{
	static const char *const name = "faults_over_time";
	const struct export_model *m = c->m;
	char ylabel[64], w[32];
	FILE *f;
	size_t n = 0;

	snprintf(ylabel, sizeof(ylabel), "faults per %s",
		 export_gnuplot_duration(w, sizeof(w), c->width));
	f = export_gnuplot_begin(c, name, "Stage-2 faults over time, per vCPU",
				 "time since the trace started (ms)", ylabel);
	if (f == NULL) {
		return -ERR_IO;
	}
	if (m->nfaults == 0) {
		return export_gnuplot_empty(c, f, name,
					    "no faults in this trace");
	}
	fputs("set yrange [0:*]\nset key top right\n", f);
	export_gnuplot_png(f, name);
	fputs("plot", f);
	for (size_t v = 0; v <= m->nvcpus; v++) {
		if (v == m->nvcpus && c->nother == 0) {
			break;
		}
		fprintf(f, "%s '%s.dat' using 1:%zu with steps title '",
			n++ == 0 ? "" : ", \\\n    ", name, v + 2);
		if (v < m->nvcpus) {
			export_gnuplot_vcpu_label(c, v, f);
		} else {
			fputs(" other", f);
		}
		fputc('\'', f);
	}
	fputc('\n', f);
	return export_gnuplot_end(c, f, name);
}

int export_gnuplot_script_bbm_time(struct export_gnuplot_ctx *c)
{
	static const char *const name = "bbm_tlbi_over_time";
	char ylabel[64], w[32];
	FILE *f;

	snprintf(ylabel, sizeof(ylabel), "per %s",
		 export_gnuplot_duration(w, sizeof(w), c->width));
	f = export_gnuplot_begin(
		c, name, "Break-before-make and TLB invalidations over time",
		"time since the trace started (ms)", ylabel);
	if (f == NULL) {
		return -ERR_IO;
	}
	if (c->nbbm + c->ntlbi == 0) {
		return export_gnuplot_empty(
			c, f, name,
			"no BBM or TLBI after the first VM was created");
	}
	fputs("set yrange [0:*]\nset key top right\n", f);
	export_gnuplot_png(f, name);
	fprintf(f,
		"plot '%s.dat' using 1:2 with steps lw 2 title 'BBM breaks', "
		"\\\n    '%s.dat' using 1:3 with steps title 'TLBIs'\n",
		name, name);
	return export_gnuplot_end(c, f, name);
}
