/* Formatted console output shared by all CPUs. */
#include <faultline/arch/console.h>
#include <faultline/console.h>
#include <faultline/fmt.h>
#include <faultline/spinlock.h>

#define CONSOLE_LINE_MAX 512

static struct spinlock console_lock = SPINLOCK_INIT;
static bool console_locking;

void console_enable_locking(void)
{
	console_locking = true;
}

static void console_emit(const char *fmt, va_list ap)
{
	char line[CONSOLE_LINE_MAX];
	int n = fmt_vsnprintf(line, sizeof(line), fmt, ap);

	if (n >= (int)sizeof(line)) {
		n = (int)sizeof(line) - 1;
	}
	arch_console_write(line, (size_t)n);
}

void console_vprintf(const char *fmt, va_list ap)
{
	/*
	 * Format outside the lock would need a second buffer per CPU; the
	 * console is not on any measured path, so keep it simple.
	 */
	if (console_locking) {
		spinlock_lock(&console_lock);
	}
	console_emit(fmt, ap);
	if (console_locking) {
		spinlock_unlock(&console_lock);
	}
}

void console_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
}

void console_printf_unlocked(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_emit(fmt, ap);
	va_end(ap);
}
