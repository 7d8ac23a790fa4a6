/*
 * Inside the gnuplot exporter: export_gnuplot.c computes and writes the
 * data files, export_gnuplot_script.c the scripts that plot them. Not for
 * other modules.
 */
#ifndef FAULTLINE_HARNESS_EXPORT_GNUPLOT_INTERNAL_H
#define FAULTLINE_HARNESS_EXPORT_GNUPLOT_INTERNAL_H

#include <stdio.h>

#include "export_model.h"
#include "paths.h"

/** Latencies in nanoseconds, sorted once collected. */
struct export_gnuplot_samples {
	uint64_t *v;
	size_t n;
	size_t cap;
};

/** The faults that ended with one outcome. */
struct export_gnuplot_outcome {
	uint64_t value;
	/** The schema's name, made safe for a column name and a title. */
	char name[40];
	struct export_gnuplot_samples lat;
};

/** One block (one line) of the CDF plot. */
struct export_gnuplot_block {
	char title[64];
	/** Line width: the "all faults" line stands out. */
	unsigned width;
};

/** One export in progress. */
struct export_gnuplot_ctx {
	const struct export_model *m;
	const struct trace_data *td;
	const char *dir;
	char *err;
	size_t err_size;
	/** The file being written, for error messages. */
	char path[PATHS_MAX];
	/** Exited faults: all, and per outcome (sorted by value). */
	struct export_gnuplot_samples all;
	struct export_gnuplot_outcome *outcomes;
	size_t noutcomes;
	/** Guest-timed reads, writes and executes; guest-timed hvcs. */
	struct export_gnuplot_samples access;
	struct export_gnuplot_samples hvc;
	/** The CDF blocks written (room for outcomes + 4). */
	struct export_gnuplot_block *blocks;
	size_t nblocks;
	/** The over-time plots: range, bin width and count (ns). */
	uint64_t t_lo;
	uint64_t t_hi;
	uint64_t width;
	size_t nbins;
	/** Faults in range with no known vCPU (the "other" column). */
	uint64_t nother;
	/** BBM breaks and TLBIs in range. */
	uint64_t nbbm;
	uint64_t ntlbi;
};

/**
 * Opens DIR/@name.@ext for writing; NULL with the error in ctx->err on
 * failure.
 */
FILE *export_gnuplot_open(struct export_gnuplot_ctx *c, const char *name,
			  const char *ext);

/** Closes @f; 0, or -ERR_IO with the error in ctx->err. */
int export_gnuplot_close(struct export_gnuplot_ctx *c, FILE *f);

/** Writes @ns as microseconds with three decimals. */
void export_gnuplot_us(FILE *f, uint64_t ns);

/** Writes @ns as milliseconds with six decimals. */
void export_gnuplot_ms(FILE *f, uint64_t ns);

/**
 * A label safe as a column name and in a gnuplot string into @buf: @name
 * with anything but letters, digits, '_', '.' and '-' replaced by '_',
 * or "outcome<@value>" when @name is NULL.
 */
void export_gnuplot_label(char *buf, size_t size, const char *name,
			  uint64_t value);

/**
 * @ns as a readable duration into @buf ("20 ms", "500 us", "16 ns") in
 * the largest unit that divides it.
 */
const char *export_gnuplot_duration(char *buf, size_t size, uint64_t ns);

/** Writes " vm<VMID>.vcpu<id>" for vCPU @v of the model. */
void export_gnuplot_vcpu_label(const struct export_gnuplot_ctx *c, size_t v,
			       FILE *f);

/**
 * Opens NAME.gp for @name and writes its head: what it is (@title), how
 * to run it, the axis labels. NULL with the error in ctx->err on failure.
 */
FILE *export_gnuplot_begin(struct export_gnuplot_ctx *c, const char *name,
			   const char *title, const char *xlabel,
			   const char *ylabel);

/** Selects the PNG terminal and NAME.png; the plot command follows. */
void export_gnuplot_png(FILE *f, const char *name);

/** Draws the plot again as NAME.svg and closes @f; 0 or -ERR_IO. */
int export_gnuplot_end(struct export_gnuplot_ctx *c, FILE *f, const char *name);

/** Ends @f as a plot that only says @why (no data); 0 or -ERR_IO. */
int export_gnuplot_empty(struct export_gnuplot_ctx *c, FILE *f,
			 const char *name, const char *why);

/**
 * entry_perm_over_time.dat and .gp: the permission of the most-broken
 * stage-2 entry over time (export_gnuplot_perm.c); 0 or a negative error.
 */
int export_gnuplot_perm(struct export_gnuplot_ctx *c);

/** The script of fault_latency_hist.dat; 0 or -ERR_IO. */
int export_gnuplot_script_hist(struct export_gnuplot_ctx *c);

/** The script of fault_latency_cdf.dat (ctx->blocks); 0 or -ERR_IO. */
int export_gnuplot_script_cdf(struct export_gnuplot_ctx *c);

/** The script of faults_over_time.dat; 0 or -ERR_IO. */
int export_gnuplot_script_faults_time(struct export_gnuplot_ctx *c);

/** The script of bbm_tlbi_over_time.dat; 0 or -ERR_IO. */
int export_gnuplot_script_bbm_time(struct export_gnuplot_ctx *c);

#endif /* FAULTLINE_HARNESS_EXPORT_GNUPLOT_INTERNAL_H */
