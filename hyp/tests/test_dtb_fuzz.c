/*
 * The device-tree reader against every single-byte corruption of the
 * fixtures: each call must give 0, -ERR_NOENT or -ERR_INVAL with a reason
 * and an offset inside the blob, and never read outside it (the blob ends
 * where dtbf_area ends, so on the host ASan sees any overread).
 */
#include <faultline/dtb.h>
#include <faultline/err.h>
#include <faultline/test.h>

#include "../../tests/fixtures/fixtures.h"
#include "test_util.h"

static uint8_t dtbf_area[8192];
/* -ERR_INVAL results seen by dtbf_check(), to show the corruption bites. */
static unsigned dtbf_invals;

/* Copies the @n bytes at @src so that they end where dtbf_area ends. */
static uint8_t *dtbf_tail_copy(const uint8_t *src, size_t n)
{
	uint8_t *dst = dtbf_area + sizeof(dtbf_area) - n;

	test_util_copy(dst, src, n);
	return dst;
}

/* Records whether @ret is one the reader may return, with a reason for INVAL. */
static void dtbf_check(struct test_ctx *test_ctx, struct dtb *dt, int ret,
		       unsigned *bad)
{
	if (ret == 0 || ret == -ERR_NOENT) {
		return;
	}
	dtbf_invals++;
	if (ret != -ERR_INVAL || dt->error.why == NULL ||
	    dt->error.offset >= dt->total_size) {
		(*bad)++;
		if (*bad == 1) {
			test_fail(test_ctx, __FILE__, __LINE__,
				  "ret %d why %s offset %u", ret,
				  dt->error.why == NULL ? "(none)"
							: dt->error.why,
				  dt->error.offset);
		}
	}
	dt->error.why = NULL;
}

/* Reads everything the hypervisor reads from every node of @blob. */
static void dtbf_walk(struct test_ctx *test_ctx, const uint8_t *blob,
		      size_t size, unsigned *bad)
{
	static const char *const props[] = {
		"reg", "compatible", "device_type", "#address-cells", "method",
	};
	struct dtb dt;
	struct dtb_node n, c;
	int ret;

	if (dtb_init(&dt, blob, size) != 0) {
		if (dt.error.why == NULL) {
			(*bad)++;
		}
		return;
	}
	dtbf_check(test_ctx, &dt, dtb_find_path(&dt, "/cpus/cpu", &c), bad);
	ret = dtb_root(&dt, &n);
	dtbf_check(test_ctx, &dt, ret, bad);
	for (unsigned i = 0; ret == 0 && i < 1000; i++) {
		const char *name;
		const void *val;
		uint32_t len, v;

		dtbf_check(test_ctx, &dt, dtb_node_name(&dt, &n, &name), bad);
		for (unsigned p = 0; p < ARRAY_SIZE(props); p++) {
			dtbf_check(test_ctx, &dt,
				   dtb_prop(&dt, &n, props[p], &val, &len),
				   bad);
		}
		dtbf_check(test_ctx, &dt, dtb_prop_u32(&dt, &n, "reg", &v),
			   bad);
		(void)dtb_prop_has_string(&dt, &n, "compatible", "arm,pl011");
		c.offset = 0;
		dtbf_check(test_ctx, &dt, dtb_next_child(&dt, &n, &c), bad);
		ret = dtb_next_node(&dt, &n);
		dtbf_check(test_ctx, &dt, ret, bad);
	}
}

/*
 * Corrupts every byte of @src in turn with each of the first @npatterns of
 * three patterns and walks it. Returns the number of bad results.
 */
static unsigned dtbf_corrupt_all(struct test_ctx *test_ctx, const uint8_t *src,
				 size_t size, unsigned npatterns)
{
	static const uint8_t patterns[] = {0xff, 0x01, 0x80};
	unsigned bad = 0;

	for (size_t i = 0; i < size; i++) {
		for (unsigned p = 0; p < npatterns && p < ARRAY_SIZE(patterns);
		     p++) {
			uint8_t *b = dtbf_tail_copy(src, size);

			b[i] ^= patterns[p];
			dtbf_walk(test_ctx, b, size, &bad);
		}
	}
	return bad;
}

/** Any single corrupted byte of the minimal tree gives 0, NOENT or INVAL with a reason. */
TEST(dtb_fuzz, every_byte_of_minimal)
{
	dtbf_invals = 0;
	EXPECT_EQ(dtbf_corrupt_all(test_ctx, fixture_minimal,
				   FIXTURE_SIZE(minimal), 3),
		  0);
	/* Most structure-block corruptions are detected, not ignored. */
	EXPECT_TRUE(dtbf_invals > FIXTURE_SIZE(minimal));
}

/** Any single corrupted byte of the two-ranges tree gives 0, NOENT or INVAL with a reason. */
TEST(dtb_fuzz, every_byte_of_two_ranges)
{
	EXPECT_EQ(dtbf_corrupt_all(test_ctx, fixture_two_ranges_uart,
				   FIXTURE_SIZE(two_ranges_uart), 3),
		  0);
}

/** Any single byte of the QEMU tree flipped gives 0, NOENT or INVAL with a reason. */
TEST(dtb_fuzz, every_byte_of_qemu_tree)
{
	EXPECT_EQ(dtbf_corrupt_all(test_ctx, fixture_qemu_virt_smp4,
				   FIXTURE_SIZE(qemu_virt_smp4), 1),
		  0);
}
