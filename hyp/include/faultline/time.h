/*
 * Conversions between generic-timer ticks and SI units. One tested helper,
 * so that no caller divides by the wrong power of ten.
 */
#ifndef FAULTLINE_TIME_H
#define FAULTLINE_TIME_H

#include <faultline/types.h>

/** Nanoseconds in @ticks of a counter running at @freq_hz, without overflow. */
uint64_t time_ticks_to_ns(uint64_t ticks, uint64_t freq_hz);

/** Ticks of a counter running at @freq_hz in @ns nanoseconds, without overflow. */
uint64_t time_ns_to_ticks(uint64_t ns, uint64_t freq_hz);

#endif /* FAULTLINE_TIME_H */
