/* arch/console.h at EL2: the PL011. */
#include <faultline/arch/console.h>

#include "../../drivers/pl011.h"

void arch_console_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n') {
			pl011_putc('\r');
		}
		pl011_putc(s[i]);
	}
}
