/*
 * Small helpers shared by the portable tests. They replace the parts of
 * <string.h> the tests need, which the freestanding EL2 build does not have.
 */
#ifndef FAULTLINE_TESTS_TEST_UTIL_H
#define FAULTLINE_TESTS_TEST_UTIL_H

#include <faultline/types.h>

/** Copies @n bytes from @src to @dst (which must not overlap). */
void test_util_copy(void *dst, const void *src, size_t n);

/** Sets @n bytes at @dst to @c. */
void test_util_fill(void *dst, uint8_t c, size_t n);

/** True when the @n bytes at @a and @b are equal. */
bool test_util_mem_equal(const void *a, const void *b, size_t n);

/** Length of the NUL-terminated string @s. */
size_t test_util_strlen(const char *s);

/** True when the NUL-terminated @hay contains @needle. */
bool test_util_contains(const char *hay, const char *needle);

/**
 * Offset of the first occurrence of the @n bytes at @needle in the @size
 * bytes at @hay at or after @from, or -1 when there is none.
 */
long test_util_find(const void *hay, size_t size, size_t from,
		    const void *needle, size_t n);

/** Reads the big-endian u32 at byte offset @off of @buf. */
uint32_t test_util_get_be32(const uint8_t *buf, size_t off);

/** Writes @v as a big-endian u32 at byte offset @off of @buf. */
void test_util_put_be32(uint8_t *buf, size_t off, uint32_t v);

#endif /* FAULTLINE_TESTS_TEST_UTIL_H */
