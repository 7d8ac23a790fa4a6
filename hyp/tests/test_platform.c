/*
 * platform_from_dtb() on the three fixtures (exact values) and on trees
 * that lack or garble one part, written with dtb_build or corrupted from a
 * fixture copy.
 */
#include <faultline/dtb.h>
#include <faultline/err.h>
#include <faultline/platform.h>
#include <faultline/test.h>

#include "../../tests/fixtures/fixtures.h"
#include "dtb_build.h"
#include "test_util.h"

static struct dtb_build plt_b;
static uint8_t plt_blob[8192];
static struct platform plt;
static struct dtb plt_dt;

/* Parses the @size bytes at @blob into plt. */
static int plt_parse(const uint8_t *blob, size_t size)
{
	int ret = dtb_init(&plt_dt, blob, size);

	return ret != 0 ? ret : platform_from_dtb(&plt, &plt_dt);
}

/* Finishes plt_b into plt_blob and parses it; -ERR_NOMEM if it did not fit. */
static int plt_parse_built(void)
{
	uint32_t size = dtb_build_finish(&plt_b, plt_blob, sizeof(plt_blob));

	return size == 0 ? -ERR_NOMEM : plt_parse(plt_blob, size);
}

/* Opens the root with 2 address and 2 size cells. */
static void plt_root(void)
{
	dtb_build_init(&plt_b);
	dtb_build_begin(&plt_b, "");
	dtb_build_prop_u32(&plt_b, "#address-cells", 2);
	dtb_build_prop_u32(&plt_b, "#size-cells", 2);
}

/* Adds memory@... with one 2+2-cell range. */
static void plt_memory(uint64_t base, uint64_t size)
{
	const uint32_t reg[] = {(uint32_t)(base >> 32), (uint32_t)base,
				(uint32_t)(size >> 32), (uint32_t)size};

	dtb_build_begin(&plt_b, "memory@0");
	dtb_build_prop_str(&plt_b, "device_type", "memory");
	dtb_build_prop_cells(&plt_b, "reg", reg, ARRAY_SIZE(reg));
	dtb_build_end(&plt_b);
}

/* Adds /cpus with @n CPUs whose MPIDRs are 0x100 * i (one address cell). */
static void plt_cpus(unsigned n)
{
	dtb_build_begin(&plt_b, "cpus");
	dtb_build_prop_u32(&plt_b, "#address-cells", 1);
	dtb_build_prop_u32(&plt_b, "#size-cells", 0);
	for (unsigned i = 0; i < n; i++) {
		dtb_build_begin(&plt_b, "cpu");
		dtb_build_prop_str(&plt_b, "device_type", "cpu");
		dtb_build_prop_u32(&plt_b, "reg", 0x100 * i);
		dtb_build_end(&plt_b);
	}
	dtb_build_end(&plt_b);
}

/* Adds /psci with @method and @compat (either may be NULL: left out). */
static void plt_psci(const char *method, const char *compat)
{
	dtb_build_begin(&plt_b, "psci");
	if (compat != NULL) {
		dtb_build_prop_str(&plt_b, "compatible", compat);
	}
	if (method != NULL) {
		dtb_build_prop_str(&plt_b, "method", method);
	}
	dtb_build_end(&plt_b);
}

/* Adds a root with one memory range, two CPUs and PSCI over smc (root left open). */
static void plt_good_tree(void)
{
	plt_root();
	plt_memory(0x40000000, 0x20000000);
	plt_cpus(2);
	plt_psci("smc", "arm,psci-1.0");
}

/** The QEMU virt fixture gives its RAM, 4 CPUs, smc, the PL011, the GICv3 and the bootargs. */
TEST(platform, qemu_virt_fixture)
{
	ASSERT_EQ_INT(
		plt_parse(fixture_qemu_virt_smp4, FIXTURE_SIZE(qemu_virt_smp4)),
		0);
	EXPECT_STREQ(plt.error, "");
	ASSERT_EQ(plt.nmem, 1);
	EXPECT_EQ(plt.mem[0].base, 0x40000000);
	EXPECT_EQ(plt.mem[0].size, 0x20000000);
	ASSERT_EQ(plt.ncpus, 4);
	for (unsigned i = 0; i < 4; i++) {
		EXPECT_EQ(plt.cpu_mpidr[i], i);
	}
	EXPECT_EQ(plt.ncpus_ignored, 0);
	EXPECT_EQ(plt.psci, PSCI_CONDUIT_SMC);
	EXPECT_TRUE(plt.has_uart);
	EXPECT_EQ(plt.uart.base, 0x9000000);
	EXPECT_EQ(plt.uart.size, 0x1000);
	EXPECT_EQ(plt.gic.version, 3);
	EXPECT_EQ(plt.gic.dist.base, 0x8000000);
	EXPECT_EQ(plt.gic.dist.size, 0x10000);
	EXPECT_EQ(plt.gic.redist.base, 0x80a0000);
	EXPECT_EQ(plt.gic.redist.size, 0xf60000);
	EXPECT_STREQ(plt.bootargs, "mode=boot");
}

/** The minimal fixture uses 1/1 root cells and 2 CPU address cells, and has no UART, GIC or bootargs. */
TEST(platform, minimal_fixture)
{
	plt.has_uart = true;
	plt.bootargs[0] = 'x';
	ASSERT_EQ_INT(plt_parse(fixture_minimal, FIXTURE_SIZE(minimal)), 0);
	ASSERT_EQ(plt.nmem, 1);
	EXPECT_EQ(plt.mem[0].base, 0x80000000);
	EXPECT_EQ(plt.mem[0].size, 0x10000000);
	ASSERT_EQ(plt.ncpus, 1);
	EXPECT_EQ(plt.cpu_mpidr[0], 0x100);
	EXPECT_EQ(plt.psci, PSCI_CONDUIT_SMC);
	EXPECT_TRUE(!plt.has_uart);
	EXPECT_EQ(plt.gic.version, 0);
	EXPECT_STREQ(plt.bootargs, "");
}

/** The two-ranges fixture gives three ranges, the stdout-path UART without its options, a GICv2 and hvc. */
TEST(platform, two_ranges_fixture)
{
	ASSERT_EQ_INT(plt_parse(fixture_two_ranges_uart,
				FIXTURE_SIZE(two_ranges_uart)),
		      0);
	ASSERT_EQ(plt.nmem, 3);
	EXPECT_EQ(plt.mem[0].base, 0x80000000);
	EXPECT_EQ(plt.mem[0].size, 0x40000000);
	EXPECT_EQ(plt.mem[1].base, 0x880000000ull);
	EXPECT_EQ(plt.mem[1].size, 0x80000000);
	EXPECT_EQ(plt.mem[2].base, 0x800000000ull);
	EXPECT_EQ(plt.mem[2].size, 0x10000000);
	ASSERT_EQ(plt.ncpus, 2);
	EXPECT_EQ(plt.cpu_mpidr[0], 0);
	EXPECT_EQ(plt.cpu_mpidr[1], 0x100);
	EXPECT_EQ(plt.psci, PSCI_CONDUIT_HVC);
	EXPECT_TRUE(plt.has_uart);
	EXPECT_EQ(plt.uart.base, 0x1c090000);
	EXPECT_EQ(plt.uart.size, 0x1000);
	EXPECT_EQ(plt.gic.version, 2);
	EXPECT_EQ(plt.gic.dist.base, 0x2c001000);
	EXPECT_EQ(plt.gic.dist.size, 0x1000);
	EXPECT_EQ(plt.gic.redist.base, 0x2c002000);
	EXPECT_EQ(plt.gic.redist.size, 0x2000);
	EXPECT_STREQ(plt.bootargs, "mode=test test=dtb");
}

/*
 * Copies fixture two_ranges_uart into plt_blob and overwrites the first
 * occurrence of @from with as many bytes of @to (which has at least that
 * many, NULs allowed).
 */
static bool plt_two_ranges_patched(const char *from, const char *to)
{
	size_t size = FIXTURE_SIZE(two_ranges_uart);
	size_t n = test_util_strlen(from);
	long at;

	test_util_copy(plt_blob, fixture_two_ranges_uart, size);
	at = test_util_find(plt_blob, size, 0, from, n);
	if (at < 0) {
		return false;
	}
	test_util_copy(plt_blob + at, to, n);
	return true;
}

/** stdout-path wins over the first PL011 when it names another one. */
TEST(platform, stdout_path_beats_first_pl011)
{
	ASSERT_TRUE(plt_two_ranges_patched("/serial@1c090000:",
					   "/serial@1c0a0000:"));
	ASSERT_EQ_INT(plt_parse(plt_blob, FIXTURE_SIZE(two_ranges_uart)), 0);
	EXPECT_TRUE(plt.has_uart);
	EXPECT_EQ(plt.uart.base, 0x1c0a0000);
}

/** A stdout-path that names no node falls back to the first PL011. */
TEST(platform, stdout_path_unknown_falls_back)
{
	ASSERT_TRUE(plt_two_ranges_patched("/serial@1c090000:",
					   "/serial@1c0b0000:"));
	ASSERT_EQ_INT(plt_parse(plt_blob, FIXTURE_SIZE(two_ranges_uart)), 0);
	EXPECT_TRUE(plt.has_uart);
	EXPECT_EQ(plt.uart.base, 0x1c090000);
	/* An alias ("serial0") is not a path: fall back as well. */
	ASSERT_TRUE(plt_two_ranges_patched(
		"/serial@1c090000:115200n8",
		"serial0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"));
	ASSERT_EQ_INT(plt_parse(plt_blob, FIXTURE_SIZE(two_ranges_uart)), 0);
	EXPECT_EQ(plt.uart.base, 0x1c090000);
}

/** Without stdout-path the first node compatible with "arm,pl011" is the UART. */
TEST(platform, first_pl011_without_stdout_path)
{
	ASSERT_TRUE(plt_two_ranges_patched("stdout-path", "stdout-xxxx"));
	ASSERT_EQ_INT(plt_parse(plt_blob, FIXTURE_SIZE(two_ranges_uart)), 0);
	EXPECT_TRUE(plt.has_uart);
	EXPECT_EQ(plt.uart.base, 0x1c090000);
}

/** A stdout-path longer than the parser's buffer does not resolve to a different UART. */
TEST(platform, stdout_path_long_is_not_truncated_to_another_node)
{
	/*
	 * Nested buses as on an i.MX8: the path up to "/serial" is 63
	 * characters, so cutting it to fit 64 bytes drops the unit address.
	 */
	static const char *const buses[] = {
		"soc@0",
		"bus@30000000",
		"spba-bus@30000000",
		"aipsx-bus@30000000",
	};
	static const char path[] = "/soc@0/bus@30000000/spba-bus@30000000"
				   "/aipsx-bus@30000000/serial@2000:115200";
	static const uint32_t reg1[] = {0, 0x1000, 0, 0x1000};
	static const uint32_t reg2[] = {0, 0x2000, 0, 0x1000};

	ASSERT_EQ(test_util_find(path, sizeof(path), 0, "/serial@", 8), 56);
	plt_good_tree();
	dtb_build_begin(&plt_b, "chosen");
	dtb_build_prop_str(&plt_b, "stdout-path", path);
	dtb_build_end(&plt_b);
	for (unsigned i = 0; i < ARRAY_SIZE(buses); i++) {
		dtb_build_begin(&plt_b, buses[i]);
		dtb_build_prop_u32(&plt_b, "#address-cells", 2);
		dtb_build_prop_u32(&plt_b, "#size-cells", 2);
	}
	dtb_build_begin(&plt_b, "serial@1000");
	dtb_build_prop_str(&plt_b, "compatible", "arm,pl011");
	dtb_build_prop_cells(&plt_b, "reg", reg1, 4);
	dtb_build_end(&plt_b);
	dtb_build_begin(&plt_b, "serial@2000");
	dtb_build_prop_str(&plt_b, "compatible", "arm,pl011");
	dtb_build_prop_cells(&plt_b, "reg", reg2, 4);
	dtb_build_end(&plt_b);
	for (unsigned i = 0; i < ARRAY_SIZE(buses); i++) {
		dtb_build_end(&plt_b);
	}
	dtb_build_end(&plt_b);
	ASSERT_EQ_INT(plt_parse_built(), 0);
	/* Either the right UART or none; serial@1000 is another device. */
	if (plt.has_uart) {
		EXPECT_EQ(plt.uart.base, 0x2000);
	}
}

/** A tree without a memory node gives -ERR_NOENT and says so. */
TEST(platform, no_memory)
{
	plt_root();
	plt_cpus(1);
	plt_psci("smc", "arm,psci-1.0");
	dtb_build_end(&plt_b);
	EXPECT_EQ_INT(plt_parse_built(), -ERR_NOENT);
	EXPECT_TRUE(test_util_contains(plt.error, "memory"));
}

/** Memory nodes with only empty ranges, or without reg, count as no memory. */
TEST(platform, empty_memory_ranges_ignored)
{
	plt_root();
	plt_memory(0x40000000, 0);
	dtb_build_begin(&plt_b, "memory@1");
	dtb_build_prop_str(&plt_b, "device_type", "memory");
	dtb_build_end(&plt_b);
	plt_cpus(1);
	plt_psci("smc", "arm,psci-1.0");
	dtb_build_end(&plt_b);
	EXPECT_EQ_INT(plt_parse_built(), -ERR_NOENT);
	EXPECT_EQ(plt.nmem, 0);
}

/** A memory reg whose length is not a multiple of its cells is malformed, with the offset. */
TEST(platform, memory_reg_bad_length)
{
	static const uint32_t reg[] = {0, 0x40000000, 0};

	plt_root();
	dtb_build_begin(&plt_b, "memory@0");
	dtb_build_prop_str(&plt_b, "device_type", "memory");
	dtb_build_prop_cells(&plt_b, "reg", reg, ARRAY_SIZE(reg));
	dtb_build_end(&plt_b);
	plt_cpus(1);
	plt_psci("smc", "arm,psci-1.0");
	dtb_build_end(&plt_b);
	EXPECT_EQ_INT(plt_parse_built(), -ERR_INVAL);
	EXPECT_TRUE(test_util_contains(plt.error, "memory node"));
	EXPECT_TRUE(
		test_util_contains(plt.error, "malformed device tree at byte"));
}

/** A memory range that wraps around the address space is refused. */
TEST(platform, memory_range_wraps)
{
	plt_root();
	plt_memory(0xfffffffff0000000ull, 0x20000000);
	plt_cpus(1);
	plt_psci("smc", "arm,psci-1.0");
	dtb_build_end(&plt_b);
	EXPECT_EQ_INT(plt_parse_built(), -ERR_INVAL);
	EXPECT_TRUE(test_util_contains(plt.error, "wraps"));
}

/** Eight memory ranges fit; a ninth gives -ERR_NOMEM. */
TEST(platform, too_many_memory_ranges)
{
	for (unsigned total = 8; total <= 9; total++) {
		plt_root();
		for (unsigned i = 0; i < total; i++) {
			plt_memory(0x100000000ull * (i + 1), 0x1000000);
		}
		plt_cpus(1);
		plt_psci("smc", "arm,psci-1.0");
		dtb_build_end(&plt_b);
		if (total == 8) {
			EXPECT_EQ_INT(plt_parse_built(), 0);
			EXPECT_EQ(plt.nmem, 8);
			EXPECT_EQ(plt.mem[7].base, 0x800000000ull);
		} else {
			EXPECT_EQ_INT(plt_parse_built(), -ERR_NOMEM);
			EXPECT_TRUE(
				test_util_contains(plt.error, "memory ranges"));
		}
	}
}

/** A tree without /cpus gives -ERR_NOENT naming /cpus. */
TEST(platform, no_cpus_node)
{
	plt_root();
	plt_memory(0x40000000, 0x20000000);
	plt_psci("smc", "arm,psci-1.0");
	dtb_build_end(&plt_b);
	EXPECT_EQ_INT(plt_parse_built(), -ERR_NOENT);
	EXPECT_TRUE(test_util_contains(plt.error, "/cpus"));
}

/** A /cpus node with no device_type = "cpu" child gives -ERR_NOENT. */
TEST(platform, no_cpu_under_cpus)
{
	plt_root();
	plt_memory(0x40000000, 0x20000000);
	dtb_build_begin(&plt_b, "cpus");
	dtb_build_begin(&plt_b, "cpu-map");
	dtb_build_end(&plt_b);
	dtb_build_end(&plt_b);
	plt_psci("smc", "arm,psci-1.0");
	dtb_build_end(&plt_b);
	EXPECT_EQ_INT(plt_parse_built(), -ERR_NOENT);
	EXPECT_TRUE(test_util_contains(plt.error, "no cpu node"));
}

/** A CPU whose reg is shorter than #address-cells is malformed. */
TEST(platform, cpu_reg_too_short)
{
	plt_root();
	plt_memory(0x40000000, 0x20000000);
	dtb_build_begin(&plt_b, "cpus");
	dtb_build_prop_u32(&plt_b, "#address-cells", 2);
	dtb_build_begin(&plt_b, "cpu@0");
	dtb_build_prop_str(&plt_b, "device_type", "cpu");
	dtb_build_prop_u32(&plt_b, "reg", 0);
	dtb_build_end(&plt_b);
	dtb_build_end(&plt_b);
	plt_psci("smc", "arm,psci-1.0");
	dtb_build_end(&plt_b);
	EXPECT_EQ_INT(plt_parse_built(), -ERR_INVAL);
	EXPECT_TRUE(test_util_contains(plt.error, "cpu node"));
}

/** A CPU without reg is refused, naming the CPU node. */
TEST(platform, cpu_without_reg)
{
	plt_root();
	plt_memory(0x40000000, 0x20000000);
	dtb_build_begin(&plt_b, "cpus");
	dtb_build_begin(&plt_b, "cpu@0");
	dtb_build_prop_str(&plt_b, "device_type", "cpu");
	dtb_build_end(&plt_b);
	dtb_build_end(&plt_b);
	plt_psci("smc", "arm,psci-1.0");
	dtb_build_end(&plt_b);
	EXPECT_TRUE(plt_parse_built() < 0);
	EXPECT_TRUE(test_util_contains(plt.error, "cpu node"));
}

/** CPUs beyond PLATFORM_MAX_CPUS are counted as ignored, the first ones kept in order. */
TEST(platform, cpus_beyond_max_ignored)
{
	plt_root();
	plt_memory(0x40000000, 0x20000000);
	plt_cpus(PLATFORM_MAX_CPUS + 2);
	plt_psci("smc", "arm,psci-1.0");
	dtb_build_end(&plt_b);
	ASSERT_EQ_INT(plt_parse_built(), 0);
	EXPECT_EQ(plt.ncpus, PLATFORM_MAX_CPUS);
	EXPECT_EQ(plt.ncpus_ignored, 2);
	EXPECT_EQ(plt.cpu_mpidr[PLATFORM_MAX_CPUS - 1],
		  0x100 * (PLATFORM_MAX_CPUS - 1));
}

/** Root #address-cells or #size-cells outside 1..2 are malformed. */
TEST(platform, bad_root_cells)
{
	static const uint32_t bad[][2] = {{3, 2}, {0, 2}, {2, 0}, {2, 3}};

	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		dtb_build_init(&plt_b);
		dtb_build_begin(&plt_b, "");
		dtb_build_prop_u32(&plt_b, "#address-cells", bad[i][0]);
		dtb_build_prop_u32(&plt_b, "#size-cells", bad[i][1]);
		plt_memory(0x40000000, 0x20000000);
		plt_cpus(1);
		plt_psci("smc", "arm,psci-1.0");
		dtb_build_end(&plt_b);
		EXPECT_EQ_INT(plt_parse_built(), -ERR_INVAL);
		EXPECT_TRUE(test_util_contains(plt.error, "cells"));
	}
}

/** Without #address-cells/#size-cells the spec's defaults (2 and 1) apply. */
TEST(platform, default_root_cells)
{
	static const uint32_t reg[] = {0x1, 0x0, 0x4000000};

	dtb_build_init(&plt_b);
	dtb_build_begin(&plt_b, "");
	dtb_build_begin(&plt_b, "memory@100000000");
	dtb_build_prop_str(&plt_b, "device_type", "memory");
	dtb_build_prop_cells(&plt_b, "reg", reg, ARRAY_SIZE(reg));
	dtb_build_end(&plt_b);
	plt_cpus(1);
	plt_psci("smc", "arm,psci-1.0");
	dtb_build_end(&plt_b);
	ASSERT_EQ_INT(plt_parse_built(), 0);
	ASSERT_EQ(plt.nmem, 1);
	EXPECT_EQ(plt.mem[0].base, 0x100000000ull);
	EXPECT_EQ(plt.mem[0].size, 0x4000000);
}

/** A tree without /psci gives -ERR_NOENT naming /psci. */
TEST(platform, no_psci)
{
	plt_root();
	plt_memory(0x40000000, 0x20000000);
	plt_cpus(1);
	dtb_build_end(&plt_b);
	EXPECT_EQ_INT(plt_parse_built(), -ERR_NOENT);
	EXPECT_TRUE(test_util_contains(plt.error, "/psci"));
}

/** A PSCI method other than smc or hvc, or none, is refused. */
TEST(platform, psci_bad_method)
{
	static const char *const methods[] = {"svc", "smcc", "", NULL};

	for (unsigned i = 0; i < ARRAY_SIZE(methods); i++) {
		plt_root();
		plt_memory(0x40000000, 0x20000000);
		plt_cpus(1);
		plt_psci(methods[i], "arm,psci-1.0");
		dtb_build_end(&plt_b);
		EXPECT_EQ_INT(plt_parse_built(), -ERR_INVAL);
		EXPECT_TRUE(test_util_contains(plt.error, "method"));
	}
}

/** PSCI 0.1 ("arm,psci" alone) lacks the standard function ids: -ERR_NOTSUP. */
TEST(platform, psci_0_1_not_supported)
{
	plt_root();
	plt_memory(0x40000000, 0x20000000);
	plt_cpus(1);
	plt_psci("hvc", "arm,psci");
	dtb_build_end(&plt_b);
	EXPECT_EQ_INT(plt_parse_built(), -ERR_NOTSUP);
	EXPECT_TRUE(test_util_contains(plt.error, "0.2"));
}

/* Builds the good tree with /chosen/bootargs of @len bytes (NUL included if @nul). */
static int plt_with_bootargs(uint32_t len, bool nul)
{
	static char args[PLATFORM_BOOTARGS_MAX + 8];

	for (uint32_t i = 0; i < len; i++) {
		args[i] = (char)('a' + i % 26);
	}
	if (nul && len > 0) {
		args[len - 1] = '\0';
	}
	plt_good_tree();
	dtb_build_begin(&plt_b, "chosen");
	dtb_build_prop(&plt_b, "bootargs", args, len);
	dtb_build_end(&plt_b);
	dtb_build_end(&plt_b);
	return plt_parse_built();
}

/** Bootargs of exactly PLATFORM_BOOTARGS_MAX bytes (NUL included) are kept whole. */
TEST(platform, bootargs_longest)
{
	ASSERT_EQ_INT(plt_with_bootargs(PLATFORM_BOOTARGS_MAX, true), 0);
	EXPECT_EQ(test_util_strlen(plt.bootargs), PLATFORM_BOOTARGS_MAX - 1);
	EXPECT_EQ(plt.bootargs[PLATFORM_BOOTARGS_MAX - 2],
		  'a' + (PLATFORM_BOOTARGS_MAX - 2) % 26);
}

/** Bootargs one byte too long give -ERR_RANGE. */
TEST(platform, bootargs_too_long)
{
	EXPECT_EQ_INT(plt_with_bootargs(PLATFORM_BOOTARGS_MAX + 1, true),
		      -ERR_RANGE);
	EXPECT_TRUE(test_util_contains(plt.error, "bootargs"));
}

/** Bootargs without a final NUL, or empty, are malformed. */
TEST(platform, bootargs_not_a_string)
{
	EXPECT_EQ_INT(plt_with_bootargs(8, false), -ERR_INVAL);
	EXPECT_TRUE(test_util_contains(plt.error, "bootargs"));
	EXPECT_EQ_INT(plt_with_bootargs(0, false), -ERR_INVAL);
	EXPECT_EQ_INT(plt_with_bootargs(1, true), 0);
	EXPECT_STREQ(plt.bootargs, "");
}

/** A GIC with only a distributor region is refused; "arm,cortex-a15-gic" is a GICv2. */
TEST(platform, gic_regions)
{
	static const uint32_t two[] = {0, 0x2c001000, 0, 0x1000,
				       0, 0x2c002000, 0, 0x2000};

	plt_good_tree();
	dtb_build_begin(&plt_b, "interrupt-controller@2c001000");
	dtb_build_prop_str(&plt_b, "compatible", "arm,cortex-a15-gic");
	dtb_build_prop_cells(&plt_b, "reg", two, 4);
	dtb_build_end(&plt_b);
	dtb_build_end(&plt_b);
	EXPECT_TRUE(plt_parse_built() < 0);
	EXPECT_TRUE(test_util_contains(plt.error, "interrupt controller"));

	plt_good_tree();
	dtb_build_begin(&plt_b, "interrupt-controller@2c001000");
	dtb_build_prop_str(&plt_b, "compatible", "arm,cortex-a15-gic");
	dtb_build_prop_cells(&plt_b, "reg", two, 8);
	dtb_build_end(&plt_b);
	dtb_build_end(&plt_b);
	ASSERT_EQ_INT(plt_parse_built(), 0);
	EXPECT_EQ(plt.gic.version, 2);
	EXPECT_EQ(plt.gic.redist.base, 0x2c002000);
}
