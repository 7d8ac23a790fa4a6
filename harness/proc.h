/*
 * Running a child process that must never hang the harness: its stdout
 * and stderr come back through pipes as they arrive, a deadline ends it
 * (SIGTERM, then SIGKILL after a grace period), a stop flag set by a
 * signal handler ends it the same way, and it is always reaped.
 *
 * The child runs in its own process group with stdin from /dev/null, so
 * a Ctrl-C at the terminal reaches the harness only, which then ends the
 * child in order and keeps everything it printed.
 */
#ifndef FAULTLINE_HARNESS_PROC_H
#define FAULTLINE_HARNESS_PROC_H

#include <signal.h>
#include <stddef.h>

#include <faultline/types.h>

/** Receives @len bytes @data that the child wrote to one of its pipes. */
typedef void (*proc_sink_fn)(void *arg, const char *data, size_t len);

/** What to run and how. */
struct proc_spec {
	/** NULL-terminated; argv[0] is searched in PATH when it has no '/'. */
	char *const *argv;
	/** Working directory of the child; NULL keeps the caller's. */
	const char *cwd;
	/** Milliseconds before the child is ended; 0 means no limit. */
	unsigned timeout_ms;
	/** Milliseconds between SIGTERM and SIGKILL. */
	unsigned term_grace_ms;
	/** Called with the child's stdout as it arrives; may be NULL. */
	proc_sink_fn on_stdout;
	/** Called with the child's stderr as it arrives; may be NULL. */
	proc_sink_fn on_stderr;
	/**
	 * Called with @sink_arg between reads while the child runs, at least
	 * every few tens of milliseconds (a progress display); may be NULL.
	 */
	void (*on_tick)(void *arg);
	/** Passed to both sinks and to @on_tick. */
	void *sink_arg;
	/** When non-NULL and it becomes non-zero, the child is ended. */
	volatile sig_atomic_t *stop;
};

/** How a child ended. */
struct proc_result {
	/** The child was started (the exec succeeded). */
	bool started;
	/** When it was not: the errno of the failed chdir or exec. */
	int spawn_errno;
	/** "exec" or "chdir": which step failed. */
	const char *spawn_step;
	/** The child was reaped: @status is its wait status. */
	bool reaped;
	/** Wait status (WIFEXITED/WEXITSTATUS/WIFSIGNALED...). */
	int status;
	/** The deadline passed and the child was ended. */
	bool timed_out;
	/** The stop flag was set and the child was ended. */
	bool interrupted;
	/** SIGKILL was needed (SIGTERM was not enough within the grace). */
	bool killed;
	/** Wall-clock seconds from start to reaping. */
	double seconds;
};

/**
 * Runs @spec to its end, feeding the sinks. Returns 0 when the child ran
 * (whatever its exit status, timeout or interruption: see @res),
 * -ERR_NOENT when it could not be started (res->spawn_errno says why), or
 * -ERR_IO when the pipes or the fork failed.
 */
int proc_run(const struct proc_spec *spec, struct proc_result *res);

/**
 * Runs @argv (stdin /dev/null, stderr discarded) with a @timeout_ms limit
 * and puts the start of its stdout, NUL-terminated, into @out. Returns 0
 * when it exited with status 0, -ERR_NOENT when it could not be started,
 * -ERR_TIMEDOUT, or -ERR_INVAL for another exit status or a signal.
 */
int proc_capture(char *const *argv, const char *cwd, unsigned timeout_ms,
		 char *out, size_t size);

/** Milliseconds of CLOCK_MONOTONIC (for deadlines and durations). */
uint64_t proc_now_ms(void);

#endif /* FAULTLINE_HARNESS_PROC_H */
