/*
 * The gnuplot export of hand-made traces: the histogram's bins and the
 * outcomes stacked in them, the CDF blocks, the per-vCPU and BBM/TLBI
 * time series, the scripts that plot them, an empty trace, a directory
 * that cannot be created, and the helpers that make labels safe.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <faultline/err.h>
#include <faultline/test.h>

#include "../export_gnuplot.h"
#include "../export_gnuplot_internal.h"
#include "export_fixture.h"

/* A fresh temporary directory for one export. */
static bool gpt_tmpdir(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/faultline-gnuplot-test-XXXXXX");
	return mkdtemp(dir) != NULL;
}

static void gpt_rmdir(const char *dir)
{
	char cmd[320];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "could not remove %s\n", dir);
	}
}

/* DIR/@name, NUL-terminated, malloc'd ("" when missing). */
static char *gpt_read(const char *dir, const char *name)
{
	char path[320];
	char *buf = calloc(1, 1 << 20);
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (f == NULL || buf == NULL) {
		if (f != NULL) {
			fclose(f);
		}
		return buf;
	}
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The sum of whitespace column @col (1-based) over the data rows. */
static uint64_t gpt_column_sum(const char *dat, unsigned col)
{
	uint64_t sum = 0;

	for (const char *l = dat; l != NULL && *l != '\0';) {
		const char *p = l;

		if (*l != '#' && *l != '\n') {
			for (unsigned c = 1; c < col; c++) {
				p += strcspn(p, " \n");
				p += *p == ' ';
			}
			sum += strtoull(p, NULL, 10);
		}
		l = strchr(l, '\n');
		l = l != NULL ? l + 1 : NULL;
	}
	return sum;
}

/** Bins of 10 per decade, outcomes side by side and stacked. */
TEST(export_gnuplot, latency_histogram)
{
	struct trace_data td;
	char dir[64], err[256];
	char *dat, *gp;

	xf_init(&td, 2);
	/* 200 ticks = 3.2 us, twice mapped; 2000 ticks = 32 us spurious. */
	xf_fault(&td, 0, 1000, 1200, 0, 1, 0x1000, TRACE_OUTCOME_MAPPED);
	xf_fault(&td, 1, 1100, 3100, 1, 1, 0x1000, TRACE_OUTCOME_SPURIOUS);
	xf_fault(&td, 0, 4000, 4200, 0, 1, 0x2000, TRACE_OUTCOME_MAPPED);
	ASSERT_TRUE(gpt_tmpdir(dir, sizeof(dir)));
	ASSERT_EQ_INT(export_gnuplot(&td, dir, err, sizeof(err)), 0);
	dat = gpt_read(dir, "fault_latency_hist.dat");
	EXPECT_TRUE(strstr(dat, "\n# lo_us hi_us all mapped spurious "
				"cum_mapped cum_spurious\n") != NULL);
	EXPECT_TRUE(strstr(dat, "\n3.150 4.000 2 2 0 2 2\n") != NULL);
	EXPECT_TRUE(strstr(dat, "\n25.000 31.500 0 0 0 0 0\n") != NULL);
	EXPECT_TRUE(strstr(dat, "\n31.500 40.000 1 0 1 0 1\n") != NULL);
	EXPECT_EQ(gpt_column_sum(dat, 3), 3);
	gp = gpt_read(dir, "fault_latency_hist.gp");
	EXPECT_TRUE(strstr(gp, "'fault_latency_hist.dat' using "
			       "(sqrt($1*$2)):(0):1:2:(0):(column(6)) with "
			       "boxxyerror title 'mapped'") != NULL);
	EXPECT_TRUE(strstr(gp, "(column(6)):(column(7)) with boxxyerror "
			       "title 'spurious'") != NULL);
	EXPECT_TRUE(strstr(gp, "set terminal pngcairo") != NULL);
	EXPECT_TRUE(strstr(gp, "set output 'fault_latency_hist.png'") != NULL);
	EXPECT_TRUE(strstr(gp, "set output 'fault_latency_hist.svg'") != NULL);
	free(dat);
	free(gp);
	gpt_rmdir(dir);
	trace_data_free(&td);
}

/** One CDF block per line: all faults, each outcome, the guest's times. */
TEST(export_gnuplot, latency_cdf)
{
	struct trace_data td;
	char dir[64], err[256];
	char *dat, *gp;

	xf_init(&td, 1);
	XF_REC(&td, 500, 0, vcpu_run, 0, 1, 0x10000000);
	xf_fault(&td, 0, 1000, 1200, 0, 1, 0x1000, TRACE_OUTCOME_MAPPED);
	xf_fault(&td, 0, 2000, 2200, 0, 1, 0x2000, TRACE_OUTCOME_MAPPED);
	xf_fault(&td, 0, 3000, 5000, 0, 1, 0x3000, TRACE_OUTCOME_RETRY);
	/* A cut fault has no latency. */
	XF_REC(&td, 6000, 0, s2_fault_enter, 0, 1, 0x4000, 0, 1, 2);
	XF_REC(&td, 7000, 0, guest_access, 0, 1, 0x1000, TRACE_ACCESS_WRITE,
	       990, 1290);
	XF_REC(&td, 7001, 0, guest_access, 0, 2, 0, TRACE_ACCESS_HVC, 300, 400);
	ASSERT_TRUE(gpt_tmpdir(dir, sizeof(dir)));
	ASSERT_EQ_INT(export_gnuplot(&td, dir, err, sizeof(err)), 0);
	dat = gpt_read(dir, "fault_latency_cdf.dat");
	EXPECT_TRUE(strstr(dat, "# all faults: 3 samples\n# latency_us "
				"fraction\n3.200 0.333333\n3.200 0.666667\n"
				"32.000 1.000000\n\n\n") != NULL);
	EXPECT_TRUE(strstr(dat, "# fault retry: 1 samples\n# latency_us "
				"fraction\n32.000 1.000000\n") != NULL);
	EXPECT_TRUE(strstr(dat,
			   "# guest access (guest-timed): 1 samples\n# "
			   "latency_us fraction\n4.800 1.000000\n") != NULL);
	EXPECT_TRUE(strstr(dat,
			   "# guest null hvc (trap floor): 1 samples\n"
			   "# latency_us fraction\n1.600 1.000000\n") != NULL);
	gp = gpt_read(dir, "fault_latency_cdf.gp");
	EXPECT_TRUE(strstr(gp, "index 0 using 1:2 with steps lw 3 title "
			       "'all faults'") != NULL);
	EXPECT_TRUE(strstr(gp, "index 1 using 1:2 with steps lw 1 title "
			       "'fault mapped'") != NULL);
	EXPECT_TRUE(strstr(gp, "index 2 using 1:2 with steps lw 1 title "
			       "'fault retry'") != NULL);
	EXPECT_TRUE(strstr(gp, "index 4 using 1:2 with steps lw 2 title "
			       "'guest null hvc (trap floor)'") != NULL);
	EXPECT_TRUE(strstr(gp, "index 5") == NULL);
	free(dat);
	free(gp);
	gpt_rmdir(dir);
	trace_data_free(&td);
}

/** Faults per vCPU and BBMs/TLBIs per bin, from the first vm_create. */
TEST(export_gnuplot, over_time)
{
	struct trace_data td;
	char dir[64], err[256];
	char *dat, *gp;

	xf_init(&td, 2);
	/* A boot TLBI before the VM is out of range. */
	XF_REC(&td, 10, 0, tlbi, TRACE_TLBI_OP_ALLE2, 0, 0, 0, 0);
	XF_REC(&td, 1000, 0, vm_create, 3, TRACE_POLICY_LEGACY, 40, 2, 0);
	for (uint64_t k = 0; k < 5; k++) {
		xf_fault(&td, 0, 2000 + k * 1000, 2100 + k * 1000, 4, 3,
			 0x1000 * k, TRACE_OUTCOME_MAPPED);
		xf_fault(&td, 1, 2050 + k * 1000, 2060 + k * 1000, 5, 3,
			 0x1000 * k, TRACE_OUTCOME_SPURIOUS);
	}
	xf_fault(&td, 1, 8000, 8100, 5, 3, 0x9000, TRACE_OUTCOME_MAPPED);
	XF_REC(&td, 9000, 0, bbm_break, 0x10, 0x1000, 3, 0x7ff, 3);
	XF_REC(&td, 9010, 0, tlbi, TRACE_TLBI_OP_IPAS2E1, 0x1000, 3, 1, 3);
	XF_REC(&td, 9020, 0, bbm_make, 0x10, 0x1000, 3, 0x7ff, 3);
	XF_REC(&td, 9030, 0, tlbi, TRACE_TLBI_OP_VMALLE1, 0, 0, 1, 3);
	ASSERT_TRUE(gpt_tmpdir(dir, sizeof(dir)));
	ASSERT_EQ_INT(export_gnuplot(&td, dir, err, sizeof(err)), 0);
	dat = gpt_read(dir, "faults_over_time.dat");
	EXPECT_TRUE(strstr(dat, "\n# t_ms vm3.vcpu4 vm3.vcpu5 other\n") !=
		    NULL);
	EXPECT_EQ(gpt_column_sum(dat, 2), 5);
	EXPECT_EQ(gpt_column_sum(dat, 3), 6);
	EXPECT_EQ(gpt_column_sum(dat, 4), 0);
	gp = gpt_read(dir, "faults_over_time.gp");
	EXPECT_TRUE(strstr(gp, "using 1:2 with steps title ' vm3.vcpu4'") !=
		    NULL);
	EXPECT_TRUE(strstr(gp, "using 1:3 with steps title ' vm3.vcpu5'") !=
		    NULL);
	/* No "other" line when every fault has its vCPU. */
	EXPECT_TRUE(strstr(gp, "using 1:4") == NULL);
	free(dat);
	free(gp);
	dat = gpt_read(dir, "bbm_tlbi_over_time.dat");
	EXPECT_TRUE(strstr(dat, "\n# t_ms bbm_breaks tlbis\n") != NULL);
	EXPECT_EQ(gpt_column_sum(dat, 2), 1);
	EXPECT_EQ(gpt_column_sum(dat, 3), 2);
	free(dat);
	gpt_rmdir(dir);
	trace_data_free(&td);
}

/** The most-broken entry's state follows its descriptor writes; faults on its page are drawn under it. */
TEST(export_gnuplot, entry_permission_over_time)
{
	/* Valid page descriptors: S2AP RO (bits 7:6 = 01) and RW (11). */
	const uint64_t ro = 0x40000000 | 0x40 | 0x403, rw = ro | 0x80;
	struct trace_data td;
	char dir[64], err[256];
	char *dat, *gp;

	xf_init(&td, 2);
	XF_REC(&td, 100, 0, vm_create, 1, TRACE_POLICY_LEGACY, 40, 2, 0);
	/* Another entry, written in place often but never broken. */
	for (uint64_t k = 0; k < 5; k++) {
		XF_REC(&td, 200 + k, 0, pte_write, 0x9008, 0x1000, 3, 0, ro, 1);
	}
	XF_REC(&td, 1000, 0, pte_write, 0x9000, 0x0, 3, 0, ro, 1);
	xf_fault(&td, 1, 1100, 1200, 0, 1, 0x10, TRACE_OUTCOME_REMAPPED);
	XF_REC(&td, 1150, 1, bbm_break, 0x9000, 0x0, 3, ro, 1);
	XF_REC(&td, 1160, 1, bbm_make, 0x9000, 0x0, 3, rw, 1);
	XF_REC(&td, 1300, 0, bbm_break, 0x9000, 0x0, 3, rw, 1);
	XF_REC(&td, 1310, 0, bbm_make, 0x9000, 0x0, 3, 0, 1);
	/* A fault of another VM at the same IPA is not this entry's. */
	xf_fault(&td, 0, 1400, 1500, 0, 2, 0x0, TRACE_OUTCOME_MAPPED);
	ASSERT_TRUE(gpt_tmpdir(dir, sizeof(dir)));
	ASSERT_EQ_INT(export_gnuplot(&td, dir, err, sizeof(err)), 0);
	dat = gpt_read(dir, "entry_perm_over_time.dat");
	EXPECT_TRUE(strstr(dat, "# entry 0x9000: IPA 0x0, level 3, VMID 1\n") !=
		    NULL);
	/*
	 * 16 ns per tick from the first record: RO, broken, RW, broken,
	 * unmapped (new 0), which lasts to the end of the trace.
	 */
	EXPECT_TRUE(strstr(dat, "# t_ms state name\n0.014400 3 RO\n"
				"0.016800 1 broken\n0.016960 5 RW\n"
				"0.019200 1 broken\n0.019360 0 invalid\n"
				"0.022400 0 invalid\n\n\n") != NULL);
	/* VM 1's fault only: VM 2's at the same IPA (0.0208 ms) is not. */
	EXPECT_TRUE(
		strstr(dat, "# t_ms y vcpu access\n0.016000 -1 0 write\n") !=
		NULL);
	EXPECT_TRUE(strstr(dat, "0.020800") == NULL);
	gp = gpt_read(dir, "entry_perm_over_time.gp");
	EXPECT_TRUE(strstr(gp, "IPA 0x0 (level 3, VMID 1): 2 breaks, 1 write "
			       "in place") != NULL);
	EXPECT_TRUE(strstr(gp, "index 0 using 1:2 with steps") != NULL);
	EXPECT_TRUE(strstr(gp, "index 1 using 1:2:($3+1) with points") != NULL);
	free(dat);
	free(gp);
	gpt_rmdir(dir);
	trace_data_free(&td);
}

/** Without a break, the entry written in place most often is drawn. */
TEST(export_gnuplot, entry_permission_without_breaks)
{
	const uint64_t ro = 0x40000000 | 0x40 | 0x403, rw = ro | 0x80;
	struct trace_data td;
	char dir[64], err[256];
	char *dat;

	xf_init(&td, 1);
	XF_REC(&td, 100, 0, pte_write, 0x9000, 0x5000, 3, 0, ro, 1);
	XF_REC(&td, 200, 0, pte_write, 0x9000, 0x5000, 3, ro, rw, 1);
	XF_REC(&td, 300, 0, pte_write, 0x9000, 0x5000, 3, rw, ro, 1);
	XF_REC(&td, 400, 0, pte_write, 0x8000, 0x200000, 2, 0, 0x7003, 1);
	ASSERT_TRUE(gpt_tmpdir(dir, sizeof(dir)));
	ASSERT_EQ_INT(export_gnuplot(&td, dir, err, sizeof(err)), 0);
	dat = gpt_read(dir, "entry_perm_over_time.dat");
	EXPECT_TRUE(strstr(dat, "# entry 0x9000: IPA 0x5000") != NULL);
	EXPECT_TRUE(strstr(dat, "0.000000 3 RO\n0.001600 5 RW\n"
				"0.003200 3 RO\n0.004800 3 RO\n\n") != NULL);
	free(dat);
	gpt_rmdir(dir);
	trace_data_free(&td);
}

/** A trace without faults still gets every file, saying so. */
TEST(export_gnuplot, empty_trace)
{
	struct trace_data td;
	char dir[64], err[256], name[64];
	char *gp;

	xf_init(&td, 1);
	ASSERT_TRUE(gpt_tmpdir(dir, sizeof(dir)));
	ASSERT_EQ_INT(export_gnuplot(&td, dir, err, sizeof(err)), 0);
	for (size_t i = 0; export_gnuplot_plots[i] != NULL; i++) {
		char *dat;

		snprintf(name, sizeof(name), "%s.dat", export_gnuplot_plots[i]);
		dat = gpt_read(dir, name);
		EXPECT_TRUE(dat[0] == '#');
		EXPECT_EQ(gpt_column_sum(dat, 1), 0);
		free(dat);
		snprintf(name, sizeof(name), "%s.gp", export_gnuplot_plots[i]);
		gp = gpt_read(dir, name);
		EXPECT_TRUE(strstr(gp, "plot NaN notitle") != NULL);
		free(gp);
	}
	gp = gpt_read(dir, "fault_latency_hist.gp");
	EXPECT_TRUE(strstr(gp, "no completed faults in this trace") != NULL);
	free(gp);
	gpt_rmdir(dir);
	trace_data_free(&td);
}

/** A directory that cannot be made is an error that names it. */
TEST(export_gnuplot, unwritable_directory)
{
	struct trace_data td;
	char dir[64], bad[128], err[256];
	FILE *f;

	xf_init(&td, 1);
	ASSERT_TRUE(gpt_tmpdir(dir, sizeof(dir)));
	snprintf(bad, sizeof(bad), "%s/file", dir);
	f = fopen(bad, "w");
	ASSERT_TRUE(f != NULL);
	fclose(f);
	snprintf(bad, sizeof(bad), "%s/file/plots", dir);
	EXPECT_EQ_INT(export_gnuplot(&td, bad, err, sizeof(err)), -ERR_IO);
	EXPECT_TRUE(strstr(err, bad) != NULL);
	gpt_rmdir(dir);
	trace_data_free(&td);
}

/** Labels stay plain words; durations read in the largest exact unit. */
TEST(export_gnuplot, labels_and_durations)
{
	char buf[40];

	export_gnuplot_label(buf, sizeof(buf), "dirty_logged", 6);
	EXPECT_STREQ(buf, "dirty_logged");
	export_gnuplot_label(buf, sizeof(buf), "a b'c\"\n", 1);
	EXPECT_STREQ(buf, "a_b_c__");
	export_gnuplot_label(buf, sizeof(buf), NULL, 7);
	EXPECT_STREQ(buf, "outcome7");
	EXPECT_STREQ(export_gnuplot_duration(buf, sizeof(buf), 20000000),
		     "20 ms");
	EXPECT_STREQ(export_gnuplot_duration(buf, sizeof(buf), 500000),
		     "500 us");
	EXPECT_STREQ(export_gnuplot_duration(buf, sizeof(buf), 2000000000),
		     "2 s");
	EXPECT_STREQ(export_gnuplot_duration(buf, sizeof(buf), 50), "50 ns");
}
