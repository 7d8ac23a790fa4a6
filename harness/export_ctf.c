/*
 * The CTF exporter (export_ctf.h): drives LTTng from the outside. The
 * records go to build/faultline-ctf in a replay file; an LTTng session
 * with one blocking channel records what that program fires; babeltrace2
 * reads the result back. Every child runs through proc.h with a deadline,
 * so a stuck daemon ends the export with a message, never a hang.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <faultline/err.h>
#include <faultline/trace/ctf.h>

#include "ctf_lttng.h"
#include "export_ctf.h"
#include "paths.h"
#include "proc.h"

/* The channel: blocking, so a full buffer slows the replay, never drops. */
#define CTF_CHANNEL "faultline"
#define CTF_SUBBUF_SIZE "1M"
#define CTF_NUM_SUBBUF "8"
/* Deadlines (ms): LTTng commands, and the replay per million records. */
#define CTF_CMD_MS 30000u
#define CTF_STOP_MS 120000u
#define CTF_REPLAY_BASE_MS 60000u
#define CTF_REPLAY_PER_M_MS 60000u
/* How long to wait for another export holding the lock. */
#define CTF_LOCK_MS 300000u

/* Set by SIGINT/SIGTERM during an export: the running child is ended. */
static volatile sig_atomic_t ctf_stop_flag;

/* One export in progress. */
struct ctf_ctx {
	const struct trace_data *td;
	/* LTTng's tools, and where failures are described (lt.err). */
	struct ctf_lttng lt;
	char babeltrace[PATHS_MAX];
	char replay[PATHS_MAX];
	char plugin[PATHS_MAX];
	/* The output directory, absolute (the daemon has another cwd). */
	char dir[PATHS_MAX];
	char replay_file[PATHS_MAX];
	char session[64];
	bool session_created;
	int lock_fd;
	struct trace_ctf_clock_page *page;
	/* @dir did not exist before. */
	bool created_dir;
};

/* Describes a failure (the first one wins) and returns @ret. */
#define ctf_fail(c, ret, ...) ctf_lttng_fail(&(c)->lt, ret, __VA_ARGS__)

/* Finds the programs; 0 or the message set. */
static int ctf_find_tools(struct ctf_ctx *c)
{
	char exe[PATHS_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (ctf_lttng_find(&c->lt) != 0) {
		return -ERR_NOENT;
	}
	if (!paths_find_program("babeltrace2", c->babeltrace,
				sizeof(c->babeltrace))) {
		return ctf_fail(c, -ERR_NOENT,
				"babeltrace2 is not installed: install it "
				"with `make deps`");
	}
	/* The replay program and the plugin sit next to this binary. */
	if (n <= 0) {
		return ctf_fail(c, -ERR_IO, "cannot read /proc/self/exe");
	}
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL) {
		return ctf_fail(c, -ERR_IO, "odd /proc/self/exe: %s", exe);
	}
	*slash = '\0';
	if (paths_join(exe, "faultline-ctf", c->replay, sizeof(c->replay)) !=
		    0 ||
	    paths_join(exe, "libfaultline-clock.so", c->plugin,
		       sizeof(c->plugin)) != 0) {
		return ctf_fail(c, -ERR_RANGE, "path too long: %s", exe);
	}
	if (!paths_is_file(c->replay) || !paths_is_file(c->plugin)) {
		return ctf_fail(c, -ERR_NOENT,
				"%s or %s is missing: they are built when "
				"LTTng-UST's development files are "
				"installed: run `make deps && make`",
				c->replay, c->plugin);
	}
	return 0;
}

/* Creates @dir if needed, checks it is empty, keeps it absolute. */
static int ctf_prepare_dir(struct ctf_ctx *c, const char *dir)
{
	DIR *d;
	struct dirent *e;
	bool empty = true;

	c->created_dir = !paths_is_dir(dir);
	if (paths_mkdir_p(dir) != 0) {
		return ctf_fail(c, -ERR_IO, "cannot create %s: %s", dir,
				strerror(errno));
	}
	d = opendir(dir);
	if (d == NULL || realpath(dir, c->dir) == NULL) {
		if (d != NULL) {
			closedir(d);
		}
		return ctf_fail(c, -ERR_IO, "cannot open %s: %s", dir,
				strerror(errno));
	}
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0) {
			empty = false;
		}
	}
	closedir(d);
	if (!empty) {
		return ctf_fail(c, -ERR_EXIST,
				"%s is not empty: LTTng would mix this trace "
				"with what is there; remove it or give "
				"another -o",
				dir);
	}
	return 0;
}

/*
 * One export at a time on this machine: two would share the root
 * session daemon, and the one that started it would stop it under the
 * other.
 */
static int ctf_lock(struct ctf_ctx *c)
{
	const char *tmp = getenv("TMPDIR");
	char path[PATHS_MAX];
	uint64_t end = proc_now_ms() + CTF_LOCK_MS;

	snprintf(path, sizeof(path), "%s/faultline-ctf.lock",
		 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	c->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (c->lock_fd < 0) {
		return ctf_fail(c, -ERR_IO, "cannot open %s: %s", path,
				strerror(errno));
	}
	while (flock(c->lock_fd, LOCK_EX | LOCK_NB) != 0) {
		if (ctf_stop_flag) {
			return ctf_fail(c, -ERR_IO, "interrupted");
		}
		if (errno != EWOULDBLOCK || proc_now_ms() > end) {
			return ctf_fail(c, -ERR_TIMEDOUT,
					"another CTF export holds %s: wait for "
					"it to finish",
					path);
		}
		usleep(100000);
	}
	return 0;
}

/*
 * Maps the clock page and sets it for this trace: the first record's
 * time (the consumer daemon stamps the first packets with it when the
 * replay program registers) and the trace's clock UUID.
 */
static int ctf_clock_setup(struct ctf_ctx *c)
{
	char path[PATHS_MAX];

	c->page = trace_ctf_clock_map();
	if (c->page == NULL) {
		trace_ctf_clock_path(path, sizeof(path));
		return ctf_fail(c, -ERR_IO,
				"cannot create or map the clock page %s (%s); "
				"if it is from another faultline version, "
				"stop the lttng-sessiond using it and remove "
				"it",
				path, strerror(errno));
	}
	trace_ctf_clock_uuid(c->td, c->page->uuid);
	atomic_store(&c->page->cpu, 0);
	atomic_store(&c->page->now_ns,
		     trace_ctf_ns(c->td->records[0].ts, c->td->counter_freq));
	return 0;
}

/* Creates the session, its blocking channel and its events; starts it. */
static int ctf_session(struct ctf_ctx *c)
{
	char output[PATHS_MAX + 16], session[80], channel[80];

	snprintf(c->session, sizeof(c->session), "faultline-ctf-%ld-%" PRIu64,
		 (long)getpid(), proc_now_ms());
	snprintf(output, sizeof(output), "--output=%s", c->dir);
	snprintf(session, sizeof(session), "--session=%s", c->session);
	snprintf(channel, sizeof(channel), "--channel=%s", CTF_CHANNEL);
	if (ctf_lttng_cmd(&c->lt, CTF_CMD_MS,
			  CTF_LTTNG_WORDS("create", c->session, output)) != 0) {
		return -ERR_IO;
	}
	c->session_created = true;
	if (ctf_lttng_cmd(&c->lt, CTF_CMD_MS,
			  CTF_LTTNG_WORDS("enable-channel", "--userspace",
					  session, "--discard",
					  "--blocking-timeout=inf",
					  "--subbuf-size=" CTF_SUBBUF_SIZE,
					  "--num-subbuf=" CTF_NUM_SUBBUF,
					  CTF_CHANNEL)) != 0 ||
	    ctf_lttng_cmd(&c->lt, CTF_CMD_MS,
			  CTF_LTTNG_WORDS("enable-event", "--userspace",
					  session, channel,
					  TRACE_CTF_PROVIDER ":*")) != 0 ||
	    ctf_lttng_cmd(&c->lt, CTF_CMD_MS,
			  CTF_LTTNG_WORDS("start", c->session)) != 0) {
		return -ERR_IO;
	}
	return 0;
}

/* Runs the replay program under the session; 0 or the message set. */
static int ctf_replay(struct ctf_ctx *c)
{
	char clock_env[PATHS_MAX + 32], cpu_env[PATHS_MAX + 32];
	/*
	 * REGISTER_TIMEOUT=-1: the program's constructor waits until the
	 * session daemon has enabled the events, so the first records are
	 * not fired into nothing. ALLOW_BLOCKING: the channel may block it.
	 */
	const char *argv[] = {"env",
			      clock_env,
			      cpu_env,
			      "LTTNG_UST_REGISTER_TIMEOUT=-1",
			      "LTTNG_UST_ALLOW_BLOCKING=1",
			      c->replay,
			      c->replay_file,
			      NULL};
	unsigned timeout_ms =
		CTF_REPLAY_BASE_MS +
		(unsigned)(c->td->nrecords / 1000000u) * CTF_REPLAY_PER_M_MS;
	unsigned long long fired = 0;
	const char *line;
	int ret;

	snprintf(clock_env, sizeof(clock_env), "LTTNG_UST_CLOCK_PLUGIN=%s",
		 c->plugin);
	snprintf(cpu_env, sizeof(cpu_env), "LTTNG_UST_GETCPU_PLUGIN=%s",
		 c->plugin);
	ret = ctf_lttng_run(&c->lt, timeout_ms, argv);
	if (ret == -ERR_INVAL) {
		return ctf_fail(c, ret, "%s failed: %s", c->replay,
				ctf_lttng_first_line(&c->lt));
	}
	if (ret != 0) {
		return ret;
	}
	line = strstr(c->lt.out.text, "faultline-ctf: fired ");
	if (line == NULL ||
	    sscanf(line, "faultline-ctf: fired %llu", &fired) != 1 ||
	    fired != c->td->nrecords) {
		return ctf_fail(c, -ERR_INVAL,
				"%s fired %llu of %zu records: %s", c->replay,
				fired, c->td->nrecords,
				ctf_lttng_first_line(&c->lt));
	}
	fprintf(stderr, "faultline export: ctf: %s", line);
	return 0;
}

/*
 * The events the session's channel discarded, from `lttng list SESSION`
 * ("Discarded events: N"); 0 when it prints none.
 */
static uint64_t ctf_discarded(struct ctf_ctx *c)
{
	const char *p;
	unsigned long long n = 0;

	if (ctf_lttng_cmd(&c->lt, CTF_CMD_MS,
			  CTF_LTTNG_WORDS("list", c->session)) != 0) {
		c->lt.err[0] = '\0';
		return 0;
	}
	p = strstr(c->lt.out.text, "Discarded events: ");
	if (p != NULL) {
		sscanf(p, "Discarded events: %llu", &n);
	}
	return n;
}

/* Stops the session and checks that nothing was lost on the way. */
static int ctf_stop(struct ctf_ctx *c)
{
	uint64_t lost;

	/* `lttng stop` waits until the trace data is complete on disk. */
	if (ctf_lttng_cmd(&c->lt, CTF_STOP_MS,
			  CTF_LTTNG_WORDS("stop", c->session)) != 0) {
		return -ERR_IO;
	}
	lost = ctf_discarded(c);
	if (lost != 0) {
		return ctf_fail(c, -ERR_INVAL,
				"LTTng discarded %" PRIu64
				" events (its buffers were full): the CTF "
				"trace in %s is incomplete",
				lost, c->dir);
	}
	return 0;
}

/* The count on the line of babeltrace2's counter output naming @what. */
static unsigned long long ctf_counter(const char *text, const char *what)
{
	const char *p = strstr(text, what);
	unsigned long long n = 0;

	if (p == NULL) {
		return 0;
	}
	while (p > text && p[-1] != '\n') {
		p--;
	}
	if (sscanf(p, "%llu", &n) != 1) {
		return 0;
	}
	return n;
}

/*
 * Reads the result back with babeltrace2's counter sink: it decodes every
 * event (as the text output would) and prints how many it saw, and how
 * many the tracer said it discarded.
 */
static int ctf_verify(struct ctf_ctx *c)
{
	/* step=+0 (unsigned): one report at the end, not one per 10000. */
	const char *argv[] = {
		c->babeltrace, c->dir,    "--component", "sink.utils.counter",
		"--params",    "step=+0", NULL};
	unsigned timeout_ms =
		CTF_REPLAY_BASE_MS +
		(unsigned)(c->td->nrecords / 1000000u) * CTF_REPLAY_PER_M_MS;
	unsigned long long events, discarded;
	int ret = ctf_lttng_run(&c->lt, timeout_ms, argv);

	if (ret == -ERR_INVAL) {
		return ctf_fail(c, ret, "babeltrace2 cannot read %s: %s",
				c->dir, ctf_lttng_first_line(&c->lt));
	}
	if (ret != 0) {
		return ret;
	}
	events = ctf_counter(c->lt.out.text, " Event messages");
	discarded = ctf_counter(c->lt.out.text, " Discarded event messages");
	if (discarded != 0) {
		return ctf_fail(c, -ERR_INVAL,
				"LTTng discarded events (%llu discard "
				"reports in %s): the CTF trace is incomplete",
				discarded, c->dir);
	}
	if (events != c->td->nrecords) {
		return ctf_fail(c, -ERR_INVAL,
				"babeltrace2 reads %llu events in %s, the "
				"trace has %zu records",
				events, c->dir, c->td->nrecords);
	}
	return 0;
}

/* Undoes what is still set up: session, daemon, replay file, lock. */
static void ctf_cleanup(struct ctf_ctx *c)
{
	char saved[512], path[PATHS_MAX];

	/* Cleaning up runs to its end, and keeps the first failure's words. */
	c->lt.stop = NULL;
	snprintf(saved, sizeof(saved), "%s", c->lt.err);
	c->lt.err[0] = '\0';
	if (c->session_created &&
	    ctf_lttng_cmd(&c->lt, CTF_STOP_MS,
			  CTF_LTTNG_WORDS("destroy", c->session)) != 0) {
		fprintf(stderr, "faultline export: ctf: %s\n", c->lt.err);
	}
	c->session_created = false;
	if (c->lt.started_pid > 0) {
		ctf_lttng_stop_sessiond(&c->lt);
		/* No daemon maps it any more: leave nothing behind. */
		if (trace_ctf_clock_path(path, sizeof(path)) == 0) {
			unlink(path);
		}
	}
	trace_ctf_clock_unmap(c->page);
	c->page = NULL;
	if (c->replay_file[0] != '\0') {
		unlink(c->replay_file);
		c->replay_file[0] = '\0';
	}
	if (c->lock_fd >= 0) {
		close(c->lock_fd);
		c->lock_fd = -1;
	}
	snprintf(c->lt.err, c->lt.err_size, "%s", saved);
	c->lt.stop = &ctf_stop_flag;
}

/* Writes the records where the replay program reads them. */
static int ctf_write_replay_file(struct ctf_ctx *c)
{
	const char *tmp = getenv("TMPDIR");
	int fd;

	snprintf(c->replay_file, sizeof(c->replay_file),
		 "%s/faultline-ctf-XXXXXX",
		 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
	fd = mkstemp(c->replay_file);
	if (fd < 0) {
		c->replay_file[0] = '\0';
		return ctf_fail(c, -ERR_IO,
				"cannot create a temporary file: %s",
				strerror(errno));
	}
	close(fd);
	if (trace_ctf_replay_write(c->td, c->replay_file) != 0) {
		return ctf_fail(c, -ERR_IO, "cannot write %s: %s",
				c->replay_file, strerror(errno));
	}
	return 0;
}

static void ctf_on_signal(int sig)
{
	(void)sig;
	ctf_stop_flag = 1;
}

/* The steps, in order; cleans up after itself. 0 or the message set. */
static int ctf_export(struct ctf_ctx *c, const char *dir)
{
	int ret = ctf_find_tools(c);

	if (ret == 0) {
		ret = ctf_prepare_dir(c, dir);
	}
	if (ret == 0) {
		ret = ctf_lock(c);
	}
	if (ret == 0) {
		ret = ctf_write_replay_file(c);
	}
	if (ret == 0) {
		ret = ctf_clock_setup(c);
	}
	if (ret == 0) {
		ret = ctf_lttng_sessiond(&c->lt, c->plugin);
	}
	if (ret == 0) {
		ret = ctf_session(c);
	}
	if (ret == 0) {
		ret = ctf_replay(c);
	}
	if (ret == 0) {
		ret = ctf_stop(c);
	}
	ctf_cleanup(c);
	if (ret == 0) {
		ret = ctf_verify(c);
	}
	/* Only removes it when nothing was written there. */
	if (ret != 0 && c->created_dir) {
		rmdir(c->dir);
	}
	return ret;
}

int export_ctf_to_dir(const struct trace_data *td, const char *dir, char *err,
		      size_t err_size)
{
	struct ctf_ctx c = {.td = td};
	struct sigaction sa, old_int, old_term;
	uint64_t t0 = proc_now_ms(), ms;
	int ret;

	c.lt.err = err;
	c.lt.err_size = err_size;
	c.lt.stop = &ctf_stop_flag;
	c.lock_fd = -1;
	err[0] = '\0';
	if (td->nrecords == 0) {
		return ctf_fail(&c, -ERR_INVAL,
				"the trace has no records: nothing to export");
	}
	ret = trace_ctf_check_schema(td, err, err_size);
	if (ret != 0) {
		size_t n = strlen(err);

		snprintf(err + n, err_size - n,
			 ": export it with the faultline that wrote it, or "
			 "as csv");
		return ret;
	}
	/* A Ctrl-C ends the running child; the session is still undone. */
	ctf_stop_flag = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ctf_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	ret = ctf_export(&c, dir);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (ret == 0) {
		ms = proc_now_ms() - t0;
		fprintf(stderr,
			"faultline export: ctf: babeltrace2 reads all %zu "
			"events; %.1f s in all (%.0f events/s)\n",
			td->nrecords, (double)ms / 1e3,
			ms > 0 ? (double)td->nrecords * 1e3 / (double)ms : 0.0);
	}
	return ret;
}
