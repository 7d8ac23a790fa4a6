/*
 * Per-pCPU single-producer rings. The producer never blocks: a full ring
 * drops the event and counts it. The release store of head publishes a
 * record to the consumer; the consumer's release store of tail hands the
 * slots back, and the producer's acquire load of tail orders its next
 * write after the consumer's reads.
 */
#include <faultline/arch/cpu.h>
#include <faultline/trace/ring.h>

static struct trace_record trace_default_rec[PLATFORM_MAX_CPUS]
					    [TRACE_RING_RECORDS];

#define TRACE_RING_INIT(cpu)                                                   \
	[cpu] = {.mask = TRACE_RING_RECORDS - 1, .rec = trace_default_rec[cpu]}

static struct trace_ring trace_rings[PLATFORM_MAX_CPUS]
	__attribute__((aligned(64))) = {
		TRACE_RING_INIT(0),  TRACE_RING_INIT(1),  TRACE_RING_INIT(2),
		TRACE_RING_INIT(3),  TRACE_RING_INIT(4),  TRACE_RING_INIT(5),
		TRACE_RING_INIT(6),  TRACE_RING_INIT(7),  TRACE_RING_INIT(8),
		TRACE_RING_INIT(9),  TRACE_RING_INIT(10), TRACE_RING_INIT(11),
		TRACE_RING_INIT(12), TRACE_RING_INIT(13), TRACE_RING_INIT(14),
		TRACE_RING_INIT(15),
};
_Static_assert(PLATFORM_MAX_CPUS == 16, "one TRACE_RING_INIT per CPU");

/* Lean tracing: on, and which ids it keeps (a bit per id below 128). */
static _Atomic bool trace_lean;
static uint64_t trace_lean_keep[2];

void trace_set_lean(bool lean)
{
	static const uint16_t keep[] = {
		TRACE_EV_hyp_start,
		TRACE_EV_boot_tables_on,
		TRACE_EV_trampoline_entered,
		TRACE_EV_runtime_tables_on,
		TRACE_EV_cpu_up,
		TRACE_EV_cpu_off,
		TRACE_EV_crash,
		TRACE_EV_cpu_job,
		TRACE_EV_vm_create,
		TRACE_EV_vcpu_run,
		TRACE_EV_vcpu_stop,
		TRACE_EV_guest_access,
		TRACE_EV_knob,
		TRACE_EV_rep,
		TRACE_EV_livelock,
		TRACE_EV_trace_drain,
	};

	trace_lean_keep[0] = trace_lean_keep[1] = 0;
	for (unsigned i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		trace_lean_keep[keep[i] / 64] |= UINT64_C(1) << (keep[i] % 64);
	}
	atomic_store_explicit(&trace_lean, lean, memory_order_release);
}

static _Atomic bool trace_quiet_switch;

void trace_set_switch_quiet(bool quiet)
{
	atomic_store_explicit(&trace_quiet_switch, quiet, memory_order_release);
}

bool trace_switch_quiet(void)
{
	return atomic_load_explicit(&trace_quiet_switch, memory_order_relaxed);
}

bool trace_is_lean(void)
{
	return atomic_load_explicit(&trace_lean, memory_order_acquire);
}

/* True when lean tracing drops event @id (dropped, not lost). */
static bool trace_dropped(uint16_t id)
{
	return atomic_load_explicit(&trace_lean, memory_order_relaxed) &&
	       (id >= 128 ||
		!(trace_lean_keep[id / 64] & (UINT64_C(1) << (id % 64))));
}

void trace_emit_at(uint64_t ts, uint16_t id, const uint64_t *f, unsigned n)
{
	unsigned cpu = arch_cpu_index();
	struct trace_ring *r;
	struct trace_record *rec;
	uint64_t head, tail;
	uint32_t seq;

	if (cpu >= PLATFORM_MAX_CPUS || trace_dropped(id)) {
		return;
	}
	r = &trace_rings[cpu];
	head = atomic_load_explicit(&r->head, memory_order_relaxed);
	tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	seq = r->seq++;
	if (head - tail > r->mask) {
		atomic_fetch_add_explicit(&r->lost, 1, memory_order_relaxed);
		return;
	}
	rec = &r->rec[head & r->mask];
	rec->ts = ts;
	rec->id = id;
	rec->cpu = (uint16_t)cpu;
	rec->seq = seq;
	for (unsigned i = 0; i < TRACE_MAX_FIELDS; i++) {
		rec->f[i] = i < n ? f[i] : 0;
	}
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
}

void trace_emit(uint16_t id, const uint64_t *f, unsigned n)
{
	/* A dropped event costs no clock read (most of an event's cost). */
	if (!trace_dropped(id)) {
		trace_emit_at(arch_counter_now(), id, f, n);
	}
}

size_t trace_ring_drain(unsigned cpu, struct trace_record *out, size_t max)
{
	struct trace_ring *r;
	uint64_t head, tail, n;

	if (cpu >= PLATFORM_MAX_CPUS) {
		return 0;
	}
	r = &trace_rings[cpu];
	tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	head = atomic_load_explicit(&r->head, memory_order_acquire);
	n = head - tail;
	if (n > max) {
		n = max;
	}
	for (uint64_t i = 0; i < n; i++) {
		out[i] = r->rec[(tail + i) & r->mask];
	}
	atomic_store_explicit(&r->tail, tail + n, memory_order_release);
	return (size_t)n;
}

uint64_t trace_ring_lost(unsigned cpu)
{
	if (cpu >= PLATFORM_MAX_CPUS) {
		return 0;
	}
	return atomic_load_explicit(&trace_rings[cpu].lost,
				    memory_order_relaxed);
}

void trace_rings_reset(void)
{
	for (unsigned i = 0; i < PLATFORM_MAX_CPUS; i++) {
		struct trace_ring *r = &trace_rings[i];
		uint64_t head =
			atomic_load_explicit(&r->head, memory_order_acquire);

		atomic_store_explicit(&r->tail, head, memory_order_release);
		atomic_store_explicit(&r->lost, 0, memory_order_relaxed);
	}
}

bool trace_ring_set_storage(unsigned cpu, struct trace_record *rec,
			    uint32_t nrec)
{
	struct trace_ring *r;

	if (cpu >= PLATFORM_MAX_CPUS || rec == NULL || nrec < 2 ||
	    (nrec & (nrec - 1)) != 0) {
		return false;
	}
	r = &trace_rings[cpu];
	/* Empty, and nobody emits on it: start both indexes afresh. */
	atomic_store_explicit(&r->head, 0, memory_order_relaxed);
	atomic_store_explicit(&r->tail, 0, memory_order_relaxed);
	r->rec = rec;
	r->mask = nrec - 1;
	atomic_thread_fence(memory_order_release);
	return true;
}

uint32_t trace_ring_capacity(unsigned cpu)
{
	return cpu < PLATFORM_MAX_CPUS ? trace_rings[cpu].mask + 1 : 0;
}

uint64_t trace_ring_used(unsigned cpu)
{
	const struct trace_ring *r;

	if (cpu >= PLATFORM_MAX_CPUS) {
		return 0;
	}
	r = &trace_rings[cpu];
	return atomic_load_explicit(&r->head, memory_order_relaxed) -
	       atomic_load_explicit(&r->tail, memory_order_acquire);
}
