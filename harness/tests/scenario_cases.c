/* Malformed scenarios refused where they should be (scenario_cases.h). */
#include <string.h>

#include <faultline/err.h>

#include "../scenario.h"
#include "scenario_cases.h"

void scn_expect_refused(struct test_ctx *test_ctx,
			const struct scn_bad_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct scn_bad_case *b = &cases[i];
		struct scenario s;
		struct scn_diag d;
		int ret = scenario_parse("t.scn", b->text, strlen(b->text), &s,
					 &d);

		if (ret != -ERR_INVAL ||
		    strncmp(d.msg, b->where, strlen(b->where)) != 0 ||
		    strstr(d.msg, b->says) == NULL) {
			test_fail(test_ctx, __FILE__, __LINE__,
				  "case %zu: returned %d, got \"%s\", want "
				  "\"%s ...%s...\"",
				  i, ret, ret != 0 ? d.msg : "", b->where,
				  b->says);
		}
		scenario_free(&s);
	}
}
