/*
 * The property the scenario parser's fuzzer checks on any input
 * (tests/fuzz/fuzz_scenario.c), shared with the unit test that replays
 * its corpus under ASan and UBSan (test_scenario_fuzz_corpus.c).
 */
#ifndef FAULTLINE_HARNESS_TESTS_SCENARIO_FUZZ_CHECK_H
#define FAULTLINE_HARNESS_TESTS_SCENARIO_FUZZ_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/** The name the checked text is parsed under, in every message. */
#define SCN_FUZZ_PATH "fuzz.scn"

/** What one input came to. */
struct scn_fuzz_result {
	/** The parser accepted it. */
	bool accepted;
	/** Its message when refused ("fuzz.scn:LINE:COL: ..."). */
	char msg[1024];
};

/**
 * Parses the @len bytes at @text as a scenario and checks what any input
 * must give: a refusal is -ERR_INVAL with a message that names a place
 * (`fuzz.scn:LINE:COL:`, LINE within the text); an accepted scenario
 * compiles into a plan that the hypervisor's own validator accepts on the
 * CPUs the scenario needs, under either policy, and parses again to the
 * same program with each parameter given its own value on the command
 * line. Returns NULL, or what does not hold (a static string), with
 * @res filled either way.
 */
const char *scn_fuzz_check(const char *text, size_t len,
			   struct scn_fuzz_result *res);

#endif /* FAULTLINE_HARNESS_TESTS_SCENARIO_FUZZ_CHECK_H */
