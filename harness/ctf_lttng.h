/*
 * Driving LTTng's command-line tools for the CTF export (export_ctf.c):
 * `lttng` commands with deadlines, and a session daemon that has
 * faultline's clock plugin, started here when none runs and stopped again
 * by its pid. Every child runs through proc.h, so a stuck daemon ends in
 * a message, never a hang.
 */
#ifndef FAULTLINE_HARNESS_CTF_LTTNG_H
#define FAULTLINE_HARNESS_CTF_LTTNG_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

#include <faultline/types.h>

#include "paths.h"

/** Most words of an lttng command line. */
#define CTF_LTTNG_MAX_WORDS 12

/** The words of an lttng command line, as ctf_lttng_cmd() takes them. */
#define CTF_LTTNG_WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})

/** What one child printed, stdout and stderr together: its start. */
struct ctf_lttng_out {
	char text[4096];
	size_t len;
};

/** LTTng's tools, as one export drives them. */
struct ctf_lttng {
	/** Where lttng and lttng-sessiond are (ctf_lttng_find()). */
	char lttng[PATHS_MAX];
	char sessiond[PATHS_MAX];
	/** The session daemon ctf_lttng_sessiond() started, or 0. */
	pid_t started_pid;
	/** The running child is ended when it becomes non-zero; may be NULL. */
	volatile sig_atomic_t *stop;
	/** What the last child printed. */
	struct ctf_lttng_out out;
	/** Where a failure is described (the first one wins). */
	char *err;
	/** Bytes at @err. */
	size_t err_size;
};

/**
 * Describes a failure in l->err with a printf-style message, unless one
 * is already there, and returns @ret.
 */
int ctf_lttng_fail(struct ctf_lttng *l, int ret, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

/**
 * Finds lttng and lttng-sessiond in PATH. Returns 0, or -ERR_NOENT with
 * the message saying to install LTTng with `make deps`.
 */
int ctf_lttng_find(struct ctf_lttng *l);

/**
 * Runs @argv (NULL-terminated) with a @timeout_ms deadline, keeping what
 * it prints in l->out. Returns 0 when it exited with status 0; -ERR_INVAL
 * for another exit status, with no message (the caller knows what the
 * program was for); or another negative error with the message set (it
 * could not start, it timed out, it was interrupted).
 */
int ctf_lttng_run(struct ctf_lttng *l, unsigned timeout_ms,
		  const char *const *argv);

/**
 * Runs `lttng --no-sessiond WORDS...` (@words ends with NULL: use
 * CTF_LTTNG_WORDS()); --no-sessiond, so that lttng never starts a daemon
 * behind our back. Returns 0, or a negative error with the message set.
 */
int ctf_lttng_cmd(struct ctf_lttng *l, unsigned timeout_ms,
		  const char *const *words);

/** The first line of l->out (cut there), or "no output". */
const char *ctf_lttng_first_line(struct ctf_lttng *l);

/**
 * Makes sure a session daemon with the clock plugin @plugin runs. When
 * none does, starts `lttng-sessiond --daemonize --no-kernel` with
 * LTTNG_UST_CLOCK_PLUGIN=@plugin (l->started_pid says so). One already
 * running is used only if its environment names libfaultline-clock:
 * without it, its consumer daemon would stamp packet boundaries with the
 * host's clock, out of line with the events' EL2 times. Returns 0, or a
 * negative error with the message saying what to do.
 */
int ctf_lttng_sessiond(struct ctf_lttng *l, const char *plugin);

/**
 * Stops the session daemon ctf_lttng_sessiond() started, if any: SIGTERM
 * to its pid, SIGKILL if it is still there after a few seconds.
 */
void ctf_lttng_stop_sessiond(struct ctf_lttng *l);

#endif /* FAULTLINE_HARNESS_CTF_LTTNG_H */
