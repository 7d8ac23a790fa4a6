/*
 * The console: formatted text to the UART at EL2 and to stdout on the host.
 * Lines from different CPUs are not interleaved once SMP locking is on.
 */
#ifndef FAULTLINE_CONSOLE_H
#define FAULTLINE_CONSOLE_H

#include <stdarg.h>

#include <faultline/types.h>

/**
 * Turns on the console lock. Before this only the boot CPU prints, and it
 * may do so with the MMU off, where exclusive accesses are not
 * architecturally guaranteed to work (memory is Device then).
 */
void console_enable_locking(void);

/** Prints a printf-style message; long lines are truncated at 512 bytes. */
void console_printf(const char *fmt, ...) PRINTF_LIKE(1, 2);

/** console_printf() with a va_list. */
void console_vprintf(const char *fmt, va_list ap);

/**
 * Prints without taking the lock, for the crash path: a CPU that crashed
 * while holding the lock must still be able to report.
 */
void console_printf_unlocked(const char *fmt, ...) PRINTF_LIKE(1, 2);

#endif /* FAULTLINE_CONSOLE_H */
