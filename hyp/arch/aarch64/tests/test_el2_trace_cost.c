/*
 * EL2-only benchmark, not a timing test: what one trace event costs at EL2
 * (under QEMU TCG: emulated time, to be read as a ratio to the fault and
 * hypercall latencies of the same machine, docs/performance.md). Each
 * round times a batch of calls with the generic timer: an empty loop, a
 * CNTVCT_EL0 read (every event takes one), a 1-field event (dsb) and a
 * 6-field event (s2_fault_enter), and the medians over the rounds are
 * printed. The test fails only if the events did not reach the ring.
 *
 * The benchmark empties this CPU's ring before each batch: records that
 * earlier tests left there are dropped from the run's trace file.
 */
#include <faultline/arch/cpu.h>
#include <faultline/console.h>
#include <faultline/test.h>
#include <faultline/time.h>
#include <faultline/trace/ring.h>

/* Calls per timed batch: well inside the 4096-record ring. */
#define TC_BATCH 1024u
#define TC_ROUNDS 33u

enum tc_what {
	TC_LOOP,
	TC_COUNTER,
	TC_EMIT1,
	TC_EMIT6,
	TC_NWHAT
};

static const char *const tc_names[TC_NWHAT] = {
	[TC_LOOP] = "empty loop",
	[TC_COUNTER] = "CNTVCT_EL0 read",
	[TC_EMIT1] = "trace_dsb (1 field)",
	[TC_EMIT6] = "trace_s2_fault_enter (6 fields)",
};

static uint64_t tc_ticks[TC_NWHAT][TC_ROUNDS];
static struct trace_record tc_sink[64];

/* Drops everything in @cpu's ring, so a batch never meets a full ring. */
static void tc_empty_ring(unsigned cpu)
{
	while (trace_ring_drain(cpu, tc_sink, ARRAY_SIZE(tc_sink)) > 0) {
	}
}

/* Runs one batch of @what; returns the ticks it took. */
static uint64_t tc_batch(enum tc_what what)
{
	uint64_t t0 = arch_counter_now();
	uint64_t sum = 0;

	for (unsigned i = 0; i < TC_BATCH; i++) {
		switch (what) {
		case TC_LOOP:
			/* Keeps the loop: nothing else would. */
			__asm__ volatile("" : : : "memory");
			break;
		case TC_COUNTER:
			sum += arch_counter_now();
			break;
		case TC_EMIT1:
			trace_dsb(TRACE_SHARE_ISH);
			break;
		default:
			trace_s2_fault_enter(i, 1, 0x80000000 + 4096 * i,
					     0x93c08007,
					     TRACE_FAULT_KIND_TRANSLATION,
					     TRACE_ACCESS_WRITE);
			break;
		}
	}
	__asm__ volatile("" : : "r"(sum) : "memory");
	return arch_counter_now() - t0;
}

static void tc_sort(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		uint64_t x = v[i];
		unsigned j = i;

		for (; j > 0 && v[j - 1] > x; j--) {
			v[j] = v[j - 1];
		}
		v[j] = x;
	}
}

/* Tenths of a nanosecond per call for a batch of @ticks. */
static uint64_t tc_tenth_ns(uint64_t ticks)
{
	return time_ticks_to_ns(ticks * 10, arch_counter_freq()) / TC_BATCH;
}

/** One trace event's cost at EL2, against a counter read and an empty loop (printed; only the events reaching the ring is checked). */
TEST(el2_trace_cost, emit)
{
	unsigned cpu = arch_cpu_index();
	uint64_t lost = trace_ring_lost(cpu);

	for (unsigned r = 0; r < TC_ROUNDS; r++) {
		for (unsigned w = 0; w < TC_NWHAT; w++) {
			tc_empty_ring(cpu);
			tc_ticks[w][r] = tc_batch((enum tc_what)w);
			if (w >= TC_EMIT1) {
				EXPECT_EQ(trace_ring_used(cpu), TC_BATCH);
			}
		}
	}
	tc_empty_ring(cpu);
	EXPECT_EQ(trace_ring_lost(cpu), lost);
	console_printf("el2_trace_cost: cpu %u, %u rounds of %u calls, per "
		       "call: median (min, max), counter at %llu Hz\n",
		       cpu, TC_ROUNDS, TC_BATCH,
		       (unsigned long long)arch_counter_freq());
	for (unsigned w = 0; w < TC_NWHAT; w++) {
		uint64_t med, lo, hi;

		tc_sort(tc_ticks[w], TC_ROUNDS);
		med = tc_tenth_ns(tc_ticks[w][TC_ROUNDS / 2]);
		lo = tc_tenth_ns(tc_ticks[w][0]);
		hi = tc_tenth_ns(tc_ticks[w][TC_ROUNDS - 1]);
		console_printf(
			"el2_trace_cost:   %-32s %llu.%llu ns (%llu.%llu, "
			"%llu.%llu)\n",
			tc_names[w], (unsigned long long)(med / 10),
			(unsigned long long)(med % 10),
			(unsigned long long)(lo / 10),
			(unsigned long long)(lo % 10),
			(unsigned long long)(hi / 10),
			(unsigned long long)(hi % 10));
	}
}
