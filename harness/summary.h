/*
 * What a decoded trace says about a run: for every CPU the init phases
 * it went through, how many complete boots through the dual-step init it
 * made and how long each took; the crash, if one was recorded; and the
 * events that were lost.
 *
 * A complete boot is boot_tables_on, trampoline_entered,
 * runtime_tables_on, tlbi (op alle2) and cpu_up, in this order, on one
 * CPU. Events are matched by their name in the file's own schema.
 */
#ifndef FAULTLINE_HARNESS_SUMMARY_H
#define FAULTLINE_HARNESS_SUMMARY_H

#include <faultline/trace/decode.h>

/** An init phase (or the CPU_OFF that precedes a reboot). */
enum summary_phase {
	SUMMARY_PHASE_BOOT_TABLES_ON,
	SUMMARY_PHASE_TRAMPOLINE_ENTERED,
	SUMMARY_PHASE_RUNTIME_TABLES_ON,
	/** The local EL2 TLB invalidation (tlbi alle2) of the init. */
	SUMMARY_PHASE_TLBI,
	SUMMARY_PHASE_CPU_UP,
	SUMMARY_PHASE_CPU_OFF,
	SUMMARY_PHASE_COUNT
};

/** What one CPU went through. */
struct summary_cpu {
	unsigned cpu;
	/** From cpu_up or cpu_off; valid when @has_mpidr. */
	uint64_t mpidr;
	bool has_mpidr;
	/** Any record of this CPU was found. */
	bool seen;
	/** Every phase in time order. */
	enum summary_phase *phases;
	size_t nphases;
	/** Complete boots; boot_ns[i] is the i-th one's boot_tables_on to cpu_up. */
	unsigned boots;
	uint64_t *boot_ns;
	/**
	 * Events this CPU lost: the hypervisor's count when the trace is
	 * complete, else the larger of that and the sequence gaps.
	 */
	uint64_t lost;
};

/** The first crash event of the trace. */
struct summary_crash {
	unsigned cpu;
	/** Its timestamp (generic-timer ticks). */
	uint64_t ts;
	/** ESR_EL2.EC, or 0x100+ for IRQ/FIQ/SError and 0x1ff for a panic. */
	uint64_t ec;
	/** The schema's name of @ec ("dabt_cur"), or "ec 0xNN". */
	char ec_name[40];
	uint64_t esr;
	uint64_t far;
	uint64_t elr;
};

/** The summary of one trace. */
struct summary {
	/** CPUs described: the header's count, or more if records say so. */
	unsigned ncpus;
	struct summary_cpu *cpus;
	/** Records decoded. */
	uint64_t events;
	/** Events lost, all CPUs (sum of summary_cpu.lost). */
	uint64_t lost;
	/** A crash event was found; @crash is valid. */
	bool has_crash;
	struct summary_crash crash;
};

/** The name of @p as the trace spells it ("boot_tables_on"...). */
const char *summary_phase_name(enum summary_phase p);

/**
 * Computes the summary of @td into @s (freed with summary_free() in every
 * case). Returns 0 or -ERR_NOMEM.
 */
int summary_compute(const struct trace_data *td, struct summary *s);

/** Frees what summary_compute() allocated; @s may be zeroed. */
void summary_free(struct summary *s);

/** CPUs (of s->ncpus) with at least one complete boot. */
unsigned summary_cpus_booted(const struct summary *s);

/**
 * The shortest and longest first-boot time over the CPUs that booted,
 * in nanoseconds. Returns false when no CPU did.
 */
bool summary_boot_range(const struct summary *s, uint64_t *min_ns,
			uint64_t *max_ns);

#endif /* FAULTLINE_HARNESS_SUMMARY_H */
