/* The JSON writer: escaping and document structure. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <faultline/err.h>
#include <faultline/test.h>

#include "../json.h"

/* A memory stream and the text written to it. */
struct json_buf {
	FILE *f;
	char *text;
	size_t len;
};

static void json_buf_open(struct json_buf *b)
{
	b->text = NULL;
	b->len = 0;
	b->f = open_memstream(&b->text, &b->len);
}

static void json_buf_close(struct json_buf *b)
{
	fclose(b->f);
}

/* @s escaped as a JSON string; the caller frees the result. */
static char *json_escaped(const char *s)
{
	struct json_buf b;

	json_buf_open(&b);
	json_write_escaped(b.f, s);
	json_buf_close(&b);
	return b.text;
}

/** Quotes and backslashes are escaped with a backslash. */
TEST(harness_json, escapes_quotes_and_backslashes)
{
	char *s = json_escaped("a\"b\\c");

	EXPECT_STREQ(s, "\"a\\\"b\\\\c\"");
	free(s);
}

/** Control characters get their short escapes or \u00XX. */
TEST(harness_json, escapes_control_characters)
{
	char *s = json_escaped("\n\t\r\b\f\x01\x1f x");

	EXPECT_STREQ(s, "\"\\n\\t\\r\\b\\f\\u0001\\u001f x\"");
	free(s);
}

/** Bytes above 0x7f (UTF-8) and DEL pass through unchanged. */
TEST(harness_json, passes_non_ascii_through)
{
	char *s = json_escaped("caf\xc3\xa9 \xe2\x86\x92 \x7f");

	EXPECT_STREQ(s, "\"caf\xc3\xa9 \xe2\x86\x92 \x7f\"");
	free(s);
}

/** The empty string is two quotes. */
TEST(harness_json, empty_string)
{
	char *s = json_escaped("");

	EXPECT_STREQ(s, "\"\"");
	free(s);
}

/** Nested objects and arrays get commas and indentation right. */
TEST(harness_json, nested_document)
{
	struct json_buf b;
	struct json_writer w;

	json_buf_open(&b);
	json_init(&w, b.f);
	json_object_begin(&w);
	json_key(&w, "a");
	json_u64(&w, 1);
	json_key(&w, "b");
	json_array_begin_flat(&w);
	json_string(&w, "x");
	json_i64(&w, -2);
	json_bool(&w, true);
	json_null(&w);
	json_array_end(&w);
	json_key(&w, "c");
	json_array_begin(&w);
	json_object_begin(&w);
	json_object_end(&w);
	json_array_end(&w);
	json_key(&w, "d");
	json_array_begin(&w);
	json_array_end(&w);
	json_key(&w, "e");
	json_fixed(&w, 1.5, 3);
	json_key(&w, "f");
	json_string(&w, NULL);
	json_object_end(&w);
	EXPECT_EQ_INT(json_finish(&w), 0);
	json_buf_close(&b);
	EXPECT_STREQ(b.text, "{\n"
			     "  \"a\": 1,\n"
			     "  \"b\": [\"x\", -2, true, null],\n"
			     "  \"c\": [\n"
			     "    {}\n"
			     "  ],\n"
			     "  \"d\": [],\n"
			     "  \"e\": 1.500,\n"
			     "  \"f\": null\n"
			     "}\n");
	free(b.text);
}

/** NaN and infinity, which JSON cannot hold, become null. */
TEST(harness_json, non_finite_numbers_are_null)
{
	struct json_buf b;
	struct json_writer w;

	json_buf_open(&b);
	json_init(&w, b.f);
	json_array_begin_flat(&w);
	json_fixed(&w, NAN, 2);
	json_fixed(&w, INFINITY, 2);
	json_array_end(&w);
	EXPECT_EQ_INT(json_finish(&w), 0);
	json_buf_close(&b);
	EXPECT_STREQ(b.text, "[null, null]\n");
	free(b.text);
}

/** An unclosed container or a key without a value is reported. */
TEST(harness_json, unbalanced_document_fails)
{
	struct json_buf b;
	struct json_writer w;

	json_buf_open(&b);
	json_init(&w, b.f);
	json_object_begin(&w);
	EXPECT_EQ_INT(json_finish(&w), -ERR_INVAL);
	json_init(&w, b.f);
	json_object_begin(&w);
	json_key(&w, "k");
	json_object_end(&w);
	EXPECT_EQ_INT(json_finish(&w), -ERR_INVAL);
	json_init(&w, b.f);
	json_array_end(&w);
	EXPECT_EQ_INT(json_finish(&w), -ERR_INVAL);
	json_buf_close(&b);
	free(b.text);
}

/** Nesting deeper than JSON_MAX_DEPTH fails instead of overflowing. */
TEST(harness_json, too_deep_fails)
{
	struct json_buf b;
	struct json_writer w;

	json_buf_open(&b);
	json_init(&w, b.f);
	for (unsigned i = 0; i < JSON_MAX_DEPTH + 2; i++) {
		json_array_begin(&w);
	}
	EXPECT_TRUE(w.failed);
	EXPECT_EQ_INT(json_finish(&w), -ERR_INVAL);
	json_buf_close(&b);
	free(b.text);
}

/** A document written to a file: what is read back, and a path that cannot be made. */
TEST(harness_json, file_open_and_close)
{
	char path[] = "/tmp/faultline-json-XXXXXX";
	struct json_writer w;
	char text[64] = "";
	int fd = mkstemp(path);
	FILE *f;

	ASSERT_TRUE(fd >= 0);
	close(fd);
	ASSERT_EQ_INT(json_file_open(&w, path), 0);
	json_object_begin(&w);
	json_key_hex(&w, "ipa", 0x80000000u);
	json_key_u64(&w, "n", 7);
	json_object_end(&w);
	EXPECT_EQ_INT(json_file_close(&w), 0);
	f = fopen(path, "r");
	ASSERT_TRUE(f != NULL);
	EXPECT_EQ(fread(text, 1, sizeof(text) - 1, f), 36u);
	fclose(f);
	unlink(path);
	EXPECT_STREQ(text, "{\n  \"ipa\": \"0x80000000\",\n  \"n\": 7\n}\n");
	EXPECT_EQ_INT(json_file_open(&w, "/nonexistent/dir/x.json"), -ERR_IO);
}
