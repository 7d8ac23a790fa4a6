/*
 * platform_from_dtb() on corrupted copies of the fixtures: a complete
 * platform or a documented error with a message, never a crash; and
 * platform_is_memory().
 */
#include <faultline/dtb.h>
#include <faultline/err.h>
#include <faultline/platform.h>
#include <faultline/test.h>

#include "../../tests/fixtures/fixtures.h"
#include "test_util.h"

static uint8_t plc_blob[8192];
static struct platform plc;
static struct dtb plc_dt;
/* Corrupted trees that platform_from_dtb() refused, in plc_corrupt_all(). */
static unsigned plc_refused;

/* Parses the @size bytes at @blob into plc. */
static int plc_parse(const uint8_t *blob, size_t size)
{
	int ret = dtb_init(&plc_dt, blob, size);

	return ret != 0 ? ret : platform_from_dtb(&plc, &plc_dt);
}

/** A structural error met while parsing is reported with its byte offset. */
TEST(platform, malformed_tree_reported)
{
	size_t size = FIXTURE_SIZE(qemu_virt_smp4);
	long at;

	test_util_copy(plc_blob, fixture_qemu_virt_smp4, size);
	/* Turn the BEGIN_NODE token of /cpus into an unknown token. */
	at = test_util_find(plc_blob, size, 0, "\0\0\0\1cpus", 9);
	ASSERT_TRUE(at > 0);
	test_util_put_be32(plc_blob, (size_t)at, 0x77);
	EXPECT_EQ_INT(plc_parse(plc_blob, size), -ERR_INVAL);
	EXPECT_TRUE(
		test_util_contains(plc.error, "malformed device tree at byte"));
	EXPECT_EQ(plc_dt.error.offset, (uint64_t)at);
}

/** platform_is_memory accepts ranges inside one memory range only. */
TEST(platform, is_memory)
{
	ASSERT_EQ_INT(plc_parse(fixture_two_ranges_uart,
				FIXTURE_SIZE(two_ranges_uart)),
		      0);
	EXPECT_TRUE(platform_is_memory(&plc, 0x80000000, 0x40000000));
	EXPECT_TRUE(platform_is_memory(&plc, 0x80001000, 0x1000));
	EXPECT_TRUE(platform_is_memory(&plc, 0xbffff000, 0x1000));
	EXPECT_TRUE(!platform_is_memory(&plc, 0xbffff000, 0x2000));
	EXPECT_TRUE(!platform_is_memory(&plc, 0x7ffff000, 0x2000));
	EXPECT_TRUE(!platform_is_memory(&plc, 0xc0000000, 1));
	EXPECT_TRUE(!platform_is_memory(&plc, 0x80000000, 0x40000001));
	EXPECT_TRUE(platform_is_memory(&plc, 0x880000000ull, 0x80000000));
	/* Two ranges that do not touch are not one range. */
	EXPECT_TRUE(!platform_is_memory(&plc, 0x80000000, 0x800000000ull));
	EXPECT_TRUE(!platform_is_memory(&plc, 0xfffffffffffff000ull, 0x2000));
	EXPECT_TRUE(!platform_is_memory(&plc, 0x80000000, UINT64_MAX));
}

/* Corrupts each byte of @src in turn and checks platform_from_dtb's contract. */
static unsigned plc_corrupt_all(struct test_ctx *test_ctx, const uint8_t *src,
				size_t size)
{
	/* At the end of plc_blob, so that ASan sees reads past the tree. */
	uint8_t *b = plc_blob + sizeof(plc_blob) - size;
	unsigned bad = 0;

	for (size_t i = 0; i < size; i++) {
		int ret;

		test_util_copy(b, src, size);
		b[i] ^= 0xff;
		if (dtb_init(&plc_dt, b, size) != 0) {
			bad += plc_dt.error.why == NULL;
			continue;
		}
		plc.error[0] = '\0';
		ret = platform_from_dtb(&plc, &plc_dt);
		if (ret == 0) {
			/* A success must give what the boot path relies on. */
			if (plc.nmem == 0 || plc.ncpus == 0 ||
			    plc.psci == PSCI_CONDUIT_NONE ||
			    test_util_strlen(plc.bootargs) >=
				    PLATFORM_BOOTARGS_MAX) {
				bad++;
			}
			continue;
		}
		plc_refused++;
		if ((ret != -ERR_INVAL && ret != -ERR_NOENT &&
		     ret != -ERR_RANGE && ret != -ERR_NOMEM &&
		     ret != -ERR_NOTSUP) ||
		    plc.error[0] == '\0') {
			bad++;
			test_fail(test_ctx, __FILE__, __LINE__,
				  "byte %zu: %d \"%s\"", i, ret, plc.error);
		}
	}
	return bad;
}

/** Any corrupted byte gives a complete platform or a documented error with a message. */
TEST(platform_corrupt, every_byte_corrupted)
{
	plc_refused = 0;
	EXPECT_EQ(plc_corrupt_all(test_ctx, fixture_minimal,
				  FIXTURE_SIZE(minimal)),
		  0);
	EXPECT_EQ(plc_corrupt_all(test_ctx, fixture_two_ranges_uart,
				  FIXTURE_SIZE(two_ranges_uart)),
		  0);
	/* Many corruptions are caught after dtb_init, not only in the header. */
	EXPECT_TRUE(plc_refused > 100);
}
