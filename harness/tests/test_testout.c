/* Parsing the EL2 test runner's output back from the console. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <faultline/test.h>

#include "../testout.h"

static void testout_feed(struct testout *t, const char *text)
{
	while (*text != '\0') {
		size_t len = strcspn(text, "\n");

		testout_line(t, text, len);
		text += len + (text[len] == '\n');
	}
}

/** PASS, FAIL and SKIP lines and the final totals are all counted. */
TEST(harness_testout, full_run)
{
	struct testout t;

	testout_init(&t);
	testout_feed(
		&t, "faultline: all 4 CPUs reached the runtime tables\n"
		    "PASS dtb.finds_memory (12 us)\n"
		    "    hyp/tests/test_fmt.c:40: expected a == b, got 1 vs 2\n"
		    "FAIL fmt.char_honours_width (hyp/tests/test_fmt.c:33)\n"
		    "SKIP spe.drain: no SPE on this CPU\n"
		    "PASS trace_ring.wraps (3 us)\r\n"
		    "FAIL fmt.pointer_width (hyp/tests/test_fmt.c:50)\n"
		    "1 skipped (named above with SKIP)\n"
		    "2 passed, 2 failed\n"
		    "faultline: run ended: failed (exit status 1)\n");
	EXPECT_EQ(t.passed, 2);
	EXPECT_EQ(t.failed, 2);
	EXPECT_EQ(t.skipped, 1);
	EXPECT_TRUE(t.finished);
	EXPECT_EQ(t.final_passed, 2);
	EXPECT_EQ(t.final_failed, 2);
	ASSERT_EQ(t.nfailures, 2);
	EXPECT_STREQ(t.failures[0], "fmt.char_honours_width");
	EXPECT_STREQ(t.failures[1], "fmt.pointer_width");
	testout_free(&t);
}

/** A run cut short has no totals line: it is not finished. */
TEST(harness_testout, cut_short)
{
	struct testout t;

	testout_init(&t);
	testout_feed(&t, "PASS a.b (1 us)\nPASS a.c (1 us)\n"
			 "=== faultline crash ===\n");
	EXPECT_EQ(t.passed, 2);
	EXPECT_TRUE(!t.finished);
	EXPECT_EQ(t.nfailures, 0);
	testout_free(&t);
}

/** Lines that merely look similar are not test results. */
TEST(harness_testout, ignores_lookalikes)
{
	struct testout t;

	testout_init(&t);
	testout_feed(&t, "faultline: PASS x.y\n"
			 "PASS\n"
			 "PASS nodot (1 us)\n"
			 "PASSED a.b\n"
			 "FAIL \n"
			 "3 passed\n"
			 "x passed, 1 failed\n"
			 "1 passed, 2 failed and more\n");
	EXPECT_EQ(t.passed, 0);
	EXPECT_EQ(t.failed, 0);
	EXPECT_EQ(t.skipped, 0);
	EXPECT_TRUE(!t.finished);
	testout_free(&t);
}

/** The parser reads a console.log file too. */
TEST(harness_testout, from_file)
{
	char path[] = "/tmp/faultline-testout-XXXXXX";
	struct testout t;
	int fd = mkstemp(path);
	FILE *f;

	ASSERT_TRUE(fd >= 0);
	f = fdopen(fd, "w");
	ASSERT_TRUE(f != NULL);
	fputs("FAIL s.t (f.c:1)\n0 passed, 1 failed\n", f);
	fclose(f);
	testout_init(&t);
	EXPECT_EQ_INT(testout_parse_file(&t, path), 0);
	EXPECT_TRUE(t.finished);
	EXPECT_EQ(t.final_failed, 1);
	ASSERT_EQ(t.nfailures, 1);
	EXPECT_STREQ(t.failures[0], "s.t");
	testout_free(&t);
	unlink(path);
	testout_init(&t);
	EXPECT_TRUE(testout_parse_file(&t, path) != 0);
	testout_free(&t);
}
