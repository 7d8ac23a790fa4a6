/*
 * The rule checker against the real thing: the fault path broken on
 * purpose with a bug= boot argument is caught by exactly the rule that
 * covers what the bug skips, and the same scenario without the bug is
 * clean. Each knob is recorded in the trace and on the console.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/test.h>
#include <faultline/trace/event.h>

#include "qemu_util.h"

/* True when @run's trace has a knob event @knob with value 1. */
static bool chk_knob(const struct qemu_run *run, uint64_t knob)
{
	for (size_t i = 0; i < run->trace.nrecords; i++) {
		const struct trace_record *r = &run->trace.records[i];

		if (strcmp(qemu_event_name(&run->trace, r), "knob") == 0 &&
		    qemu_field(&run->trace, r, "name") == knob &&
		    qemu_field(&run->trace, r, "value") == 1) {
			return true;
		}
	}
	return false;
}

/* Records named @name whose @field is @value. */
static size_t chk_count(const struct trace_data *td, const char *name,
			const char *field, uint64_t value)
{
	size_t n = 0;

	for (size_t i = 0; i < td->nrecords; i++) {
		uint64_t v;

		if (strcmp(qemu_event_name(td, &td->records[i]), name) == 0 &&
		    trace_data_field(td, &td->records[i], field, &v) &&
		    v == value) {
			n++;
		}
	}
	return n;
}

/*
 * Runs @args with bug=@bug and checks that the run says so and that the
 * checker finds rule @rule broken, and no other. Returns the violations.
 */
static uint64_t chk_bug(struct test_ctx *test_ctx, const char *args,
			const char *bug, uint64_t knob, unsigned rule)
{
	struct qemu_run run;
	struct check_result res;
	char cmd[256], line[96], rules[64];
	uint64_t found;

	snprintf(cmd, sizeof(cmd), "%s --append \"bug=%s\"", args, bug);
	if (!qemu_run(&run, cmd)) {
		return 0;
	}
	/*
	 * The bug breaks TLB maintenance, not the run: it finishes, or the
	 * livelock detector ends it (legacy's ping-pong). The scenario's
	 * expectations may then fail (status 1): the backend's own verdict
	 * is what says the run itself went through.
	 */
	EXPECT_TRUE(run.status == 0 || run.status == 1);
	EXPECT_TRUE(strstr(run.summary, "\"backend_verdict\": \"ok\"") !=
			    NULL ||
		    strstr(run.summary, "\"backend_verdict\": \"livelock\"") !=
			    NULL);
	EXPECT_TRUE(chk_knob(&run, knob));
	snprintf(line, sizeof(line), "faultline: knob bug=%s:", bug);
	EXPECT_TRUE(strstr(run.console, line) != NULL);
	check_run(&run.trace, NULL, &res);
	found = res.count[rule];
	EXPECT_TRUE(found > 0);
	EXPECT_EQ(res.total, found);
	/* faultline run reported it too, in summary.json. */
	snprintf(rules, sizeof(rules), "\"rules\": [%u]", rule);
	EXPECT_TRUE(strstr(run.summary, rules) != NULL);
	fprintf(stderr,
		"    bug=%s: %llu violations of rule %u in %zu records\n", bug,
		(unsigned long long)found, rule, run.trace.nrecords);
	check_result_free(&res);
	qemu_run_free(&run);
	return found;
}

/** bug=skip_tlbi: legacy's break-before-make without its TLBI breaks rule 1 only. */
TEST(qemu_check, skip_tlbi_is_caught_by_rule_1)
{
	chk_bug(test_ctx, "scenarios/rw-ro-pingpong.scn --policy legacy",
		"skip_tlbi", TRACE_KNOB_BUG_SKIP_TLBI, CHECK_RULE_BBM);
}

/** bug=skip_dsb: VMALLE1 before the invalidation by IPA completed breaks rule 2 only. */
TEST(qemu_check, skip_dsb_is_caught_by_rule_2)
{
	chk_bug(test_ctx, "scenarios/rw-ro-pingpong.scn --policy legacy",
		"skip_dsb", TRACE_KNOB_BUG_SKIP_DSB, CHECK_RULE_INVAL_ORDER);
}

/** The relax race without the bug: vCPUs lose the race and invalidate locally; clean. */
TEST(qemu_check, relax_race_is_clean)
{
	struct qemu_run run;
	size_t lost;

	ASSERT_TRUE(qemu_run(&run, "tests/fixtures/scenarios/relax-race.scn"));
	EXPECT_EQ_INT(run.status, 0);
	lost = chk_count(&run.trace, "s2_backoff", "why",
			 TRACE_BACKOFF_ALREADY);
	fprintf(stderr, "    %zu faults lost the relax race\n", lost);
	EXPECT_TRUE(qemu_rules_hold(&run));
	qemu_run_free(&run);
}

/** bug=no_local_inval: a loser of the relax race resumes without invalidating: rule 4 only. */
TEST(qemu_check, no_local_inval_is_caught_by_rule_4)
{
	struct qemu_run run;
	struct check_result res;
	size_t lost;

	/*
	 * perm-relax-race: each vCPU reads the page before the race, and
	 * 100 rounds of four vCPUs lose the race a hundred times or more
	 * in a run. Whether any is lost is timing, so up to three runs.
	 */
	for (unsigned attempt = 0;; attempt++) {
		ASSERT_TRUE(qemu_run(&run, "scenarios/perm-relax-race.scn "
					   "--append \"bug=no_local_inval\""));
		EXPECT_EQ_INT(run.status, 0);
		EXPECT_TRUE(chk_knob(&run, TRACE_KNOB_BUG_NO_LOCAL_INVAL));
		lost = chk_count(&run.trace, "s2_backoff", "why",
				 TRACE_BACKOFF_ALREADY);
		if (lost != 0) {
			break;
		}
		qemu_run_free(&run);
		if (attempt == 2) {
			TEST_SKIP("no vCPU lost the relax race in three runs "
				  "(timing)");
		}
	}
	check_run(&run.trace, NULL, &res);
	/* Every lost race is one violation: none invalidated. */
	EXPECT_EQ(res.count[CHECK_RULE_LOST_RACE], lost);
	EXPECT_EQ(res.total, lost);
	fprintf(stderr,
		"    bug=no_local_inval: %zu lost races, %llu "
		"violations of rule 4\n",
		lost, (unsigned long long)res.total);
	check_result_free(&res);
	qemu_run_free(&run);
}

/** An unknown bug name is a boot-argument error: the run refuses it. */
TEST(qemu_check, unknown_bug_is_refused)
{
	struct qemu_run run;

	ASSERT_TRUE(qemu_run(&run, "--append \"bug=skip_everything\""));
	EXPECT_TRUE(run.status != 0);
	EXPECT_TRUE(strstr(run.console, "bad value \"skip_everything\" for "
					"bug") != NULL);
	qemu_run_free(&run);
}
