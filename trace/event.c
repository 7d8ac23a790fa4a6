/* The descriptor tables generated from events.def, and the schema hash. */
#include <faultline/trace/event.h>

#define TRACE_EVENT(name, id, doc, ...)
#define TRACE_ENUM_BEGIN(kind, doc)                                            \
	static const struct trace_enum_value trace_values_##kind[] = {
#define TRACE_ENUM_VALUE(kind, c, v, name) {v, name},
#define TRACE_ENUM_END(kind)                                                   \
	}                                                                      \
	;
#include "events.def"
#undef TRACE_ENUM_BEGIN
#undef TRACE_ENUM_VALUE
#undef TRACE_ENUM_END

#define TRACE_ENUM_BEGIN(kind, doc)                                            \
	{TRACE_KIND_##kind, #kind, doc, trace_values_##kind,                   \
	 (unsigned)ARRAY_SIZE(trace_values_##kind)},
#define TRACE_ENUM_VALUE(kind, c, v, name)
#define TRACE_ENUM_END(kind)
const struct trace_enum_desc trace_enums[] = {
#include "events.def"
};
#undef TRACE_EVENT
#undef TRACE_ENUM_BEGIN
#undef TRACE_ENUM_VALUE
#undef TRACE_ENUM_END

const unsigned trace_nenums = ARRAY_SIZE(trace_enums);

#define TRACE_ENUM_BEGIN(kind, doc)
#define TRACE_ENUM_VALUE(kind, c, v, name)
#define TRACE_ENUM_END(kind)
#define TRACE_FIELD_(name, kind)                                               \
	{                                                                      \
#name, TRACE_KIND_##kind                                       \
	}
#define TRACE_EVENT(name, id, doc, ...)                                        \
	{id,                                                                   \
	 TRACE_NARGS(__VA_ARGS__),                                             \
	 #name,                                                                \
	 doc,                                                                  \
	 {TRACE_MAP(TRACE_FIELD_, __VA_ARGS__)}},
const struct trace_event_desc trace_events[] = {
#include "events.def"
};
#undef TRACE_EVENT
#undef TRACE_FIELD_
#undef TRACE_ENUM_BEGIN
#undef TRACE_ENUM_VALUE
#undef TRACE_ENUM_END

const unsigned trace_nevents = ARRAY_SIZE(trace_events);

const struct trace_event_desc *trace_event_by_id(uint16_t id)
{
	for (unsigned i = 0; i < trace_nevents; i++) {
		if (trace_events[i].id == id) {
			return &trace_events[i];
		}
	}
	return NULL;
}

const char *trace_kind_name(enum trace_kind kind)
{
	switch (kind) {
	case TRACE_KIND_U64:
		return "U64";
	case TRACE_KIND_HEX:
		return "HEX";
	case TRACE_KIND_BOOL:
		return "BOOL";
	default:
		break;
	}
	for (unsigned i = 0; i < trace_nenums; i++) {
		if (trace_enums[i].kind == kind) {
			return trace_enums[i].name;
		}
	}
	return "?";
}

const char *trace_enum_name(enum trace_kind kind, uint64_t value)
{
	for (unsigned i = 0; i < trace_nenums; i++) {
		const struct trace_enum_desc *e = &trace_enums[i];

		if (e->kind != kind) {
			continue;
		}
		for (unsigned j = 0; j < e->nvalues; j++) {
			if (e->values[j].value == value) {
				return e->values[j].name;
			}
		}
	}
	return NULL;
}

/* FNV-1a, 64 bit. */
#define FNV_OFFSET UINT64_C(0xcbf29ce484222325)
#define FNV_PRIME UINT64_C(0x100000001b3)

static uint64_t hash_bytes(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h = (h ^ b[i]) * FNV_PRIME;
	}
	return h;
}

static uint64_t hash_str(uint64_t h, const char *s)
{
	size_t n = 0;

	while (s[n] != '\0') {
		n++;
	}
	/* Include the NUL so "ab"+"c" and "a"+"bc" differ. */
	return hash_bytes(h, s, n + 1);
}

static uint64_t hash_u64(uint64_t h, uint64_t v)
{
	uint8_t b[8];

	for (int i = 0; i < 8; i++) {
		b[i] = (uint8_t)(v >> (8 * i));
	}
	return hash_bytes(h, b, sizeof(b));
}

uint64_t trace_schema_hash(void)
{
	uint64_t h = FNV_OFFSET;

	for (unsigned i = 0; i < trace_nenums; i++) {
		const struct trace_enum_desc *e = &trace_enums[i];

		h = hash_str(h, e->name);
		for (unsigned j = 0; j < e->nvalues; j++) {
			h = hash_u64(h, e->values[j].value);
			h = hash_str(h, e->values[j].name);
		}
	}
	for (unsigned i = 0; i < trace_nevents; i++) {
		const struct trace_event_desc *ev = &trace_events[i];

		h = hash_u64(h, ev->id);
		h = hash_str(h, ev->name);
		for (unsigned j = 0; j < ev->nfields; j++) {
			h = hash_str(h, ev->fields[j].name);
			h = hash_str(h, trace_kind_name(ev->fields[j].kind));
		}
	}
	return h;
}
