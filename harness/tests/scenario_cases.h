/*
 * Malformed scenarios for the parser's tests: each with where its error
 * must point (file:line:col) and a piece of what it must say, checked
 * in one place for every table of them.
 */
#ifndef FAULTLINE_HARNESS_TESTS_SCENARIO_CASES_H
#define FAULTLINE_HARNESS_TESTS_SCENARIO_CASES_H

#include <stddef.h>

#include <faultline/test.h>

/** One malformed scenario and the error it must get. */
struct scn_bad_case {
	/** The scenario, parsed as t.scn. */
	const char *text;
	/** The start of the message: "t.scn:LINE:COL:". */
	const char *where;
	/** Words the message must hold. */
	const char *says;
};

/**
 * Parses each of the @n cases as t.scn and records a test failure, with
 * the case's index and both messages, for each one that is not refused
 * with -ERR_INVAL at its place and with its words.
 */
void scn_expect_refused(struct test_ctx *test_ctx,
			const struct scn_bad_case *cases, size_t n);

#endif /* FAULTLINE_HARNESS_TESTS_SCENARIO_CASES_H */
