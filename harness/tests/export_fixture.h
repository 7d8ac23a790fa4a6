/*
 * Hand-made decoded traces for the exporter tests, and a reader of the
 * Perfetto JSON they produce: a strict JSON syntax check of the whole
 * document, the events one per line with their top-level keys, and a
 * replay of the viewers' per-thread slice stacks (nesting, flow binding).
 */
#ifndef FAULTLINE_HARNESS_TESTS_EXPORT_FIXTURE_H
#define FAULTLINE_HARNESS_TESTS_EXPORT_FIXTURE_H

#include <stdio.h>

#include <faultline/trace/decode.h>
#include <faultline/trace/event.h>

/** The counter frequency of the fixtures: one tick is 16 ns. */
#define XF_FREQ 62500000u

/**
 * A complete trace of @ncpus CPUs with the compiled event table as its
 * schema and room for records; freed with trace_data_free().
 */
void xf_init(struct trace_data *td, unsigned ncpus);

/** Appends a record of event @id; seq numbers count per CPU. */
void xf_rec6(struct trace_data *td, uint64_t ts, unsigned cpu, uint16_t id,
	     const uint64_t f[6]);

/** xf_rec6() with the fields listed in schema order (rest 0). */
#define XF_REC(td, ts, cpu, ev, ...)                                           \
	xf_rec6((td), (ts), (cpu), TRACE_EV_##ev,                              \
		(const uint64_t[6]){__VA_ARGS__})

/** A fault of (@vmid, @vcpu) at @ipa on @cpu: enter at @t0, exit at @t1. */
void xf_fault(struct trace_data *td, unsigned cpu, uint64_t t0, uint64_t t1,
	      uint64_t vcpu, uint64_t vmid, uint64_t ipa, uint64_t outcome);

/** The eight world-switch phases of @vcpu on @cpu, @step ticks apart. */
void xf_switch(struct trace_data *td, unsigned cpu, uint64_t t0, uint64_t step,
	       uint64_t vcpu, uint64_t vmid);

/** @td exported as Perfetto JSON (malloc'd; NULL on failure). */
char *xf_perfetto(const struct trace_data *td);

/** True when @s is one syntactically valid JSON value (RFC 8259). */
bool xf_json_valid(const char *s);

/** One event of the Perfetto JSON: its top-level keys. */
struct xf_event {
	char ph;
	char name[96];
	char cat[16];
	long pid;
	long tid;
	/** "ts" and "dur" in nanoseconds. */
	uint64_t ts;
	uint64_t dur;
	long id;
	/** The whole line (with the args), NUL-terminated. */
	char line[1024];
};

/**
 * The events of @json (one per line, as the exporter writes them) into a
 * malloc'd array; their number in *@n.
 */
struct xf_event *xf_events(const char *json, size_t *n);

/** Events with @ph (0: any), @cat (NULL: any) and @name (NULL: any). */
size_t xf_count(const struct xf_event *ev, size_t n, char ph, const char *cat,
		const char *name);

/** The first such event, or NULL. */
const struct xf_event *xf_find(const struct xf_event *ev, size_t n, char ph,
			       const char *cat, const char *name);

/** What a replay of the viewers' import found wrong. */
struct xf_replay {
	/** Slices overlapping their parent partly (a viewer drops them). */
	size_t overlaps;
	/** Events not where the importer's sort puts them. */
	size_t unordered;
	/** Flow starts not bound to a fault, ends not to a bbm or tlbi. */
	size_t misbound;
	/** Flow ids without exactly one start and one end. */
	size_t unpaired;
	size_t flows;
};

/**
 * Replays @ev as Perfetto imports it: sorted by time, at one time complete
 * events ("X") longest first and the others in file order; then a slice
 * stack per thread.
 */
struct xf_replay xf_replay(const struct xf_event *ev, size_t n);

#endif /* FAULTLINE_HARNESS_TESTS_EXPORT_FIXTURE_H */
