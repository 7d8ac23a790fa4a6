/*
 * Arch interface: the raw console device (PL011 at EL2, stdout on the host).
 */
#ifndef FAULTLINE_ARCH_CONSOLE_H
#define FAULTLINE_ARCH_CONSOLE_H

#include <faultline/types.h>

/** Writes @len bytes of @s to the console, turning "\n" into "\r\n" at EL2. */
void arch_console_write(const char *s, size_t len);

#endif /* FAULTLINE_ARCH_CONSOLE_H */
