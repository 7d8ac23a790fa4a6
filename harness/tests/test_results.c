/* Run ids, run directories and the latest link. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <faultline/err.h>
#include <faultline/test.h>

#include "../paths.h"
#include "../results.h"

/** A run id is the local time YYYYmmdd-HHMMSS and 4 hex digits. */
TEST(harness_results, run_id_format)
{
	struct tm tm = {.tm_year = 2026 - 1900,
			.tm_mon = 10,
			.tm_mday = 21,
			.tm_hour = 10,
			.tm_min = 15,
			.tm_sec = 0,
			.tm_isdst = -1};
	char id[RESULTS_RUN_ID_LEN + 1];

	EXPECT_EQ_INT(results_run_id(id, sizeof(id), mktime(&tm), 0x1a2b), 0);
	EXPECT_STREQ(id, "20261121-101500-1a2b");
	EXPECT_EQ_INT(results_run_id(id, sizeof(id), mktime(&tm), 0x12345), 0);
	EXPECT_STREQ(id, "20261121-101500-2345");
	EXPECT_EQ_INT(results_run_id(id, sizeof(id), mktime(&tm), 7), 0);
	EXPECT_STREQ(id, "20261121-101500-0007");
	EXPECT_EQ_INT(results_run_id(id, RESULTS_RUN_ID_LEN, mktime(&tm), 7),
		      -ERR_RANGE);
}

/** Names that would escape the results directory or hit the link fail. */
TEST(harness_results, names)
{
	EXPECT_TRUE(results_name_ok("boot"));
	EXPECT_TRUE(results_name_ok("first-touch_2.v1"));
	EXPECT_TRUE(!results_name_ok(""));
	EXPECT_TRUE(!results_name_ok("."));
	EXPECT_TRUE(!results_name_ok(".."));
	EXPECT_TRUE(!results_name_ok("latest"));
	EXPECT_TRUE(!results_name_ok("a/b"));
	EXPECT_TRUE(!results_name_ok("a b"));
}

/* Removes @base/boot/<ids> and latest, then @base. */
static void results_cleanup(const char *base, char dirs[][PATHS_MAX],
			    unsigned n)
{
	char path[PATHS_MAX];

	for (unsigned i = 0; i < n; i++) {
		rmdir(dirs[i]);
	}
	snprintf(path, sizeof(path), "%s/boot", base);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/latest", base);
	unlink(path);
	rmdir(base);
}

/**
 * Run directories created in the same second are all distinct, each with
 * a well-formed id, and latest is a relative link to the newest.
 */
TEST(harness_results, run_dirs_are_unique_and_latest_follows)
{
	enum {
		N = 24
	};
	static char dirs[N][PATHS_MAX];
	char base[] = "/tmp/faultline-results-XXXXXX";
	char link[PATHS_MAX];
	char target[PATHS_MAX];
	char expect[PATHS_MAX];
	ssize_t n;

	ASSERT_TRUE(mkdtemp(base) != NULL);
	for (unsigned i = 0; i < N; i++) {
		const char *id;

		ASSERT_EQ_INT(results_create_run_dir(base, "boot", dirs[i],
						     PATHS_MAX),
			      0);
		EXPECT_TRUE(paths_is_dir(dirs[i]));
		id = strrchr(dirs[i], '/') + 1;
		EXPECT_EQ(strlen(id), RESULTS_RUN_ID_LEN);
		EXPECT_TRUE(id[8] == '-' && id[15] == '-');
		for (unsigned j = 0; j < i; j++) {
			EXPECT_TRUE(strcmp(dirs[i], dirs[j]) != 0);
		}
	}
	snprintf(link, sizeof(link), "%s/latest", base);
	for (unsigned i = N - 2; i < N; i++) {
		EXPECT_EQ_INT(results_update_latest(base, dirs[i]), 0);
		n = readlink(link, target, sizeof(target) - 1);
		ASSERT_TRUE(n > 0);
		target[n] = '\0';
		snprintf(expect, sizeof(expect), "boot/%s",
			 strrchr(dirs[i], '/') + 1);
		EXPECT_STREQ(target, expect);
	}
	/* Not inside the results directory: refused, link unchanged. */
	EXPECT_EQ_INT(results_update_latest(base, "/tmp/elsewhere"),
		      -ERR_INVAL);
	results_cleanup(base, dirs, N);
}
