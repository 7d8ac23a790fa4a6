/* The JSON writer (json.h). */
#include <math.h>

#include <faultline/err.h>

#include "json.h"

void json_init(struct json_writer *w, FILE *out)
{
	*w = (struct json_writer){.out = out};
}

void json_write_escaped(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p != '\0';
	     p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\b':
			fputs("\\b", out);
			break;
		case '\f':
			fputs("\\f", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\r':
			fputs("\\r", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*p < 0x20) {
				fprintf(out, "\\u%04x", *p);
			} else {
				fputc(*p, out);
			}
			break;
		}
	}
	fputc('"', out);
}

static void json_newline(struct json_writer *w)
{
	fputc('\n', w->out);
	for (unsigned i = 0; i < w->depth; i++) {
		fputs("  ", w->out);
	}
}

/* Everything a value needs before it: a comma, a line break, indentation. */
static void json_before_value(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth == 0) {
		return;
	}
	if (w->nonempty[w->depth - 1]) {
		fputc(',', w->out);
		if (w->flat[w->depth - 1]) {
			fputc(' ', w->out);
		}
	}
	w->nonempty[w->depth - 1] = true;
	if (!w->flat[w->depth - 1]) {
		json_newline(w);
	}
}

static void json_open(struct json_writer *w, char c, bool flat)
{
	json_before_value(w);
	if (w->depth >= JSON_MAX_DEPTH) {
		w->failed = true;
		return;
	}
	fputc(c, w->out);
	w->nonempty[w->depth] = false;
	w->flat[w->depth] = flat;
	w->depth++;
}

static void json_close(struct json_writer *w, char c)
{
	bool had_values;

	if (w->depth == 0 || w->after_key) {
		w->failed = true;
		return;
	}
	had_values = w->nonempty[w->depth - 1];
	w->depth--;
	if (had_values && !w->flat[w->depth]) {
		json_newline(w);
	}
	fputc(c, w->out);
}

void json_object_begin(struct json_writer *w)
{
	json_open(w, '{', false);
}

void json_object_end(struct json_writer *w)
{
	json_close(w, '}');
}

void json_array_begin(struct json_writer *w)
{
	json_open(w, '[', false);
}

void json_array_begin_flat(struct json_writer *w)
{
	json_open(w, '[', true);
}

void json_array_end(struct json_writer *w)
{
	json_close(w, ']');
}

void json_key(struct json_writer *w, const char *key)
{
	if (w->after_key) {
		w->failed = true;
	}
	json_before_value(w);
	json_write_escaped(w->out, key);
	fputs(": ", w->out);
	w->after_key = true;
}

void json_string(struct json_writer *w, const char *s)
{
	if (s == NULL) {
		json_null(w);
		return;
	}
	json_before_value(w);
	json_write_escaped(w->out, s);
}

void json_u64(struct json_writer *w, uint64_t v)
{
	json_before_value(w);
	fprintf(w->out, "%llu", (unsigned long long)v);
}

void json_hex(struct json_writer *w, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	json_string(w, buf);
}

void json_key_u64(struct json_writer *w, const char *key, uint64_t v)
{
	json_key(w, key);
	json_u64(w, v);
}

void json_key_hex(struct json_writer *w, const char *key, uint64_t v)
{
	json_key(w, key);
	json_hex(w, v);
}

void json_i64(struct json_writer *w, int64_t v)
{
	json_before_value(w);
	fprintf(w->out, "%lld", (long long)v);
}

void json_fixed(struct json_writer *w, double v, unsigned decimals)
{
	if (!isfinite(v)) {
		json_null(w);
		return;
	}
	json_before_value(w);
	fprintf(w->out, "%.*f", (int)MIN(decimals, 17u), v);
}

void json_bool(struct json_writer *w, bool v)
{
	json_before_value(w);
	fputs(v ? "true" : "false", w->out);
}

void json_null(struct json_writer *w)
{
	json_before_value(w);
	fputs("null", w->out);
}

int json_finish(struct json_writer *w)
{
	fputc('\n', w->out);
	if (fflush(w->out) != 0 || ferror(w->out)) {
		return -ERR_IO;
	}
	if (w->failed || w->depth != 0 || w->after_key) {
		return -ERR_INVAL;
	}
	return 0;
}

int json_file_open(struct json_writer *w, const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		return -ERR_IO;
	}
	json_init(w, f);
	return 0;
}

int json_file_close(struct json_writer *w)
{
	int ret = json_finish(w);

	if (fclose(w->out) != 0 && ret == 0) {
		ret = -ERR_IO;
	}
	return ret;
}
