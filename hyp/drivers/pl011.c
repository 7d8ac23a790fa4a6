/* PL011 transmit path (PL011 TRM, DDI 0183: UARTDR, UARTFR). */
#include "pl011.h"

#define PL011_DR 0x000
#define PL011_FR 0x018
#define PL011_FR_TXFF (1u << 5)

static uint64_t pl011_regs;

void pl011_set_base(uint64_t base)
{
	pl011_regs = base;
}

uint64_t pl011_base(void)
{
	return pl011_regs;
}

void pl011_putc(char c)
{
	volatile uint32_t *fr = (volatile uint32_t *)(pl011_regs + PL011_FR);
	volatile uint32_t *dr = (volatile uint32_t *)(pl011_regs + PL011_DR);

	if (pl011_regs == 0) {
		return;
	}
	while (*fr & PL011_FR_TXFF) {
	}
	*dr = (uint32_t)(unsigned char)c;
}
