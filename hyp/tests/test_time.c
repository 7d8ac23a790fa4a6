/*
 * Tick/nanosecond conversions (time.h) at the counter frequencies that
 * matter: 62.5 MHz (QEMU virt's CNTFRQ), 1 GHz (the host clock, Armv8.6
 * and later), 24 MHz, and values large enough to overflow a naive
 * multiplication.
 */
#include <faultline/test.h>
#include <faultline/time.h>

#define FREQ_QEMU UINT64_C(62500000)
#define FREQ_GHZ UINT64_C(1000000000)
#define FREQ_24M UINT64_C(24000000)

/** One tick of a 62.5 MHz counter is exactly 16 ns; a second of ticks is 1e9 ns. */
TEST(time, ticks_to_ns_62_5mhz)
{
	EXPECT_EQ(time_ticks_to_ns(0, FREQ_QEMU), 0);
	EXPECT_EQ(time_ticks_to_ns(1, FREQ_QEMU), 16);
	EXPECT_EQ(time_ticks_to_ns(3, FREQ_QEMU), 48);
	EXPECT_EQ(time_ticks_to_ns(FREQ_QEMU, FREQ_QEMU), 1000000000);
	EXPECT_EQ(time_ticks_to_ns(FREQ_QEMU + 1, FREQ_QEMU), 1000000016);
	EXPECT_EQ(time_ticks_to_ns(62500, FREQ_QEMU), 1000000);
}

/** At 1 GHz ticks and nanoseconds are the same number, up to UINT64_MAX. */
TEST(time, one_ghz_is_identity)
{
	EXPECT_EQ(time_ticks_to_ns(1, FREQ_GHZ), 1);
	EXPECT_EQ(time_ticks_to_ns(123456789012345ull, FREQ_GHZ),
		  123456789012345ull);
	EXPECT_EQ(time_ticks_to_ns(UINT64_MAX, FREQ_GHZ), UINT64_MAX);
	EXPECT_EQ(time_ns_to_ticks(UINT64_MAX, FREQ_GHZ), UINT64_MAX);
	EXPECT_EQ(time_ns_to_ticks(999, FREQ_GHZ), 999);
}

/** Conversions round down: 1 tick of 24 MHz is 41 ns, 15 ns are 0 ticks of 62.5 MHz. */
TEST(time, conversions_round_down)
{
	EXPECT_EQ(time_ticks_to_ns(1, FREQ_24M), 41);
	EXPECT_EQ(time_ticks_to_ns(3, FREQ_24M), 125);
	EXPECT_EQ(time_ticks_to_ns(FREQ_24M, FREQ_24M), 1000000000);
	EXPECT_EQ(time_ns_to_ticks(15, FREQ_QEMU), 0);
	EXPECT_EQ(time_ns_to_ticks(16, FREQ_QEMU), 1);
	EXPECT_EQ(time_ns_to_ticks(31, FREQ_QEMU), 1);
	EXPECT_EQ(time_ns_to_ticks(1000000000, FREQ_QEMU), FREQ_QEMU);
	EXPECT_EQ(time_ns_to_ticks(1000, FREQ_24M), 24);
}

/** Tick counts whose product with 1e9 overflows 64 bits still convert exactly. */
TEST(time, large_ticks_do_not_overflow)
{
	/* 2^59 ticks * 1e9 overflows; the answer, 2^63 ns, does not. */
	uint64_t ticks = UINT64_C(1) << 59;
	/* Ten years (of 365 days) plus a bit, at 62.5 MHz. */
	uint64_t ten_years_s = UINT64_C(315360000);

	EXPECT_EQ(time_ticks_to_ns(ticks, FREQ_QEMU), UINT64_C(1) << 63);
	EXPECT_EQ(time_ticks_to_ns(ten_years_s * FREQ_QEMU + 12345, FREQ_QEMU),
		  ten_years_s * FREQ_GHZ + 12345 * 16);
	EXPECT_EQ(time_ticks_to_ns(ten_years_s * FREQ_24M + 3, FREQ_24M),
		  ten_years_s * FREQ_GHZ + 125);
}

/** Nanosecond counts whose product with the frequency overflows still convert exactly. */
TEST(time, large_ns_do_not_overflow)
{
	/* floor(UINT64_MAX / 16) = 2^60 - 1. */
	EXPECT_EQ(time_ns_to_ticks(UINT64_MAX, FREQ_QEMU),
		  (UINT64_C(1) << 60) - 1);
	EXPECT_EQ(time_ns_to_ticks(UINT64_C(1) << 63, FREQ_QEMU),
		  UINT64_C(1) << 59);
	EXPECT_EQ(time_ns_to_ticks(UINT64_C(315360000) * FREQ_GHZ, FREQ_24M),
		  UINT64_C(315360000) * FREQ_24M);
}

/** At 62.5 MHz ns_to_ticks(ticks_to_ns(t)) gives t back for any t. */
TEST(time, round_trip_62_5mhz)
{
	static const uint64_t samples[] = {
		0,
		1,
		2,
		62499999,
		62500000,
		0xffffffffull,
		0x123456789abcull,
		(UINT64_C(1) << 59) + 7,
	};

	for (unsigned i = 0; i < ARRAY_SIZE(samples); i++) {
		uint64_t ns = time_ticks_to_ns(samples[i], FREQ_QEMU);

		EXPECT_EQ(time_ns_to_ticks(ns, FREQ_QEMU), samples[i]);
	}
}

/** A zero frequency gives 0 both ways instead of dividing by zero. */
TEST(time, zero_frequency)
{
	EXPECT_EQ(time_ticks_to_ns(12345, 0), 0);
	EXPECT_EQ(time_ticks_to_ns(UINT64_MAX, 0), 0);
	EXPECT_EQ(time_ns_to_ticks(12345, 0), 0);
	EXPECT_EQ(time_ns_to_ticks(UINT64_MAX, 0), 0);
}
