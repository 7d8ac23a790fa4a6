/*
 * Scenario parameters ($NAME, --set) and expectations: how they parse,
 * where their errors point, and how expectations judge a run's figures.
 */
#include <string.h>

#include <faultline/err.h>
#include <faultline/test.h>

#include "../expect.h"
#include "../scenario.h"
#include "scenario_cases.h"

static const char sp_text[] =
	"scenario p\n"
	"param pages=64\n"
	"param vcpus=2\n"
	"vm guest\n"
	"region data ipa=0x80000000 size=1M\n"
	"vcpu count=$vcpus\n"
	"  loop ${pages}\n"
	"    write data step=4K # $not_expanded in a comment\n"
	"  end\n"
	"  hvc null timed\n"
	"end\n"
	"expect outcome.mapped == $pages because \"each page maps once\"\n"
	"expect vm=guest faults >= 64\n"
	"expect on=qemu latency.fault.p50 < 20us\n"
	"expect ratio.fault_hvc <= 1.5\n"
	"expect progress\n";

/** Parameters substitute as words; --set replaces a default. */
TEST(harness_scenario_params, substitute_and_override)
{
	struct scn_set set = {"pages", "16"};
	struct scenario s;
	struct scn_diag d;

	ASSERT_EQ_INT(scenario_parse("t.scn", sp_text, strlen(sp_text), &s, &d),
		      0);
	EXPECT_EQ(s.nvcpus, 2u);
	EXPECT_EQ(s.ops[s.vcpus[0].first_op].count, 64u);
	EXPECT_EQ(s.nparams, 2u);
	EXPECT_TRUE(!s.params[0].overridden);
	EXPECT_EQ(s.expects[0].value, 64.0);
	scenario_free(&s);
	ASSERT_EQ_INT(scenario_parse_with("t.scn", sp_text, strlen(sp_text),
					  &set, 1, &s, &d),
		      0);
	EXPECT_EQ(s.ops[s.vcpus[0].first_op].count, 16u);
	EXPECT_TRUE(s.params[0].overridden);
	EXPECT_STREQ(s.params[0].value, "16");
	EXPECT_EQ(s.expects[0].value, 16.0);
	EXPECT_STREQ(s.expects[0].text, "outcome.mapped == 16");
	scenario_free(&s);
}

/** A product of a number and parameters (`1024*$vcpus`) is multiplied out. */
TEST(harness_scenario_params, products_scale_with_a_parameter)
{
	static const char text[] =
		"scenario p\n"
		"param vcpus=3\n"
		"vm guest\n"
		"region data ipa=0x80000000 size=1M*$vcpus\n"
		"vcpu count=$vcpus\n"
		"  write data count=2*$vcpus*2 vcpu_step=1M\n"
		"end\n"
		"expect faults == 256*$vcpus\n"
		"expect vcpus.done == $vcpus\n";
	struct scn_set set = {"vcpus", "2"};
	struct scenario s;
	struct scn_diag d;

	ASSERT_EQ_INT(scenario_parse("t.scn", text, strlen(text), &s, &d), 0);
	EXPECT_EQ(s.regions[0].size, UINT64_C(3) << 20);
	EXPECT_EQ(s.nvcpus, 3u);
	EXPECT_EQ(s.ops[s.vcpus[0].first_op].count, 12u);
	EXPECT_EQ(s.expects[0].value, 768.0);
	EXPECT_EQ(s.expects[1].value, 3.0);
	scenario_free(&s);
	ASSERT_EQ_INT(scenario_parse_with("t.scn", text, strlen(text), &set, 1,
					  &s, &d),
		      0);
	EXPECT_EQ(s.regions[0].size, UINT64_C(2) << 20);
	EXPECT_EQ(s.expects[0].value, 512.0);
	scenario_free(&s);
}

/** Each expectation keeps its metric, VM, backend, value and reason. */
TEST(harness_scenario_params, expectations_parse)
{
	struct scenario s;
	struct scn_diag d;
	const struct expect *e = s.expects;

	ASSERT_EQ_INT(scenario_parse("t.scn", sp_text, strlen(sp_text), &s, &d),
		      0);
	ASSERT_EQ(s.nexpects, 5u);
	EXPECT_STREQ(e[0].metric, "outcome.mapped");
	EXPECT_EQ(e[0].op, EXPECT_OP_EQ);
	EXPECT_STREQ(e[0].reason, "each page maps once");
	EXPECT_EQ(e[0].line, 12u);
	EXPECT_EQ_INT(e[1].vm, 0);
	EXPECT_EQ(e[1].op, EXPECT_OP_GE);
	EXPECT_STREQ(e[1].text, "guest: faults >= 64");
	EXPECT_EQ(e[2].backends, (unsigned)EXPECT_ON_QEMU);
	EXPECT_EQ(e[2].value, 20000.0);
	EXPECT_EQ(e[3].value, 1.5);
	EXPECT_EQ(e[4].kind, EXPECT_PROGRESS);
	EXPECT_EQ(scenario_vmid(&s, 0), 1);
	scenario_free(&s);
}

#define SP_HEAD                                                                \
	"scenario x\nvm v\nregion r ipa=0x80000000 size=64K\nvcpu\nread "      \
	"r\nend\n"

static const struct scn_bad_case sp_bad_cases[] = {
	{"scenario x\nparam n\n", "t.scn:2:7:", "NAME=VALUE"},
	{"scenario x\nparam 1n=3\n", "t.scn:2:7:", "not a parameter name"},
	{"scenario x\nparam n=3\nparam n=4\n", "t.scn:3:7:", "already"},
	{"scenario x\nrun smp=$n\n", "t.scn:2:9:", "unknown parameter 'n'"},
	{"scenario x\nparam n=3\nrun smp=${n\n",
	 "t.scn:3:9:", "unknown parameter"},
	{"scenario x\nparam n=zero\nrun smp=$n\n",
	 "t.scn:3:5:", "not a number"},
	{SP_HEAD "expect outcome.mapd == 1\n",
	 "t.scn:7:8:", "unknown metric 'outcome.mapd'"},
	{SP_HEAD "expect faults = 1\n", "t.scn:7:15:", "not a comparison"},
	{SP_HEAD "expect faults == 10us\n", "t.scn:7:18:", "not a number"},
	{SP_HEAD "expect latency.fault.p50 < 10\n",
	 "t.scn:7:28:", "not a duration"},
	{SP_HEAD "expect faults\n", "t.scn:7:8:", "METRIC OP VALUE"},
	{SP_HEAD "expect vm=w faults == 1\n", "t.scn:7:8:", "no VM 'w'"},
	{SP_HEAD "expect vm=v tlbi == 1\n", "t.scn:7:13:", "for one VM"},
	{SP_HEAD "expect on=kvm faults == 1\n",
	 "t.scn:7:8:", "unknown backend"},
	{SP_HEAD "expect vm=v livelock\n", "t.scn:7:13:", "whole run"},
	{SP_HEAD "vcpu\nexpect faults == 1\n",
	 "t.scn:8:1:", "unknown operation"},
	{SP_HEAD "expect faults == 4*x\n",
	 "t.scn:7:18:", "'x' is not a number"},
	{"scenario x\nparam n=2K\nvm v\nregion r ipa=0 size=4K*$n\n",
	 "t.scn:4:16:", "'2K' is not a number"},
};

/** Each mistake is refused at its line and column. */
TEST(harness_scenario_params, errors_point_at_the_mistake)
{
	scn_expect_refused(test_ctx, sp_bad_cases, ARRAY_SIZE(sp_bad_cases));
}

/** --set of a parameter the scenario does not declare names the ones it has. */
TEST(harness_scenario_params, unknown_set_is_refused)
{
	struct scn_set set = {"page", "16"};
	struct scenario s;
	struct scn_diag d;

	EXPECT_EQ_INT(scenario_parse_with("t.scn", sp_text, strlen(sp_text),
					  &set, 1, &s, &d),
		      -ERR_INVAL);
	EXPECT_TRUE(strstr(d.msg, "--set page") != NULL);
	EXPECT_TRUE(strstr(d.hint, "pages, vcpus") != NULL);
	scenario_free(&s);
}

/** Expectations judge the figures of a run, skip other backends, and name what is missing. */
TEST(harness_scenario_params, expectations_check_a_run)
{
	static struct faultstats_count outcomes[] = {
		{.value = 1, .name = "mapped", .n = 64},
		{.value = 4, .name = "spurious", .n = 3},
	};
	struct faultstats_vm vm = {.vmid = 1, .faults = 67};
	struct faultstats fs = {0};
	struct expect_result r[5];
	struct scenario s;
	struct scn_diag d;
	int64_t vmids[1] = {1};

	ASSERT_EQ_INT(scenario_parse("t.scn", sp_text, strlen(sp_text), &s, &d),
		      0);
	fs.outcomes.v = outcomes;
	fs.outcomes.n = 2;
	fs.faults = 67;
	fs.vms = &vm;
	fs.nvms = 1;
	fs.fault_lat = (struct faultstats_dist){.n = 67, .p50 = 15000};
	fs.fault_hvc_ratio = 2.0;
	/* On the sim: the qemu-only latency bound is skipped. */
	EXPECT_EQ(expect_check(s.expects, s.nexpects, &fs, EXPECT_ON_SIM, false,
			       vmids, r),
		  1u);
	EXPECT_TRUE(r[0].ok && r[0].observed == 64);
	EXPECT_TRUE(r[1].ok && r[1].observed == 67);
	EXPECT_TRUE(!r[2].applies);
	EXPECT_TRUE(!r[3].ok && r[3].observed == 2.0);
	EXPECT_TRUE(r[4].ok);
	/* On QEMU the bound applies; a livelock fails `progress`. */
	EXPECT_EQ(expect_check(s.expects, s.nexpects, &fs, EXPECT_ON_QEMU, true,
			       vmids, r),
		  2u);
	EXPECT_TRUE(r[2].applies && r[2].ok);
	EXPECT_TRUE(!r[4].ok);
	/* No samples: the figure is missing, which fails. */
	fs.fault_lat.n = 0;
	expect_check(s.expects, s.nexpects, &fs, EXPECT_ON_QEMU, false, vmids,
		     r);
	EXPECT_TRUE(!r[2].available && !r[2].ok);
	scenario_free(&s);
}
