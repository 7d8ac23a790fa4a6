/*
 * The device-tree reader on malformed blobs: every case must give
 * -ERR_INVAL with the reason and a plausible offset in dt.error, and never
 * read outside the blob. Blobs are copied to the end of dtbm_area so that
 * on the host any read past them lands in ASan's redzone.
 */
#include <faultline/dtb.h>
#include <faultline/err.h>
#include <faultline/test.h>

#include "../../tests/fixtures/fixtures.h"
#include "dtb_build.h"
#include "test_util.h"

static uint8_t dtbm_area[8192];
static struct dtb_build dtbm_b;
static uint8_t dtbm_built[4096];

/* Copies the first @n bytes of @src so that they end where dtbm_area ends. */
static uint8_t *dtbm_tail_copy(const uint8_t *src, size_t n)
{
	uint8_t *dst = dtbm_area + sizeof(dtbm_area) - n;

	test_util_copy(dst, src, n);
	return dst;
}

/* A copy of the minimal fixture at the end of dtbm_area. */
static uint8_t *dtbm_minimal(void)
{
	return dtbm_tail_copy(fixture_minimal, FIXTURE_SIZE(minimal));
}

/* Finishes dtbm_b and moves the blob to the end of dtbm_area. */
static uint8_t *dtbm_finish(uint32_t *size)
{
	*size = dtb_build_finish(&dtbm_b, dtbm_built, sizeof(dtbm_built));
	return *size == 0 ? NULL : dtbm_tail_copy(dtbm_built, *size);
}

/* Checks that @ret is -ERR_INVAL with a reason, at @offset. */
static bool dtbm_expect_inval(struct test_ctx *test_ctx, const struct dtb *dt,
			      int ret, uint32_t offset)
{
	bool ok = EXPECT_EQ_INT(ret, -ERR_INVAL);

	ok = EXPECT_TRUE(dt->error.why != NULL) && ok;
	ok = EXPECT_EQ(dt->error.offset, offset) && ok;
	return ok;
}

/** A blob shorter than the 40-byte header is refused before any read. */
TEST(dtb_malformed, smaller_than_header)
{
	struct dtb dt = {0};
	uint8_t *b = dtbm_tail_copy(fixture_minimal, 39);

	dtbm_expect_inval(test_ctx, &dt, dtb_init(&dt, b, 39), 0);
	dtbm_expect_inval(test_ctx, &dt, dtb_init(&dt, NULL, 0), 0);
}

/** A wrong magic number is refused at offset 0. */
TEST(dtb_malformed, bad_magic)
{
	struct dtb dt = {0};
	uint8_t *b = dtbm_minimal();

	b[3] ^= 0x01;
	dtbm_expect_inval(test_ctx, &dt,
			  dtb_init(&dt, b, FIXTURE_SIZE(minimal)), 0);
	EXPECT_TRUE(test_util_contains(dt.error.why, "magic"));
}

/** A totalsize beyond the readable bytes, or below the header, is refused at offset 4. */
TEST(dtb_malformed, totalsize_out_of_range)
{
	static const uint32_t bad[] = {0, 39, 0xffffffffu};
	struct dtb dt = {0};
	size_t size = FIXTURE_SIZE(minimal);
	uint8_t *b = dtbm_minimal();

	test_util_put_be32(b, 4, (uint32_t)size + 4);
	dtbm_expect_inval(test_ctx, &dt, dtb_init(&dt, b, size), 4);
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		test_util_put_be32(b, 4, bad[i]);
		dtbm_expect_inval(test_ctx, &dt, dtb_init(&dt, b, size), 4);
	}
}

/** A blob cut short of its totalsize (max_size too small) is refused at offset 4. */
TEST(dtb_malformed, blob_truncated)
{
	struct dtb dt = {0};
	size_t size = FIXTURE_SIZE(minimal) - 1;
	uint8_t *b = dtbm_tail_copy(fixture_minimal, size);

	dtbm_expect_inval(test_ctx, &dt, dtb_init(&dt, b, size), 4);
	b = dtbm_tail_copy(fixture_minimal, 64);
	dtbm_expect_inval(test_ctx, &dt, dtb_init(&dt, b, 64), 4);
}

/** Versions before 16, and a last compatible version after 17, are refused at offset 20. */
TEST(dtb_malformed, unsupported_version)
{
	struct dtb dt = {0};
	size_t size = FIXTURE_SIZE(minimal);
	uint8_t *b = dtbm_minimal();

	test_util_put_be32(b, 20, 15);
	dtbm_expect_inval(test_ctx, &dt, dtb_init(&dt, b, size), 20);
	test_util_put_be32(b, 20, 1);
	dtbm_expect_inval(test_ctx, &dt, dtb_init(&dt, b, size), 20);
	b = dtbm_minimal();
	test_util_put_be32(b, 24, 18);
	dtbm_expect_inval(test_ctx, &dt, dtb_init(&dt, b, size), 20);
}

/** A newer version that stays compatible with 17 (v18, last_comp 16) is accepted. */
TEST(dtb_malformed, newer_compatible_version_accepted)
{
	struct dtb dt = {0};
	uint8_t *b = dtbm_minimal();

	test_util_put_be32(b, 20, 18);
	EXPECT_EQ_INT(dtb_init(&dt, b, FIXTURE_SIZE(minimal)), 0);
}

/** dtb.h documents "the version (16 or later)": a version-16 header is accepted. */
TEST(dtb_malformed, version_16_accepted_as_documented)
{
	struct dtb dt = {0};
	uint8_t *b = dtbm_minimal();

	test_util_put_be32(b, 20, 16);
	EXPECT_EQ_INT(dtb_init(&dt, b, FIXTURE_SIZE(minimal)), 0);
}

/** A structure block before the end of the header, misaligned or past totalsize is refused at offset 8. */
TEST(dtb_malformed, struct_block_out_of_range)
{
	struct dtb dt = {0};
	uint32_t size = (uint32_t)FIXTURE_SIZE(minimal);
	uint8_t *b = dtbm_minimal();
	uint32_t off = test_util_get_be32(b, 8);
	uint32_t len = test_util_get_be32(b, 36);
	const uint32_t cases[][2] = {
		{0, len},
		{36, len},
		{off + 1, len},
		{off, len + 1},
		{off, size - off + 4},
		{size + 4, 0},
		{off, 0xfffffffcu},
		{0xfffffff0u, 16},
	};

	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		b = dtbm_minimal();
		test_util_put_be32(b, 8, cases[i][0]);
		test_util_put_be32(b, 36, cases[i][1]);
		if (!dtbm_expect_inval(test_ctx, &dt, dtb_init(&dt, b, size),
				       8)) {
			test_fail(test_ctx, __FILE__, __LINE__,
				  "case %u: off %u size %u", i, cases[i][0],
				  cases[i][1]);
		}
	}
}

/** A strings block past totalsize is refused at offset 12. */
TEST(dtb_malformed, strings_block_out_of_range)
{
	struct dtb dt = {0};
	uint32_t size = (uint32_t)FIXTURE_SIZE(minimal);
	uint8_t *b = dtbm_minimal();
	uint32_t off = test_util_get_be32(b, 12);

	test_util_put_be32(b, 32, size - off + 1);
	dtbm_expect_inval(test_ctx, &dt, dtb_init(&dt, b, size), 12);
	b = dtbm_minimal();
	test_util_put_be32(b, 12, size + 1);
	dtbm_expect_inval(test_ctx, &dt, dtb_init(&dt, b, size), 12);
	b = dtbm_minimal();
	test_util_put_be32(b, 32, 0xffffffffu);
	dtbm_expect_inval(test_ctx, &dt, dtb_init(&dt, b, size), 12);
}

/** A memory reservation block inside the header, misaligned or past the end is refused at offset 16. */
TEST(dtb_malformed, rsvmap_misplaced)
{
	static const uint32_t bad[] = {0, 32, 0x2c, 0x10000};
	struct dtb dt = {0};
	uint32_t size = (uint32_t)FIXTURE_SIZE(minimal);

	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		uint8_t *b = dtbm_minimal();

		test_util_put_be32(b, 16, bad[i]);
		dtbm_expect_inval(test_ctx, &dt, dtb_init(&dt, b, size), 16);
	}
}

/** An empty structure block has no root node. */
TEST(dtb_malformed, empty_struct_block)
{
	struct dtb dt = {0};
	struct dtb_node n;
	uint8_t *b = dtbm_minimal();

	test_util_put_be32(b, 36, 0);
	ASSERT_EQ_INT(dtb_init(&dt, b, FIXTURE_SIZE(minimal)), 0);
	dtbm_expect_inval(test_ctx, &dt, dtb_root(&dt, &n), dt.struct_off);
	dtbm_expect_inval(test_ctx, &dt, dtb_find_path(&dt, "/cpus", &n),
			  dt.struct_off);
}

/** A structure block that starts with a property, or holds only NOPs, has no root node. */
TEST(dtb_malformed, struct_block_without_root)
{
	struct dtb dt = {0};
	struct dtb_node n;
	uint32_t size;
	uint8_t *b;

	dtb_build_init(&dtbm_b);
	dtb_build_prop_u32(&dtbm_b, "x", 1);
	b = dtbm_finish(&size);
	ASSERT_TRUE(b != NULL);
	ASSERT_EQ_INT(dtb_init(&dt, b, size), 0);
	dtbm_expect_inval(test_ctx, &dt, dtb_root(&dt, &n),
			  DTB_BUILD_STRUCT_OFF);

	dtb_build_init(&dtbm_b);
	dtb_build_u32(&dtbm_b, DTB_BUILD_NOP);
	dtb_build_u32(&dtbm_b, DTB_BUILD_NOP);
	b = dtbm_finish(&size);
	ASSERT_TRUE(b != NULL);
	ASSERT_EQ_INT(dtb_init(&dt, b, size), 0);
	/* The NOPs are skipped; FDT_END is not a node. */
	dtbm_expect_inval(test_ctx, &dt, dtb_root(&dt, &n),
			  DTB_BUILD_STRUCT_OFF + 8);
	/* Without FDT_END, the block ends inside the token after the NOPs. */
	test_util_put_be32(b, 36, 8);
	ASSERT_EQ_INT(dtb_init(&dt, b, size), 0);
	dtbm_expect_inval(test_ctx, &dt, dtb_root(&dt, &n),
			  DTB_BUILD_STRUCT_OFF + 8);
}

/** A node name without its NUL before the end of the structure block is refused. */
TEST(dtb_malformed, node_name_runs_past_block)
{
	struct dtb dt = {0};
	struct dtb_node root, n;
	const char *name;
	uint32_t size;
	uint8_t *b;

	dtb_build_init(&dtbm_b);
	dtb_build_begin(&dtbm_b, "");
	dtb_build_begin(&dtbm_b, "verylongname");
	dtb_build_end(&dtbm_b);
	dtb_build_end(&dtbm_b);
	b = dtbm_finish(&size);
	ASSERT_TRUE(b != NULL);
	/* Root token + name (8 bytes), child token, then 4 bytes of its name. */
	test_util_put_be32(b, 36, 16);
	ASSERT_EQ_INT(dtb_init(&dt, b, size), 0);
	ASSERT_EQ_INT(dtb_root(&dt, &root), 0);
	n = root;
	ASSERT_EQ_INT(dtb_next_node(&dt, &n), 0);
	EXPECT_EQ(n.offset, DTB_BUILD_STRUCT_OFF + 8);
	dtbm_expect_inval(test_ctx, &dt, dtb_node_name(&dt, &n, &name),
			  DTB_BUILD_STRUCT_OFF + 12);
	dtbm_expect_inval(test_ctx, &dt, dtb_next_node(&dt, &n),
			  DTB_BUILD_STRUCT_OFF + 12);
	dtbm_expect_inval(test_ctx, &dt,
			  dtb_find_path(&dt, "/verylongname", &n),
			  DTB_BUILD_STRUCT_OFF + 12);
}

/* Builds a root with properties a = <1> and b = <2>; returns the blob. */
static uint8_t *dtbm_two_props(uint32_t *size)
{
	dtb_build_init(&dtbm_b);
	dtb_build_begin(&dtbm_b, "");
	dtb_build_prop_u32(&dtbm_b, "a", 1);
	dtb_build_prop_u32(&dtbm_b, "b", 2);
	dtb_build_end(&dtbm_b);
	return dtbm_finish(size);
}

/* Offset of the first property of the root built by dtbm_two_props(). */
#define DTBM_PROP_A (DTB_BUILD_STRUCT_OFF + 8)
/* Offset of its second property. */
#define DTBM_PROP_B (DTBM_PROP_A + 16)

/** A property whose length runs past the structure block is refused at its token. */
TEST(dtb_malformed, property_value_runs_past_block)
{
	static const uint32_t lens[] = {64, 0x7fffffffu, 0xfffffffcu,
					0xffffffffu};
	struct dtb dt = {0};
	struct dtb_node root, n;
	const void *val;
	uint32_t len, size;

	for (unsigned i = 0; i < ARRAY_SIZE(lens); i++) {
		uint8_t *b = dtbm_two_props(&size);

		ASSERT_TRUE(b != NULL);
		test_util_put_be32(b, DTBM_PROP_A + 4, lens[i]);
		ASSERT_EQ_INT(dtb_init(&dt, b, size), 0);
		ASSERT_EQ_INT(dtb_root(&dt, &root), 0);
		dtbm_expect_inval(test_ctx, &dt,
				  dtb_prop(&dt, &root, "b", &val, &len),
				  DTBM_PROP_A);
		n = root;
		dtbm_expect_inval(test_ctx, &dt, dtb_next_node(&dt, &n),
				  DTBM_PROP_A);
	}
}

/** A structure block that ends inside a property header is refused. */
TEST(dtb_malformed, property_header_truncated)
{
	struct dtb dt = {0};
	struct dtb_node root;
	const void *val;
	uint32_t len, size;
	uint8_t *b = dtbm_two_props(&size);

	ASSERT_TRUE(b != NULL);
	/* The block ends right after the second FDT_PROP token. */
	test_util_put_be32(b, 36, DTBM_PROP_B + 4 - DTB_BUILD_STRUCT_OFF);
	ASSERT_EQ_INT(dtb_init(&dt, b, size), 0);
	ASSERT_EQ_INT(dtb_root(&dt, &root), 0);
	dtbm_expect_inval(test_ctx, &dt, dtb_prop(&dt, &root, "b", &val, &len),
			  DTBM_PROP_B + 4);
	/* It ends after the length word: the name offset is missing. */
	test_util_put_be32(b, 36, DTBM_PROP_B + 8 - DTB_BUILD_STRUCT_OFF);
	ASSERT_EQ_INT(dtb_init(&dt, b, size), 0);
	dtbm_expect_inval(test_ctx, &dt, dtb_prop(&dt, &root, "b", &val, &len),
			  DTBM_PROP_B);
	/* The first property is still readable. */
	EXPECT_EQ_INT(dtb_prop(&dt, &root, "a", &val, &len), 0);
}

/** A property name offset outside the strings block is refused at the name field. */
TEST(dtb_malformed, property_name_outside_strings)
{
	static const uint32_t offs[] = {4, 0x1000, 0xffffffffu};
	struct dtb dt = {0};
	struct dtb_node root;
	const void *val;
	uint32_t len, size;

	for (unsigned i = 0; i < ARRAY_SIZE(offs); i++) {
		uint8_t *b = dtbm_two_props(&size);

		ASSERT_TRUE(b != NULL);
		/* The strings block is "a\0b\0": 4 bytes. */
		test_util_put_be32(b, DTBM_PROP_A + 8, offs[i]);
		ASSERT_EQ_INT(dtb_init(&dt, b, size), 0);
		ASSERT_EQ_INT(dtb_root(&dt, &root), 0);
		dtbm_expect_inval(test_ctx, &dt,
				  dtb_prop(&dt, &root, "b", &val, &len),
				  DTBM_PROP_A + 8);
	}
}

/** A property name without its NUL inside the strings block is refused. */
TEST(dtb_malformed, property_name_runs_past_strings)
{
	struct dtb dt = {0};
	struct dtb_node root;
	const void *val;
	uint32_t len, size;
	uint8_t *b = dtbm_two_props(&size);

	ASSERT_TRUE(b != NULL);
	/* Cut the strings block to "a\0b": "b" loses its NUL. */
	test_util_put_be32(b, 32, 3);
	ASSERT_EQ_INT(dtb_init(&dt, b, size), 0);
	ASSERT_EQ_INT(dtb_root(&dt, &root), 0);
	dtbm_expect_inval(test_ctx, &dt, dtb_prop(&dt, &root, "b", &val, &len),
			  dt.strings_off + 2);
}

/** An unknown token between nodes stops the walk with INVAL at the token. */
TEST(dtb_malformed, unknown_token)
{
	static const uint32_t tokens[] = {0, 5, 8, 10, 0x77, 0x01000000u};
	struct dtb dt = {0};
	struct dtb_node n;
	uint32_t size;

	for (unsigned i = 0; i < ARRAY_SIZE(tokens); i++) {
		uint8_t *b;

		dtb_build_init(&dtbm_b);
		dtb_build_begin(&dtbm_b, "");
		dtb_build_begin(&dtbm_b, "a");
		dtb_build_end(&dtbm_b);
		dtb_build_u32(&dtbm_b, tokens[i]);
		dtb_build_begin(&dtbm_b, "b");
		dtb_build_end(&dtbm_b);
		dtb_build_end(&dtbm_b);
		b = dtbm_finish(&size);
		ASSERT_TRUE(b != NULL);
		ASSERT_EQ_INT(dtb_init(&dt, b, size), 0);
		ASSERT_EQ_INT(dtb_find_path(&dt, "/a", &n), 0);
		/* "a" token + name, then its END_NODE; the bad token follows. */
		dtbm_expect_inval(test_ctx, &dt, dtb_next_node(&dt, &n),
				  DTB_BUILD_STRUCT_OFF + 8 + 8 + 4);
		dtbm_expect_inval(test_ctx, &dt, dtb_find_path(&dt, "/b", &n),
				  DTB_BUILD_STRUCT_OFF + 8 + 8 + 4);
	}
}

/** An unknown token among a node's properties makes dtb_prop fail with INVAL, not NOENT. */
TEST(dtb_malformed, prop_unknown_token_is_malformed)
{
	struct dtb dt = {0};
	struct dtb_node root;
	const void *val;
	uint32_t len, size;
	uint8_t *b;

	dtb_build_init(&dtbm_b);
	dtb_build_begin(&dtbm_b, "");
	dtb_build_u32(&dtbm_b, 0x77);
	dtb_build_prop_u32(&dtbm_b, "a", 1);
	dtb_build_end(&dtbm_b);
	b = dtbm_finish(&size);
	ASSERT_TRUE(b != NULL);
	ASSERT_EQ_INT(dtb_init(&dt, b, size), 0);
	ASSERT_EQ_INT(dtb_root(&dt, &root), 0);
	dtbm_expect_inval(test_ctx, &dt, dtb_prop(&dt, &root, "a", &val, &len),
			  DTB_BUILD_STRUCT_OFF + 8);
}

/* Builds @levels nodes nested under the root; returns the blob. */
static uint8_t *dtbm_nested(unsigned levels, uint32_t *size)
{
	dtb_build_init(&dtbm_b);
	dtb_build_begin(&dtbm_b, "");
	for (unsigned i = 0; i < levels; i++) {
		dtb_build_begin(&dtbm_b, "n");
	}
	for (unsigned i = 0; i < levels; i++) {
		dtb_build_end(&dtbm_b);
	}
	dtb_build_end(&dtbm_b);
	return dtbm_finish(size);
}

/** Nodes down to depth 32 are read; one level deeper is refused as corruption. */
TEST(dtb_malformed, nesting_limit)
{
	struct dtb dt = {0};
	struct dtb_node n;
	uint32_t size;
	uint8_t *b = dtbm_nested(32, &size);
	int ret;

	ASSERT_TRUE(b != NULL);
	ASSERT_EQ_INT(dtb_init(&dt, b, size), 0);
	ASSERT_EQ_INT(dtb_root(&dt, &n), 0);
	while ((ret = dtb_next_node(&dt, &n)) == 0) {
	}
	EXPECT_EQ_INT(ret, -ERR_NOENT);
	EXPECT_EQ_INT(n.depth, 32);

	b = dtbm_nested(33, &size);
	ASSERT_TRUE(b != NULL);
	ASSERT_EQ_INT(dtb_init(&dt, b, size), 0);
	ASSERT_EQ_INT(dtb_root(&dt, &n), 0);
	while ((ret = dtb_next_node(&dt, &n)) == 0) {
	}
	/* Each nested node is a token and the 4-byte name "n". */
	dtbm_expect_inval(test_ctx, &dt, ret, DTB_BUILD_STRUCT_OFF + 8 * 33);
	EXPECT_EQ_INT(n.depth, 32);
}

/** An END_NODE with no open node is refused at that token. */
TEST(dtb_malformed, unbalanced_end)
{
	struct dtb dt = {0};
	struct dtb_node n;
	uint32_t size;
	uint8_t *b;

	dtb_build_init(&dtbm_b);
	dtb_build_begin(&dtbm_b, "");
	dtb_build_end(&dtbm_b);
	dtb_build_end(&dtbm_b);
	b = dtbm_finish(&size);
	ASSERT_TRUE(b != NULL);
	ASSERT_EQ_INT(dtb_init(&dt, b, size), 0);
	ASSERT_EQ_INT(dtb_root(&dt, &n), 0);
	dtbm_expect_inval(test_ctx, &dt, dtb_next_node(&dt, &n),
			  DTB_BUILD_STRUCT_OFF + 12);
}

/** FDT_END inside an open node is refused at the FDT_END token. */
TEST(dtb_malformed, tree_ends_inside_node)
{
	struct dtb dt = {0};
	struct dtb_node n;
	uint32_t size;
	uint8_t *b;

	dtb_build_init(&dtbm_b);
	dtb_build_begin(&dtbm_b, "");
	dtb_build_begin(&dtbm_b, "child");
	dtb_build_end(&dtbm_b);
	b = dtbm_finish(&size);
	ASSERT_TRUE(b != NULL);
	ASSERT_EQ_INT(dtb_init(&dt, b, size), 0);
	ASSERT_EQ_INT(dtb_root(&dt, &n), 0);
	ASSERT_EQ_INT(dtb_next_node(&dt, &n), 0);
	/* Root (8) + child token and "child\0" padded (12) + END_NODE (4). */
	dtbm_expect_inval(test_ctx, &dt, dtb_next_node(&dt, &n),
			  DTB_BUILD_STRUCT_OFF + 24);
}

/** A structure block without FDT_END is refused where the token should be. */
TEST(dtb_malformed, missing_fdt_end)
{
	struct dtb dt = {0};
	struct dtb_node n;
	uint8_t *b = dtbm_minimal();
	uint32_t len = test_util_get_be32(b, 36);
	uint32_t off = test_util_get_be32(b, 8);

	ASSERT_EQ(test_util_get_be32(b, off + len - 4), DTB_BUILD_END);
	test_util_put_be32(b, 36, len - 4);
	ASSERT_EQ_INT(dtb_init(&dt, b, FIXTURE_SIZE(minimal)), 0);
	ASSERT_EQ_INT(dtb_find_path(&dt, "/psci", &n), 0);
	dtbm_expect_inval(test_ctx, &dt, dtb_next_node(&dt, &n), off + len - 4);
}
