/*
 * fmt_snprintf(): every conversion, flag and length modifier of fmt.h, the
 * truncation contract and the return value. Portable: runs on the host and
 * at EL2.
 */
#include <stdarg.h>

#include <faultline/fmt.h>
#include <faultline/test.h>

#include "test_util.h"

static char fmt_buf[128];

/*
 * Calls fmt_vsnprintf() without the printf format check, for formats the
 * compiler would reject (unknown or truncated conversions).
 */
static int fmt_unchecked(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/** Literal text is copied unchanged and the return value is its length. */
TEST(fmt, plain_text)
{
	EXPECT_EQ_INT(fmt_snprintf(fmt_buf, sizeof(fmt_buf), "hello, el2"), 10);
	EXPECT_STREQ(fmt_buf, "hello, el2");
	EXPECT_EQ_INT(fmt_snprintf(fmt_buf, sizeof(fmt_buf), "%s", ""), 0);
	EXPECT_STREQ(fmt_buf, "");
}

/** "%%" prints one percent sign and consumes no argument. */
TEST(fmt, percent_literal)
{
	EXPECT_EQ_INT(fmt_snprintf(fmt_buf, sizeof(fmt_buf), "100%% %d%%", 7),
		      7);
	EXPECT_STREQ(fmt_buf, "100% 7%");
}

/** %d and %i print signed ints, including zero and both extremes. */
TEST(fmt, signed_int)
{
	fmt_snprintf(fmt_buf, sizeof(fmt_buf), "%d %d %i %d", 0, 42, -42,
		     -2147483647 - 1);
	EXPECT_STREQ(fmt_buf, "0 42 -42 -2147483648");
	fmt_snprintf(fmt_buf, sizeof(fmt_buf), "%d", 2147483647);
	EXPECT_STREQ(fmt_buf, "2147483647");
}

/** %u, %x and %X print unsigned ints in decimal, lower and upper hex. */
TEST(fmt, unsigned_int)
{
	fmt_snprintf(fmt_buf, sizeof(fmt_buf), "%u %x %X %x", 4294967295u,
		     0xdeadbeefu, 0xdeadbeefu, 0u);
	EXPECT_STREQ(fmt_buf, "4294967295 deadbeef DEADBEEF 0");
}

/** An int argument of %x is read as 32 bits, not sign-extended to 64. */
TEST(fmt, int_conversions_read_32_bits)
{
	fmt_snprintf(fmt_buf, sizeof(fmt_buf), "%x %u", (unsigned)-1,
		     (unsigned)-2);
	EXPECT_STREQ(fmt_buf, "ffffffff 4294967294");
}

/** The l, ll and z modifiers read 64-bit arguments, extremes included. */
TEST(fmt, length_modifiers)
{
	fmt_snprintf(fmt_buf, sizeof(fmt_buf), "%lld %llu %llx",
		     (long long)INT64_MIN, (unsigned long long)UINT64_MAX,
		     (unsigned long long)0x123456789abcdef0ull);
	EXPECT_STREQ(
		fmt_buf,
		"-9223372036854775808 18446744073709551615 123456789abcdef0");
	fmt_snprintf(fmt_buf, sizeof(fmt_buf), "%ld %lu %lX", -5l,
		     (unsigned long)UINT64_MAX, 0xabcdef012345ul);
	EXPECT_STREQ(fmt_buf, "-5 18446744073709551615 ABCDEF012345");
	fmt_snprintf(fmt_buf, sizeof(fmt_buf), "%zu %zx", (size_t)SIZE_MAX,
		     (size_t)4096);
	EXPECT_STREQ(fmt_buf, "18446744073709551615 1000");
}

/** %p prints 0x and the pointer in lower-case hex. */
TEST(fmt, pointer)
{
	fmt_snprintf(fmt_buf, sizeof(fmt_buf), "%p %p",
		     (void *)(uintptr_t)0xabcdef1234ull, (void *)NULL);
	EXPECT_STREQ(fmt_buf, "0xabcdef1234 0x0");
}

/** %s prints strings and a NULL pointer as "(null)". */
TEST(fmt, strings)
{
	const char *none = NULL;

	/* Unchecked: the compiler rightly warns about a NULL %s argument. */
	fmt_unchecked(fmt_buf, sizeof(fmt_buf), "[%s][%s]", "el2", none);
	EXPECT_STREQ(fmt_buf, "[el2][(null)]");
}

/** %c prints one character, NUL-free ones and high bytes alike. */
TEST(fmt, chars)
{
	EXPECT_EQ_INT(fmt_snprintf(fmt_buf, sizeof(fmt_buf), "%c%c%c", 'a', '-',
				   0xe9),
		      3);
	EXPECT_EQ(fmt_buf[0], 'a');
	EXPECT_EQ(fmt_buf[1], '-');
	EXPECT_EQ((uint8_t)fmt_buf[2], 0xe9);
	EXPECT_EQ(fmt_buf[3], '\0');
}

/** A field width right-aligns numbers with spaces. */
TEST(fmt, width_right_aligns)
{
	fmt_snprintf(fmt_buf, sizeof(fmt_buf), "[%5d][%5d][%8x][%2d]", 42, -42,
		     0xbeefu, 12345);
	EXPECT_STREQ(fmt_buf, "[   42][  -42][    beef][12345]");
}

/** The '-' flag left-aligns numbers and strings. */
TEST(fmt, minus_flag_left_aligns)
{
	fmt_snprintf(fmt_buf, sizeof(fmt_buf), "[%-5d][%-5d][%-6s][%-4u]", 42,
		     -4, "ab", 12345u);
	EXPECT_STREQ(fmt_buf, "[42   ][-4   ][ab    ][12345]");
}

/** The '0' flag pads with zeroes after the sign. */
TEST(fmt, zero_flag_pads_after_sign)
{
	fmt_snprintf(fmt_buf, sizeof(fmt_buf), "[%05d][%05d][%016llx][%08X]",
		     42, -42, 0x1234ull, 0xabcu);
	EXPECT_STREQ(fmt_buf, "[00042][-0042][0000000000001234][00000ABC]");
}

/** With both '-' and '0', '-' wins and the padding is spaces on the right. */
TEST(fmt, minus_overrides_zero)
{
	fmt_unchecked(fmt_buf, sizeof(fmt_buf), "[%-05d]", 42);
	EXPECT_STREQ(fmt_buf, "[42   ]");
	fmt_unchecked(fmt_buf, sizeof(fmt_buf), "[%0-5d]", 42);
	EXPECT_STREQ(fmt_buf, "[42   ]");
}

/** A '*' width takes an int argument; a negative one means left-aligned. */
TEST(fmt, star_width)
{
	fmt_snprintf(fmt_buf, sizeof(fmt_buf), "[%*d][%*d][%*s][%0*x]", 6, 42,
		     -6, 42, 4, "x", 4, 0xau);
	EXPECT_STREQ(fmt_buf, "[    42][42    ][   x][000a]");
}

/** A precision limits how much of a string is printed. */
TEST(fmt, string_precision)
{
	fmt_snprintf(fmt_buf, sizeof(fmt_buf), "[%.3s][%.0s][%.10s]", "abcdef",
		     "abc", "abc");
	EXPECT_STREQ(fmt_buf, "[abc][][abc]");
}

/** Width and precision combine: the truncated string is then padded. */
TEST(fmt, string_width_and_precision)
{
	fmt_snprintf(fmt_buf, sizeof(fmt_buf), "[%8.3s][%-8.3s]", "abcdef",
		     "abcdef");
	EXPECT_STREQ(fmt_buf, "[     abc][abc     ]");
}

/** "%.*s" takes the precision from an int argument; negative means none. */
TEST(fmt, star_precision)
{
	fmt_snprintf(fmt_buf, sizeof(fmt_buf), "[%.*s][%.*s][%.*s]", 2,
		     "abcdef", -1, "abcdef", 0, "abcdef");
	EXPECT_STREQ(fmt_buf, "[ab][abcdef][]");
}

/** "%.*s" reads no byte past the precision: the string need not end in NUL. */
TEST(fmt, star_precision_unterminated)
{
	static const char word[3] = {'x', 'y', 'z'};

	EXPECT_EQ_INT(fmt_snprintf(fmt_buf, sizeof(fmt_buf), "<%.*s>", 3, word),
		      5);
	EXPECT_STREQ(fmt_buf, "<xyz>");
}

/** Output that does not fit is cut, NUL-terminated, and the full length returned. */
TEST(fmt, truncation_returns_full_length)
{
	char small[6];

	test_util_fill(small, 'Z', sizeof(small));
	EXPECT_EQ_INT(fmt_snprintf(small, sizeof(small), "hello world"), 11);
	EXPECT_STREQ(small, "hello");
	EXPECT_EQ_INT(fmt_snprintf(small, sizeof(small), "%d", 12345678), 8);
	EXPECT_STREQ(small, "12345");
	EXPECT_EQ_INT(fmt_snprintf(small, sizeof(small), "%20s", "x"), 20);
	EXPECT_STREQ(small, "     ");
}

/** Output of exactly size - 1 characters fits; one more is truncated. */
TEST(fmt, truncation_boundary)
{
	char small[4];

	EXPECT_EQ_INT(fmt_snprintf(small, sizeof(small), "abc"), 3);
	EXPECT_STREQ(small, "abc");
	EXPECT_EQ_INT(fmt_snprintf(small, sizeof(small), "abcd"), 4);
	EXPECT_STREQ(small, "abc");
}

/** A one-byte buffer gets only the NUL; size 0 writes nothing at all. */
TEST(fmt, tiny_buffers)
{
	char guard[3] = {'X', 'Y', 'Z'};

	EXPECT_EQ_INT(fmt_snprintf(guard, 1, "abc%d", 1), 4);
	EXPECT_EQ(guard[0], '\0');
	EXPECT_EQ(guard[1], 'Y');
	guard[0] = 'X';
	EXPECT_EQ_INT(fmt_snprintf(guard, 0, "abc%d", 1), 4);
	EXPECT_EQ(guard[0], 'X');
	EXPECT_EQ_INT(fmt_snprintf(NULL, 0, "%s=%u", "key", 12u), 6);
}

/** An unknown conversion is copied through literally and consumes no argument. */
TEST(fmt, unknown_conversion_copied)
{
	EXPECT_EQ_INT(fmt_unchecked(fmt_buf, sizeof(fmt_buf), "[%q][%d]", 5),
		      7);
	EXPECT_STREQ(fmt_buf, "[%q][5]");
	fmt_unchecked(fmt_buf, sizeof(fmt_buf), "%5q|%hd|%d", 9);
	EXPECT_STREQ(fmt_buf, "%5q|%hd|9");
}

/** A conversion cut off by the end of the format is copied and ends the output. */
TEST(fmt, truncated_conversion_at_end)
{
	EXPECT_EQ_INT(fmt_unchecked(fmt_buf, sizeof(fmt_buf), "abc%"), 4);
	EXPECT_STREQ(fmt_buf, "abc%");
	EXPECT_EQ_INT(fmt_unchecked(fmt_buf, sizeof(fmt_buf), "x%-08"), 5);
	EXPECT_STREQ(fmt_buf, "x%-08");
	EXPECT_EQ_INT(fmt_unchecked(fmt_buf, sizeof(fmt_buf), "%ll"), 3);
	EXPECT_STREQ(fmt_buf, "%ll");
}

/** fmt_vsnprintf() consumes the va_list in order across many conversions. */
TEST(fmt, many_arguments)
{
	fmt_snprintf(fmt_buf, sizeof(fmt_buf), "%s:%d:%llx:%c:%zu:%p:%u", "f.c",
		     12, 0xffffffffffull, 'z', (size_t)7,
		     (void *)(uintptr_t)0x10, 3u);
	EXPECT_STREQ(fmt_buf, "f.c:12:ffffffffff:z:7:0x10:3");
}

/** A field width on %p covers the whole field, "0x" included (as in C). */
TEST(fmt, pointer_width_includes_prefix)
{
	int n = fmt_snprintf(fmt_buf, sizeof(fmt_buf), "[%10p]",
			     (void *)(uintptr_t)0x1234);

	EXPECT_EQ_INT(n, 12);
	EXPECT_STREQ(fmt_buf, "[    0x1234]");
}

/** A field width on %c pads the character (fmt.h: widths apply to all). */
TEST(fmt, char_honours_width)
{
	fmt_snprintf(fmt_buf, sizeof(fmt_buf), "[%3c][%-3c]", 'a', 'b');
	EXPECT_STREQ(fmt_buf, "[  a][b  ]");
}
