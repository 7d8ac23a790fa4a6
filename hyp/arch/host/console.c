/* arch/console.h on the host: stdout. */
#include <stdio.h>

#include <faultline/arch/console.h>

void arch_console_write(const char *s, size_t len)
{
	fwrite(s, 1, len, stdout);
	fflush(stdout);
}
