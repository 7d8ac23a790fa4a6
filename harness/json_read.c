/* Reading JSON back (json_read.h). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>

#include "json_read.h"

struct jr {
	const char *s;
	size_t len;
	size_t pos;
	unsigned depth;
	char *err;
	size_t err_size;
	int ret;
};

static int jr_fail(struct jr *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->ret == 0) {
		n = snprintf(p->err, p->err_size, "offset %zu: ", p->pos);
		va_start(ap, fmt);
		if (n >= 0 && (size_t)n < p->err_size) {
			vsnprintf(p->err + n, p->err_size - (size_t)n, fmt, ap);
		}
		va_end(ap);
		p->ret = -ERR_INVAL;
	}
	return p->ret;
}

static void jr_ws(struct jr *p)
{
	while (p->pos < p->len &&
	       (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' ||
		p->s[p->pos] == '\n' || p->s[p->pos] == '\r')) {
		p->pos++;
	}
}

static bool jr_word(struct jr *p, const char *w)
{
	size_t n = strlen(w);

	if (p->len - p->pos >= n && memcmp(p->s + p->pos, w, n) == 0) {
		p->pos += n;
		return true;
	}
	return false;
}

/* Four hex digits at the cursor into *@out. */
static bool jr_hex4(struct jr *p, unsigned *out)
{
	*out = 0;
	if (p->len - p->pos < 4) {
		return false;
	}
	for (unsigned i = 0; i < 4; i++) {
		char c = p->s[p->pos++];
		unsigned d;

		if (c >= '0' && c <= '9') {
			d = (unsigned)(c - '0');
		} else if (c >= 'a' && c <= 'f') {
			d = (unsigned)(c - 'a' + 10);
		} else if (c >= 'A' && c <= 'F') {
			d = (unsigned)(c - 'A' + 10);
		} else {
			return false;
		}
		*out = *out << 4 | d;
	}
	return true;
}

/* Code point @cp as UTF-8 at @out (room for 4); returns the bytes. */
static size_t jr_utf8(unsigned long cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A \\u escape (the cursor after the u), a surrogate pair included. */
static bool jr_unicode(struct jr *p, char *out, size_t *n)
{
	unsigned hi, lo;
	unsigned long cp;

	if (!jr_hex4(p, &hi)) {
		return false;
	}
	cp = hi;
	if (hi >= 0xd800 && hi < 0xdc00) {
		if (!jr_word(p, "\\u") || !jr_hex4(p, &lo) || lo < 0xdc00 ||
		    lo >= 0xe000) {
			return false;
		}
		cp = 0x10000 + ((unsigned long)(hi - 0xd800) << 10) +
		     (lo - 0xdc00);
	} else if (hi >= 0xdc00 && hi < 0xe000) {
		return false;
	}
	*n += jr_utf8(cp, out + *n);
	return true;
}

/* A string at the cursor (after its quote) into a new buffer. */
static char *jr_string(struct jr *p)
{
	/* Unescaping only shrinks a string, but for \\u: 6 bytes give 3. */
	size_t start = p->pos, cap = 0, n = 0;
	char *out;

	while (start + cap < p->len && p->s[start + cap] != '"') {
		cap += p->s[start + cap] == '\\' ? 2 : 1;
	}
	out = malloc(cap + 1);
	if (out == NULL) {
		p->ret = -ERR_NOMEM;
		return NULL;
	}
	for (;;) {
		char c;

		if (p->pos >= p->len) {
			jr_fail(p, "unterminated string");
			break;
		}
		c = p->s[p->pos++];
		if (c == '"') {
			out[n] = '\0';
			return out;
		}
		if ((unsigned char)c < 0x20) {
			jr_fail(p, "control character in a string");
			break;
		}
		if (c != '\\') {
			out[n++] = c;
			continue;
		}
		c = p->pos < p->len ? p->s[p->pos++] : '\0';
		switch (c) {
		case '"':
		case '\\':
		case '/':
			out[n++] = c;
			break;
		case 'b':
			out[n++] = '\b';
			break;
		case 'f':
			out[n++] = '\f';
			break;
		case 'n':
			out[n++] = '\n';
			break;
		case 'r':
			out[n++] = '\r';
			break;
		case 't':
			out[n++] = '\t';
			break;
		case 'u':
			if (jr_unicode(p, out, &n)) {
				break;
			}
			/* fall through */
		default:
			jr_fail(p, "bad escape in a string");
			free(out);
			return NULL;
		}
	}
	free(out);
	return NULL;
}

static int jr_value(struct jr *p, struct json_node *v);

/* Appends a zeroed node to @v's items (and a key slot for objects). */
static struct json_node *jr_push(struct jr *p, struct json_node *v, size_t *cap)
{
	if (v->n == *cap) {
		size_t nc = *cap > 0 ? *cap * 2 : 8;
		struct json_node *items =
			realloc(v->items, nc * sizeof(*items));
		char **keys;

		if (items == NULL) {
			p->ret = -ERR_NOMEM;
			return NULL;
		}
		v->items = items;
		if (v->type == JSON_NODE_OBJECT) {
			keys = realloc(v->keys, nc * sizeof(*keys));
			if (keys == NULL) {
				p->ret = -ERR_NOMEM;
				return NULL;
			}
			v->keys = keys;
		}
		*cap = nc;
	}
	memset(&v->items[v->n], 0, sizeof(v->items[v->n]));
	if (v->type == JSON_NODE_OBJECT) {
		v->keys[v->n] = NULL;
	}
	return &v->items[v->n++];
}

/* An array or object at the cursor (after its bracket). */
static int jr_container(struct jr *p, struct json_node *v, char close)
{
	size_t cap = 0;

	if (++p->depth > JSON_READ_MAX_DEPTH) {
		return jr_fail(p, "nested too deep");
	}
	jr_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		p->depth--;
		return 0;
	}
	for (;;) {
		struct json_node *item = jr_push(p, v, &cap);
		char *key = NULL;

		if (item == NULL) {
			return p->ret;
		}
		jr_ws(p);
		if (v->type == JSON_NODE_OBJECT) {
			if (!jr_word(p, "\"")) {
				return jr_fail(p, "expected a member name");
			}
			key = jr_string(p);
			v->keys[v->n - 1] = key;
			jr_ws(p);
			if (key == NULL || !jr_word(p, ":")) {
				return p->ret != 0 ? p->ret
						   : jr_fail(p, "expected ':'");
			}
		}
		if (jr_value(p, item) != 0) {
			return p->ret;
		}
		jr_ws(p);
		if (jr_word(p, ",")) {
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == close) {
			p->pos++;
			p->depth--;
			return 0;
		}
		return jr_fail(p, "expected ',' or '%c'", close);
	}
}

static int jr_number(struct jr *p, struct json_node *v)
{
	char buf[64];
	size_t n = 0;
	char *end;

	while (p->pos + n < p->len && n + 1 < sizeof(buf) &&
	       strchr("+-0123456789.eE", p->s[p->pos + n]) != NULL) {
		buf[n] = p->s[p->pos + n];
		n++;
	}
	buf[n] = '\0';
	errno = 0;
	v->number = strtod(buf, &end);
	if (n == 0 || *end != '\0' || errno == ERANGE || !isfinite(v->number)) {
		return jr_fail(p, "bad number");
	}
	v->type = JSON_NODE_NUMBER;
	p->pos += n;
	return 0;
}

static int jr_value(struct jr *p, struct json_node *v)
{
	jr_ws(p);
	if (p->pos >= p->len) {
		return jr_fail(p, "unexpected end");
	}
	switch (p->s[p->pos]) {
	case '{':
	case '[':
		v->type = p->s[p->pos] == '{' ? JSON_NODE_OBJECT
					      : JSON_NODE_ARRAY;
		p->pos++;
		return jr_container(p, v,
				    v->type == JSON_NODE_OBJECT ? '}' : ']');
	case '"':
		p->pos++;
		v->type = JSON_NODE_STRING;
		v->string = jr_string(p);
		return v->string != NULL ? 0 : p->ret;
	default:
		break;
	}
	if (jr_word(p, "null")) {
		v->type = JSON_NODE_NULL;
		return 0;
	}
	if (jr_word(p, "true") || jr_word(p, "false")) {
		v->type = JSON_NODE_BOOL;
		v->boolean = p->s[p->pos - 1] == 'e' && p->s[p->pos - 2] == 'u';
		return 0;
	}
	return jr_number(p, v);
}

int json_read_parse(const char *text, size_t len, struct json_node *root,
		    char *err, size_t err_size)
{
	struct jr p = {text, len, 0, 0, err, err_size, 0};

	memset(root, 0, sizeof(*root));
	if (err_size > 0) {
		err[0] = '\0';
	}
	if (jr_value(&p, root) == 0) {
		jr_ws(&p);
		if (p.pos != p.len) {
			jr_fail(&p, "text after the value");
		}
	}
	if (p.ret == -ERR_NOMEM) {
		snprintf(err, err_size, "out of memory");
	}
	return p.ret;
}

int json_read_file(const char *path, struct json_node *root, char *err,
		   size_t err_size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long size = -1;
	size_t n = 0;
	int ret = 0;

	memset(root, 0, sizeof(*root));
	if (f == NULL) {
		snprintf(err, err_size, "%s: %s", path, strerror(errno));
		return -ERR_IO;
	}
	if (fseek(f, 0, SEEK_END) == 0) {
		size = ftell(f);
	}
	if (size < 0 || size > (long)JSON_READ_MAX_FILE ||
	    fseek(f, 0, SEEK_SET) != 0) {
		snprintf(err, err_size,
			 "%s: cannot read it (or larger than "
			 "64 MiB)",
			 path);
		ret = -ERR_IO;
	} else if ((buf = malloc((size_t)size + 1)) == NULL) {
		snprintf(err, err_size, "out of memory");
		ret = -ERR_NOMEM;
	} else {
		n = fread(buf, 1, (size_t)size, f);
		if (ferror(f)) {
			snprintf(err, err_size, "%s: cannot read it", path);
			ret = -ERR_IO;
		}
	}
	fclose(f);
	if (ret == 0) {
		ret = json_read_parse(buf, n, root, err, err_size);
	}
	free(buf);
	return ret;
}

void json_read_free(struct json_node *root)
{
	for (size_t i = 0; root->items != NULL && i < root->n; i++) {
		json_read_free(&root->items[i]);
		if (root->keys != NULL) {
			free(root->keys[i]);
		}
	}
	free(root->items);
	free(root->keys);
	free(root->string);
	memset(root, 0, sizeof(*root));
}

const struct json_node *json_read_get(const struct json_node *obj,
				      const char *key)
{
	if (obj == NULL || obj->type != JSON_NODE_OBJECT) {
		return NULL;
	}
	for (size_t i = 0; i < obj->n; i++) {
		if (obj->keys[i] != NULL && strcmp(obj->keys[i], key) == 0) {
			return &obj->items[i];
		}
	}
	return NULL;
}

const struct json_node *json_read_path(const struct json_node *node,
				       const char *path)
{
	char key[128];

	while (node != NULL && *path != '\0') {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(key)) {
			return NULL;
		}
		memcpy(key, path, n);
		key[n] = '\0';
		node = json_read_get(node, key);
		path += n + (path[n] == '.');
	}
	return node;
}

const char *json_read_str(const struct json_node *n, const char *fallback)
{
	return n != NULL && n->type == JSON_NODE_STRING ? n->string : fallback;
}

bool json_read_num(const struct json_node *n, double *out)
{
	if (n == NULL || n->type != JSON_NODE_NUMBER) {
		return false;
	}
	*out = n->number;
	return true;
}
