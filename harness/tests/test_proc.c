/*
 * Child processes: output through the pipes, exit statuses, the deadline
 * (SIGTERM, then SIGKILL for a child that ignores it), the stop flag, and
 * children that cannot be started. Each test takes well under a second.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <faultline/err.h>
#include <faultline/test.h>

#include "../proc.h"

/* What the sinks collected. */
struct proc_out {
	char out[256];
	size_t out_len;
	char err[256];
	size_t err_len;
};

static void proc_put(char *buf, size_t *len, const char *data, size_t n)
{
	size_t room = 255 - *len;

	n = n < room ? n : room;
	memcpy(buf + *len, data, n);
	*len += n;
	buf[*len] = '\0';
}

static void proc_test_stdout(void *arg, const char *data, size_t len)
{
	struct proc_out *o = arg;

	proc_put(o->out, &o->out_len, data, len);
}

static void proc_test_stderr(void *arg, const char *data, size_t len)
{
	struct proc_out *o = arg;

	proc_put(o->err, &o->err_len, data, len);
}

/* Runs `sh -c @script` with a @timeout_ms limit. */
static int proc_sh(const char *script, unsigned timeout_ms,
		   volatile sig_atomic_t *stop, struct proc_out *o,
		   struct proc_result *res)
{
	char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
	struct proc_spec spec = {
		.argv = argv,
		.timeout_ms = timeout_ms,
		.term_grace_ms = 200,
		.on_stdout = proc_test_stdout,
		.on_stderr = proc_test_stderr,
		.sink_arg = o,
		.stop = stop,
	};

	memset(o, 0, sizeof(*o));
	return proc_run(&spec, res);
}

/** A child that exits: its status and both streams come back whole. */
TEST(harness_proc, child_exits)
{
	struct proc_out o;
	struct proc_result res;

	ASSERT_EQ_INT(proc_sh("echo out; echo err >&2; printf tail; exit 3",
			      5000, NULL, &o, &res),
		      0);
	EXPECT_TRUE(res.started && res.reaped);
	EXPECT_TRUE(!res.timed_out && !res.interrupted && !res.killed);
	ASSERT_TRUE(WIFEXITED(res.status));
	EXPECT_EQ(WEXITSTATUS(res.status), 3);
	EXPECT_STREQ(o.out, "out\ntail");
	EXPECT_STREQ(o.err, "err\n");
}

/** Stdin is /dev/null: a child that reads it sees end of file at once. */
TEST(harness_proc, stdin_is_empty)
{
	struct proc_out o;
	struct proc_result res;

	ASSERT_EQ_INT(proc_sh("cat; echo done", 5000, NULL, &o, &res), 0);
	EXPECT_TRUE(!res.timed_out);
	EXPECT_STREQ(o.out, "done\n");
}

/** A child that hangs past the deadline is ended; its output is kept. */
TEST(harness_proc, hang_is_killed_and_output_kept)
{
	struct proc_out o;
	struct proc_result res;

	ASSERT_EQ_INT(proc_sh("echo partial; exec /bin/sleep 10", 300, NULL, &o,
			      &res),
		      0);
	EXPECT_TRUE(res.timed_out);
	EXPECT_TRUE(res.reaped);
	EXPECT_TRUE(!res.killed);
	EXPECT_TRUE(WIFSIGNALED(res.status) && WTERMSIG(res.status) == SIGTERM);
	EXPECT_STREQ(o.out, "partial\n");
	EXPECT_TRUE(res.seconds >= 0.25 && res.seconds < 2.0);
}

/** A child that ignores SIGTERM gets SIGKILL after the grace period. */
TEST(harness_proc, sigterm_ignored_then_killed)
{
	struct proc_out o;
	struct proc_result res;

	ASSERT_EQ_INT(proc_sh("trap '' TERM; echo stubborn; exec /bin/sleep 10",
			      200, NULL, &o, &res),
		      0);
	EXPECT_TRUE(res.timed_out && res.killed && res.reaped);
	EXPECT_TRUE(WIFSIGNALED(res.status) && WTERMSIG(res.status) == SIGKILL);
	EXPECT_STREQ(o.out, "stubborn\n");
	EXPECT_TRUE(res.seconds >= 0.35 && res.seconds < 2.0);
}

/** The stop flag (set by a signal handler) ends the child the same way. */
TEST(harness_proc, stop_flag_interrupts)
{
	volatile sig_atomic_t stop = 1;
	struct proc_out o;
	struct proc_result res;

	ASSERT_EQ_INT(proc_sh("exec /bin/sleep 10", 0, &stop, &o, &res), 0);
	EXPECT_TRUE(res.interrupted && !res.timed_out && res.reaped);
	EXPECT_TRUE(res.seconds < 2.0);
}

/** A grandchild that keeps the pipes open does not hold the run. */
TEST(harness_proc, grandchild_holding_pipes)
{
	struct proc_out o;
	struct proc_result res;

	/* The background sleep is in the child's group: the kill ends it. */
	ASSERT_EQ_INT(proc_sh("/bin/sleep 3 & echo parent-done", 5000, NULL, &o,
			      &res),
		      0);
	EXPECT_TRUE(res.reaped && !res.timed_out);
	EXPECT_STREQ(o.out, "parent-done\n");
	EXPECT_TRUE(res.seconds < 2.5);
}

/** A program that does not exist is reported, not run. */
TEST(harness_proc, cannot_execute)
{
	char *argv[] = {"/nonexistent/qemu-system-aarch64", NULL};
	char *bare[] = {"faultline-no-such-program", NULL};
	struct proc_spec spec = {.argv = argv, .timeout_ms = 1000};
	struct proc_result res;

	EXPECT_EQ_INT(proc_run(&spec, &res), -ERR_NOENT);
	EXPECT_TRUE(!res.started);
	EXPECT_EQ_INT(res.spawn_errno, ENOENT);
	EXPECT_STREQ(res.spawn_step, "exec");
	spec.argv = bare;
	EXPECT_EQ_INT(proc_run(&spec, &res), -ERR_NOENT);
	EXPECT_EQ_INT(res.spawn_errno, ENOENT);
}

/** A file without execute permission cannot be run either. */
TEST(harness_proc, not_executable)
{
	char path[] = "/tmp/faultline-noexec-XXXXXX";
	char *argv[] = {path, NULL};
	struct proc_spec spec = {.argv = argv, .timeout_ms = 1000};
	struct proc_result res;
	int fd = mkstemp(path);

	ASSERT_TRUE(fd >= 0);
	fchmod(fd, 0644);
	close(fd);
	EXPECT_EQ_INT(proc_run(&spec, &res), -ERR_NOENT);
	EXPECT_EQ_INT(res.spawn_errno, EACCES);
	unlink(path);
}

/** A working directory that does not exist is reported as such. */
TEST(harness_proc, bad_working_directory)
{
	char *argv[] = {"/bin/true", NULL};
	struct proc_spec spec = {
		.argv = argv, .cwd = "/nonexistent/dir", .timeout_ms = 1000};
	struct proc_result res;

	EXPECT_EQ_INT(proc_run(&spec, &res), -ERR_NOENT);
	EXPECT_STREQ(res.spawn_step, "chdir");
	EXPECT_EQ_INT(res.spawn_errno, ENOENT);
}

/** proc_capture() keeps the start of stdout and checks the status. */
TEST(harness_proc, capture)
{
	char *ok[] = {"/bin/sh", "-c", "echo hello; echo world", NULL};
	char *fail[] = {"/bin/sh", "-c", "echo x; exit 1", NULL};
	char *hang[] = {"/bin/sleep", "10", NULL};
	char out[8];

	EXPECT_EQ_INT(proc_capture(ok, NULL, 5000, out, sizeof(out)), 0);
	EXPECT_STREQ(out, "hello\nw");
	EXPECT_EQ_INT(proc_capture(fail, NULL, 5000, out, sizeof(out)),
		      -ERR_INVAL);
	EXPECT_EQ_INT(proc_capture(hang, NULL, 100, out, sizeof(out)),
		      -ERR_TIMEDOUT);
}
