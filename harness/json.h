/*
 * A small streaming JSON writer for the files a run leaves behind
 * (summary.json, manifest.json). It tracks nesting so that commas and
 * indentation are always right, and escapes strings as RFC 8259 requires:
 * quotes, backslashes and control characters are escaped, every other
 * byte (UTF-8 included) passes through unchanged.
 */
#ifndef FAULTLINE_HARNESS_JSON_H
#define FAULTLINE_HARNESS_JSON_H

#include <stdio.h>

#include <faultline/types.h>

/** Deepest nesting of objects and arrays a writer supports. */
#define JSON_MAX_DEPTH 16

/** A JSON document being written to a stdio stream. */
struct json_writer {
	FILE *out;
	unsigned depth;
	/** Per level: the container already holds a value (comma needed). */
	bool nonempty[JSON_MAX_DEPTH];
	/** Per level: the container is written on one line. */
	bool flat[JSON_MAX_DEPTH];
	/** A key was just written; the next value belongs to it. */
	bool after_key;
	/** Misuse (too deep, unbalanced) or a write error happened. */
	bool failed;
};

/** Starts a document on @out. */
void json_init(struct json_writer *w, FILE *out);

/**
 * Opens @path for writing and starts @w on it. Returns 0, or -ERR_IO
 * (errno says why) when the file cannot be made.
 */
int json_file_open(struct json_writer *w, const char *path);

/**
 * Ends the document json_file_open() began and closes its file. Returns
 * 0, or -ERR_IO when a write or the close failed.
 */
int json_file_close(struct json_writer *w);

/** Writes @s (NUL-terminated) to @out as a quoted, escaped JSON string. */
void json_write_escaped(FILE *out, const char *s);

/** Opens an object ({), with one member per line. */
void json_object_begin(struct json_writer *w);

/** Closes the innermost object. */
void json_object_end(struct json_writer *w);

/** Opens an array ([), with one element per line. */
void json_array_begin(struct json_writer *w);

/** Opens an array whose elements all go on one line (short lists). */
void json_array_begin_flat(struct json_writer *w);

/** Closes the innermost array. */
void json_array_end(struct json_writer *w);

/** Writes the key of the next member of the innermost object. */
void json_key(struct json_writer *w, const char *key);

/** Writes a string value; NULL writes null. */
void json_string(struct json_writer *w, const char *s);

/** Writes an unsigned integer value. */
void json_u64(struct json_writer *w, uint64_t v);

/** Writes "0x..." as a string value: addresses and descriptors. */
void json_hex(struct json_writer *w, uint64_t v);

/** Writes @key and the unsigned integer @v (a member of an object). */
void json_key_u64(struct json_writer *w, const char *key, uint64_t v);

/** Writes @key and @v as json_hex() does. */
void json_key_hex(struct json_writer *w, const char *key, uint64_t v);

/** Writes a signed integer value. */
void json_i64(struct json_writer *w, int64_t v);

/**
 * Writes a number with @decimals digits after the point; NaN and the
 * infinities (which JSON cannot represent) are written as null.
 */
void json_fixed(struct json_writer *w, double v, unsigned decimals);

/** Writes true or false. */
void json_bool(struct json_writer *w, bool v);

/** Writes null. */
void json_null(struct json_writer *w);

/**
 * Ends the document (a final newline) and flushes. Returns 0, or -ERR_INVAL
 * when the containers were unbalanced or nested too deep, or -ERR_IO when
 * writing failed.
 */
int json_finish(struct json_writer *w);

#endif /* FAULTLINE_HARNESS_JSON_H */
