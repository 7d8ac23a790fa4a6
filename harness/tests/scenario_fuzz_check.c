/* The scenario fuzzer's property (scenario_fuzz_check.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>

#include "../scenario.h"
#include "scenario_fuzz_check.h"

/* True when @msg is "fuzz.scn:LINE:COL: ..." with LINE <= @lines. */
static bool sfc_names_a_place(const char *msg, unsigned lines)
{
	const char *p = msg + strlen(SCN_FUZZ_PATH);
	char *end;
	unsigned long line, col;

	if (strncmp(msg, SCN_FUZZ_PATH ":", strlen(SCN_FUZZ_PATH) + 1) != 0) {
		return false;
	}
	line = strtoul(p + 1, &end, 10);
	if (end == p + 1 || *end != ':') {
		return false;
	}
	p = end;
	col = strtoul(p + 1, &end, 10);
	return end != p + 1 && *end == ':' && line >= 1 && line <= lines &&
	       col >= 1;
}

/* The plan of @s passes plan_validate() on the CPUs it needs. */
static const char *sfc_plan_ok(const struct scenario *s)
{
	struct plan plan;
	char err[256];
	void *blob = NULL;
	size_t size = 0;
	unsigned smp = scenario_smp(s);
	struct scn_diag d;
	int ret;

	if (smp == 0 || smp > PLAN_MAX_VCPUS) {
		return "an accepted scenario needs no CPU, or too many";
	}
	if (scenario_check_smp(s, smp, &d) != 0) {
		return "an accepted scenario does not fit its own CPUs";
	}
	if (scenario_plan(s, s->timeout_ms, &blob, &size) != 0) {
		return "an accepted scenario does not compile";
	}
	/* plan_validate() wants the blob 8-byte aligned, as malloc gives. */
	ret = plan_validate(blob, size, smp, &plan, err, sizeof(err));
	free(blob);
	return ret == 0 ? NULL
			: "the hypervisor refuses the plan of an accepted "
			  "scenario";
}

/* Parses @s again with every parameter set to its own value. */
static const char *sfc_reparse(const char *text, size_t len,
			       const struct scenario *s)
{
	struct scn_set sets[SCN_MAX_PARAMS];
	struct scenario again;
	struct scn_diag d;
	const char *why = NULL;
	int ret;

	for (unsigned i = 0; i < s->nparams; i++) {
		sets[i] =
			(struct scn_set){s->params[i].name, s->params[i].value};
	}
	ret = scenario_parse_with(SCN_FUZZ_PATH, text, len, sets, s->nparams,
				  &again, &d);
	if (ret != 0) {
		why = "setting parameters to their defaults is refused";
	} else if (again.nops != s->nops || again.nvcpus != s->nvcpus ||
		   again.nexpects != s->nexpects ||
		   (s->nops > 0 && memcmp(again.ops, s->ops,
					  s->nops * sizeof(*s->ops)) != 0)) {
		why = "setting parameters to their defaults changes the "
		      "program";
	}
	scenario_free(&again);
	return why;
}

const char *scn_fuzz_check(const char *text, size_t len,
			   struct scn_fuzz_result *res)
{
	struct scenario s;
	struct scn_diag d;
	char formatted[sizeof(d.msg) + sizeof(d.hint) + 16];
	unsigned lines = 1;
	const char *why = NULL;
	int ret;

	for (size_t i = 0; i < len; i++) {
		lines += text[i] == '\n';
	}
	memset(res, 0, sizeof(*res));
	ret = scenario_parse(SCN_FUZZ_PATH, text, len, &s, &d);
	res->accepted = ret == 0;
	snprintf(res->msg, sizeof(res->msg), "%s", ret == 0 ? "" : d.msg);
	if (ret == -ERR_NOMEM) {
		scenario_free(&s);
		return NULL;
	}
	if (ret != 0) {
		if (ret != -ERR_INVAL) {
			why = "a refusal is not -ERR_INVAL";
		} else if (!sfc_names_a_place(d.msg, lines)) {
			why = "a refusal does not name its file:line:col";
		}
		scn_diag_format(&d, formatted, sizeof(formatted));
		scenario_free(&s);
		return why;
	}
	why = sfc_plan_ok(&s);
	if (why == NULL) {
		why = sfc_reparse(text, len, &s);
	}
	for (uint32_t p = PLAN_POLICY_LEGACY; why == NULL && p <= 2; p++) {
		scenario_set_policy(&s, p);
		why = sfc_plan_ok(&s);
	}
	scenario_free(&s);
	return why;
}
