/*
 * Trace events: ids, enum values, records and the descriptor table, all
 * generated from trace/events.def.
 */
#ifndef FAULTLINE_TRACE_EVENT_H
#define FAULTLINE_TRACE_EVENT_H

#include <faultline/trace/map.h>
#include <faultline/types.h>

/** Event ids (TRACE_EV_<name>). */
enum trace_event_id {
#define TRACE_ENUM_BEGIN(kind, doc)
#define TRACE_ENUM_VALUE(kind, c, v, name)
#define TRACE_ENUM_END(kind)
#define TRACE_EVENT(name, id, doc, ...) TRACE_EV_##name = id,
#include "events.def"
#undef TRACE_EVENT
#undef TRACE_ENUM_BEGIN
#undef TRACE_ENUM_VALUE
#undef TRACE_ENUM_END
};

/* Enumerated field values: TRACE_<KIND>_<CONST>. */
#define TRACE_ENUM_BEGIN(kind, doc)                                            \
	enum trace_enum_##kind                                                 \
	{
#define TRACE_ENUM_VALUE(kind, c, v, name) TRACE_##kind##_##c = v,
#define TRACE_ENUM_END(kind)                                                   \
	}                                                                      \
	;
#define TRACE_EVENT(name, id, doc, ...)
#include "events.def"
#undef TRACE_EVENT
#undef TRACE_ENUM_BEGIN
#undef TRACE_ENUM_VALUE
#undef TRACE_ENUM_END

/** How a field's value is rendered: a number, or a name from an enum. */
enum trace_kind {
	TRACE_KIND_U64,
	TRACE_KIND_HEX,
	TRACE_KIND_BOOL,
#define TRACE_ENUM_BEGIN(kind, doc) TRACE_KIND_##kind,
#define TRACE_ENUM_VALUE(kind, c, v, name)
#define TRACE_ENUM_END(kind)
#define TRACE_EVENT(name, id, doc, ...)
#include "events.def"
#undef TRACE_EVENT
#undef TRACE_ENUM_BEGIN
#undef TRACE_ENUM_VALUE
#undef TRACE_ENUM_END
	TRACE_KIND_COUNT
};

/**
 * One trace record, 64 bytes, little-endian in memory and in the file:
 * the generic-timer timestamp, the event id, the pCPU that emitted it, a
 * per-CPU sequence number (a gap means lost events) and up to six fields.
 */
struct trace_record {
	uint64_t ts;
	uint16_t id;
	uint16_t cpu;
	uint32_t seq;
	uint64_t f[TRACE_MAX_FIELDS];
};
_Static_assert(sizeof(struct trace_record) == 64, "record layout");

/** One field of an event. */
struct trace_field_desc {
	const char *name;
	enum trace_kind kind;
};

/** One event of the table. */
struct trace_event_desc {
	uint16_t id;
	uint8_t nfields;
	const char *name;
	const char *doc;
	struct trace_field_desc fields[TRACE_MAX_FIELDS];
};

/** One value of an enumerated kind. */
struct trace_enum_value {
	uint64_t value;
	const char *name;
};

/** One enumerated kind. */
struct trace_enum_desc {
	enum trace_kind kind;
	const char *name;
	const char *doc;
	const struct trace_enum_value *values;
	unsigned nvalues;
};

/** The events of events.def, in table order. */
extern const struct trace_event_desc trace_events[];
/** Number of entries in trace_events. */
extern const unsigned trace_nevents;
/** The enumerated kinds of events.def, in table order. */
extern const struct trace_enum_desc trace_enums[];
/** Number of entries in trace_enums. */
extern const unsigned trace_nenums;

/** The descriptor of event @id, or NULL when the table has no such id. */
const struct trace_event_desc *trace_event_by_id(uint16_t id);

/** The name of kind @kind ("U64", "HEX", "BOOL" or an enum's name). */
const char *trace_kind_name(enum trace_kind kind);

/**
 * The name of value @value of enumerated @kind, or NULL when @kind is not
 * an enum or has no such value.
 */
const char *trace_enum_name(enum trace_kind kind, uint64_t value);

/**
 * A 64-bit FNV-1a hash of everything the table declares (ids, names,
 * field names and kinds, enum values). Changes whenever the table does.
 */
uint64_t trace_schema_hash(void);

#endif /* FAULTLINE_TRACE_EVENT_H */
