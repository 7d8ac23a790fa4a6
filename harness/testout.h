/*
 * The EL2 test runner's console output (hyp/core/test.c), parsed back:
 *
 *   PASS suite.name (12 us)
 *   FAIL suite.name (file.c:42)      preceded by "    file:line: why" lines
 *   SKIP suite.name: reason
 *   N passed, N failed               the final line
 *
 * Other lines (the hypervisor's own messages) are ignored.
 */
#ifndef FAULTLINE_HARNESS_TESTOUT_H
#define FAULTLINE_HARNESS_TESTOUT_H

#include <stddef.h>

#include <faultline/types.h>

/** What the test output said. */
struct testout {
	/** PASS, FAIL and SKIP lines seen. */
	unsigned passed;
	unsigned failed;
	unsigned skipped;
	/** The final "N passed, N failed" line was seen (the run finished). */
	bool finished;
	/** Its numbers. */
	unsigned final_passed;
	unsigned final_failed;
	/** Names ("suite.name") of the failed tests, in order. */
	char **failures;
	size_t nfailures;
	/** Allocation failed; some names are missing. */
	bool nomem;
};

/** Starts an empty parse. */
void testout_init(struct testout *t);

/** Feeds one console line of @len bytes (without its line break). */
void testout_line(struct testout *t, const char *line, size_t len);

/**
 * Feeds every line of the file at @path. Returns 0, or -ERR_IO when it
 * cannot be read.
 */
int testout_parse_file(struct testout *t, const char *path);

/** Frees the failure names. */
void testout_free(struct testout *t);

#endif /* FAULTLINE_HARNESS_TESTOUT_H */
