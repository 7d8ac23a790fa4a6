/*
 * The fuzzer's seed corpus (tests/fuzz/corpus/trace/) replayed by the
 * regular unit tests, under ASan and UBSan: every file through the decoder
 * and the CSV and Casemate exporters, so a regression on damaged input is
 * caught by `make test` without libFuzzer. Host only (files). The paths
 * are relative to the repository root, where `make test` runs.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>
#include <faultline/test.h>
#include <faultline/trace/decode.h>
#include <faultline/trace/export.h>
#include <faultline/trace/export_casemate.h>

#define CORPUS_DIR "tests/fuzz/corpus/trace"

/* What decoding a named corpus file must give (tests/fuzz/make_corpus.py). */
struct corpus_expect {
	const char *file;
	int error;
	/* Where the damage is, or UINT64_MAX when it depends on the file. */
	uint64_t offset;
	const char *msg;
	/* Records kept before the damage, or -1 when it depends. */
	long records;
};

static const struct corpus_expect corpus_expects[] = {
	{"boot-smp1.trace", 0, 0, "", 6},
	{"first-touch-faults.trace", 0, 0, "", -1},
	{"pingpong-bbm.trace", 0, 0, "", -1},
	{"pingpong-relax.trace", 0, 0, "", -1},
	{"bad-magic.trace", -ERR_INVAL, 0, "bad magic", 0},
	{"bad-version.trace", -ERR_INVAL, 8, "format version 99", 0},
	{"bad-ncpus.trace", -ERR_INVAL, 20, "bad CPU count 17", 0},
	{"zero-frequency.trace", -ERR_INVAL, 24, "frequency is 0", 0},
	{"bad-chunk-magic.trace", -ERR_INVAL, UINT64_MAX, "chunk magic", 0},
	{"unknown-chunk-type.trace", -ERR_INVAL, UINT64_MAX, "chunk type 9", 0},
	{"chunk-cpu-out-of-range.trace", -ERR_INVAL, UINT64_MAX, "cpu 15", 0},
	{"unknown-event-id.trace", -ERR_INVAL, UINT64_MAX, "event id 30583", 0},
	{"record-cpu-mismatch.trace", -ERR_INVAL, UINT64_MAX, "says cpu 3", 0},
	{"seq-backwards.trace", -ERR_INVAL, UINT64_MAX, "goes back", 1},
	{"count-bytes-mismatch.trace", -ERR_INVAL, UINT64_MAX, "claims", 0},
	{"huge-schema-size.trace", -ERR_TRUNC, UINT64_MAX, "ends inside", 0},
	{"flag-without-end.trace", -ERR_INVAL, 32, "END chunk is missing", 6},
	{"end-without-flag.trace", -ERR_INVAL, 32, "END chunk is present", 6},
	{"chunk-after-end.trace", -ERR_INVAL, UINT64_MAX, "after the END", 6},
	{"events-before-schema.trace", -ERR_INVAL, 256, "before the schema", 0},
	{"cut-mid-record.trace", -ERR_TRUNC, UINT64_MAX, "1 of 6 records", 1},
	{"same-gpa-race-cut.trace", -ERR_TRUNC, UINT64_MAX, "ends inside", -1},
};

static uint8_t *corpus_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	long n;

	if (f == NULL) {
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		/* One spare byte: malloc(0) may return NULL. */
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
 * Whether @text is Casemate records, one per line: each line one balanced
 * s-expression (strings may hold parentheses) starting with a known name.
 * Returns NULL or what is wrong.
 */
static const char *casemate_malformed(const char *text)
{
	static const char *const names[] = {
		"(mem-init ",     "(mem-write ", "(barrier ", "(tlbi ",
		"(sysreg-write ", "(lock ",      "(unlock ",  "(hint "};

	while (*text != '\0') {
		const char *nl = strchr(text, '\n');
		int depth = 0;
		bool in_str = false;
		bool known = false;

		if (nl == NULL) {
			return "last line has no newline";
		}
		for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
			known |= strncmp(text, names[i], strlen(names[i])) == 0;
		}
		if (!known) {
			return "a line is not a known record";
		}
		for (const char *p = text; p < nl; p++) {
			if (*p == '"') {
				in_str = !in_str;
			} else if (!in_str && *p == '(') {
				depth++;
			} else if (!in_str && *p == ')' && --depth == 0 &&
				   p + 1 != nl) {
				return "a record ends before its line";
			}
			if (depth < 0) {
				return "unbalanced ')'";
			}
		}
		if (depth != 0 || in_str) {
			return "unbalanced '(' or '\"'";
		}
		text = nl + 1;
	}
	return NULL;
}

/* Checks one file against @e (may be NULL): decode and both exports. */
static void corpus_check(struct test_ctx *test_ctx, const char *name,
			 const struct corpus_expect *e)
{
	char path[512];
	struct trace_data td;
	char *text = NULL;
	size_t size = 0;
	size_t len = 0;
	uint8_t *buf;
	FILE *out;
	const char *bad;
	int ret;

	snprintf(path, sizeof(path), "%s/%s", CORPUS_DIR, name);
	buf = corpus_read(path, &len);
	if (!EXPECT_TRUE(buf != NULL)) {
		return;
	}
	ret = trace_data_parse(buf, len, &td);
	if (ret != 0) {
		EXPECT_EQ_INT(td.error, ret);
		EXPECT_TRUE(td.error_msg[0] != '\0');
		EXPECT_TRUE(td.error_offset <= len);
	}
	if (e != NULL) {
		if (!EXPECT_EQ_INT(ret, e->error)) {
			test_fail(test_ctx, __FILE__, __LINE__, "%s: %s", name,
				  td.error_msg);
		}
		if (e->offset != UINT64_MAX) {
			EXPECT_EQ(td.error_offset, e->offset);
		}
		EXPECT_TRUE(strstr(td.error_msg, e->msg) != NULL);
		if (e->records >= 0) {
			EXPECT_EQ(td.nrecords, (uint64_t)e->records);
		}
	}
	out = fopen("/dev/null", "w");
	if (EXPECT_TRUE(out != NULL)) {
		EXPECT_EQ_INT(trace_export_csv(&td, out), 0);
		fclose(out);
	}
	out = open_memstream(&text, &size);
	if (EXPECT_TRUE(out != NULL)) {
		EXPECT_EQ_INT(trace_export_casemate(&td, out), 0);
		fclose(out);
		bad = casemate_malformed(text);
		if (bad != NULL) {
			test_fail(test_ctx, __FILE__, __LINE__,
				  "%s: Casemate output: %s", name, bad);
		}
		free(text);
	}
	trace_data_free(&td);
	free(buf);
}

/** Every corpus file decodes without a memory error, says where any damage is, and exports as CSV and as well-formed Casemate records; the named ones give their exact error. */
TEST(trace_fuzz_corpus, replays)
{
	DIR *d = opendir(CORPUS_DIR);
	struct dirent *de;
	unsigned files = 0;
	unsigned named = 0;

	if (d == NULL) {
		TEST_SKIP("no %s here: run from the repository root",
			  CORPUS_DIR);
	}
	while ((de = readdir(d)) != NULL) {
		const struct corpus_expect *e = NULL;

		if (de->d_name[0] == '.') {
			continue;
		}
		for (size_t i = 0; i < ARRAY_SIZE(corpus_expects); i++) {
			if (strcmp(corpus_expects[i].file, de->d_name) == 0) {
				e = &corpus_expects[i];
				named++;
			}
		}
		corpus_check(test_ctx, de->d_name, e);
		files++;
	}
	closedir(d);
	/* A renamed or lost file must not pass unnoticed. */
	EXPECT_EQ(named, ARRAY_SIZE(corpus_expects));
	EXPECT_TRUE(files >= named);
}

/** The well-formedness check used above rejects what Casemate could not read. */
TEST(trace_fuzz_corpus, casemate_check_rejects_malformed)
{
	EXPECT_TRUE(casemate_malformed("") == NULL);
	EXPECT_TRUE(casemate_malformed("(barrier (id 0) (tid 0) isb (src "
				       "\"a:(1\"))\n") == NULL);
	EXPECT_TRUE(casemate_malformed("(barrier (id 0)\n") != NULL);
	EXPECT_TRUE(casemate_malformed("(barrier (id 0)))\n") != NULL);
	EXPECT_TRUE(casemate_malformed("(barrier) (tlbi)\n") != NULL);
	EXPECT_TRUE(casemate_malformed("(bogus (id 0))\n") != NULL);
	EXPECT_TRUE(casemate_malformed("(tlbi (id 0))") != NULL);
	EXPECT_TRUE(casemate_malformed("\n") != NULL);
}
