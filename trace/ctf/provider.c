/*
 * Creates the probes of the "faultline" provider (faultline_tp.h) and
 * defines its tracepoints, linked statically into build/faultline-ctf.
 */
#define LTTNG_UST_TRACEPOINT_CREATE_PROBES
#define LTTNG_UST_TRACEPOINT_DEFINE

#include "faultline_tp.h"
