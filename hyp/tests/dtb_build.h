/*
 * A tiny flattened-device-tree writer for the tests: it builds trees that
 * lack one part or another (no memory, no PSCI, long bootargs...), and raw
 * token sequences that a correct writer would never produce. Layout of the
 * result: header, an empty memory reservation block, the structure block
 * (ended by FDT_END), the strings block.
 *
 * The builder is large: keep it in static storage, not on the stack.
 */
#ifndef FAULTLINE_TESTS_DTB_BUILD_H
#define FAULTLINE_TESTS_DTB_BUILD_H

#include <faultline/types.h>

/** Bytes of structure block a builder can hold. */
#define DTB_BUILD_STRUCT_MAX 4096
/** Bytes of strings block a builder can hold. */
#define DTB_BUILD_STRINGS_MAX 1024

/** FDT structure tokens (devicetree specification 5.4.1). */
#define DTB_BUILD_BEGIN_NODE 1u
#define DTB_BUILD_END_NODE 2u
#define DTB_BUILD_PROP 3u
#define DTB_BUILD_NOP 4u
#define DTB_BUILD_END 9u

/** Offset of the structure block in a finished blob (after the rsvmap). */
#define DTB_BUILD_STRUCT_OFF 56u

/** A tree being built. */
struct dtb_build {
	uint8_t st[DTB_BUILD_STRUCT_MAX];
	uint32_t st_len;
	char strings[DTB_BUILD_STRINGS_MAX];
	uint32_t strings_len;
	/** Set when something did not fit; dtb_build_finish() then fails. */
	bool overflow;
};

/** Starts an empty tree. */
void dtb_build_init(struct dtb_build *b);

/** Appends a raw big-endian token (or any u32) to the structure block. */
void dtb_build_u32(struct dtb_build *b, uint32_t v);

/** Opens node @name ("" for the root). */
void dtb_build_begin(struct dtb_build *b, const char *name);

/** Closes the innermost open node. */
void dtb_build_end(struct dtb_build *b);

/** Adds property @name with the @len bytes at @val. */
void dtb_build_prop(struct dtb_build *b, const char *name, const void *val,
		    uint32_t len);

/** Adds a string property, NUL included. */
void dtb_build_prop_str(struct dtb_build *b, const char *name, const char *s);

/** Adds a property of @n big-endian cells. */
void dtb_build_prop_cells(struct dtb_build *b, const char *name,
			  const uint32_t *cells, unsigned n);

/** Adds a one-cell property. */
void dtb_build_prop_u32(struct dtb_build *b, const char *name, uint32_t v);

/**
 * Writes the blob to @out (at most @cap bytes), appending FDT_END to the
 * structure block. Returns the total size, or 0 when it does not fit.
 */
uint32_t dtb_build_finish(struct dtb_build *b, uint8_t *out, size_t cap);

#endif /* FAULTLINE_TESTS_DTB_BUILD_H */
