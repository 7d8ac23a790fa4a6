/* The tests' device-tree writer (dtb_build.h). */
#include <faultline/dtb.h>

#include "dtb_build.h"
#include "test_util.h"

#define DTB_BUILD_HEADER_SIZE 40u
#define DTB_BUILD_RSVMAP_SIZE 16u

void dtb_build_init(struct dtb_build *b)
{
	b->st_len = 0;
	b->strings_len = 0;
	b->overflow = false;
}

void dtb_build_u32(struct dtb_build *b, uint32_t v)
{
	if (b->st_len + 4 > DTB_BUILD_STRUCT_MAX) {
		b->overflow = true;
		return;
	}
	test_util_put_be32(b->st, b->st_len, v);
	b->st_len += 4;
}

/* Appends @len bytes and pads the structure block to 4 bytes with zeroes. */
static void dtb_build_bytes(struct dtb_build *b, const void *p, uint32_t len)
{
	uint32_t padded = (len + 3) & ~3u;

	if (b->st_len + padded > DTB_BUILD_STRUCT_MAX) {
		b->overflow = true;
		return;
	}
	test_util_copy(b->st + b->st_len, p, len);
	test_util_fill(b->st + b->st_len + len, 0, padded - len);
	b->st_len += padded;
}

void dtb_build_begin(struct dtb_build *b, const char *name)
{
	dtb_build_u32(b, DTB_BUILD_BEGIN_NODE);
	dtb_build_bytes(b, name, (uint32_t)test_util_strlen(name) + 1);
}

void dtb_build_end(struct dtb_build *b)
{
	dtb_build_u32(b, DTB_BUILD_END_NODE);
}

/* Offset of @name in the strings block, adding it when new. */
static uint32_t dtb_build_string(struct dtb_build *b, const char *name)
{
	uint32_t len = (uint32_t)test_util_strlen(name) + 1;
	long off = test_util_find(b->strings, b->strings_len, 0, name, len);

	if (off >= 0) {
		return (uint32_t)off;
	}
	if (b->strings_len + len > DTB_BUILD_STRINGS_MAX) {
		b->overflow = true;
		return 0;
	}
	test_util_copy(b->strings + b->strings_len, name, len);
	b->strings_len += len;
	return b->strings_len - len;
}

void dtb_build_prop(struct dtb_build *b, const char *name, const void *val,
		    uint32_t len)
{
	dtb_build_u32(b, DTB_BUILD_PROP);
	dtb_build_u32(b, len);
	dtb_build_u32(b, dtb_build_string(b, name));
	dtb_build_bytes(b, val, len);
}

void dtb_build_prop_str(struct dtb_build *b, const char *name, const char *s)
{
	dtb_build_prop(b, name, s, (uint32_t)test_util_strlen(s) + 1);
}

void dtb_build_prop_cells(struct dtb_build *b, const char *name,
			  const uint32_t *cells, unsigned n)
{
	uint8_t buf[64];

	if (n * 4 > sizeof(buf)) {
		b->overflow = true;
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		test_util_put_be32(buf, 4 * i, cells[i]);
	}
	dtb_build_prop(b, name, buf, n * 4);
}

void dtb_build_prop_u32(struct dtb_build *b, const char *name, uint32_t v)
{
	dtb_build_prop_cells(b, name, &v, 1);
}

uint32_t dtb_build_finish(struct dtb_build *b, uint8_t *out, size_t cap)
{
	uint32_t st_off = DTB_BUILD_HEADER_SIZE + DTB_BUILD_RSVMAP_SIZE;
	uint32_t st_size;
	uint32_t str_off;
	uint32_t total;

	dtb_build_u32(b, DTB_BUILD_END);
	st_size = b->st_len;
	str_off = st_off + st_size;
	total = str_off + b->strings_len;
	if (b->overflow || total > cap) {
		return 0;
	}
	test_util_fill(out, 0, st_off);
	test_util_put_be32(out, 0, DTB_MAGIC);
	test_util_put_be32(out, 4, total);
	test_util_put_be32(out, 8, st_off);
	test_util_put_be32(out, 12, str_off);
	test_util_put_be32(out, 16, DTB_BUILD_HEADER_SIZE);
	test_util_put_be32(out, 20, 17);
	test_util_put_be32(out, 24, 16);
	test_util_put_be32(out, 32, b->strings_len);
	test_util_put_be32(out, 36, st_size);
	test_util_copy(out + st_off, b->st, st_size);
	test_util_copy(out + str_off, b->strings, b->strings_len);
	return total;
}
