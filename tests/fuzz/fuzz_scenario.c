/*
 * libFuzzer target: any bytes as a scenario file. The parser must never
 * crash, read out of bounds or leak on them; it refuses with a message
 * naming file:line:col, or accepts a scenario whose compiled plan the
 * hypervisor's own validator accepts (harness/tests/scenario_fuzz_check.h).
 * Built and run by `make fuzz` (mk/fuzz.mk) over the shipped scenarios
 * and tests/fuzz/corpus/scenario/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../harness/tests/scenario_fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scn_fuzz_result res;
	const char *why = scn_fuzz_check((const char *)data, size, &res);

	if (why != NULL) {
		fprintf(stderr, "fuzz_scenario: %s (%s)\n", why, res.msg);
		abort();
	}
	return 0;
}
