/*
 * build/libfaultline-clock.so: LTTng-UST's clock override and getcpu
 * override plugins for the CTF export (faultline/trace/ctf.h, docs/ctf.md).
 *
 * LTTng-UST dlopen()s the file named by LTTNG_UST_CLOCK_PLUGIN (and
 * LTTNG_UST_GETCPU_PLUGIN) in every process that loads it and calls the
 * plugin's init function: in the replay program, which fires the
 * tracepoints, and in lttng-sessiond and its consumer daemon when they
 * were started with the variable set. The session daemon writes the
 * clock's name, frequency, UUID and offset into the CTF metadata from its
 * copy of the plugin; the consumer daemon stamps the first packet's start
 * and the last packets' end with its copy; the replay program stamps the
 * events with its copy. All of them read the clock page, which the export
 * and the replay program keep at the EL2 time of the record at hand.
 *
 * Without a clock page (it cannot be created) the clock reads
 * CLOCK_MONOTONIC, as LTTng's own does, and the replay program refuses to
 * run.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <lttng/ust-clock.h>
#include <lttng/ust-getcpu.h>

#include <faultline/trace/ctf.h>

/* The clock's UUID when the page has none. */
#define CLOCK_DEFAULT_UUID "6020212b-247e-422d-b5c0-f16ca966d3e1"

_Static_assert(TRACE_CTF_UUID_STR_LEN == LTTNG_UST_UUID_STR_LEN,
	       "UUID string length");

static struct trace_ctf_clock_page *clock_page;

/* The plugins' entry points, found by LTTng-UST with dlsym(). */
void lttng_ust_clock_plugin_init(void);
void lttng_ust_getcpu_plugin_init(void);

static uint64_t clock_read64(void)
{
	struct timespec ts;

	if (clock_page != NULL) {
		return atomic_load_explicit(&clock_page->now_ns,
					    memory_order_relaxed);
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t clock_freq(void)
{
	return 1000000000u;
}

static int clock_uuid(char *uuid)
{
	const char *u = CLOCK_DEFAULT_UUID;

	/* The page's, when the export wrote a whole one there. */
	if (clock_page != NULL &&
	    strnlen(clock_page->uuid, TRACE_CTF_UUID_STR_LEN) ==
		    TRACE_CTF_UUID_STR_LEN - 1) {
		u = clock_page->uuid;
	}
	memcpy(uuid, u, TRACE_CTF_UUID_STR_LEN);
	return 0;
}

static const char *clock_name(void)
{
	return TRACE_CTF_CLOCK_NAME;
}

static const char *clock_description(void)
{
	return TRACE_CTF_CLOCK_DESC;
}

static int clock_getcpu(void)
{
	return atomic_load_explicit(&clock_page->cpu, memory_order_relaxed);
}

/* Both init functions may run, in either order: map the page once. */
static void clock_map_once(void)
{
	if (clock_page == NULL) {
		clock_page = trace_ctf_clock_map();
	}
}

void lttng_ust_clock_plugin_init(void)
{
	clock_map_once();
	if (lttng_ust_trace_clock_set_read64_cb(clock_read64) != 0 ||
	    lttng_ust_trace_clock_set_freq_cb(clock_freq) != 0 ||
	    lttng_ust_trace_clock_set_uuid_cb(clock_uuid) != 0 ||
	    lttng_ust_trace_clock_set_name_cb(clock_name) != 0 ||
	    lttng_ust_trace_clock_set_description_cb(clock_description) != 0 ||
	    lttng_ust_enable_trace_clock_override() != 0) {
		/* LTTng keeps its own clock: the replay program checks. */
		fprintf(stderr, "libfaultline-clock: LTTng-UST refused the "
				"clock override\n");
	}
}

void lttng_ust_getcpu_plugin_init(void)
{
	clock_map_once();
	if (clock_page != NULL &&
	    lttng_ust_getcpu_override(clock_getcpu) != 0) {
		fprintf(stderr, "libfaultline-clock: LTTng-UST refused the "
				"getcpu override\n");
	}
}
