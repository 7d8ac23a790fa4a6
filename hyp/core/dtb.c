/*
 * Flattened device tree reader (devicetree specification v0.4, chapter 5).
 * Every read goes through dtb_be32_at()/dtb_string_at(), which check the
 * bounds of the block the data must lie in, so a malformed blob produces
 * -ERR_INVAL with the offset and the reason instead of a wild read.
 */
#include <faultline/dtb.h>
#include <faultline/err.h>

#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_NOP 4u
#define FDT_END 9u

#define FDT_HEADER_SIZE 40u
/* Deeper nesting than any real tree: treat it as corruption. */
#define FDT_MAX_DEPTH 32

static int dtb_fail(struct dtb *dt, uint32_t offset, const char *why)
{
	dt->error.offset = offset;
	dt->error.why = why;
	return -ERR_INVAL;
}

static uint32_t dtb_be32(const uint8_t *p)
{
	/* Byte loads: the blob may be unaligned, and memory may be Device. */
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

uint64_t dtb_read_cells(const void *p, uint32_t cells)
{
	const uint8_t *b = p;
	uint64_t v = 0;

	for (uint32_t i = 0; i < cells; i++) {
		v = (v << 32) | dtb_be32(b + 4 * i);
	}
	return v;
}

/* Reads a u32 of the structure block at blob offset @off. */
static int dtb_be32_at(struct dtb *dt, uint32_t off, uint32_t *out)
{
	uint32_t end = dt->struct_off + dt->struct_size;

	if (off < dt->struct_off || off > end || end - off < 4) {
		return dtb_fail(dt, off, "structure block ends inside a token");
	}
	*out = dtb_be32(dt->blob + off);
	return 0;
}

/*
 * Checks that a NUL-terminated string starts at @off and ends before @end.
 * Returns its length in *@len.
 */
static int dtb_string_at(struct dtb *dt, uint32_t off, uint32_t end,
			 uint32_t *len, const char *why)
{
	for (uint32_t i = off; i < end; i++) {
		if (dt->blob[i] == '\0') {
			*len = i - off;
			return 0;
		}
	}
	return dtb_fail(dt, off, why);
}

int dtb_init(struct dtb *dt, const void *blob, size_t max_size)
{
	const uint8_t *b = blob;
	uint32_t total, version, struct_off, struct_size, strings_off;
	uint32_t strings_size, rsv_off;

	dt->blob = b;
	dt->error.offset = 0;
	dt->error.why = NULL;
	if (max_size < FDT_HEADER_SIZE) {
		return dtb_fail(dt, 0, "blob smaller than the FDT header");
	}
	if (dtb_be32(b) != DTB_MAGIC) {
		return dtb_fail(dt, 0, "bad magic (not a device tree)");
	}
	total = dtb_be32(b + 4);
	struct_off = dtb_be32(b + 8);
	strings_off = dtb_be32(b + 12);
	rsv_off = dtb_be32(b + 16);
	version = dtb_be32(b + 20);
	strings_size = dtb_be32(b + 32);
	struct_size = dtb_be32(b + 36);

	if (total < FDT_HEADER_SIZE || total > max_size) {
		return dtb_fail(dt, 4, "totalsize out of range");
	}
	if (version < 16 || dtb_be32(b + 24) > 17) {
		return dtb_fail(dt, 20, "unsupported version (need 16 or 17)");
	}
	/* Version 16 has no size_dt_struct: the block may run to the end. */
	if (version == 16) {
		struct_size =
			struct_off <= total ? (total - struct_off) & ~3u : 0;
	}
	if (struct_off < FDT_HEADER_SIZE || struct_off > total ||
	    struct_size > total - struct_off || struct_off % 4 != 0 ||
	    struct_size % 4 != 0) {
		return dtb_fail(dt, 8, "structure block outside the blob");
	}
	if (strings_off > total || strings_size > total - strings_off) {
		return dtb_fail(dt, 12, "strings block outside the blob");
	}
	if (rsv_off < FDT_HEADER_SIZE || rsv_off > total || rsv_off % 8 != 0) {
		return dtb_fail(dt, 16, "memory reservation block misplaced");
	}
	dt->total_size = total;
	dt->struct_off = struct_off;
	dt->struct_size = struct_size;
	dt->strings_off = strings_off;
	dt->strings_size = strings_size;
	return 0;
}

int dtb_root(struct dtb *dt, struct dtb_node *node)
{
	uint32_t off = dt->struct_off;
	uint32_t tok;
	int ret;

	/* NOPs may precede the root node. */
	for (;;) {
		ret = dtb_be32_at(dt, off, &tok);
		if (ret != 0) {
			return ret;
		}
		if (tok != FDT_NOP) {
			break;
		}
		off += 4;
	}
	if (tok != FDT_BEGIN_NODE) {
		return dtb_fail(dt, off,
				"structure block does not start with a node");
	}
	node->offset = off;
	node->depth = 0;
	return 0;
}

/* Offset of the first token after the name of the node at @node_off. */
static int dtb_after_name(struct dtb *dt, uint32_t node_off, uint32_t *out)
{
	uint32_t end = dt->struct_off + dt->struct_size;
	uint32_t len;
	int ret = dtb_string_at(dt, node_off + 4, end, &len,
				"node name runs past the structure block");

	if (ret != 0) {
		return ret;
	}
	*out = node_off + 4 + ((len + 1 + 3) & ~3u);
	return 0;
}

/* Offset of the token after the property at @off (which is FDT_PROP). */
static int dtb_skip_prop(struct dtb *dt, uint32_t off, uint32_t *next)
{
	uint32_t len;
	uint32_t end = dt->struct_off + dt->struct_size;
	int ret = dtb_be32_at(dt, off + 4, &len);

	if (ret != 0) {
		return ret;
	}
	if (off + 12 > end || len > end - (off + 12)) {
		return dtb_fail(dt, off,
				"property value runs past the structure block");
	}
	*next = off + 12 + ((len + 3) & ~3u);
	return 0;
}

int dtb_next_node(struct dtb *dt, struct dtb_node *node)
{
	int level = node->depth;
	uint32_t off;
	uint32_t tok;
	int ret = dtb_after_name(dt, node->offset, &off);

	if (ret != 0) {
		return ret;
	}
	for (;;) {
		ret = dtb_be32_at(dt, off, &tok);
		if (ret != 0) {
			return ret;
		}
		switch (tok) {
		case FDT_BEGIN_NODE:
			if (level + 1 > FDT_MAX_DEPTH) {
				return dtb_fail(dt, off,
						"nodes nested too deeply");
			}
			node->offset = off;
			node->depth = level + 1;
			return 0;
		case FDT_END_NODE:
			level--;
			off += 4;
			if (level < -1) {
				return dtb_fail(dt, off - 4,
						"unbalanced end of node");
			}
			break;
		case FDT_PROP:
			ret = dtb_skip_prop(dt, off, &off);
			if (ret != 0) {
				return ret;
			}
			break;
		case FDT_NOP:
			off += 4;
			break;
		case FDT_END:
			if (level != -1) {
				return dtb_fail(dt, off,
						"tree ends inside a node");
			}
			return -ERR_NOENT;
		default:
			return dtb_fail(dt, off, "unknown structure token");
		}
	}
}

int dtb_parent(struct dtb *dt, const struct dtb_node *node,
	       struct dtb_node *parent)
{
	/* Offsets of the nodes on the path from the root to the current one. */
	uint32_t path[FDT_MAX_DEPTH + 1];
	struct dtb_node n;
	int ret = dtb_root(dt, &n);

	if (ret != 0) {
		return ret;
	}
	if (node->depth <= 0 || node->offset == n.offset) {
		return -ERR_NOENT;
	}
	for (;;) {
		path[n.depth] = n.offset;
		if (n.offset == node->offset) {
			parent->offset = path[n.depth - 1];
			parent->depth = n.depth - 1;
			return 0;
		}
		ret = dtb_next_node(dt, &n);
		if (ret != 0) {
			return ret;
		}
	}
}

int dtb_node_name(struct dtb *dt, const struct dtb_node *node,
		  const char **name)
{
	uint32_t len;
	int ret = dtb_string_at(dt, node->offset + 4,
				dt->struct_off + dt->struct_size, &len,
				"node name runs past the structure block");

	if (ret != 0) {
		return ret;
	}
	*name = (const char *)dt->blob + node->offset + 4;
	return 0;
}

int dtb_next_child(struct dtb *dt, const struct dtb_node *parent,
		   struct dtb_node *child)
{
	struct dtb_node n = child->offset == 0 ? *parent : *child;
	int ret;

	for (;;) {
		ret = dtb_next_node(dt, &n);
		if (ret != 0) {
			return ret;
		}
		if (n.depth <= parent->depth) {
			return -ERR_NOENT;
		}
		if (n.depth == parent->depth + 1) {
			*child = n;
			return 0;
		}
	}
}

/* True when node name @name matches path component [@c, @c + @len). */
static bool dtb_name_matches(const char *name, const char *c, uint32_t len)
{
	bool has_unit = false;
	uint32_t i;

	for (i = 0; i < len; i++) {
		if (c[i] == '@') {
			has_unit = true;
		}
		if (name[i] != c[i]) {
			return false;
		}
	}
	return name[i] == '\0' || (!has_unit && name[i] == '@');
}

static bool dtb_streq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

int dtb_find_path(struct dtb *dt, const char *path, struct dtb_node *node)
{
	struct dtb_node cur;
	int ret = dtb_root(dt, &cur);

	if (ret != 0) {
		return ret;
	}
	if (*path != '/') {
		return -ERR_NOENT;
	}
	while (*path == '/') {
		const char *c = ++path;
		uint32_t len = 0;
		struct dtb_node child = {0, 0};

		while (c[len] != '\0' && c[len] != '/' && c[len] != ':') {
			len++;
		}
		if (len == 0) {
			/* "/" is the root; "//x" names no node. */
			if (c[0] == '/') {
				return -ERR_NOENT;
			}
			break;
		}
		for (;;) {
			const char *name;

			ret = dtb_next_child(dt, &cur, &child);
			if (ret != 0) {
				return ret;
			}
			ret = dtb_node_name(dt, &child, &name);
			if (ret != 0) {
				return ret;
			}
			if (dtb_name_matches(name, c, len)) {
				break;
			}
		}
		cur = child;
		path = c + len;
	}
	*node = cur;
	return 0;
}

int dtb_prop(struct dtb *dt, const struct dtb_node *node, const char *name,
	     const void **val, uint32_t *len)
{
	uint32_t off;
	uint32_t tok;
	int ret = dtb_after_name(dt, node->offset, &off);

	if (ret != 0) {
		return ret;
	}
	for (;;) {
		uint32_t plen, nameoff, slen, next;

		ret = dtb_be32_at(dt, off, &tok);
		if (ret != 0) {
			return ret;
		}
		if (tok == FDT_NOP) {
			off += 4;
			continue;
		}
		if (tok == FDT_BEGIN_NODE || tok == FDT_END_NODE) {
			/* Properties come before subnodes: none left. */
			return -ERR_NOENT;
		}
		if (tok != FDT_PROP) {
			return dtb_fail(dt, off, "unknown structure token");
		}
		ret = dtb_skip_prop(dt, off, &next);
		if (ret != 0) {
			return ret;
		}
		plen = dtb_be32(dt->blob + off + 4);
		nameoff = dtb_be32(dt->blob + off + 8);
		if (nameoff >= dt->strings_size) {
			return dtb_fail(
				dt, off + 8,
				"property name outside the strings block");
		}
		ret = dtb_string_at(
			dt, dt->strings_off + nameoff,
			dt->strings_off + dt->strings_size, &slen,
			"property name runs past the strings block");
		if (ret != 0) {
			return ret;
		}
		if (dtb_streq((const char *)dt->blob + dt->strings_off +
				      nameoff,
			      name)) {
			*val = dt->blob + off + 12;
			*len = plen;
			return 0;
		}
		off = next;
	}
}

int dtb_prop_u32(struct dtb *dt, const struct dtb_node *node, const char *name,
		 uint32_t *out)
{
	const void *val;
	uint32_t len;
	int ret = dtb_prop(dt, node, name, &val, &len);

	if (ret != 0) {
		return ret;
	}
	if (len != 4) {
		return dtb_fail(dt, (uint32_t)((const uint8_t *)val - dt->blob),
				"u32 property is not 4 bytes");
	}
	*out = dtb_be32(val);
	return 0;
}

bool dtb_prop_has_string(struct dtb *dt, const struct dtb_node *node,
			 const char *name, const char *str)
{
	const void *val;
	uint32_t len;
	const char *s;
	uint32_t i = 0;

	if (dtb_prop(dt, node, name, &val, &len) != 0) {
		return false;
	}
	s = val;
	while (i < len) {
		uint32_t j = 0;

		while (i + j < len && s[i + j] != '\0' && str[j] != '\0' &&
		       s[i + j] == str[j]) {
			j++;
		}
		if (i + j < len && s[i + j] == '\0' && str[j] == '\0') {
			return true;
		}
		while (i < len && s[i] != '\0') {
			i++;
		}
		i++;
	}
	return false;
}
