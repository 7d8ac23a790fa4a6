/* Linux perf counters for the microbenchmarks (bench_perf.h). */
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "bench_perf.h"

/* One event of a set: its perf type and config, and its counter name. */
struct bench_perf_event {
	uint32_t type;
	uint64_t config;
	const char *name;
};

static const struct bench_perf_event bench_perf_hw[BENCH_PERF_MAX] = {
	{PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, "instructions"},
	{PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, "cycles"},
	{PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES, "cache-misses"},
};

static const struct bench_perf_event bench_perf_sw[BENCH_PERF_MAX] = {
	{PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, "task-clock-ns"},
	{PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, "page-faults"},
	{PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES,
	 "context-switches"},
};

/* The set bench_perf_init() chose (NULL: none), and how to open it. */
static const struct bench_perf_event *bench_perf_set;
static bool bench_perf_user_only;
static char bench_perf_what[160] = "off";

bool bench_perf_parse(const char *s, enum bench_perf_mode *mode)
{
	static const char *const names[] = {"auto", "hw", "sw", "off"};

	for (unsigned i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(s, names[i]) == 0) {
			*mode = (enum bench_perf_mode)i;
			return true;
		}
	}
	return false;
}

/* perf_event_open() of @ev for this thread, in group @group (-1: leader). */
static int bench_perf_open_one(const struct bench_perf_event *ev, int group,
			       bool user_only)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = ev->type;
	attr.config = ev->config;
	/* The leader starts disabled and enables the group. */
	attr.disabled = group < 0;
	attr.exclude_kernel = user_only;
	attr.exclude_hv = 1;
	attr.read_format = PERF_FORMAT_GROUP;
	return (int)syscall(SYS_perf_event_open, &attr, 0, -1, group,
			    PERF_FLAG_FD_CLOEXEC);
}

/*
 * Opens the whole set @set into @p; on failure closes what it opened and
 * returns the errno of the event that failed.
 */
static int bench_perf_open_set(struct bench_perf *p,
			       const struct bench_perf_event *set,
			       bool user_only)
{
	p->n = 0;
	for (unsigned i = 0; i < BENCH_PERF_MAX; i++) {
		int fd = bench_perf_open_one(&set[i], i == 0 ? -1 : p->fd[0],
					     user_only);

		if (fd < 0) {
			int err = errno;

			bench_perf_close(p);
			return err;
		}
		p->fd[i] = fd;
		p->n = i + 1;
	}
	return 0;
}

/* True for the errors that mean "this machine has no such event". */
static bool bench_perf_missing(int err)
{
	return err == ENOENT || err == EOPNOTSUPP || err == ENODEV ||
	       err == EINVAL;
}

/*
 * Tries @set, with the kernel side counted if allowed. Returns 0 or the
 * errno; sets bench_perf_user_only as it had to.
 */
static int bench_perf_try(const struct bench_perf_event *set)
{
	struct bench_perf p;
	int err = bench_perf_open_set(&p, set, false);

	if (err == EACCES || err == EPERM) {
		/* perf_event_paranoid >= 2 without privileges: user only. */
		err = bench_perf_open_set(&p, set, true);
		bench_perf_user_only = err == 0;
	}
	if (err == 0) {
		bench_perf_close(&p);
	}
	return err;
}

/* Names of @set, for messages. */
static void bench_perf_say(const struct bench_perf_event *set, char *buf,
			   size_t size)
{
	snprintf(buf, size, "%s, %s, %s%s", set[0].name, set[1].name,
		 set[2].name, bench_perf_user_only ? " (user space only)" : "");
}

unsigned bench_perf_init(enum bench_perf_mode mode)
{
	char names[120];
	int err = 0;

	bench_perf_set = NULL;
	if (mode == BENCH_PERF_OFF) {
		snprintf(bench_perf_what, sizeof(bench_perf_what), "off");
		return 0;
	}
	if (mode != BENCH_PERF_SW) {
		err = bench_perf_try(bench_perf_hw);
		if (err == 0) {
			bench_perf_set = bench_perf_hw;
		} else if (mode == BENCH_PERF_HW || !bench_perf_missing(err)) {
			fprintf(stderr,
				"faultline-bench: perf: cannot count hardware "
				"events (perf_event_open: %s); no perf "
				"counters\n",
				strerror(err));
			snprintf(bench_perf_what, sizeof(bench_perf_what),
				 "none (hardware events: %s)", strerror(err));
			return 0;
		}
	}
	if (bench_perf_set == NULL) {
		int hw_err = err;

		err = bench_perf_try(bench_perf_sw);
		if (err != 0) {
			fprintf(stderr,
				"faultline-bench: perf: cannot count software "
				"events either (perf_event_open: %s); no perf "
				"counters\n",
				strerror(err));
			snprintf(bench_perf_what, sizeof(bench_perf_what),
				 "none (software events: %s)", strerror(err));
			return 0;
		}
		bench_perf_set = bench_perf_sw;
		if (mode == BENCH_PERF_AUTO) {
			bench_perf_say(bench_perf_sw, names, sizeof(names));
			fprintf(stderr,
				"faultline-bench: perf: no hardware counters "
				"on this machine (perf_event_open: %s); "
				"counting software events instead: %s\n",
				strerror(hw_err), names);
		}
	}
	bench_perf_say(bench_perf_set, names, sizeof(names));
	snprintf(bench_perf_what, sizeof(bench_perf_what), "%s per operation",
		 names);
	return BENCH_PERF_MAX;
}

const char *bench_perf_name(unsigned i)
{
	return bench_perf_set != NULL && i < BENCH_PERF_MAX
		       ? bench_perf_set[i].name
		       : "";
}

const char *bench_perf_describe(void)
{
	return bench_perf_what;
}

void bench_perf_open(struct bench_perf *p)
{
	for (unsigned i = 0; i < BENCH_PERF_MAX; i++) {
		p->fd[i] = -1;
		p->count[i] = 0;
	}
	p->n = 0;
	if (bench_perf_set != NULL &&
	    bench_perf_open_set(p, bench_perf_set, bench_perf_user_only) != 0) {
		/* Worked at init: out of descriptors? Count nothing. */
		p->n = 0;
	}
}

void bench_perf_enable(struct bench_perf *p)
{
	if (p->n > 0) {
		ioctl(p->fd[0], PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
	}
}

void bench_perf_disable(struct bench_perf *p)
{
	if (p->n > 0) {
		ioctl(p->fd[0], PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
	}
}

bool bench_perf_read(struct bench_perf *p)
{
	/* PERF_FORMAT_GROUP: the number of events, then each value. */
	uint64_t buf[1 + BENCH_PERF_MAX];
	ssize_t want = (ssize_t)((1 + p->n) * sizeof(uint64_t));

	if (p->n == 0 || read(p->fd[0], buf, sizeof(buf)) != want ||
	    buf[0] != p->n) {
		return false;
	}
	for (unsigned i = 0; i < p->n; i++) {
		p->count[i] = buf[1 + i];
	}
	return true;
}

void bench_perf_close(struct bench_perf *p)
{
	for (unsigned i = p->n; i-- > 0;) {
		if (p->fd[i] >= 0) {
			close(p->fd[i]);
		}
		p->fd[i] = -1;
	}
	p->n = 0;
}
