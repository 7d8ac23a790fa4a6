/*
 * gnuplot export (export_gnuplot.h). Latencies come from the faults that
 * export_model paired (exited ones only: a fault cut by lost events or
 * still open at the end has no latency) and from the guest's own timing
 * (guest_access). Everything is integer arithmetic, written with fixed
 * decimals, so the files are the same on every machine.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>
#include <faultline/time.h>

#include "export_gnuplot.h"
#include "export_gnuplot_internal.h"
#include "export_model.h"
#include "paths.h"

const char *const export_gnuplot_plots[] = {
	"fault_latency_hist", "fault_latency_cdf",    "faults_over_time",
	"bbm_tlbi_over_time", "entry_perm_over_time", NULL,
};

/* Most points a CDF block gets (the slowest samples are all kept). */
#define GP_CDF_POINTS 4000
/* The slowest samples always written one by one: the tail matters. */
#define GP_CDF_TAIL 200
/* Time bins of the over-time plots, at most. */
#define GP_TIME_BINS 200
/* Histogram bin edges: 10 per decade from 1 ns to 10^13 ns. */
#define GP_EDGES 131

/* The Renard R10 series, x100: bin edges that read well on a log axis. */
static const uint64_t gp_r10[10] = {100, 125, 160, 200, 250,
				    315, 400, 500, 630, 800};

static uint64_t gp_edge(unsigned k)
{
	uint64_t e = gp_r10[k % 10];

	for (unsigned d = 0; d < k / 10; d++) {
		e *= 10;
	}
	return e / 100;
}

/* The histogram bin of @ns: the largest k with gp_edge(k) <= @ns. */
static unsigned gp_bin(uint64_t ns)
{
	unsigned lo = 0, hi = GP_EDGES - 1;

	while (lo < hi) {
		unsigned mid = (lo + hi + 1) / 2;

		if (gp_edge(mid) <= ns) {
			lo = mid;
		} else {
			hi = mid - 1;
		}
	}
	return lo;
}

static int gp_cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int gp_fail(struct export_gnuplot_ctx *c, int ret, const char *what)
{
	if (c->err_size > 0 && c->err[0] == '\0') {
		snprintf(c->err, c->err_size, "%s: %s", what,
			 ret == -ERR_NOMEM ? "out of memory" : strerror(errno));
	}
	return ret;
}

FILE *export_gnuplot_open(struct export_gnuplot_ctx *c, const char *name,
			  const char *ext)
{
	char file[128];
	FILE *f;

	snprintf(file, sizeof(file), "%s.%s", name, ext);
	if (paths_join(c->dir, file, c->path, sizeof(c->path)) != 0) {
		errno = ENAMETOOLONG;
		gp_fail(c, -ERR_IO, c->dir);
		return NULL;
	}
	f = fopen(c->path, "w");
	if (f == NULL) {
		gp_fail(c, -ERR_IO, c->path);
	}
	return f;
}

int export_gnuplot_close(struct export_gnuplot_ctx *c, FILE *f)
{
	bool bad = ferror(f) != 0;

	if (fclose(f) != 0 || bad) {
		return gp_fail(c, -ERR_IO, c->path);
	}
	return 0;
}

/* Nanoseconds as microseconds with three decimals. */
void export_gnuplot_us(FILE *f, uint64_t ns)
{
	fprintf(f, "%llu.%03u", (unsigned long long)(ns / 1000),
		(unsigned)(ns % 1000));
}

/* Nanoseconds as milliseconds with six decimals. */
void export_gnuplot_ms(FILE *f, uint64_t ns)
{
	fprintf(f, "%llu.%06u", (unsigned long long)(ns / 1000000),
		(unsigned)(ns % 1000000));
}

/* The outcome slot of @value, added when new (NULL: out of memory). */
static struct export_gnuplot_outcome *gp_outcome(struct export_gnuplot_ctx *c,
						 uint64_t value,
						 const char *name)
{
	void *np;

	for (size_t i = 0; i < c->noutcomes; i++) {
		if (c->outcomes[i].value == value) {
			return &c->outcomes[i];
		}
	}
	np = realloc(c->outcomes, (c->noutcomes + 1) * sizeof(*c->outcomes));
	if (np == NULL) {
		return NULL;
	}
	c->outcomes = np;
	memset(&c->outcomes[c->noutcomes], 0, sizeof(*c->outcomes));
	c->outcomes[c->noutcomes].value = value;
	export_gnuplot_label(c->outcomes[c->noutcomes].name,
			     sizeof(c->outcomes[c->noutcomes].name), name,
			     value);
	return &c->outcomes[c->noutcomes++];
}

static int gp_samples_add(struct export_gnuplot_samples *s, uint64_t v)
{
	if (s->n == s->cap) {
		size_t want = s->cap > 0 ? s->cap * 2 : 256;
		void *np = realloc(s->v, want * sizeof(*s->v));

		if (np == NULL) {
			return -ERR_NOMEM;
		}
		s->v = np;
		s->cap = want;
	}
	s->v[s->n++] = v;
	return 0;
}

static void gp_sort(struct export_gnuplot_samples *s)
{
	if (s->n > 0) {
		qsort(s->v, s->n, sizeof(*s->v), gp_cmp_u64);
	}
}

static int gp_cmp_outcome(const void *a, const void *b)
{
	const struct export_gnuplot_outcome *x = a, *y = b;

	return x->value < y->value ? -1 : x->value > y->value;
}

/* The latencies: every exited fault per outcome, the guest's timings. */
static int gp_collect(struct export_gnuplot_ctx *c)
{
	const struct export_model *m = c->m;
	int ret = 0;

	for (size_t i = 0; i < m->nfaults && ret == 0; i++) {
		const struct export_model_fault *f = &m->faults[i];
		const struct trace_record *x;
		struct export_gnuplot_outcome *o;
		uint64_t out;

		if (f->how != EXPORT_END_EXITED) {
			continue;
		}
		x = &c->td->records[f->exit];
		export_model_get(m, x, EXPORT_F_OUTCOME, &out);
		o = gp_outcome(c, out,
			       export_model_enum(m, x, EXPORT_F_OUTCOME));
		if (o == NULL) {
			return -ERR_NOMEM;
		}
		ret = gp_samples_add(&o->lat, f->end_ns - f->start_ns);
		if (ret == 0) {
			ret = gp_samples_add(&c->all, f->end_ns - f->start_ns);
		}
	}
	/* By value, as the schema orders them (mapped, remapped, ...). */
	if (c->noutcomes > 0) {
		qsort(c->outcomes, c->noutcomes, sizeof(*c->outcomes),
		      gp_cmp_outcome);
	}
	for (size_t i = 0; i < c->td->nrecords && ret == 0; i++) {
		const struct trace_record *r = &c->td->records[i];
		const char *acc;
		uint64_t t0, t1;

		if (export_model_ev(m, r) != EXPORT_EV_GUEST_ACCESS) {
			continue;
		}
		export_model_get(m, r, EXPORT_F_T_START, &t0);
		export_model_get(m, r, EXPORT_F_T_END, &t1);
		if (t1 < t0) {
			continue;
		}
		acc = export_model_enum(m, r, EXPORT_F_ACCESS);
		ret = gp_samples_add(
			acc != NULL && strcmp(acc, "hvc") == 0 ? &c->hvc
							       : &c->access,
			time_ticks_to_ns(t1 - t0, c->td->counter_freq));
	}
	gp_sort(&c->all);
	gp_sort(&c->access);
	gp_sort(&c->hvc);
	for (size_t i = 0; i < c->noutcomes; i++) {
		gp_sort(&c->outcomes[i].lat);
	}
	return ret;
}

static int gp_histogram(struct export_gnuplot_ctx *c)
{
	uint64_t(*counts)[GP_EDGES];
	unsigned lo = GP_EDGES, hi = 0;
	FILE *f;
	int ret;

	counts = calloc(c->noutcomes + 1, sizeof(*counts));
	if (counts == NULL) {
		return gp_fail(c, -ERR_NOMEM, "fault_latency_hist");
	}
	for (size_t o = 0; o < c->noutcomes; o++) {
		const struct export_gnuplot_samples *s = &c->outcomes[o].lat;

		for (size_t i = 0; i < s->n; i++) {
			unsigned b = gp_bin(s->v[i]);

			counts[o][b]++;
			counts[c->noutcomes][b]++;
			lo = MIN(lo, b);
			hi = MAX(hi, b);
		}
	}
	f = export_gnuplot_open(c, "fault_latency_hist", "dat");
	if (f == NULL) {
		free(counts);
		return -ERR_IO;
	}
	fprintf(f,
		"# faultline: stage-2 faults per latency bin (EL2 entry to "
		"exit), %zu faults\n"
		"# bins: 10 per decade, [lo_us, hi_us); cum_* are running "
		"sums over the outcomes, for stacking\n"
		"# run 0 (a comparison puts each run in a block of its own)\n"
		"# lo_us hi_us all",
		c->all.n);
	for (size_t o = 0; o < c->noutcomes; o++) {
		fprintf(f, " %s", c->outcomes[o].name);
	}
	for (size_t o = 0; o < c->noutcomes; o++) {
		fprintf(f, " cum_%s", c->outcomes[o].name);
	}
	fputc('\n', f);
	for (unsigned b = lo; c->all.n > 0 && b <= hi; b++) {
		uint64_t cum = 0;

		export_gnuplot_us(f, gp_edge(b));
		fputc(' ', f);
		export_gnuplot_us(f, gp_edge(b + 1));
		fprintf(f, " %llu",
			(unsigned long long)counts[c->noutcomes][b]);
		for (size_t o = 0; o < c->noutcomes; o++) {
			fprintf(f, " %llu", (unsigned long long)counts[o][b]);
		}
		for (size_t o = 0; o < c->noutcomes; o++) {
			cum += counts[o][b];
			fprintf(f, " %llu", (unsigned long long)cum);
		}
		fputc('\n', f);
	}
	free(counts);
	ret = export_gnuplot_close(c, f);
	return ret != 0 ? ret : export_gnuplot_script_hist(c);
}

void export_gnuplot_cdf_block(FILE *f, const char *title, const uint64_t *v,
			      size_t n)
{
	size_t step = n > GP_CDF_POINTS ? n / GP_CDF_POINTS : 1;

	fprintf(f, "# run 0\n# %s: %zu samples\n# latency_us fraction\n", title,
		n);
	for (size_t i = 0; i < n; i++) {
		if (i % step != 0 && i + GP_CDF_TAIL < n && i + 1 < n) {
			continue;
		}
		/* Zero cannot sit on a log axis: 1 ns stands for it. */
		export_gnuplot_us(f, v[i] > 0 ? v[i] : 1);
		fprintf(f, " %.6f\n", (double)(i + 1) / (double)n);
	}
	fputs("\n\n", f);
}

/* One CDF block of @s. */
static void gp_cdf_block(FILE *f, const char *title,
			 const struct export_gnuplot_samples *s)
{
	export_gnuplot_cdf_block(f, title, s->v, s->n);
}

static int gp_cdf(struct export_gnuplot_ctx *c)
{
	FILE *f = export_gnuplot_open(c, "fault_latency_cdf", "dat");
	char title[64];
	int ret;

	if (f == NULL) {
		return -ERR_IO;
	}
	fprintf(f, "# faultline: cumulative latency distributions, one "
		   "block per line of the plot\n"
		   "# (gnuplot `index`), in this order: the non-empty ones "
		   "of all faults, each outcome,\n"
		   "# guest accesses, guest null hvc\n\n");
	c->nblocks = 0;
	if (c->all.n > 0) {
		gp_cdf_block(f, "all faults", &c->all);
		c->blocks[c->nblocks++] =
			(struct export_gnuplot_block){"all faults", 3};
	}
	for (size_t o = 0; o < c->noutcomes; o++) {
		snprintf(title, sizeof(title), "fault %s", c->outcomes[o].name);
		gp_cdf_block(f, title, &c->outcomes[o].lat);
		c->blocks[c->nblocks] = (struct export_gnuplot_block){"", 1};
		snprintf(c->blocks[c->nblocks].title,
			 sizeof(c->blocks[c->nblocks].title), "%s", title);
		c->nblocks++;
	}
	if (c->access.n > 0) {
		gp_cdf_block(f, "guest access (guest-timed)", &c->access);
		c->blocks[c->nblocks++] = (struct export_gnuplot_block){
			"guest access (guest-timed)", 2};
	}
	if (c->hvc.n > 0) {
		gp_cdf_block(f, "guest null hvc (trap floor)", &c->hvc);
		c->blocks[c->nblocks++] = (struct export_gnuplot_block){
			"guest null hvc (trap floor)", 2};
	}
	ret = export_gnuplot_close(c, f);
	return ret != 0 ? ret : export_gnuplot_script_cdf(c);
}

/* A bin width of 1, 2 or 5 times a power of ten, >= @span / GP_TIME_BINS. */
static uint64_t gp_bin_width(uint64_t span)
{
	uint64_t w = 1;

	for (;;) {
		for (unsigned k = 0; k < 3; k++) {
			uint64_t v = w * (k == 0 ? 1 : k == 1 ? 2 : 5);

			if (v * GP_TIME_BINS >= span) {
				return v;
			}
		}
		w *= 10;
	}
}

/*
 * The time range of the over-time plots: from the first vm_create (the
 * boot before it is not what these plots are about) or the first record,
 * to the last fault, BBM or TLBI.
 */
static void gp_time_range(struct export_gnuplot_ctx *c)
{
	const struct trace_data *td = c->td;
	bool have_lo = false;

	c->t_lo = 0;
	c->t_hi = 0;
	for (size_t i = 0; i < td->nrecords; i++) {
		const struct trace_record *r = &td->records[i];
		enum export_model_ev e = export_model_ev(c->m, r);

		if (!have_lo && e == EXPORT_EV_VM_CREATE) {
			c->t_lo = trace_data_rel_ns(td, r->ts);
			have_lo = true;
		}
		if (e == EXPORT_EV_FAULT_ENTER || e == EXPORT_EV_BBM_BREAK ||
		    e == EXPORT_EV_TLBI) {
			c->t_hi = trace_data_rel_ns(td, r->ts);
		}
	}
	if (c->t_hi < c->t_lo) {
		c->t_hi = c->t_lo;
	}
	c->width = gp_bin_width(c->t_hi - c->t_lo + 1);
	c->nbins = (size_t)((c->t_hi - c->t_lo) / c->width) + 1;
}

static int gp_faults_time(struct export_gnuplot_ctx *c)
{
	const struct export_model *m = c->m;
	size_t ncols = m->nvcpus + 1;
	uint64_t *n = calloc(c->nbins * ncols, sizeof(*n));
	char w[32];
	FILE *f;
	int ret;

	if (n == NULL) {
		return gp_fail(c, -ERR_NOMEM, "faults_over_time");
	}
	for (size_t i = 0; i < m->nfaults; i++) {
		const struct export_model_fault *x = &m->faults[i];
		size_t col = x->vcpu != EXPORT_MODEL_NONE ? x->vcpu : m->nvcpus;

		if (x->start_ns >= c->t_lo && x->start_ns <= c->t_hi) {
			n[(x->start_ns - c->t_lo) / c->width * ncols + col]++;
			c->nother += col == m->nvcpus;
		}
	}
	f = export_gnuplot_open(c, "faults_over_time", "dat");
	if (f == NULL) {
		free(n);
		return -ERR_IO;
	}
	fprintf(f,
		"# faultline: stage-2 faults entered per bin of %s, per vCPU "
		"(vm<VMID>.vcpu<id>;\n# other: a vCPU the trace does not "
		"name); t_ms is the bin's start since the trace started\n"
		"# t_ms",
		export_gnuplot_duration(w, sizeof(w), c->width));
	for (size_t v = 0; v < m->nvcpus; v++) {
		export_gnuplot_vcpu_label(c, v, f);
	}
	fputs(" other\n", f);
	for (size_t b = 0; m->nfaults > 0 && b < c->nbins; b++) {
		export_gnuplot_ms(f, c->t_lo + b * c->width);
		for (size_t col = 0; col < ncols; col++) {
			fprintf(f, " %llu",
				(unsigned long long)n[b * ncols + col]);
		}
		fputc('\n', f);
	}
	free(n);
	ret = export_gnuplot_close(c, f);
	return ret != 0 ? ret : export_gnuplot_script_faults_time(c);
}

static int gp_bbm_time(struct export_gnuplot_ctx *c)
{
	uint64_t *n = calloc(c->nbins * 2, sizeof(*n));
	char w[32];
	FILE *f;
	int ret;

	if (n == NULL) {
		return gp_fail(c, -ERR_NOMEM, "bbm_tlbi_over_time");
	}
	c->nbbm = c->ntlbi = 0;
	for (size_t i = 0; i < c->td->nrecords; i++) {
		const struct trace_record *r = &c->td->records[i];
		enum export_model_ev e = export_model_ev(c->m, r);
		uint64_t ns = trace_data_rel_ns(c->td, r->ts);

		if ((e != EXPORT_EV_BBM_BREAK && e != EXPORT_EV_TLBI) ||
		    ns < c->t_lo || ns > c->t_hi) {
			continue;
		}
		n[(ns - c->t_lo) / c->width * 2 + (e == EXPORT_EV_TLBI)]++;
		*(e == EXPORT_EV_TLBI ? &c->ntlbi : &c->nbbm) += 1;
	}
	f = export_gnuplot_open(c, "bbm_tlbi_over_time", "dat");
	if (f == NULL) {
		free(n);
		return -ERR_IO;
	}
	fprintf(f,
		"# faultline: break-before-make breaks and TLB invalidations "
		"per bin of %s;\n# t_ms is the bin's start since the trace "
		"started\n# t_ms bbm_breaks tlbis\n",
		export_gnuplot_duration(w, sizeof(w), c->width));
	for (size_t b = 0; c->nbbm + c->ntlbi > 0 && b < c->nbins; b++) {
		export_gnuplot_ms(f, c->t_lo + b * c->width);
		fprintf(f, " %llu %llu\n", (unsigned long long)n[b * 2],
			(unsigned long long)n[b * 2 + 1]);
	}
	free(n);
	ret = export_gnuplot_close(c, f);
	return ret != 0 ? ret : export_gnuplot_script_bbm_time(c);
}

int export_gnuplot(const struct trace_data *td, const char *dir, char *err,
		   size_t err_size)
{
	struct export_model m;
	struct export_gnuplot_ctx c = {
		.td = td, .dir = dir, .err = err, .err_size = err_size};
	int ret;

	if (err_size > 0) {
		err[0] = '\0';
	}
	ret = export_model_build(td, &m);
	c.m = &m;
	if (ret != 0) {
		gp_fail(&c, ret, "reading the trace");
	} else if (paths_mkdir_p(dir) != 0) {
		ret = gp_fail(&c, -ERR_IO, dir);
	} else if ((ret = gp_collect(&c)) != 0) {
		gp_fail(&c, ret, "collecting the latencies");
	}
	c.blocks = calloc(c.noutcomes + 4, sizeof(*c.blocks));
	if (ret == 0 && c.blocks == NULL) {
		ret = gp_fail(&c, -ERR_NOMEM, "fault_latency_cdf");
	}
	if (ret == 0) {
		gp_time_range(&c);
		ret = gp_histogram(&c);
	}
	if (ret == 0) {
		ret = gp_cdf(&c);
	}
	if (ret == 0) {
		ret = gp_faults_time(&c);
	}
	if (ret == 0) {
		ret = gp_bbm_time(&c);
	}
	if (ret == 0) {
		ret = export_gnuplot_perm(&c);
	}
	for (size_t i = 0; i < c.noutcomes; i++) {
		free(c.outcomes[i].lat.v);
	}
	free(c.outcomes);
	free(c.blocks);
	free(c.all.v);
	free(c.access.v);
	free(c.hvc.v);
	export_model_free(&m);
	return ret;
}
