/* Helpers for the portable tests (test_util.h); no libc at EL2. */
#include "test_util.h"

void test_util_copy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	for (size_t i = 0; i < n; i++) {
		d[i] = s[i];
	}
}

void test_util_fill(void *dst, uint8_t c, size_t n)
{
	uint8_t *d = dst;

	for (size_t i = 0; i < n; i++) {
		d[i] = c;
	}
}

bool test_util_mem_equal(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a;
	const uint8_t *y = b;

	for (size_t i = 0; i < n; i++) {
		if (x[i] != y[i]) {
			return false;
		}
	}
	return true;
}

size_t test_util_strlen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0') {
		n++;
	}
	return n;
}

bool test_util_contains(const char *hay, const char *needle)
{
	if (hay == NULL || needle == NULL) {
		return false;
	}
	return test_util_find(hay, test_util_strlen(hay), 0, needle,
			      test_util_strlen(needle)) >= 0;
}

long test_util_find(const void *hay, size_t size, size_t from,
		    const void *needle, size_t n)
{
	const uint8_t *h = hay;

	if (n > size) {
		return -1;
	}
	for (size_t i = from; i + n <= size; i++) {
		if (test_util_mem_equal(h + i, needle, n)) {
			return (long)i;
		}
	}
	return -1;
}

uint32_t test_util_get_be32(const uint8_t *buf, size_t off)
{
	return (uint32_t)buf[off] << 24 | (uint32_t)buf[off + 1] << 16 |
	       (uint32_t)buf[off + 2] << 8 | (uint32_t)buf[off + 3];
}

void test_util_put_be32(uint8_t *buf, size_t off, uint32_t v)
{
	buf[off] = (uint8_t)(v >> 24);
	buf[off + 1] = (uint8_t)(v >> 16);
	buf[off + 2] = (uint8_t)(v >> 8);
	buf[off + 3] = (uint8_t)v;
}
