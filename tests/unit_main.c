/*
 * The host unit-test binary: every portable and host-only test.
 * Usage: unit-tests [PREFIX]  (run only tests whose suite.name starts so)
 */
#include <stdio.h>

#include <faultline/test.h>

int main(int argc, char **argv)
{
	struct test_totals t;

	setvbuf(stdout, NULL, _IOLBF, 0);
	t = test_run_all(argc > 1 ? argv[1] : NULL);
	return t.failed > 0 ? 1 : 0;
}
