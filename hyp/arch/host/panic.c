/* panic() on the host: print and abort, so a test run shows the bug. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include <faultline/check.h>

NORETURN void panic(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "panic: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}
