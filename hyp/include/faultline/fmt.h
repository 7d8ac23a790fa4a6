/*
 * A small, freestanding printf-style formatter used by the console, the
 * crash report and the tests, on the host and at EL2 alike.
 */
#ifndef FAULTLINE_FMT_H
#define FAULTLINE_FMT_H

#include <stdarg.h>

#include <faultline/types.h>

/**
 * Formats into @buf of @size bytes, always NUL-terminating when @size > 0.
 * Supports %d %i %u %x %X %p %s %c %% with the flags '-' and '0', a field
 * width (or '*'), a precision (or ".*") for %s, and the length modifiers l, ll, z.
 * Returns the number of characters the full output needs (excluding the
 * NUL), like C's vsnprintf, so a return value >= @size means truncation.
 */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/** fmt_vsnprintf() with variadic arguments. */
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

#endif /* FAULTLINE_FMT_H */
