/*
 * A small JSON reader for the files faultline wrote itself (summary.json,
 * sweep.json, manifest.json), so that `faultline show` and `faultline
 * list` read a run back without rerunning it. The whole document becomes
 * a tree of nodes (RFC 8259: strings unescaped to UTF-8, numbers as
 * doubles); errors give the byte offset.
 */
#ifndef FAULTLINE_HARNESS_JSON_READ_H
#define FAULTLINE_HARNESS_JSON_READ_H

#include <stddef.h>

#include <faultline/types.h>

/** Deepest nesting read. */
#define JSON_READ_MAX_DEPTH 64
/** Largest file read. */
#define JSON_READ_MAX_FILE (64u << 20)

/** The type of a node. */
enum json_node_type {
	JSON_NODE_NULL,
	JSON_NODE_BOOL,
	JSON_NODE_NUMBER,
	JSON_NODE_STRING,
	JSON_NODE_ARRAY,
	JSON_NODE_OBJECT,
};

/** One value of a document. */
struct json_node {
	enum json_node_type type;
	bool boolean;
	double number;
	/** A string's text (NUL-terminated; may hold NULs written \\u0000). */
	char *string;
	/** An array's elements or an object's members, in document order. */
	struct json_node *items;
	/** An object's member names (items[i] is named keys[i]). */
	char **keys;
	size_t n;
};

/**
 * Parses the @len bytes at @text into @root (freed with
 * json_read_free() in every case). Returns 0, or -ERR_INVAL with @err
 * saying what is wrong at which offset, or -ERR_NOMEM.
 */
int json_read_parse(const char *text, size_t len, struct json_node *root,
		    char *err, size_t err_size);

/** Reads and parses the file at @path (-ERR_IO when it cannot be read). */
int json_read_file(const char *path, struct json_node *root, char *err,
		   size_t err_size);

/** Frees what @root holds. */
void json_read_free(struct json_node *root);

/** Member @key of object @obj, or NULL (also when @obj is no object). */
const struct json_node *json_read_get(const struct json_node *obj,
				      const char *key);

/**
 * The node at @path below @node: member names separated by dots
 * ("fault_path.fault_latency_ns.p50"), or NULL when one is missing.
 */
const struct json_node *json_read_path(const struct json_node *node,
				       const char *path);

/** The text of string node @n, or @fallback when @n is no string. */
const char *json_read_str(const struct json_node *n, const char *fallback);

/** Number node @n into *@out; false when @n is no number. */
bool json_read_num(const struct json_node *n, double *out);

#endif /* FAULTLINE_HARNESS_JSON_READ_H */
