/* summary.json and the terminal summary of a run; the echo that never blocks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <faultline/test.h>

#include "../proc.h"
#include "../report.h"
#include "../term.h"

/* A crashed 2-CPU run whose trace was cut short after its crash event. */
static void report_fixture(struct report *r, struct summary *s,
			   struct trace_data *td, struct proc_result *res,
			   struct testout *t)
{
	static enum summary_phase phases[] = {SUMMARY_PHASE_BOOT_TABLES_ON,
					      SUMMARY_PHASE_CPU_UP};
	static uint64_t boot_ns[] = {12345};
	static struct summary_cpu cpus[2];

	memset(td, 0, sizeof(*td));
	td->error = -1;
	td->error_offset = 1997;
	snprintf(td->error_msg, sizeof(td->error_msg), "file ends \"here\"");
	td->complete = true;
	memset(cpus, 0, sizeof(cpus));
	cpus[0] = (struct summary_cpu){.cpu = 0,
				       .mpidr = 0,
				       .has_mpidr = true,
				       .seen = true,
				       .phases = phases,
				       .nphases = 2,
				       .boots = 1,
				       .boot_ns = boot_ns};
	cpus[1] = (struct summary_cpu){.cpu = 1, .lost = 3};
	*s = (struct summary){.ncpus = 2,
			      .cpus = cpus,
			      .events = 9,
			      .lost = 3,
			      .has_crash = true};
	s->crash = (struct summary_crash){.cpu = 1,
					  .ec = 0x25,
					  .esr = 0x97,
					  .far = 0x40200000,
					  .elr = 0x4000};
	snprintf(s->crash.ec_name, sizeof(s->crash.ec_name), "dabt_cur");
	*res = (struct proc_result){.started = true,
				    .reaped = true,
				    .status = 3 << 8,
				    .seconds = 1.25};
	testout_init(t);
	testout_line(t, "FAIL a.b (x.c:1)", 16);
	*r = (struct report){.dir = "results/boot/x",
			     .mode = "boot",
			     .smp = 2,
			     .timeout_ms = 60000,
			     .verdict = VERDICT_CRASH,
			     .proc = res,
			     .trace_present = true,
			     .trace_ret = -1,
			     .td = td,
			     .sum = s,
			     .tests = t,
			     .csv_written = true};
}

static char *report_read(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 65536);

	if (f != NULL && buf != NULL) {
		size_t n = fread(buf, 1, 65535, f);

		buf[n] = '\0';
	}
	if (f != NULL) {
		fclose(f);
	}
	return buf;
}

/** summary.json holds the verdict, the damage, the CPUs and the crash. */
TEST(harness_report, summary_json)
{
	char path[] = "/tmp/faultline-summary-XXXXXX";
	struct report r;
	struct summary s;
	struct trace_data td;
	struct proc_result res;
	struct testout t;
	char *text;
	int fd = mkstemp(path);

	ASSERT_TRUE(fd >= 0);
	close(fd);
	report_fixture(&r, &s, &td, &res, &t);
	ASSERT_EQ_INT(
		report_write_summary(&r, "line one\nline \"two\"\n", path), 0);
	text = report_read(path);
	ASSERT_TRUE(text != NULL);
	EXPECT_TRUE(strstr(text, "\"verdict\": \"crashed\",") != NULL);
	/* The printed report, for `faultline show`, one string per line. */
	EXPECT_TRUE(strstr(text, "\"report\": [\n    \"line one\",\n    "
				 "\"line \\\"two\\\"\"\n  ]") != NULL);
	EXPECT_TRUE(strstr(text, "\"exit_status\": 3,") != NULL);
	EXPECT_TRUE(strstr(text, "\"duration_s\": 1.250,") != NULL);
	/* Damaged: never complete, whatever the header said. */
	EXPECT_TRUE(strstr(text, "\"trace_complete\": false,") != NULL);
	EXPECT_TRUE(strstr(text, "\"offset\": 1997,") != NULL);
	EXPECT_TRUE(strstr(text, "\"message\": \"file ends \\\"here\\\"\"") !=
		    NULL);
	EXPECT_TRUE(strstr(text, "\"phases\": [\"boot_tables_on\", "
				 "\"cpu_up\"],") != NULL);
	EXPECT_TRUE(strstr(text, "\"boot_us\": 12.345,") != NULL);
	EXPECT_TRUE(strstr(text, "\"boot_us\": null,") != NULL);
	EXPECT_TRUE(strstr(text, "\"ec\": \"dabt_cur\",") != NULL);
	EXPECT_TRUE(strstr(text, "\"far\": \"0x40200000\",") != NULL);
	EXPECT_TRUE(strstr(text, "\"failures\": [\n      \"a.b\"\n    ]") !=
		    NULL);
	free(text);
	testout_free(&t);
	unlink(path);
}

/** The terminal summary names the crash, the damage and the losses. */
TEST(harness_report, printed_summary)
{
	struct report r;
	struct summary s;
	struct trace_data td;
	struct proc_result res;
	struct testout t;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ASSERT_TRUE(out != NULL);
	report_fixture(&r, &s, &td, &res, &t);
	report_print(&r, out, false);
	fclose(out);
	EXPECT_TRUE(strstr(text, "faultline: boot crashed: 1/2 CPUs through "
				 "the dual-step init (boot 12.3 us .. 12.3 us)"
				 ", 9 events, 3 lost\n") != NULL);
	EXPECT_TRUE(strstr(text, "crash on cpu 1: dabt_cur") != NULL);
	EXPECT_TRUE(strstr(text, "trace damaged at offset 1997") != NULL);
	EXPECT_TRUE(strstr(text, "3 events lost (cpu 1: 3)") != NULL);
	EXPECT_TRUE(strstr(text, "FAIL a.b") != NULL);
	EXPECT_TRUE(strstr(text, "\033[") == NULL);
	free(text);
	testout_free(&t);
}

/** An echo into a pipe nobody reads stops instead of blocking. */
TEST(harness_term, stalled_reader_stops_the_echo)
{
	static char chunk[65536];
	struct term_echo e;
	int p[2];
	uint64_t start;

	ASSERT_EQ_INT(pipe(p), 0);
	memset(chunk, 'x', sizeof(chunk));
	term_echo_open(&e, p[1], 50);
	EXPECT_TRUE(e.owned);
	start = proc_now_ms();
	for (unsigned i = 0; i < 8 && !e.stopped; i++) {
		term_echo_write(&e, chunk, sizeof(chunk));
	}
	EXPECT_TRUE(e.stopped);
	EXPECT_TRUE(proc_now_ms() - start < 1000);
	term_echo_close(&e);
	EXPECT_TRUE(e.stopped);
	close(p[0]);
	close(p[1]);
}

/** An echo to a reader that keeps up passes everything through. */
TEST(harness_term, echo_passes_data)
{
	struct term_echo e;
	char buf[16] = {0};
	int p[2];

	ASSERT_EQ_INT(pipe(p), 0);
	term_echo_open(&e, p[1], 50);
	EXPECT_TRUE(term_echo_write(&e, "hello\n", 6));
	EXPECT_EQ(e.last, '\n');
	term_echo_close(&e);
	EXPECT_TRUE(!e.stopped);
	close(p[1]);
	EXPECT_EQ(read(p[0], buf, sizeof(buf)), 6);
	EXPECT_STREQ(buf, "hello\n");
	close(p[0]);
}

/** No echo wanted (fd -1) is not a stopped echo. */
TEST(harness_term, no_echo)
{
	struct term_echo e;

	term_echo_open(&e, -1, 50);
	EXPECT_TRUE(!term_echo_write(&e, "x", 1));
	EXPECT_TRUE(!e.stopped);
}

/** The tail of a log: its last lines only. */
TEST(harness_term, show_tail)
{
	char path[] = "/tmp/faultline-tail-XXXXXX";
	char *text = NULL;
	size_t len = 0;
	int fd = mkstemp(path);
	FILE *f;
	FILE *out;

	ASSERT_TRUE(fd >= 0);
	f = fdopen(fd, "w");
	ASSERT_TRUE(f != NULL);
	fputs("one\ntwo\nthree\nfour\n\n", f);
	fclose(f);
	out = open_memstream(&text, &len);
	ASSERT_TRUE(out != NULL);
	EXPECT_TRUE(term_show_tail(out, "T:", path, 4096, 2) > 0);
	fclose(out);
	EXPECT_STREQ(text, "T:\nthree\nfour\n");
	free(text);
	unlink(path);
	EXPECT_EQ(term_show_tail(stdout, "T:", path, 4096, 2), 0);
}
