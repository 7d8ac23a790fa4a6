/* Shell quoting of command lines, and path helpers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <faultline/err.h>
#include <faultline/test.h>

#include "../manifest.h"
#include "../paths.h"
#include "../shell.h"

/** Plain words stay as they are; others are single-quoted. */
TEST(harness_shell, quotes_what_needs_it)
{
	char *argv[] = {"qemu", "-append", "mode=boot trace=trace.bin",
			"it's", "",        "a,b=c:d/e"};
	char out[256];

	EXPECT_EQ_INT(shell_join(6, argv, out, sizeof(out)), 0);
	EXPECT_STREQ(out, "qemu -append 'mode=boot trace=trace.bin' "
			  "'it'\\''s' '' a,b=c:d/e");
}

/** A result that does not fit is reported, and still NUL-terminated. */
TEST(harness_shell, too_long_is_an_error)
{
	char *argv[] = {"0123456789", "abcdef"};
	char out[12];

	EXPECT_EQ_INT(shell_join(2, argv, out, sizeof(out)), -ERR_RANGE);
	EXPECT_TRUE(strlen(out) < sizeof(out));
}

/** The root is the parent of the binary's directory. */
TEST(harness_paths, root_from_exe)
{
	char out[64];

	EXPECT_EQ_INT(paths_root_from_exe("/work/main/build/faultline", out,
					  sizeof(out)),
		      0);
	EXPECT_STREQ(out, "/work/main");
	EXPECT_EQ_INT(paths_root_from_exe("/build/faultline", out, sizeof(out)),
		      0);
	EXPECT_STREQ(out, "/");
	EXPECT_EQ_INT(
		paths_root_from_exe("/a//build//faultline", out, sizeof(out)),
		0);
	EXPECT_STREQ(out, "/a");
	EXPECT_EQ_INT(paths_root_from_exe("faultline", out, sizeof(out)),
		      -ERR_RANGE);
	EXPECT_EQ_INT(paths_root_from_exe("/faultline", out, sizeof(out)),
		      -ERR_RANGE);
	EXPECT_EQ_INT(paths_root_from_exe("/a/b/c", out, 2), -ERR_RANGE);
}

/** Joining keeps absolute names and avoids double slashes. */
TEST(harness_paths, join)
{
	char out[32];

	EXPECT_EQ_INT(paths_join("a", "b", out, sizeof(out)), 0);
	EXPECT_STREQ(out, "a/b");
	EXPECT_EQ_INT(paths_join("a/", "b", out, sizeof(out)), 0);
	EXPECT_STREQ(out, "a/b");
	EXPECT_EQ_INT(paths_join("a", "/abs", out, sizeof(out)), 0);
	EXPECT_STREQ(out, "/abs");
	EXPECT_EQ_INT(paths_join("0123456789", "0123456789abcdefghijk", out,
				 sizeof(out)),
		      -ERR_RANGE);
}

/** Programs are found in PATH or by path; missing ones are not. */
TEST(harness_paths, find_program)
{
	char out[PATHS_MAX];

	EXPECT_TRUE(paths_find_program("sh", out, sizeof(out)));
	EXPECT_TRUE(strchr(out, '/') != NULL);
	EXPECT_TRUE(paths_find_program("/bin/sh", NULL, 0));
	EXPECT_TRUE(!paths_find_program("faultline-no-such-program", NULL, 0));
	EXPECT_TRUE(!paths_find_program("/nonexistent/qemu", NULL, 0));
	/* A directory is not a program. */
	EXPECT_TRUE(!paths_find_program("/tmp", NULL, 0));
}

/** mkdir -p creates missing parents and accepts existing directories. */
TEST(harness_paths, mkdir_p)
{
	char base[] = "/tmp/faultline-paths-XXXXXX";
	char deep[PATHS_MAX];
	char file[PATHS_MAX];
	FILE *f;

	ASSERT_TRUE(mkdtemp(base) != NULL);
	snprintf(deep, sizeof(deep), "%s/a/b/c", base);
	EXPECT_EQ_INT(paths_mkdir_p(deep), 0);
	EXPECT_TRUE(paths_is_dir(deep));
	EXPECT_EQ_INT(paths_mkdir_p(deep), 0);
	snprintf(file, sizeof(file), "%s/a/file", base);
	f = fopen(file, "w");
	ASSERT_TRUE(f != NULL);
	fclose(f);
	EXPECT_EQ_INT(paths_mkdir_p(file), -ERR_IO);
	unlink(file);
	rmdir(deep);
	snprintf(deep, sizeof(deep), "%s/a/b", base);
	rmdir(deep);
	snprintf(deep, sizeof(deep), "%s/a", base);
	rmdir(deep);
	rmdir(base);
}

/** Build ids are lowercase hex; an all-zero id counts as none. */
TEST(harness_manifest, build_id_hex)
{
	const uint8_t id[4] = {0xde, 0xad, 0x0b, 0x01};
	const uint8_t zero[4] = {0, 0, 0, 0};
	char out[16];

	EXPECT_TRUE(manifest_hex(id, sizeof(id), out, sizeof(out)));
	EXPECT_STREQ(out, "dead0b01");
	EXPECT_TRUE(!manifest_hex(zero, sizeof(zero), out, sizeof(out)));
	EXPECT_STREQ(out, "");
	EXPECT_TRUE(!manifest_hex(id, sizeof(id), out, 8));
	EXPECT_TRUE(!manifest_hex(NULL, 4, out, sizeof(out)));
}
