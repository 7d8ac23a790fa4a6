/*
 * The LTTng-UST tracepoint provider "faultline": one tracepoint per event
 * of trace/events.def, each taking a whole trace record. LTTng-UST reads
 * this header several times with different definitions of its macros (the
 * model STYLE.md points at); the tracepoints themselves are generated
 * from the event table into faultline_tp_events.h by
 * trace/ctf/gen_provider.c, which says what each field becomes.
 *
 * trace/ctf/provider.c creates the probes; trace/ctf/replay.c fires them.
 */
#undef LTTNG_UST_TRACEPOINT_PROVIDER
#define LTTNG_UST_TRACEPOINT_PROVIDER faultline

#undef LTTNG_UST_TRACEPOINT_INCLUDE
#define LTTNG_UST_TRACEPOINT_INCLUDE "faultline_tp.h"

#if !defined(FAULTLINE_CTF_TP_H) ||                                            \
	defined(LTTNG_UST_TRACEPOINT_HEADER_MULTI_READ)
#define FAULTLINE_CTF_TP_H

#include <lttng/tracepoint.h>

#include <faultline/trace/event.h>

#include "faultline_tp_events.h"

#endif /* FAULTLINE_CTF_TP_H */

#include <lttng/tracepoint-event.h>
