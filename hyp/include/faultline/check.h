/*
 * Invariant checks. CHECK() is always on and is for the hypervisor's own
 * invariants only: it must never be used on guest or user input, which
 * gets an error code instead. A failed CHECK() is a hypervisor bug and
 * ends the run with a report (panic).
 */
#ifndef FAULTLINE_CHECK_H
#define FAULTLINE_CHECK_H

#include <faultline/types.h>

/**
 * Reports a fatal hypervisor bug with a printf-style message, records it in
 * the trace, and ends the run with a failing status. Never returns.
 */
NORETURN void panic(const char *fmt, ...) PRINTF_LIKE(1, 2);

/** Panics with the file, line and expression text when @cond is false. */
#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			panic("CHECK failed at %s:%d: %s", __FILE__, __LINE__, \
			      #cond);                                          \
		}                                                              \
	} while (0)

#endif /* FAULTLINE_CHECK_H */
