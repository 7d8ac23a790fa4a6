/*
 * Arm PrimeCell UART (PL011), transmit only, polled. Works with the MMU off
 * (at its PA) and on (at its runtime VA).
 */
#ifndef FAULTLINE_PL011_H
#define FAULTLINE_PL011_H

#include <faultline/types.h>

/** Sets the address through which the UART's registers are reached. */
void pl011_set_base(uint64_t base);

/** The address set by pl011_set_base(). */
uint64_t pl011_base(void);

/** Sends one byte, waiting while the transmit FIFO is full. */
void pl011_putc(char c);

#endif /* FAULTLINE_PL011_H */
