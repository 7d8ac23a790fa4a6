/*
 * `faultline check`: trace files written by the portable writer (host
 * rings, as the hypervisor writes them), checked from the command line:
 * exit statuses, a run directory's check.txt, and a file cut short.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <faultline/test.h>
#include <faultline/trace/ring.h>
#include <faultline/trace/writer.h>

#include "../check_cmd.h"
#include "host_arch.h"

#define CC_ROOT UINT64_C(0x42990000)
#define CC_PAGE (UINT64_C(0x42e00000) | 0x7ff)

/*
 * Writes @n faults' worth of map records at @path: each page written under
 * the read side of VMID 1's lock, unless @bad, which leaves the lock out.
 */
static bool cc_write(const char *path, unsigned n, bool bad)
{
	struct trace_writer w;
	uint64_t t = 1000;

	trace_rings_reset();
	host_set_cpu_index(0);
	trace_sysreg_write_at(t++, TRACE_SYSREG_VTTBR_EL2,
			      CC_ROOT | UINT64_C(1) << 48);
	trace_isb_at(t++, TRACE_ISB_SITE_SYSREG);
	for (unsigned i = 0; i < n; i++) {
		uint64_t ipa = UINT64_C(0x80000000) + i * 0x1000;

		if (!bad) {
			trace_lock_at(t++, CC_ROOT, TRACE_LOCK_SIDE_READ, 1, 0);
		}
		trace_pte_write_at(t++, 0x42898000 + i * 8, ipa, 3, 0,
				   CC_PAGE + i * 0x1000, 1);
		trace_dsb_at(t++, TRACE_SHARE_ISHST);
		if (!bad) {
			trace_unlock_at(t++, CC_ROOT, TRACE_LOCK_SIDE_READ, 1);
		}
	}
	return trace_writer_open(&w, path, 1, 62500000, NULL, 0) == 0 &&
	       trace_writer_drain(&w) == 0 && trace_writer_close(&w) == 0;
}

/* Runs `faultline check ARGS...`; its exit status. */
static int cc_run(const char *a1, const char *a2, const char *a3)
{
	char *argv[] = {"check", (char *)a1, (char *)a2, (char *)a3, NULL};
	int argc = 1 + (a1 != NULL) + (a2 != NULL) + (a3 != NULL);

	return check_cmd_main(argc, argv);
}

/* The contents of @path (the caller frees it), or NULL. */
static char *cc_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL) {
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = calloc(1, (size_t)n + 1);
		if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/** Exit status 0 for a clean trace, 1 when a rule is broken, 2 for usage errors. */
TEST(check_cmd, exit_status)
{
	char dir[] = "/tmp/faultline-check-XXXXXX";
	char path[128];

	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/good.bin", dir);
	ASSERT_TRUE(cc_write(path, 8, false));
	EXPECT_EQ_INT(cc_run("--quiet", path, NULL), 0);
	ASSERT_TRUE(cc_write(path, 8, true));
	EXPECT_EQ_INT(cc_run("--quiet", "--max", "2"), 2);
	EXPECT_EQ_INT(cc_run("--quiet", path, NULL), 1);
	EXPECT_EQ_INT(cc_run(NULL, NULL, NULL), 2);
	EXPECT_EQ_INT(cc_run("--window", "0", path), 2);
	EXPECT_EQ_INT(cc_run("--bogus", path, NULL), 2);
	EXPECT_EQ_INT(cc_run(path, path, NULL), 2);
	EXPECT_EQ_INT(cc_run("--quiet", "/nonexistent/trace.bin", NULL), 2);
	unlink(path);
	rmdir(dir);
}

/** A run directory gets the report in check.txt, with every violation's rule and window. */
TEST(check_cmd, run_dir_gets_check_txt)
{
	char dir[] = "/tmp/faultline-check-XXXXXX";
	char path[128], txt[128];
	char *report;

	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/trace.bin", dir);
	snprintf(txt, sizeof(txt), "%s/%s", dir, CHECK_CMD_FILE);
	ASSERT_TRUE(cc_write(path, 3, true));
	EXPECT_EQ_INT(cc_run("--quiet", dir, NULL), 1);
	report = cc_slurp(txt);
	ASSERT_TRUE(report != NULL);
	EXPECT_TRUE(strstr(report, "rule 8 (table lock) broken at record") !=
		    NULL);
	EXPECT_TRUE(strstr(report, "written without the table's lock") != NULL);
	EXPECT_TRUE(strstr(report, "  > ") != NULL);
	EXPECT_TRUE(strstr(report, "faultline check: 3 violations (rule 8)") !=
		    NULL);
	free(report);
	unlink(txt);
	unlink(path);
	rmdir(dir);
}

/** A trace cut in the middle of its events is checked up to the cut, and says so. */
TEST(check_cmd, cut_trace_is_checked_up_to_the_cut)
{
	char dir[] = "/tmp/faultline-check-XXXXXX";
	char path[128], txt[128];
	struct stat st;
	char *report;

	ASSERT_TRUE(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/trace.bin", dir);
	snprintf(txt, sizeof(txt), "%s/%s", dir, CHECK_CMD_FILE);
	ASSERT_TRUE(cc_write(path, 100, false));
	ASSERT_TRUE(stat(path, &st) == 0);
	/* Half the file: the END chunk and half the records are gone. */
	ASSERT_TRUE(truncate(path, st.st_size / 2) == 0);
	EXPECT_EQ_INT(cc_run("--quiet", dir, NULL), 0);
	report = cc_slurp(txt);
	ASSERT_TRUE(report != NULL);
	EXPECT_TRUE(strstr(report, "the trace is damaged at byte") != NULL);
	EXPECT_TRUE(strstr(report, "faultline check: clean (8 rules") != NULL);
	free(report);
	unlink(txt);
	unlink(path);
	rmdir(dir);
}
