/*
 * The scenario fuzzer's seeds replayed by the regular unit tests, under
 * ASan and UBSan: every file of tests/fuzz/corpus/scenario/, scenarios/
 * and tests/fixtures/scenarios/ through the fuzzer's property
 * (scenario_fuzz_check.h), so a parser regression on malformed input is
 * caught by `make test` without libFuzzer. The malformed seeds must each
 * give their exact error. Paths are relative to the repository root,
 * where `make test` runs.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/test.h>

#include "scenario_fuzz_check.h"

#define SFC_CORPUS "tests/fuzz/corpus/scenario"

/* What a named seed must give: "" for a scenario that is accepted. */
struct sfc_expect {
	const char *file;
	const char *msg;
};

static const struct sfc_expect sfc_expects[] = {
	{"bad-duration.scn", "fuzz.scn:2:5: '5' is not a duration"},
	{"bad-number.scn", "fuzz.scn:2:5: '0x' is not a number"},
	{"control-char.scn", "fuzz.scn:2:5: control character 0x01"},
	{"crlf-ok.scn", ""},
	{"empty.scn", "fuzz.scn:1:1: the file declares no scenario"},
	{"expect-policy.scn", "fuzz.scn:7:8: unknown policy 'eager'"},
	{"huge-number.scn", "fuzz.scn:2:5: '99999999999999999999999' is not"},
	{"livelock-off.scn", "fuzz.scn:8:1: `expect livelock` cannot hold"},
	{"loop-not-closed.scn", "fuzz.scn:4:1: this vcpu block has no `end`"},
	{"loops-too-deep.scn", "fuzz.scn:13:3: loops nest at most 8 deep"},
	{"no-hvc-floor.scn", "fuzz.scn:7:1: ratio.fault_hvc needs the null"},
	{"no-name.scn", "fuzz.scn:1:1: a scenario starts by naming itself"},
	{"nul-byte.scn", "fuzz.scn:2:1: a NUL byte"},
	{"param-not-a-number.scn", "fuzz.scn:3:5: 'zero' is not a number"},
	{"params-ok.scn", ""},
	{"past-region-end.scn", "fuzz.scn:6:11: the accesses run past"},
	{"pcpu-taken.scn", "fuzz.scn:7:1: pCPU 1 already runs a vCPU"},
	{"reason-too-long.scn",
	 "fuzz.scn:7:140: the reason is longer than 127"},
	{"region-executor.scn", "fuzz.scn:4:1: region 's' overlaps the exec"},
	{"region-not-ram.scn", "fuzz.scn:3:1: region 'r' of a host_s2 VM"},
	{"region-overlap.scn", "fuzz.scn:4:1: region 's' overlaps region 'r'"},
	{"smp-too-small.scn", "fuzz.scn:5:1: vCPU 0 of VM 'v' is placed on "},
	{"too-many-timed.scn", "fuzz.scn:6:5: the vCPU would time more than"},
	{"too-much-ram.scn", "fuzz.scn:2:1: the VMs need 488 MiB of RAM"},
	{"unclosed-string.scn", "fuzz.scn:2:13: the string is not closed"},
	{"unknown-metric.scn", "fuzz.scn:7:8: unknown metric 'outcome.mapd'"},
	{"unknown-parameter.scn", "fuzz.scn:2:9: unknown parameter 'n'"},
	{"unknown-policy.scn", "fuzz.scn:2:6: unknown policy 'eager'"},
	{"unknown-statement.scn", "fuzz.scn:2:1: unknown statement 'bogus'"},
};

/* The bytes of @path (malloc'd, one spare byte), their number in *@len. */
static char *sfc_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (f == NULL) {
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

/*
 * Replays every file of @dir (only *.scn when @scn_only) and checks the
 * named ones against sfc_expects. Returns the files replayed; *@named
 * counts those named.
 */
static unsigned sfc_replay_dir(struct test_ctx *test_ctx, const char *dir,
			       bool scn_only, bool must_accept, unsigned *named)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned files = 0;

	if (!EXPECT_TRUE(d != NULL)) {
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		struct scn_fuzz_result res;
		char path[600];
		const char *why;
		char *text;
		size_t len = 0;

		if (de->d_name[0] == '.' ||
		    (scn_only &&
		     (n < 4 || strcmp(de->d_name + n - 4, ".scn") != 0))) {
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		text = sfc_read(path, &len);
		if (!EXPECT_TRUE(text != NULL)) {
			continue;
		}
		why = scn_fuzz_check(text, len, &res);
		if (why != NULL) {
			test_fail(test_ctx, __FILE__, __LINE__, "%s: %s (%s)",
				  path, why, res.msg);
		}
		if (must_accept && !res.accepted) {
			test_fail(test_ctx, __FILE__, __LINE__,
				  "%s is refused: %s", path, res.msg);
		}
		for (size_t i = 0; !scn_only && i < ARRAY_SIZE(sfc_expects);
		     i++) {
			const struct sfc_expect *e = &sfc_expects[i];

			if (strcmp(e->file, de->d_name) != 0) {
				continue;
			}
			(*named)++;
			if (e->msg[0] == '\0' ? !res.accepted
					      : strncmp(res.msg, e->msg,
							strlen(e->msg)) != 0) {
				test_fail(test_ctx, __FILE__, __LINE__,
					  "%s: got \"%s\", want \"%s\"", path,
					  res.accepted ? "accepted" : res.msg,
					  e->msg[0] != '\0' ? e->msg
							    : "accepted");
			}
		}
		free(text);
		files++;
	}
	closedir(d);
	return files;
}

/** Every malformed seed is refused with its exact file:line:col message, and nothing crashes, leaks or breaks the fuzzer's property. */
TEST(harness_scenario_fuzz_corpus, malformed_seeds)
{
	unsigned named = 0, files;
	DIR *d = opendir(SFC_CORPUS);

	if (d == NULL) {
		TEST_SKIP("no %s here: run from the repository root",
			  SFC_CORPUS);
	}
	closedir(d);
	files = sfc_replay_dir(test_ctx, SFC_CORPUS, false, false, &named);
	/* A renamed or lost seed must not pass unnoticed. */
	EXPECT_EQ(named, ARRAY_SIZE(sfc_expects));
	EXPECT_TRUE(files >= named);
}

/** The shipped scenarios and the test fixtures are accepted and compile into plans the hypervisor accepts, under either policy. */
TEST(harness_scenario_fuzz_corpus, shipped_scenarios)
{
	unsigned named = 0;
	DIR *d = opendir("scenarios");

	if (d == NULL) {
		TEST_SKIP("no scenarios/ here: run from the repository root");
	}
	closedir(d);
	EXPECT_TRUE(sfc_replay_dir(test_ctx, "scenarios", true, true, &named) >=
		    11);
	EXPECT_TRUE(sfc_replay_dir(test_ctx, "tests/fixtures/scenarios", true,
				   true, &named) >= 1);
}
