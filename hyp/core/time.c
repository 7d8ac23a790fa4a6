/* Tick/nanosecond conversions that cannot overflow for realistic inputs. */
#include <faultline/time.h>

#define NS_PER_S UINT64_C(1000000000)

uint64_t time_ticks_to_ns(uint64_t ticks, uint64_t freq_hz)
{
	if (freq_hz == 0) {
		return 0;
	}
	/* Split so neither product can overflow: whole seconds, then rest. */
	return (ticks / freq_hz) * NS_PER_S +
	       (ticks % freq_hz) * NS_PER_S / freq_hz;
}

uint64_t time_ns_to_ticks(uint64_t ns, uint64_t freq_hz)
{
	return (ns / NS_PER_S) * freq_hz + (ns % NS_PER_S) * freq_hz / NS_PER_S;
}
