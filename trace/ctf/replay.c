/*
 * build/faultline-ctf REPLAY_FILE: fires one "faultline:<event>"
 * tracepoint per record of a replay file (faultline/trace/ctf.h), in the
 * file's order (time order), so that an LTTng session records the trace
 * as CTF. `faultline export --format ctf` writes the file, sets up the
 * session and runs this program with the clock plugin
 * (LTTNG_UST_CLOCK_PLUGIN and LTTNG_UST_GETCPU_PLUGIN naming
 * build/libfaultline-clock.so); docs/ctf.md says how to run it by hand.
 *
 * Before each tracepoint the record's EL2 time and pCPU go into the clock
 * page the plugin reads, so LTTng-UST stamps the event with them; the
 * page keeps the last record's time when the program ends.
 * Prints "faultline-ctf: fired N events in S s" on stdout and exits 0, or
 * says what is wrong on stderr and exits 1.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include <lttng/ust-clock.h>

#include <faultline/err.h>
#include <faultline/trace/ctf.h>

#include "faultline_tp.h"

/* Fires @rec's tracepoint; false when the table has no such event. */
static bool replay_fire(const struct trace_record *rec)
{
	switch (rec->id) {
#define TRACE_ENUM_BEGIN(kind, doc)
#define TRACE_ENUM_VALUE(kind, c, v, name)
#define TRACE_ENUM_END(kind)
#define TRACE_EVENT(name, id, doc, ...)                                        \
	case id:                                                               \
		lttng_ust_tracepoint(faultline, name, rec);                    \
		return true;
#include "events.def"
#undef TRACE_EVENT
#undef TRACE_ENUM_BEGIN
#undef TRACE_ENUM_VALUE
#undef TRACE_ENUM_END
	default:
		return false;
	}
}

/*
 * Whether LTTng-UST's clock is the plugin reading @page: without it every
 * event would carry the time of the export. The page is only read: the
 * daemons read it too.
 */
static bool replay_clock_is_ours(struct trace_ctf_clock_page *page)
{
	lttng_ust_clock_read64_function read64 = NULL;

	if (lttng_ust_trace_clock_get_read64_cb(&read64) != 0 ||
	    read64 == NULL) {
		return false;
	}
	/* LTTng's own clock would read the host's monotonic time. */
	return read64() == atomic_load(&page->now_ns);
}

static double replay_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct trace_ctf_replay rp;
	struct trace_ctf_clock_page *page;
	long host_cpus = sysconf(_SC_NPROCESSORS_CONF);
	double t0;
	size_t unknown = 0;
	int ret;

	if (argc != 2) {
		fprintf(stderr, "usage: faultline-ctf REPLAY_FILE (written by "
				"`faultline export --format ctf`)\n");
		return 2;
	}
	page = trace_ctf_clock_map();
	if (page == NULL || !replay_clock_is_ours(page)) {
		fprintf(stderr,
			"faultline-ctf: LTTng-UST does not use the faultline "
			"clock: set LTTNG_UST_CLOCK_PLUGIN to the path of "
			"libfaultline-clock.so (and check that it can create "
			"its clock page in /dev/shm)\n");
		trace_ctf_clock_unmap(page);
		return 1;
	}
	ret = trace_ctf_replay_read(argv[1], &rp);
	if (ret != 0) {
		fprintf(stderr, "faultline-ctf: %s: %s\n", argv[1],
			ret == -ERR_INVAL
				? "not a replay file of this build (rebuild "
				  "with make)"
				: "cannot be read");
		trace_ctf_replay_free(&rp);
		trace_ctf_clock_unmap(page);
		return 1;
	}
	/* LTTng has a buffer per host CPU: more pCPUs share them. */
	if (host_cpus < 1) {
		host_cpus = 1;
	}
	t0 = replay_seconds();
	for (size_t i = 0; i < rp.nrecords; i++) {
		const struct trace_record *rec = &rp.records[i];

		/* Relaxed: this thread's tracepoint reads them next. */
		atomic_store_explicit(&page->now_ns,
				      trace_ctf_ns(rec->ts, rp.counter_freq),
				      memory_order_relaxed);
		atomic_store_explicit(&page->cpu, (int)(rec->cpu % host_cpus),
				      memory_order_relaxed);
		if (!replay_fire(rec)) {
			unknown++;
		}
	}
	printf("faultline-ctf: fired %zu events in %.3f s\n",
	       rp.nrecords - unknown, replay_seconds() - t0);
	trace_ctf_replay_free(&rp);
	trace_ctf_clock_unmap(page);
	if (unknown != 0) {
		fprintf(stderr,
			"faultline-ctf: %zu records of events this build does "
			"not know were not exported\n",
			unknown);
		return 1;
	}
	return 0;
}
