/*
 * A reader for flattened device trees (the DTB the firmware or QEMU hands
 * the hypervisor). Every access is bounds-checked against the blob: a
 * malformed blob gives -ERR_INVAL with the byte offset and the reason in
 * struct dtb_error, never an out-of-bounds read.
 *
 * The reader keeps no pointers of its own between calls except into the
 * blob, so it works unchanged with the MMU off (at physical addresses) and
 * on the host.
 */
#ifndef FAULTLINE_DTB_H
#define FAULTLINE_DTB_H

#include <faultline/types.h>

/** Where and why a blob was rejected. */
struct dtb_error {
	/** Byte offset into the blob of the offending data. */
	uint32_t offset;
	/** A short static description of the problem. */
	const char *why;
};

/** A validated blob. */
struct dtb {
	const uint8_t *blob;
	uint32_t total_size;
	uint32_t struct_off;
	uint32_t struct_size;
	uint32_t strings_off;
	uint32_t strings_size;
	/** Set when a call returns -ERR_INVAL. */
	struct dtb_error error;
};

/** A node: the offset of its FDT_BEGIN_NODE token and its depth (root = 0). */
struct dtb_node {
	uint32_t offset;
	int depth;
};

/** The FDT magic number, big-endian in the blob. */
#define DTB_MAGIC 0xd00dfeedu

/**
 * Validates the header of the blob at @blob, of which at most @max_size
 * bytes may be read, and fills @dt. Checks the magic, the version (16 or
 * later), that every block lies inside totalsize and totalsize inside
 * @max_size, and the alignment of the structure block. Returns 0 or
 * -ERR_INVAL with dt->error set.
 */
int dtb_init(struct dtb *dt, const void *blob, size_t max_size);

/** Gets the root node. Returns 0 or -ERR_INVAL. */
int dtb_root(struct dtb *dt, struct dtb_node *node);

/**
 * Moves @node to the next node in document order (depth-first), updating
 * its depth. Returns 0, -ERR_NOENT after the last node, or -ERR_INVAL when
 * the structure block is malformed.
 */
int dtb_next_node(struct dtb *dt, struct dtb_node *node);

/**
 * Gets the name ("unit@addr") of @node into *@name (a pointer into the
 * blob, NUL-terminated and inside it). Returns 0 or -ERR_INVAL.
 */
int dtb_node_name(struct dtb *dt, const struct dtb_node *node,
		  const char **name);

/**
 * Finds the node with absolute path @path ("/", "/cpus", "/pl011@9000000").
 * A component without "@unit" matches a node name with any unit address.
 * A ':' ends the path (node names cannot contain one), so a stdout-path
 * with options ("/serial@1000:115200n8") can be passed as it is. An empty
 * component ("//cpus") matches nothing. Returns 0, -ERR_NOENT or
 * -ERR_INVAL.
 */
int dtb_find_path(struct dtb *dt, const char *path, struct dtb_node *node);

/**
 * Finds the next child of @parent after @child (the first child when
 * @child->offset is 0). Returns 0, -ERR_NOENT or -ERR_INVAL.
 */
int dtb_next_child(struct dtb *dt, const struct dtb_node *parent,
		   struct dtb_node *child);

/**
 * Finds the parent of @node (which must not be the root). Returns 0,
 * -ERR_NOENT for the root, or -ERR_INVAL.
 */
int dtb_parent(struct dtb *dt, const struct dtb_node *node,
	       struct dtb_node *parent);

/**
 * Gets property @name of @node: *@val points into the blob and *@len is its
 * length. Returns 0, -ERR_NOENT or -ERR_INVAL.
 */
int dtb_prop(struct dtb *dt, const struct dtb_node *node, const char *name,
	     const void **val, uint32_t *len);

/**
 * Reads a u32 property. Returns 0, -ERR_NOENT, or -ERR_INVAL when the
 * property is not exactly 4 bytes.
 */
int dtb_prop_u32(struct dtb *dt, const struct dtb_node *node, const char *name,
		 uint32_t *out);

/**
 * True when the string-list property @name of @node contains @str (for
 * "compatible"). False when it does not, or is absent or malformed.
 */
bool dtb_prop_has_string(struct dtb *dt, const struct dtb_node *node,
			 const char *name, const char *str);

/** Reads a big-endian number of @cells 32-bit cells (1 or 2) at @p. */
uint64_t dtb_read_cells(const void *p, uint32_t cells);

#endif /* FAULTLINE_DTB_H */
