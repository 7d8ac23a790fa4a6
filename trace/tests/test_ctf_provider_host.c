/*
 * The LTTng-UST provider generated from the event table (build/ctf/
 * faultline_tp_events.h, written by trace/ctf/gen_provider.c) covers every
 * event and field of trace_events[] and every enum of trace_enums[].
 *
 * The generated body is read here with this file's own definitions of
 * LTTng-UST's macros, the way LTTng-UST reads it with its: each tracepoint
 * becomes a function that records the fields it would write (name, macro,
 * enum, size, value taken from a record), each enumeration a table. No
 * LTTng needed: the same text the probes are compiled from is checked.
 */
#include <string.h>

#include <faultline/test.h>
#include <faultline/trace/event.h>

/* Most fields a tracepoint records: pcpu, seq and the event's. */
#define CTF_TP_MAX_FIELDS (2 + TRACE_MAX_FIELDS)

/* One field a tracepoint would record. */
struct ctf_tp_field {
	const char *name;
	/* "integer", "hex" or "enum". */
	const char *macro;
	/* The enumeration, for "enum". */
	const char *enum_name;
	size_t size;
	uint64_t value;
};

/* The fields one call of a tracepoint would record. */
struct ctf_tp_got {
	unsigned n;
	struct ctf_tp_field f[CTF_TP_MAX_FIELDS];
};

/* One generated tracepoint. */
struct ctf_tp_event {
	const char *provider;
	const char *name;
	void (*fill)(const struct trace_record *rec, struct ctf_tp_got *g);
};

/* One value of a generated enumeration. */
struct ctf_tp_value {
	const char *label;
	unsigned long long value;
};

/* One generated enumeration. */
struct ctf_tp_enum {
	const char *name;
	const struct ctf_tp_value *values;
	size_t nvalues;
};

static void ctf_tp_add(struct ctf_tp_got *g, const char *name,
		       const char *macro, const char *enum_name, size_t size,
		       uint64_t value)
{
	if (g->n < CTF_TP_MAX_FIELDS) {
		g->f[g->n++] = (struct ctf_tp_field){name, macro, enum_name,
						     size, value};
	} else {
		g->n++;
	}
}

/* Pass 1: each tracepoint, a function filling a ctf_tp_got. */
#define LTTNG_UST_TP_ARGS(...)
#define LTTNG_UST_TP_FIELDS(...) __VA_ARGS__
#define lttng_ust_field_integer(type, field, expr)                             \
	ctf_tp_add(g, #field, "integer", NULL, sizeof(type), (uint64_t)(expr));
#define lttng_ust_field_integer_hex(type, field, expr)                         \
	ctf_tp_add(g, #field, "hex", NULL, sizeof(type), (uint64_t)(expr));
#define lttng_ust_field_enum(prov, en, type, field, expr)                      \
	ctf_tp_add(g, #field, "enum", #en, sizeof(type), (uint64_t)(expr));
#define LTTNG_UST_TRACEPOINT_EVENT(prov, name, args, fields)                   \
	static void ctf_tp_fill_##name(const struct trace_record *rec,         \
				       struct ctf_tp_got *g)                   \
	{                                                                      \
		fields                                                         \
	}
#define LTTNG_UST_TRACEPOINT_ENUM(prov, name, values)
#include "faultline_tp_events.h"
#undef LTTNG_UST_TRACEPOINT_EVENT
#undef LTTNG_UST_TRACEPOINT_ENUM

/* Pass 2: the table of tracepoints. */
#define LTTNG_UST_TRACEPOINT_EVENT(prov, name, args, fields)                   \
	{#prov, #name, ctf_tp_fill_##name},
#define LTTNG_UST_TRACEPOINT_ENUM(prov, name, values)
static const struct ctf_tp_event ctf_tp_events[] = {
#include "faultline_tp_events.h"
};
#undef LTTNG_UST_TRACEPOINT_EVENT
#undef LTTNG_UST_TRACEPOINT_ENUM

/* Pass 3: each enumeration's values. */
#define lttng_ust_field_enum_value(label, value) {label, value},
#define LTTNG_UST_TP_ENUM_VALUES(...) __VA_ARGS__
#define LTTNG_UST_TRACEPOINT_EVENT(prov, name, args, fields)
#define LTTNG_UST_TRACEPOINT_ENUM(prov, name, values)                          \
	static const struct ctf_tp_value ctf_tp_values_##name[] = {values};
#include "faultline_tp_events.h"
#undef LTTNG_UST_TRACEPOINT_ENUM

/* Pass 4: the table of enumerations. */
#define LTTNG_UST_TRACEPOINT_ENUM(prov, name, values)                          \
	{#name, ctf_tp_values_##name, ARRAY_SIZE(ctf_tp_values_##name)},
static const struct ctf_tp_enum ctf_tp_enums[] = {
#include "faultline_tp_events.h"
};
#undef LTTNG_UST_TRACEPOINT_EVENT
#undef LTTNG_UST_TRACEPOINT_ENUM

static const struct ctf_tp_event *ctf_tp_find_event(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(ctf_tp_events); i++) {
		if (strcmp(ctf_tp_events[i].name, name) == 0) {
			return &ctf_tp_events[i];
		}
	}
	return NULL;
}

static const struct ctf_tp_enum *ctf_tp_find_enum(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(ctf_tp_enums); i++) {
		if (strcmp(ctf_tp_enums[i].name, name) == 0) {
			return &ctf_tp_enums[i];
		}
	}
	return NULL;
}

/* The macro and enumeration a field of kind @kind must be recorded with. */
static const char *ctf_tp_macro_for(enum trace_kind kind)
{
	switch (kind) {
	case TRACE_KIND_U64:
		return "integer";
	case TRACE_KIND_HEX:
		return "hex";
	default:
		return "enum";
	}
}

/** Every event of the table has one tracepoint of that name, and no other exists. */
TEST(ctf_provider, one_tracepoint_per_table_event)
{
	EXPECT_EQ(ARRAY_SIZE(ctf_tp_events), trace_nevents);
	for (unsigned i = 0; i < trace_nevents; i++) {
		const struct ctf_tp_event *tp =
			ctf_tp_find_event(trace_events[i].name);

		if (!EXPECT_TRUE(tp != NULL)) {
			continue;
		}
		EXPECT_STREQ(tp->provider, "faultline");
	}
}

/**
 * Each tracepoint records the record's pCPU and seq, then every field of
 * its event in table order, named as the table names it, with the macro
 * its kind asks for, taking its value from the right slot of the record.
 */
TEST(ctf_provider, every_field_recorded_from_its_slot)
{
	struct trace_record rec = {0};

	rec.cpu = 3;
	rec.seq = 0x12345678;
	for (unsigned i = 0; i < TRACE_MAX_FIELDS; i++) {
		rec.f[i] = UINT64_C(0x1111111111111111) * (i + 1);
	}
	for (unsigned i = 0; i < trace_nevents; i++) {
		const struct trace_event_desc *ev = &trace_events[i];
		const struct ctf_tp_event *tp = ctf_tp_find_event(ev->name);
		struct ctf_tp_got g = {0};

		if (tp == NULL) {
			continue; /* reported by the test above */
		}
		tp->fill(&rec, &g);
		if (!EXPECT_EQ(g.n, 2 + ev->nfields)) {
			continue;
		}
		EXPECT_STREQ(g.f[0].name, "pcpu");
		EXPECT_EQ(g.f[0].value, 3);
		EXPECT_EQ(g.f[0].size, sizeof(rec.cpu));
		EXPECT_STREQ(g.f[1].name, "seq");
		EXPECT_EQ(g.f[1].value, 0x12345678);
		EXPECT_EQ(g.f[1].size, sizeof(rec.seq));
		for (unsigned f = 0; f < ev->nfields; f++) {
			const struct ctf_tp_field *got = &g.f[2 + f];
			enum trace_kind kind = ev->fields[f].kind;

			EXPECT_STREQ(got->name, ev->fields[f].name);
			EXPECT_STREQ(got->macro, ctf_tp_macro_for(kind));
			EXPECT_EQ(got->value, rec.f[f]);
			EXPECT_EQ(got->size, sizeof(uint64_t));
			if (kind != TRACE_KIND_U64 && kind != TRACE_KIND_HEX) {
				EXPECT_TRUE(got->enum_name != NULL &&
					    strcmp(got->enum_name,
						   trace_kind_name(kind)) == 0);
			}
		}
	}
}

/** Every enum of the table is an LTTng enumeration with exactly its values; BOOL names 0 and 1. */
TEST(ctf_provider, every_enum_with_its_values)
{
	const struct ctf_tp_enum *b = ctf_tp_find_enum("BOOL");

	EXPECT_EQ(ARRAY_SIZE(ctf_tp_enums), trace_nenums + 1);
	if (EXPECT_TRUE(b != NULL) && EXPECT_EQ(b->nvalues, 2)) {
		EXPECT_STREQ(b->values[0].label, "false");
		EXPECT_EQ(b->values[0].value, 0);
		EXPECT_STREQ(b->values[1].label, "true");
		EXPECT_EQ(b->values[1].value, 1);
	}
	for (unsigned i = 0; i < trace_nenums; i++) {
		const struct trace_enum_desc *e = &trace_enums[i];
		const struct ctf_tp_enum *tp = ctf_tp_find_enum(e->name);

		if (!EXPECT_TRUE(tp != NULL) ||
		    !EXPECT_EQ(tp->nvalues, e->nvalues)) {
			continue;
		}
		for (unsigned v = 0; v < e->nvalues; v++) {
			EXPECT_STREQ(tp->values[v].label, e->values[v].name);
			EXPECT_EQ(tp->values[v].value, e->values[v].value);
		}
	}
}
