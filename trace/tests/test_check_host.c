/*
 * The rule checker's engine and report: events and enum values found by
 * name in the file's schema, rules not checked when their events are
 * missing, lost events, damaged traces, the report's windows and verdict.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/test.h>

#include "check_fixture.h"

#define IPA UINT64_C(0x80000000)
#define PA UINT64_C(0x42e00000)

/* The report of x->res as a string (the caller frees it). */
static char *eng_report(struct fx *x, unsigned window)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL) {
		return NULL;
	}
	check_report(&x->td, &x->res, "fixture.bin", window, f);
	fclose(f);
	return buf;
}

/* A CPU that breaks IPA's entry and makes it again without a TLBI. */
static void eng_skip_tlbi(struct fx *x, unsigned cpu)
{
	fx_lock(x, cpu, 1, true);
	FX(x, cpu, "bbm_break", {"entry", fx_entry(IPA)}, {"ipa", IPA},
	   {"level", 3}, {"old", fx_page_ro(PA)}, {"vmid", 1});
	FX(x, cpu, "bbm_make", {"entry", fx_entry(IPA)}, {"ipa", IPA},
	   {"level", 3}, {"new", fx_page(PA)}, {"vmid", 1});
	FX(x, cpu, "dsb", {"share", TRACE_SHARE_ISHST});
	fx_unlock(x, cpu, 1, true);
}

/** A rule whose event the schema lacks is reported as not checked, never as clean. */
TEST(check_engine, missing_events_leave_a_rule_unchecked)
{
	struct fx x;
	char verdict[256];

	fx_init(&x, 1);
	fx_switch_in(&x, 0, 0, 1);
	for (size_t i = 0; i < x.td.nevents; i++) {
		if (strcmp(x.td.events[i].name, "lock") == 0) {
			/* An older trace format: no lock events. */
			snprintf(x.td.events[i].name,
				 sizeof(x.td.events[i].name), "old_lock");
		}
	}
	EXPECT_EQ(fx_check(&x, 0), 0u);
	EXPECT_TRUE(x.res.unchecked[CHECK_RULE_LOCK]);
	EXPECT_STREQ(x.res.missing[CHECK_RULE_LOCK], "lock");
	for (unsigned r = 1; r < CHECK_RULE_LOCK; r++) {
		EXPECT_TRUE(!x.res.unchecked[r]);
	}
	check_verdict(&x.res, verdict, sizeof(verdict));
	EXPECT_TRUE(strstr(verdict, "clean (7 rules") == verdict);
	EXPECT_TRUE(strstr(verdict, "not checked: rule 8") != NULL);
	fx_free(&x);
}

/** Enum values are matched by name: a file that numbers them differently reads the same. */
TEST(check_engine, enum_values_are_matched_by_name)
{
	struct fx x;

	fx_init(&x, 1);
	fx_switch_in(&x, 0, 0, 1);
	fx_inval_ipa(&x, 0, IPA, 3, 1, true);
	fx_switch_out(&x, 0, 0, 1);
	fx_switch_in(&x, 0, 0, 1);
	EXPECT_EQ(fx_check(&x, 0), 0u);
	/* The file says vmalle1 is 42 and 5 is unnamed; records say 5. */
	for (size_t i = 0; i < x.td.nenums; i++) {
		if (strcmp(x.td.enums[i].kind, "TLBI_OP") == 0 &&
		    strcmp(x.td.enums[i].name, "vmalle1") == 0) {
			x.td.enums[i].value = 42;
		}
	}
	/* The stage-1 TLBI is no longer one: rule 2 misses it. */
	EXPECT_EQ(fx_check(&x, CHECK_RULE_INVAL_ORDER), 1u);
	for (size_t i = 0; i < x.td.nrecords; i++) {
		if (x.td.records[i].id == TRACE_EV_tlbi &&
		    x.td.records[i].f[0] == TRACE_TLBI_OP_VMALLE1) {
			x.td.records[i].f[0] = 42;
		}
	}
	EXPECT_EQ(fx_check(&x, 0), 0u);
	fx_free(&x);
}

/** Lost events (a gap in a CPU's sequence numbers) reset that CPU's state: no false alarm. */
TEST(check_engine, lost_events_reset_the_cpu)
{
	struct fx x;

	fx_init(&x, 2);
	fx_switch_in(&x, 0, 0, 1);
	fx_switch_in(&x, 1, 1, 1);
	fx_lock(&x, 0, 1, true);
	FX(&x, 0, "bbm_break", {"entry", fx_entry(IPA)}, {"ipa", IPA},
	   {"level", 3}, {"old", fx_page_ro(PA)}, {"vmid", 1});
	/* The DSB, TLBIs and the lock's records... were lost. */
	fx_lose(&x, 0, 7);
	FX(&x, 0, "bbm_make", {"entry", fx_entry(IPA)}, {"ipa", IPA},
	   {"level", 3}, {"new", fx_page(PA)}, {"vmid", 1});
	FX(&x, 0, "dsb", {"share", TRACE_SHARE_ISHST});
	fx_unlock(&x, 0, 1, true);
	/* CPU 1 lost nothing: its broken rule is still found. */
	eng_skip_tlbi(&x, 1);
	EXPECT_EQ(fx_check(&x, 0), 1u);
	EXPECT_EQ(x.res.gaps, 1u);
	ASSERT_EQ(x.res.nv, 1u);
	EXPECT_EQ(x.res.v[0].cpu, 1u);
	fx_free(&x);
}

/** Every violation is counted; the first few of each rule are kept in detail. */
TEST(check_engine, violations_are_counted_and_capped)
{
	struct fx x;
	char verdict[256];
	char *rep;

	fx_init(&x, 1);
	fx_switch_in(&x, 0, 0, 1);
	for (unsigned i = 0; i < 30; i++) {
		eng_skip_tlbi(&x, 0);
	}
	EXPECT_EQ(fx_check(&x, CHECK_RULE_BBM), 30u);
	EXPECT_EQ(x.res.total, 30u);
	EXPECT_EQ(x.res.nv, 10u);
	EXPECT_STREQ(check_verdict(&x.res, verdict, sizeof(verdict)),
		     "30 violations (rule 1)");
	rep = eng_report(&x, 4);
	ASSERT_TRUE(rep != NULL);
	EXPECT_TRUE(strstr(rep, "30 violations (10 shown)") != NULL);
	free(rep);
	fx_free(&x);
}

/** The report names the rule, record, CPU, VMID and IPA, and shows the CPU's records around it. */
TEST(check_engine, report_shows_the_window)
{
	struct fx x;
	char *rep, *at;

	fx_init(&x, 2);
	fx_switch_in(&x, 0, 0, 1);
	fx_switch_in(&x, 1, 1, 1);
	eng_skip_tlbi(&x, 1);
	ASSERT_EQ(fx_check(&x, 0), 1u);
	rep = eng_report(&x, 3);
	ASSERT_TRUE(rep != NULL);
	at = strstr(rep, "rule 1 (break-before-make) broken at record ");
	ASSERT_TRUE(at != NULL);
	EXPECT_TRUE(strstr(at, "cpu 1, vmid 1, ipa 0x80000000:") != NULL);
	/* The break (related) and the make (the violation) are marked. */
	EXPECT_TRUE(strstr(rep, "> ") != NULL);
	EXPECT_TRUE(strstr(rep, "bbm_break        entry=0x42898000 "
				"ipa=0x80000000 level=3") != NULL);
	EXPECT_TRUE(strstr(rep, "  2 stage-2 invalidation order") != NULL);
	EXPECT_TRUE(strstr(rep, "faultline check: 1 violation (rule 1)\n") !=
		    NULL);
	/* Only CPU 1's records are in the window. */
	for (char *line = strstr(at, "\n  > "); line != NULL;
	     line = strstr(line + 1, "\n  > ")) {
		EXPECT_TRUE(strncmp(line + 30, "  1  ", 5) == 0);
	}
	free(rep);
	fx_free(&x);
}

/** A damaged trace is checked up to the damage, and the report says so. */
TEST(check_engine, damaged_trace_is_checked_up_to_the_damage)
{
	struct fx x;
	char *rep;

	fx_init(&x, 1);
	fx_switch_in(&x, 0, 0, 1);
	eng_skip_tlbi(&x, 0);
	x.td.error = -1;
	x.td.error_offset = 4242;
	snprintf(x.td.error_msg, sizeof(x.td.error_msg), "file cut short");
	x.td.complete = false;
	EXPECT_EQ(fx_check(&x, 0), 1u);
	rep = eng_report(&x, 3);
	ASSERT_TRUE(rep != NULL);
	EXPECT_TRUE(strstr(rep, "damaged at byte 4242 (file cut short)") !=
		    NULL);
	free(rep);
	x.td.error = 0;
	rep = eng_report(&x, 3);
	ASSERT_TRUE(rep != NULL);
	EXPECT_TRUE(strstr(rep, "the trace is incomplete") != NULL);
	free(rep);
	fx_free(&x);
}

/** Every rule has a number, a name, what it checks and where it comes from. */
TEST(check_engine, rules_are_described)
{
	for (unsigned r = 1; r <= CHECK_NRULES; r++) {
		const struct check_rule_desc *d = check_rule(r);

		ASSERT_TRUE(d != NULL);
		EXPECT_EQ(d->number, r);
		EXPECT_TRUE(d->name != NULL && d->what != NULL &&
			    d->ref != NULL);
	}
	EXPECT_TRUE(check_rule(0) == NULL);
	EXPECT_TRUE(check_rule(CHECK_NRULES + 1) == NULL);
}
