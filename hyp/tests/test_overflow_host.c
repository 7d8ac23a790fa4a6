/*
 * Inputs at the edge of int that must not be undefined behaviour. Each
 * case runs in a forked child, so that UBSan (built with
 * -fno-sanitize-recover) ends the child, not the test run; the child's
 * report is shown when the test fails.
 */
#include <limits.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <faultline/err.h>
#include <faultline/fmt.h>
#include <faultline/test.h>

/*
 * Runs @fn in a child process with stderr captured. Returns true when it
 * returned normally; otherwise records a failure with what it printed.
 */
static bool ovf_child_ok(struct test_ctx *test_ctx, void (*fn)(void),
			 const char *what)
{
	char report[512];
	ssize_t n = 0;
	int fds[2];
	int status = 0;
	pid_t pid;

	if (pipe(fds) != 0) {
		test_fail(test_ctx, __FILE__, __LINE__, "pipe failed");
		return false;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], STDERR_FILENO);
		close(fds[0]);
		fn();
		_exit(0);
	}
	close(fds[1]);
	if (pid > 0) {
		n = read(fds[0], report, sizeof(report) - 1);
		waitpid(pid, &status, 0);
	}
	close(fds[0]);
	report[n > 0 ? n : 0] = '\0';
	if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		return true;
	}
	test_fail(test_ctx, __FILE__, __LINE__, "%s: child status 0x%x: %s",
		  what, (unsigned)status, report);
	return false;
}

static void ovf_err_name_int_min(void)
{
	const char *name = err_name(INT_MIN);

	if (name == NULL || name[0] != 'u') {
		_exit(2);
	}
}

/** err_name(INT_MIN) is "unknown error", without negating INT_MIN (signed overflow). */
TEST(overflow_host, err_name_int_min)
{
	ovf_child_ok(test_ctx, ovf_err_name_int_min, "err_name(INT_MIN)");
}

static void ovf_fmt_ok(void)
{
	char buf[16];

	fmt_snprintf(buf, sizeof(buf), "%*d", -3, 5);
	if (buf[0] != '5' || buf[1] != ' ') {
		_exit(3);
	}
}

/** The harness itself: a child that does nothing wrong is reported as fine. */
TEST(overflow_host, harness_passes_clean_child)
{
	EXPECT_TRUE(ovf_child_ok(test_ctx, ovf_fmt_ok, "clean child"));
}
