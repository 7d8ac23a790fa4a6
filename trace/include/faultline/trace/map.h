/*
 * Preprocessor helpers for reading events.def: apply a macro to each
 * "(name, KIND)" field of an event, comma-separated.
 */
#ifndef FAULTLINE_TRACE_MAP_H
#define FAULTLINE_TRACE_MAP_H

/** Most fields an event can have. */
#define TRACE_MAX_FIELDS 6

#define TRACE_CAT_(a, b) a##b
/** Pastes two tokens after expanding them. */
#define TRACE_CAT(a, b) TRACE_CAT_(a, b)
#define TRACE_NARGS_(a1, a2, a3, a4, a5, a6, n, ...) n
/** Number of arguments (1 to 6). */
#define TRACE_NARGS(...) TRACE_NARGS_(__VA_ARGS__, 6, 5, 4, 3, 2, 1, 0)

#define TRACE_MAP_1(m, a) m a
#define TRACE_MAP_2(m, a, ...) m a, TRACE_MAP_1(m, __VA_ARGS__)
#define TRACE_MAP_3(m, a, ...) m a, TRACE_MAP_2(m, __VA_ARGS__)
#define TRACE_MAP_4(m, a, ...) m a, TRACE_MAP_3(m, __VA_ARGS__)
#define TRACE_MAP_5(m, a, ...) m a, TRACE_MAP_4(m, __VA_ARGS__)
#define TRACE_MAP_6(m, a, ...) m a, TRACE_MAP_5(m, __VA_ARGS__)
/** Expands to m(x1, y1), m(x2, y2), ... for fields (x1, y1), (x2, y2). */
#define TRACE_MAP(m, ...)                                                      \
	TRACE_CAT(TRACE_MAP_, TRACE_NARGS(__VA_ARGS__))(m, __VA_ARGS__)

#endif /* FAULTLINE_TRACE_MAP_H */
