/* Child processes with pipes, deadlines and a clean kill (proc.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <faultline/err.h>

#include "proc.h"

/* Longest sleep of the event loop: bounds how late a deadline is seen. */
#define PROC_SLICE_MS 20u
/* After the child is reaped, how long a grandchild may keep the pipes. */
#define PROC_DRAIN_MS 1000u

/* What the child sends back through the status pipe when it fails. */
struct proc_spawn_error {
	int step;
	int err;
};

enum {
	PROC_STEP_CHDIR = 1,
	PROC_STEP_EXEC = 2
};

uint64_t proc_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Runs in the forked child: only async-signal-safe calls until exec. */
static _Noreturn void proc_child(const struct proc_spec *spec, int out_fd,
				 int err_fd, int status_fd)
{
	struct proc_spawn_error e = {0, 0};
	struct sigaction dfl;
	sigset_t none;
	int null_fd;

	setpgid(0, 0);
	memset(&dfl, 0, sizeof(dfl));
	dfl.sa_handler = SIG_DFL;
	sigaction(SIGINT, &dfl, NULL);
	sigaction(SIGTERM, &dfl, NULL);
	sigaction(SIGPIPE, &dfl, NULL);
	sigaction(SIGCHLD, &dfl, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	null_fd = open("/dev/null", O_RDONLY);
	if (null_fd >= 0) {
		dup2(null_fd, STDIN_FILENO);
	}
	dup2(out_fd, STDOUT_FILENO);
	dup2(err_fd, STDERR_FILENO);
	if (spec->cwd != NULL && chdir(spec->cwd) != 0) {
		e.step = PROC_STEP_CHDIR;
		e.err = errno;
	} else {
		execvp(spec->argv[0], spec->argv);
		e.step = PROC_STEP_EXEC;
		e.err = errno;
	}
	if (write(status_fd, &e, sizeof(e)) < 0) {
		/* Nothing else to do: the parent sees a plain exit 127. */
	}
	_exit(127);
}

/* Reads what @fd has now into the sink; closes it (-1) at end of file. */
static void proc_drain(int *fd, proc_sink_fn sink, void *arg)
{
	char buf[4096];

	while (*fd >= 0) {
		ssize_t n = read(*fd, buf, sizeof(buf));

		if (n > 0) {
			if (sink != NULL) {
				sink(arg, buf, (size_t)n);
			}
			continue;
		}
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return;
		}
		close(*fd);
		*fd = -1;
	}
}

/* Starts the child; on success *@pid, *@out and *@err are set. */
static int proc_spawn(const struct proc_spec *spec, struct proc_result *res,
		      pid_t *pid, int *out, int *err)
{
	int po[2], pe[2], ps[2];
	struct proc_spawn_error e;
	ssize_t n;

	if (pipe2(po, O_CLOEXEC) != 0) {
		return -ERR_IO;
	}
	if (pipe2(pe, O_CLOEXEC) != 0) {
		close(po[0]);
		close(po[1]);
		return -ERR_IO;
	}
	if (pipe2(ps, O_CLOEXEC) != 0) {
		close(po[0]);
		close(po[1]);
		close(pe[0]);
		close(pe[1]);
		return -ERR_IO;
	}
	*pid = fork();
	if (*pid == 0) {
		proc_child(spec, po[1], pe[1], ps[1]);
	}
	close(po[1]);
	close(pe[1]);
	close(ps[1]);
	if (*pid < 0) {
		close(po[0]);
		close(pe[0]);
		close(ps[0]);
		return -ERR_IO;
	}
	/* Also in the parent, so a kill of the group never misses the child. */
	setpgid(*pid, *pid);
	do {
		n = read(ps[0], &e, sizeof(e));
	} while (n < 0 && errno == EINTR);
	close(ps[0]);
	if (n == (ssize_t)sizeof(e)) {
		int st;

		while (waitpid(*pid, &st, 0) < 0 && errno == EINTR) {
		}
		close(po[0]);
		close(pe[0]);
		res->spawn_errno = e.err;
		res->spawn_step = e.step == PROC_STEP_CHDIR ? "chdir" : "exec";
		return -ERR_NOENT;
	}
	fcntl(po[0], F_SETFL, O_NONBLOCK);
	fcntl(pe[0], F_SETFL, O_NONBLOCK);
	*out = po[0];
	*err = pe[0];
	res->started = true;
	return 0;
}

/* Sends @sig to the child's process group (and to the child itself). */
static void proc_signal(pid_t pid, int sig)
{
	if (kill(-pid, sig) != 0) {
		kill(pid, sig);
	}
}

int proc_run(const struct proc_spec *spec, struct proc_result *res)
{
	uint64_t start = proc_now_ms();
	uint64_t deadline = spec->timeout_ms ? start + spec->timeout_ms : 0;
	uint64_t term_at = 0;
	uint64_t reaped_at = 0;
	int fds[2] = {-1, -1};
	pid_t pid;
	int ret;

	memset(res, 0, sizeof(*res));
	ret = proc_spawn(spec, res, &pid, &fds[0], &fds[1]);
	if (ret != 0) {
		res->seconds = (double)(proc_now_ms() - start) / 1000.0;
		return ret;
	}
	for (;;) {
		uint64_t now = proc_now_ms();
		struct pollfd pfd[2];
		nfds_t n = 0;

		if (!res->reaped && term_at == 0) {
			bool stop = spec->stop != NULL && *spec->stop != 0;

			if (stop || (deadline != 0 && now >= deadline)) {
				res->interrupted = stop;
				res->timed_out = !stop;
				proc_signal(pid, SIGTERM);
				term_at = now;
			}
		}
		if (!res->reaped && term_at != 0 && !res->killed &&
		    now >= term_at + spec->term_grace_ms) {
			proc_signal(pid, SIGKILL);
			res->killed = true;
		}
		if (!res->reaped &&
		    waitpid(pid, &res->status, WNOHANG) == pid) {
			res->reaped = true;
			reaped_at = now;
		}
		if (res->reaped && ((fds[0] < 0 && fds[1] < 0) ||
				    now >= reaped_at + PROC_DRAIN_MS)) {
			break;
		}
		for (unsigned i = 0; i < 2; i++) {
			if (fds[i] >= 0) {
				pfd[n].fd = fds[i];
				pfd[n].events = POLLIN;
				pfd[n].revents = 0;
				n++;
			}
		}
		if (n == 0) {
			/* Pipes closed: wait for the exit (or the deadline). */
			poll(NULL, 0, PROC_SLICE_MS);
		} else if (poll(pfd, n, PROC_SLICE_MS) > 0) {
			proc_drain(&fds[0], spec->on_stdout, spec->sink_arg);
			proc_drain(&fds[1], spec->on_stderr, spec->sink_arg);
		}
		if (spec->on_tick != NULL && !res->reaped) {
			spec->on_tick(spec->sink_arg);
		}
	}
	/*
	 * A grandchild in the child's group kept the pipes open past the
	 * child's exit: end it too (the group lives while it does, so the id
	 * cannot have been reused).
	 */
	if (fds[0] >= 0 || fds[1] >= 0) {
		kill(-pid, SIGKILL);
	}
	for (unsigned i = 0; i < 2; i++) {
		if (fds[i] >= 0) {
			close(fds[i]);
		}
	}
	res->seconds = (double)(proc_now_ms() - start) / 1000.0;
	return 0;
}

/* Sink of proc_capture(): keeps the start of the output. */
struct proc_capture_buf {
	char *out;
	size_t size;
	size_t len;
};

static void proc_capture_sink(void *arg, const char *data, size_t len)
{
	struct proc_capture_buf *b = arg;
	size_t room = b->size - 1 - b->len;
	size_t n = len < room ? len : room;

	memcpy(b->out + b->len, data, n);
	b->len += n;
	b->out[b->len] = '\0';
}

int proc_capture(char *const *argv, const char *cwd, unsigned timeout_ms,
		 char *out, size_t size)
{
	struct proc_capture_buf b = {out, size, 0};
	struct proc_spec spec = {
		.argv = argv,
		.cwd = cwd,
		.timeout_ms = timeout_ms,
		.term_grace_ms = 500,
		.on_stdout = proc_capture_sink,
		.sink_arg = &b,
	};
	struct proc_result res;
	int ret;

	if (size == 0) {
		return -ERR_INVAL;
	}
	out[0] = '\0';
	ret = proc_run(&spec, &res);
	if (ret != 0) {
		return ret;
	}
	if (res.timed_out) {
		return -ERR_TIMEDOUT;
	}
	if (!res.reaped || !WIFEXITED(res.status) ||
	    WEXITSTATUS(res.status) != 0) {
		return -ERR_INVAL;
	}
	return 0;
}
