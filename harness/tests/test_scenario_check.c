/*
 * The scenario checks that need the whole file (scenario_check.c), the
 * run switches they sit beside (prealloc=), and expectations that hold
 * under one policy only (policy=): where each mistake is reported, and
 * which expectations a run under --policy skips.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>
#include <faultline/test.h>

#include "../expect.h"
#include "../scenario.h"
#include "scenario_cases.h"

/* One vCPU that times accesses and null hvcs, and two policies' views. */
static const char sc_text[] =
	"scenario pp\n"
	"run prealloc=on livelock=32\n"
	"vm a policy=legacy\n"
	"region data ipa=0x80000000 size=1M\n"
	"vcpu\n"
	"  hvc null timed\n"
	"  write data timed\n"
	"end\n"
	"vm b policy=prejudge\n"
	"region data ipa=0x80000000 size=1M\n"
	"vcpu\n"
	"  read data\n"
	"end\n"
	"expect policy=legacy livelock because legacy ping-pongs\n"
	"expect policy=prejudge progress\n"
	"expect vm=b policy=prejudge faults >= 0\n"
	"expect vm=a policy=legacy on=qemu faults >= 1\n"
	"expect ratio.access_hvc < 3\n";

/* Parses @text as t.scn; the caller frees @s. */
static int sc_parse(const char *text, struct scenario *s, struct scn_diag *d)
{
	return scenario_parse("t.scn", text, strlen(text), s, d);
}

/** prealloc= is a run switch; policy= keeps the policy an expectation is for. */
TEST(harness_scenario_check, prealloc_and_policy_parse)
{
	struct scenario s;
	struct scn_diag d;

	ASSERT_EQ_INT(sc_parse(sc_text, &s, &d), 0);
	EXPECT_TRUE(s.prealloc);
	EXPECT_EQ(s.livelock_faults, 32u);
	ASSERT_EQ(s.nexpects, 5u);
	EXPECT_EQ(s.expects[0].policy, (uint32_t)PLAN_POLICY_LEGACY);
	EXPECT_EQ(s.expects[0].kind, EXPECT_LIVELOCK);
	EXPECT_STREQ(s.expects[0].reason, "legacy ping-pongs");
	EXPECT_EQ(s.expects[2].policy, (uint32_t)PLAN_POLICY_PREJUDGE);
	EXPECT_EQ_INT(s.expects[2].vm, 1);
	EXPECT_EQ(s.expects[3].backends, (unsigned)EXPECT_ON_QEMU);
	/* A report says when each applies. */
	EXPECT_STREQ(s.expects[0].text, "livelock [policy=legacy]");
	EXPECT_STREQ(s.expects[3].text,
		     "a: faults >= 1 [on=qemu policy=legacy]");
	EXPECT_STREQ(s.expects[4].text, "ratio.access_hvc < 3");
	EXPECT_EQ(s.expects[4].policy, 0u);
	scenario_free(&s);
	ASSERT_EQ_INT(sc_parse("scenario x\nrun prealloc=off\nvm v\nregion r "
			       "ipa=0x80000000 size=4K\nvcpu\nread r\nend\n",
			       &s, &d),
		      0);
	EXPECT_TRUE(!s.prealloc);
	scenario_free(&s);
}

/** A whole-run policy= needs every VM on it; vm= looks at that VM; --policy re-decides. */
TEST(harness_scenario_check, policy_decides_which_expectations_apply)
{
	struct scenario s;
	struct scn_diag d;

	ASSERT_EQ_INT(sc_parse(sc_text, &s, &d), 0);
	/* VMs a (legacy) and b (prejudge): no whole-run policy holds. */
	EXPECT_TRUE(s.expects[0].off_policy);
	EXPECT_TRUE(s.expects[1].off_policy);
	EXPECT_TRUE(!s.expects[2].off_policy);
	EXPECT_TRUE(!s.expects[3].off_policy);
	EXPECT_TRUE(!s.expects[4].off_policy);
	scenario_set_policy(&s, PLAN_POLICY_PREJUDGE);
	EXPECT_TRUE(s.expects[0].off_policy);
	EXPECT_TRUE(!s.expects[1].off_policy);
	EXPECT_TRUE(!s.expects[2].off_policy);
	EXPECT_TRUE(s.expects[3].off_policy);
	scenario_set_policy(&s, PLAN_POLICY_LEGACY);
	EXPECT_TRUE(!s.expects[0].off_policy);
	EXPECT_TRUE(s.expects[1].off_policy);
	EXPECT_TRUE(s.expects[2].off_policy);
	EXPECT_TRUE(!s.expects[3].off_policy);
	scenario_free(&s);
}

/** An expectation for another policy is skipped, and the report says why. */
TEST(harness_scenario_check, off_policy_is_skipped_and_says_so)
{
	struct faultstats_vm vm_b = {.vmid = 2};
	struct faultstats fs = {0};
	struct expect_result r[5];
	struct scenario s;
	struct scn_diag d;
	int64_t vmids[2] = {1, 2};
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	ASSERT_EQ_INT(sc_parse(sc_text, &s, &d), 0);
	scenario_set_policy(&s, PLAN_POLICY_PREJUDGE);
	fs.access_hvc_ratio = 1.5;
	fs.vms = &vm_b;
	fs.nvms = 1;
	/* Not livelocked: `livelock` (legacy only) would fail, but is off. */
	EXPECT_EQ(expect_check(s.expects, s.nexpects, &fs, EXPECT_ON_QEMU,
			       false, vmids, r),
		  0u);
	EXPECT_TRUE(!r[0].applies && !r[3].applies);
	EXPECT_TRUE(r[1].applies && r[1].ok);
	EXPECT_TRUE(r[4].applies && r[4].ok);
	f = open_memstream(&out, &len);
	ASSERT_TRUE(f != NULL);
	expect_print(r, s.nexpects, f, false);
	fclose(f);
	EXPECT_TRUE(strstr(out,
			   "expect livelock [policy=legacy]: skipped (not "
			   "under this policy: legacy ping-pongs)") != NULL);
	EXPECT_TRUE(strstr(out, "expect progress [policy=prejudge]: ok") !=
		    NULL);
	free(out);
	scenario_free(&s);
}

/** backoff.WHY counts the stage-2 back-offs of one reason. */
TEST(harness_scenario_check, backoff_metric)
{
	static struct faultstats_count whys[] = {
		{.value = 3, .name = "already", .n = 7},
	};
	struct faultstats fs = {0};
	char hint[512];
	double v = -1;

	EXPECT_EQ_INT(expect_metric_valid("backoff.already", false, hint,
					  sizeof(hint)),
		      0);
	EXPECT_EQ_INT(expect_metric_valid("backoff.sideways", false, hint,
					  sizeof(hint)),
		      -ERR_INVAL);
	EXPECT_TRUE(strstr(hint, "cas_lost") != NULL);
	fs.backoff_whys.v = whys;
	fs.backoff_whys.n = 1;
	EXPECT_TRUE(expect_metric_value(&fs, "backoff.already", -1, &v));
	EXPECT_EQ(v, 7.0);
	EXPECT_TRUE(expect_metric_value(&fs, "backoff.locked", -1, &v));
	EXPECT_EQ(v, 0.0);
}

/* One VM, one vCPU that neither times accesses nor null hvcs. */
#define SC_HEAD                                                                \
	"scenario x\nvm v\nregion r ipa=0x80000000 size=64K\nvcpu\nread "      \
	"r\nhvc null\nend\n"

static const struct scn_bad_case sc_bad_cases[] = {
	{"scenario x\nrun prealloc=maybe\n", "t.scn:2:5:", "on or off"},
	{SC_HEAD "expect policy=eager faults == 1\n",
	 "t.scn:8:8:", "unknown policy 'eager'"},
	{SC_HEAD "expect policy=legacylegacylegacy progress\n",
	 "t.scn:8:8:", "unknown policy"},
	{"scenario x\nrun livelock=off\nvm v\nregion r ipa=0x80000000 "
	 "size=4K\nvcpu\nread r\nend\n\nexpect  livelock\n",
	 "t.scn:9:1:", "livelock=off"},
	{SC_HEAD "expect ratio.fault_hvc < 2\n",
	 "t.scn:8:1:", "no vCPU times a null hvc"},
	{SC_HEAD "  expect latency.hvc.p50 < 2us\n",
	 "t.scn:8:3:", "null-hvc floor"},
	{SC_HEAD "expect latency.access.p99 < 1ms\n",
	 "t.scn:8:1:", "no vCPU times a read"},
	{SC_HEAD "expect ratio.access_hvc < 2\n",
	 "t.scn:8:1:", "null-hvc floor"},
	/* 480 MiB of region, 4 of pool, 4 of vCPU: over 480 on one CPU. */
	{"scenario x\nvm v\nregion r ipa=0x80000000 size=480M\nvcpu\nread "
	 "r\nend\n",
	 "t.scn:2:1:", "need 488 MiB"},
	{"scenario x\nvm a\nregion r ipa=0x80000000 size=220M\nvcpu\nread "
	 "r\nend\nvm b pool=8192\nregion r ipa=0x80000000 size=220M\nvcpu\n"
	 "read r\nend\n",
	 "t.scn:7:1:", "up to VM 'b'"},
	/* Four vCPUs: the hypervisor keeps 64 MiB of trace rings. */
	{"scenario x\nvm v\nregion r ipa=0x80000000 size=420M\nvcpu "
	 "count=4\nread r\nend\n",
	 "t.scn:2:1:", "on 4 CPUs"},
};

/** Each mistake only the whole file shows is refused at its line and column. */
TEST(harness_scenario_check, errors_point_at_the_mistake)
{
	scn_expect_refused(test_ctx, sc_bad_cases, ARRAY_SIZE(sc_bad_cases));
}

/** What a scenario can have: every metric fed, and the RAM just fits. */
TEST(harness_scenario_check, what_fits_passes)
{
	static const char ok[] =
		"scenario x\nrun livelock=off\nvm v\nregion r ipa=0x80000000 "
		"size=460M\nvcpu\nhvc null timed\nread r timed\nend\n"
		"expect progress\nexpect ratio.fault_hvc < 2\n"
		"expect latency.access.p50 < 1ms\n";
	struct scenario s;
	struct scn_diag d;

	EXPECT_EQ_INT(sc_parse(ok, &s, &d), 0);
	scenario_free(&s);
}
