/*
 * The device-tree reader on well-formed trees: the embedded fixtures and
 * trees written by dtb_build. Malformed blobs are in test_dtb_malformed.c.
 */
#include <faultline/dtb.h>
#include <faultline/err.h>
#include <faultline/test.h>

#include "../../tests/fixtures/fixtures.h"
#include "dtb_build.h"
#include "test_util.h"

static struct dtb_build dtb_b;
static uint8_t dtb_out[4096];

/* Finds @path in @dt and checks its name; returns whether it was found. */
static bool dtb_test_find(struct test_ctx *test_ctx, struct dtb *dt,
			  const char *path, const char *name, int depth)
{
	struct dtb_node n;
	const char *got = NULL;

	if (!EXPECT_EQ_INT(dtb_find_path(dt, path, &n), 0)) {
		return false;
	}
	EXPECT_EQ_INT(dtb_node_name(dt, &n, &got), 0);
	EXPECT_STREQ(got, name);
	EXPECT_EQ_INT(n.depth, depth);
	return true;
}

/** Each fixture passes dtb_init with the header's block offsets and sizes. */
TEST(dtb, init_accepts_fixtures)
{
	struct dtb dt;

	ASSERT_EQ_INT(dtb_init(&dt, fixture_minimal, FIXTURE_SIZE(minimal)), 0);
	EXPECT_EQ(dt.total_size, FIXTURE_SIZE(minimal));
	EXPECT_EQ(dt.struct_off, test_util_get_be32(fixture_minimal, 8));
	EXPECT_EQ(dt.strings_off, test_util_get_be32(fixture_minimal, 12));
	EXPECT_EQ(dt.strings_size, test_util_get_be32(fixture_minimal, 32));
	EXPECT_EQ(dt.struct_size, test_util_get_be32(fixture_minimal, 36));
	EXPECT_TRUE(dt.error.why == NULL);
	EXPECT_EQ_INT(dtb_init(&dt, fixture_qemu_virt_smp4,
			       FIXTURE_SIZE(qemu_virt_smp4)),
		      0);
	EXPECT_EQ(dt.total_size, FIXTURE_SIZE(qemu_virt_smp4));
	EXPECT_EQ_INT(dtb_init(&dt, fixture_two_ranges_uart,
			       FIXTURE_SIZE(two_ranges_uart)),
		      0);
}

/** max_size may exceed totalsize: only totalsize bytes are part of the tree. */
TEST(dtb, init_accepts_larger_max_size)
{
	struct dtb dt;

	ASSERT_EQ_INT(dtb_init(&dt, fixture_minimal, SIZE_MAX), 0);
	EXPECT_EQ(dt.total_size, FIXTURE_SIZE(minimal));
}

/** The root is the first node, at depth 0, with an empty name. */
TEST(dtb, root_node)
{
	struct dtb dt;
	struct dtb_node root;
	const char *name = NULL;

	ASSERT_EQ_INT(dtb_init(&dt, fixture_minimal, FIXTURE_SIZE(minimal)), 0);
	ASSERT_EQ_INT(dtb_root(&dt, &root), 0);
	EXPECT_EQ(root.offset, dt.struct_off);
	EXPECT_EQ_INT(root.depth, 0);
	ASSERT_EQ_INT(dtb_node_name(&dt, &root, &name), 0);
	EXPECT_STREQ(name, "");
}

/** dtb_next_node visits every node depth-first with its depth, then says NOENT. */
TEST(dtb, next_node_document_order)
{
	static const char *const names[] = {
		"", "memory@80000000", "cpus", "cpu@100", "psci",
	};
	static const int depths[] = {0, 1, 1, 2, 1};
	struct dtb dt;
	struct dtb_node n;
	unsigned i = 0;
	int ret;

	ASSERT_EQ_INT(dtb_init(&dt, fixture_minimal, FIXTURE_SIZE(minimal)), 0);
	ASSERT_EQ_INT(dtb_root(&dt, &n), 0);
	do {
		const char *name = NULL;

		ASSERT_TRUE(i < ARRAY_SIZE(names));
		EXPECT_EQ_INT(dtb_node_name(&dt, &n, &name), 0);
		EXPECT_STREQ(name, names[i]);
		EXPECT_EQ_INT(n.depth, depths[i]);
		i++;
		ret = dtb_next_node(&dt, &n);
	} while (ret == 0);
	EXPECT_EQ_INT(ret, -ERR_NOENT);
	EXPECT_EQ(i, ARRAY_SIZE(names));
	/* NOENT is not an error: nothing is recorded. */
	EXPECT_TRUE(dt.error.why == NULL);
}

/** Every node of the QEMU tree is reached, the deepest at depth 5. */
TEST(dtb, next_node_counts_qemu_tree)
{
	struct dtb dt;
	struct dtb_node n;
	unsigned count = 1;
	int max_depth = 0;
	int ret;

	ASSERT_EQ_INT(dtb_init(&dt, fixture_qemu_virt_smp4,
			       FIXTURE_SIZE(qemu_virt_smp4)),
		      0);
	ASSERT_EQ_INT(dtb_root(&dt, &n), 0);
	while ((ret = dtb_next_node(&dt, &n)) == 0) {
		count++;
		max_depth = MAX(max_depth, n.depth);
	}
	EXPECT_EQ_INT(ret, -ERR_NOENT);
	/*
	 * Root, psci, memory, platform-bus, fw-cfg, 32 virtio_mmio,
	 * gpio-keys + poweroff, pl061, pcie, pl031, pl011, pmu, intc + its,
	 * flash, cpus + cpu-map + socket0 + cluster0 + 4 cores + 4 cpus,
	 * timer, apb-pclk, chosen.
	 */
	EXPECT_EQ(count, 1 + 1 + 1 + 1 + 1 + 32 + 2 + 1 + 1 + 1 + 1 + 1 + 2 +
				 1 + 12 + 1 + 1 + 1);
	EXPECT_EQ_INT(max_depth, 5);
}

/** Absolute paths find nodes; a component without "@unit" matches any unit. */
TEST(dtb, find_path_with_and_without_unit)
{
	struct dtb dt;

	ASSERT_EQ_INT(dtb_init(&dt, fixture_qemu_virt_smp4,
			       FIXTURE_SIZE(qemu_virt_smp4)),
		      0);
	dtb_test_find(test_ctx, &dt, "/", "", 0);
	dtb_test_find(test_ctx, &dt, "/cpus", "cpus", 1);
	dtb_test_find(test_ctx, &dt, "/cpus/cpu@2", "cpu@2", 2);
	dtb_test_find(test_ctx, &dt, "/cpus/cpu", "cpu@0", 2);
	dtb_test_find(test_ctx, &dt, "/pl011@9000000", "pl011@9000000", 1);
	dtb_test_find(test_ctx, &dt, "/pl011", "pl011@9000000", 1);
	dtb_test_find(test_ctx, &dt, "/virtio_mmio", "virtio_mmio@a000000", 1);
	dtb_test_find(test_ctx, &dt, "/virtio_mmio@a003e00",
		      "virtio_mmio@a003e00", 1);
	dtb_test_find(test_ctx, &dt, "/intc/its", "its@8080000", 2);
	dtb_test_find(test_ctx, &dt, "/cpus/cpu-map/socket0/cluster0/core3",
		      "core3", 5);
	dtb_test_find(test_ctx, &dt, "/cpus/", "cpus", 1);
}

/** Paths that name no node give -ERR_NOENT without recording an error. */
TEST(dtb, find_path_not_found)
{
	static const char *const missing[] = {
		"/nothing",
		"/cpu",
		"/cpus/cpu@4",
		"/cpus/cpu@00",
		"/pl011@900000",
		"/pl011@90000000",
		"cpus",
		"",
		"/intc/its/deeper",
		"/its",
		"/cpus/cpu@0/x",
		"/psci@0",
	};
	struct dtb dt;
	struct dtb_node n;

	ASSERT_EQ_INT(dtb_init(&dt, fixture_qemu_virt_smp4,
			       FIXTURE_SIZE(qemu_virt_smp4)),
		      0);
	for (unsigned i = 0; i < ARRAY_SIZE(missing); i++) {
		int ret = dtb_find_path(&dt, missing[i], &n);

		if (!EXPECT_EQ_INT(ret, -ERR_NOENT)) {
			test_fail(test_ctx, __FILE__, __LINE__, "path \"%s\"",
				  missing[i]);
		}
	}
	EXPECT_TRUE(dt.error.why == NULL);
}

/** A path with an empty component ("//cpus") names no node, not its prefix. */
TEST(dtb, find_path_empty_component_is_not_found)
{
	struct dtb dt;
	struct dtb_node n = {0, 0};

	ASSERT_EQ_INT(dtb_init(&dt, fixture_qemu_virt_smp4,
			       FIXTURE_SIZE(qemu_virt_smp4)),
		      0);
	EXPECT_EQ_INT(dtb_find_path(&dt, "//cpus", &n), -ERR_NOENT);
	EXPECT_EQ_INT(dtb_find_path(&dt, "/cpus//cpu@1", &n), -ERR_NOENT);
}

/** dtb_next_child lists direct children only, in order, then says NOENT. */
TEST(dtb, next_child_direct_children_only)
{
	static const char *const names[] = {
		"cpu-map", "cpu@0", "cpu@1", "cpu@2", "cpu@3",
	};
	struct dtb dt;
	struct dtb_node cpus, child = {0, 0};
	unsigned i = 0;
	int ret;

	ASSERT_EQ_INT(dtb_init(&dt, fixture_qemu_virt_smp4,
			       FIXTURE_SIZE(qemu_virt_smp4)),
		      0);
	ASSERT_EQ_INT(dtb_find_path(&dt, "/cpus", &cpus), 0);
	while ((ret = dtb_next_child(&dt, &cpus, &child)) == 0) {
		const char *name = NULL;

		ASSERT_TRUE(i < ARRAY_SIZE(names));
		EXPECT_EQ_INT(dtb_node_name(&dt, &child, &name), 0);
		EXPECT_STREQ(name, names[i]);
		EXPECT_EQ_INT(child.depth, 2);
		i++;
	}
	EXPECT_EQ_INT(ret, -ERR_NOENT);
	EXPECT_EQ(i, ARRAY_SIZE(names));
}

/** A leaf node and the last node of the tree have no children. */
TEST(dtb, next_child_of_leaf)
{
	struct dtb dt;
	struct dtb_node n, child = {0, 0};

	ASSERT_EQ_INT(dtb_init(&dt, fixture_minimal, FIXTURE_SIZE(minimal)), 0);
	ASSERT_EQ_INT(dtb_find_path(&dt, "/memory", &n), 0);
	EXPECT_EQ_INT(dtb_next_child(&dt, &n, &child), -ERR_NOENT);
	ASSERT_EQ_INT(dtb_find_path(&dt, "/psci", &n), 0);
	child.offset = 0;
	EXPECT_EQ_INT(dtb_next_child(&dt, &n, &child), -ERR_NOENT);
	ASSERT_EQ_INT(dtb_find_path(&dt, "/cpus/cpu@100", &n), 0);
	child.offset = 0;
	EXPECT_EQ_INT(dtb_next_child(&dt, &n, &child), -ERR_NOENT);
}

/** dtb_prop returns the value and length of a property, pointing into the blob. */
TEST(dtb, prop_value_and_length)
{
	static const uint8_t reg[] = {0x80, 0, 0, 0, 0x10, 0, 0, 0};
	struct dtb dt;
	struct dtb_node n;
	const void *val = NULL;
	uint32_t len = 0;

	ASSERT_EQ_INT(dtb_init(&dt, fixture_minimal, FIXTURE_SIZE(minimal)), 0);
	ASSERT_EQ_INT(dtb_find_path(&dt, "/memory@80000000", &n), 0);
	ASSERT_EQ_INT(dtb_prop(&dt, &n, "reg", &val, &len), 0);
	EXPECT_EQ(len, 8);
	EXPECT_TRUE(test_util_mem_equal(val, reg, sizeof(reg)));
	EXPECT_TRUE((const uint8_t *)val > fixture_minimal &&
		    (const uint8_t *)val + len <=
			    fixture_minimal + FIXTURE_SIZE(minimal));
	ASSERT_EQ_INT(dtb_prop(&dt, &n, "device_type", &val, &len), 0);
	EXPECT_EQ(len, 7);
	EXPECT_STREQ((const char *)val, "memory");
}

/** Missing properties, prefixes and extensions of a name all give NOENT. */
TEST(dtb, prop_missing_or_partial_name)
{
	struct dtb dt;
	struct dtb_node n;
	const void *val;
	uint32_t len;

	ASSERT_EQ_INT(dtb_init(&dt, fixture_minimal, FIXTURE_SIZE(minimal)), 0);
	ASSERT_EQ_INT(dtb_find_path(&dt, "/memory", &n), 0);
	EXPECT_EQ_INT(dtb_prop(&dt, &n, "re", &val, &len), -ERR_NOENT);
	EXPECT_EQ_INT(dtb_prop(&dt, &n, "regs", &val, &len), -ERR_NOENT);
	EXPECT_EQ_INT(dtb_prop(&dt, &n, "compatible", &val, &len), -ERR_NOENT);
	EXPECT_EQ_INT(dtb_prop(&dt, &n, "", &val, &len), -ERR_NOENT);
	EXPECT_TRUE(dt.error.why == NULL);
}

/** A node's properties do not include those of its children. */
TEST(dtb, prop_does_not_descend)
{
	struct dtb dt;
	struct dtb_node n;
	const void *val;
	uint32_t len;

	ASSERT_EQ_INT(dtb_init(&dt, fixture_qemu_virt_smp4,
			       FIXTURE_SIZE(qemu_virt_smp4)),
		      0);
	ASSERT_EQ_INT(dtb_find_path(&dt, "/intc", &n), 0);
	EXPECT_EQ_INT(dtb_prop(&dt, &n, "reg", &val, &len), 0);
	EXPECT_EQ(len, 32);
	EXPECT_EQ_INT(dtb_prop(&dt, &n, "msi-controller", &val, &len),
		      -ERR_NOENT);
	ASSERT_EQ_INT(dtb_find_path(&dt, "/cpus", &n), 0);
	EXPECT_EQ_INT(dtb_prop(&dt, &n, "device_type", &val, &len), -ERR_NOENT);
}

/** An empty property ("dma-coherent;") is found with length 0. */
TEST(dtb, prop_empty_value)
{
	struct dtb dt;
	struct dtb_node n;
	const void *val = NULL;
	uint32_t len = 99;

	ASSERT_EQ_INT(dtb_init(&dt, fixture_qemu_virt_smp4,
			       FIXTURE_SIZE(qemu_virt_smp4)),
		      0);
	ASSERT_EQ_INT(dtb_find_path(&dt, "/fw-cfg", &n), 0);
	ASSERT_EQ_INT(dtb_prop(&dt, &n, "dma-coherent", &val, &len), 0);
	EXPECT_EQ(len, 0);
}

/** dtb_prop_u32 reads 4-byte properties and refuses other lengths with INVAL. */
TEST(dtb, prop_u32)
{
	struct dtb dt;
	struct dtb_node n;
	const void *val;
	uint32_t len;
	uint32_t v = 0;

	ASSERT_EQ_INT(dtb_init(&dt, fixture_qemu_virt_smp4,
			       FIXTURE_SIZE(qemu_virt_smp4)),
		      0);
	ASSERT_EQ_INT(dtb_root(&dt, &n), 0);
	EXPECT_EQ_INT(dtb_prop_u32(&dt, &n, "#address-cells", &v), 0);
	EXPECT_EQ(v, 2);
	EXPECT_EQ_INT(dtb_prop_u32(&dt, &n, "interrupt-parent", &v), 0);
	EXPECT_EQ(v, 0x8005);
	EXPECT_EQ_INT(dtb_prop_u32(&dt, &n, "#nothing", &v), -ERR_NOENT);
	EXPECT_TRUE(dt.error.why == NULL);

	ASSERT_EQ_INT(dtb_find_path(&dt, "/memory", &n), 0);
	ASSERT_EQ_INT(dtb_prop(&dt, &n, "reg", &val, &len), 0);
	v = 0x5a5a;
	EXPECT_EQ_INT(dtb_prop_u32(&dt, &n, "reg", &v), -ERR_INVAL);
	EXPECT_EQ(v, 0x5a5a);
	EXPECT_TRUE(dt.error.why != NULL);
	EXPECT_EQ(dt.error.offset,
		  (uint32_t)((const uint8_t *)val - fixture_qemu_virt_smp4));

	ASSERT_EQ_INT(dtb_find_path(&dt, "/fw-cfg", &n), 0);
	EXPECT_EQ_INT(dtb_prop_u32(&dt, &n, "dma-coherent", &v), -ERR_INVAL);
}

/** dtb_prop_has_string matches whole entries of a string list, not parts. */
TEST(dtb, prop_has_string)
{
	struct dtb dt;
	struct dtb_node n;

	ASSERT_EQ_INT(dtb_init(&dt, fixture_qemu_virt_smp4,
			       FIXTURE_SIZE(qemu_virt_smp4)),
		      0);
	ASSERT_EQ_INT(dtb_find_path(&dt, "/psci", &n), 0);
	EXPECT_TRUE(dtb_prop_has_string(&dt, &n, "compatible", "arm,psci-1.0"));
	EXPECT_TRUE(dtb_prop_has_string(&dt, &n, "compatible", "arm,psci-0.2"));
	EXPECT_TRUE(dtb_prop_has_string(&dt, &n, "compatible", "arm,psci"));
	EXPECT_TRUE(dtb_prop_has_string(&dt, &n, "method", "smc"));
	EXPECT_TRUE(!dtb_prop_has_string(&dt, &n, "compatible", "arm,psci-1"));
	EXPECT_TRUE(!dtb_prop_has_string(&dt, &n, "compatible", "psci"));
	EXPECT_TRUE(
		!dtb_prop_has_string(&dt, &n, "compatible", "arm,psci-1.0x"));
	EXPECT_TRUE(!dtb_prop_has_string(&dt, &n, "compatible", ""));
	EXPECT_TRUE(!dtb_prop_has_string(&dt, &n, "method", "hvc"));
	EXPECT_TRUE(!dtb_prop_has_string(&dt, &n, "absent", "smc"));
}

/** A string list whose last entry lacks its NUL does not match that entry. */
TEST(dtb, prop_has_string_needs_terminator)
{
	static const char list[] = {'a', 'b', '\0', 'c', 'd'};
	struct dtb dt;
	struct dtb_node n;
	uint32_t size;

	dtb_build_init(&dtb_b);
	dtb_build_begin(&dtb_b, "");
	dtb_build_prop(&dtb_b, "compatible", list, sizeof(list));
	dtb_build_prop(&dtb_b, "empty", "", 0);
	dtb_build_end(&dtb_b);
	size = dtb_build_finish(&dtb_b, dtb_out, sizeof(dtb_out));
	ASSERT_TRUE(size != 0);
	ASSERT_EQ_INT(dtb_init(&dt, dtb_out, size), 0);
	ASSERT_EQ_INT(dtb_root(&dt, &n), 0);
	EXPECT_TRUE(dtb_prop_has_string(&dt, &n, "compatible", "ab"));
	EXPECT_TRUE(!dtb_prop_has_string(&dt, &n, "compatible", "cd"));
	EXPECT_TRUE(!dtb_prop_has_string(&dt, &n, "compatible", "c"));
	EXPECT_TRUE(!dtb_prop_has_string(&dt, &n, "empty", ""));
}

/** NOP tokens before the root, between properties and between nodes are skipped. */
TEST(dtb, nops_are_skipped)
{
	struct dtb dt;
	struct dtb_node n, child = {0, 0};
	uint32_t size;
	uint32_t v = 0;
	const char *name = NULL;

	dtb_build_init(&dtb_b);
	dtb_build_u32(&dtb_b, DTB_BUILD_NOP);
	dtb_build_u32(&dtb_b, DTB_BUILD_NOP);
	dtb_build_begin(&dtb_b, "");
	dtb_build_u32(&dtb_b, DTB_BUILD_NOP);
	dtb_build_prop_u32(&dtb_b, "a", 1);
	dtb_build_u32(&dtb_b, DTB_BUILD_NOP);
	dtb_build_prop_u32(&dtb_b, "b", 2);
	dtb_build_u32(&dtb_b, DTB_BUILD_NOP);
	dtb_build_begin(&dtb_b, "x@1");
	dtb_build_end(&dtb_b);
	dtb_build_u32(&dtb_b, DTB_BUILD_NOP);
	dtb_build_begin(&dtb_b, "y");
	dtb_build_end(&dtb_b);
	dtb_build_end(&dtb_b);
	dtb_build_u32(&dtb_b, DTB_BUILD_NOP);
	size = dtb_build_finish(&dtb_b, dtb_out, sizeof(dtb_out));
	ASSERT_TRUE(size != 0);
	ASSERT_EQ_INT(dtb_init(&dt, dtb_out, size), 0);
	ASSERT_EQ_INT(dtb_root(&dt, &n), 0);
	EXPECT_EQ(n.offset, dt.struct_off + 8);
	EXPECT_EQ_INT(dtb_prop_u32(&dt, &n, "b", &v), 0);
	EXPECT_EQ(v, 2);
	EXPECT_EQ_INT(dtb_next_child(&dt, &n, &child), 0);
	EXPECT_EQ_INT(dtb_next_child(&dt, &n, &child), 0);
	EXPECT_EQ_INT(dtb_node_name(&dt, &child, &name), 0);
	EXPECT_STREQ(name, "y");
	EXPECT_EQ_INT(dtb_next_child(&dt, &n, &child), -ERR_NOENT);
	EXPECT_EQ_INT(dtb_find_path(&dt, "/x", &n), 0);
}

/** dtb_read_cells reads 1 or 2 big-endian cells, from any alignment. */
TEST(dtb, read_cells)
{
	static const uint8_t bytes[] = {
		0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x11,
	};

	EXPECT_EQ(dtb_read_cells(bytes + 1, 1), 0x12345678);
	EXPECT_EQ(dtb_read_cells(bytes + 1, 2), 0x123456789abcdef0ull);
	EXPECT_EQ(dtb_read_cells(bytes + 2, 2), 0x3456789abcdef011ull);
	EXPECT_EQ(dtb_read_cells(bytes, 1), 0x00123456);
	EXPECT_EQ(dtb_read_cells(bytes, 0), 0);
}
