/*
 * The scenario language: what a valid file compiles into, and the exact
 * file:line:col of each kind of mistake.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>
#include <faultline/test.h>

#include "../scenario.h"
#include "scenario_cases.h"

static const char scn_valid[] =
	"# a comment line\n"
	"scenario demo   # trailing comment\n"
	"description \"two vCPUs\" racing\n"
	"run smp=4 timeout=5s bbm_delay=10us\n"
	"\n"
	"vm guest policy=legacy ipa_bits=36 pool=64 dirty_log\n"
	"  region data ipa=0x80000000 size=2M\n"
	"  region code ipa=0x90000000 size=64K exec pretouch\n"
	"vcpu count=2 pcpu=1\n"
	"  mmu on\n"
	"  loop 16\n"
	"    barrier\n"
	"    write data+4K step=8K vcpu_step=4K timed\n"
	"  end\n"
	"  read data count=4 stride=64\n"
	"  exec code\n"
	"  delay 3us\n"
	"  hvc null timed\n"
	"  policy prejudge\n"
	"  dirty harvest\n"
	"  setway\n"
	"end\n";

/* Parses @text as t.scn; the caller frees @s. */
static int scn_parse(const char *text, struct scenario *s, struct scn_diag *d)
{
	return scenario_parse("t.scn", text, strlen(text), s, d);
}

/** A valid scenario: header, VM, regions, and both vCPUs' programs. */
TEST(harness_scenario, valid_file_compiles)
{
	struct scenario s;
	struct scn_diag d;

	ASSERT_EQ_INT(scn_parse(scn_valid, &s, &d), 0);
	EXPECT_STREQ(s.name, "demo");
	EXPECT_STREQ(s.description, "two vCPUs racing");
	EXPECT_EQ(s.smp, 4u);
	EXPECT_EQ(s.timeout_ms, 5000u);
	EXPECT_EQ(s.bbm_delay_ns, 10000u);
	ASSERT_EQ(s.nvms, 1u);
	EXPECT_STREQ(s.vms[0].name, "guest");
	EXPECT_EQ(s.vms[0].policy, (uint32_t)PLAN_POLICY_LEGACY);
	EXPECT_EQ(s.vms[0].ia_bits, 36u);
	EXPECT_EQ(s.vms[0].pool_pages, 64u);
	EXPECT_EQ(s.vms[0].flags, (uint32_t)PLAN_VM_DIRTY_LOG);
	ASSERT_EQ(s.nregions, 2u);
	EXPECT_EQ(s.regions[1].flags,
		  (uint32_t)(PLAN_REGION_EXEC | PLAN_REGION_PRETOUCH));
	ASSERT_EQ(s.nvcpus, 2u);
	EXPECT_EQ(s.vcpus[0].pcpu, 1u);
	EXPECT_EQ(s.vcpus[1].pcpu, 2u);
	EXPECT_EQ(s.vcpus[1].index, 1u);
	/* 16 timed writes and one timed hvc each. */
	EXPECT_EQ(s.vcpus[0].timed, 17u);
	ASSERT_EQ(s.vcpus[0].nops, 12u);
	ASSERT_EQ(s.nops, 24u);
	{
		const struct guest_op *a = &s.ops[s.vcpus[0].first_op];
		const struct guest_op *b = &s.ops[s.vcpus[1].first_op];

		EXPECT_EQ(a[0].code, GUEST_OP_MMU_ON);
		EXPECT_EQ(a[1].code, GUEST_OP_LOOP);
		EXPECT_EQ(a[1].count, 16u);
		EXPECT_EQ(a[2].code, GUEST_OP_BARRIER);
		EXPECT_EQ(a[3].code, GUEST_OP_WRITE);
		EXPECT_EQ(a[3].addr, UINT64_C(0x80001000));
		EXPECT_EQ(a[3].arg, UINT64_C(0x2000));
		EXPECT_EQ(a[3].flags, (uint16_t)GUEST_OP_TIMED);
		/* vCPU 1's copy is one vcpu_step further. */
		EXPECT_EQ(b[3].addr, UINT64_C(0x80002000));
		EXPECT_EQ(a[4].code, GUEST_OP_LOOP_END);
		EXPECT_EQ(a[5].count, 4u);
		EXPECT_EQ(a[5].stride, 64u);
		EXPECT_EQ(a[6].code, GUEST_OP_EXEC);
		EXPECT_EQ(a[7].code, GUEST_OP_DELAY);
		EXPECT_EQ(a[7].arg, 3000u);
		EXPECT_EQ(a[8].arg, (uint64_t)GUEST_HVC_NULL);
		EXPECT_EQ(a[9].arg, (uint64_t)GUEST_HVC_POLICY);
		EXPECT_EQ(a[9].addr, (uint64_t)PLAN_POLICY_PREJUDGE);
		EXPECT_EQ(a[10].arg, (uint64_t)GUEST_HVC_DIRTY_HARVEST);
		EXPECT_EQ(a[11].code, GUEST_OP_SET_WAY);
		EXPECT_EQ(s.op_pos[s.vcpus[1].first_op + 3].line, 13u);
	}
	scenario_free(&s);
}

/** The compiled plan passes the hypervisor's own validation. */
TEST(harness_scenario, plan_is_valid_for_the_hypervisor)
{
	struct scenario s;
	struct scn_diag d;
	struct plan p;
	char err[200];
	void *blob;
	size_t size;

	ASSERT_EQ_INT(scn_parse(scn_valid, &s, &d), 0);
	scenario_set_policy(&s, PLAN_POLICY_PREJUDGE);
	ASSERT_EQ_INT(scenario_plan(&s, 1234, &blob, &size), 0);
	EXPECT_EQ_INT(plan_validate(blob, size, 4, &p, err, sizeof(err)), 0);
	EXPECT_EQ(p.h->nvcpus, 2u);
	EXPECT_EQ(p.h->timeout_ms, 1234u);
	EXPECT_EQ(p.h->bbm_delay_ns, 10000u);
	EXPECT_STREQ(p.h->name, "demo");
	EXPECT_EQ(p.vms[0].policy, (uint32_t)PLAN_POLICY_PREJUDGE);
	EXPECT_EQ(p.vcpus[1].first_op, 12u);
	/* On 2 CPUs, vCPU 1 (pCPU 2) has nowhere to run. */
	EXPECT_EQ_INT(plan_validate(blob, size, 2, &p, err, sizeof(err)),
		      -ERR_INVAL);
	EXPECT_EQ(scenario_smp(&s), 4u);
	EXPECT_EQ_INT(scenario_check_smp(&s, 2, &d), -ERR_INVAL);
	EXPECT_TRUE(strstr(d.msg, "t.scn:9:1:") == d.msg);
	EXPECT_TRUE(strstr(d.hint, "--smp 3") != NULL);
	free(blob);
	scenario_free(&s);
}

/** Without `run smp=`, the CPU count is what the placements need. */
TEST(harness_scenario, smp_follows_the_placements)
{
	struct scenario s;
	struct scn_diag d;

	ASSERT_EQ_INT(scn_parse("scenario x\nvm v\nregion r ipa=0x80000000 "
				"size=4K\nvcpu pcpu=2\nread r\nend\nvcpu\n"
				"read r\nend\n",
				&s, &d),
		      0);
	EXPECT_EQ(scenario_smp(&s), 3u);
	/* The second vCPU takes the first free pCPU. */
	EXPECT_EQ(s.vcpus[1].pcpu, 0u);
	EXPECT_EQ(s.timeout_ms, (uint64_t)SCN_DEFAULT_TIMEOUT_MS);
	EXPECT_EQ(s.vms[0].policy, (uint32_t)PLAN_POLICY_PREJUDGE);
	scenario_free(&s);
}

#define SCN_HEAD "scenario x\nvm v\nregion r ipa=0x80000000 size=64K\n"

static const struct scn_bad_case scn_bad_cases[] = {
	{"vm v\n", "t.scn:1:1:", "naming itself"},
	{"scenario\n", "t.scn:1:", "one name"},
	{"scenario 9lives\n", "t.scn:1:10:", "not a name"},
	{"scenario x\nbogus 1\n", "t.scn:2:1:", "unknown statement"},
	{"scenario x\nregion r ipa=0 size=4K\n", "t.scn:2:1:", "VM"},
	{"scenario x\nrun smp=0\n", "t.scn:2:5:", "smp"},
	{"scenario x\nrun timeout=5\n", "t.scn:2:5:", "duration"},
	{"scenario x\nrun timeout=5 weeks\n", "t.scn:2:5:", "duration"},
	{"scenario x\nrun fast\n", "t.scn:2:5:", "does not take"},
	{"scenario x\nvm v policy=eager\n", "t.scn:2:6:", "unknown policy"},
	{"scenario x\nvm v ipa_bits=52\n", "t.scn:2:6:", "too large"},
	{"scenario x\nvm v dev_pool=4\n", "t.scn:2:1:", "host_s2"},
	{"scenario x\nvm v\nvm v\n", "t.scn:3:4:", "already declared"},
	{"scenario x\nvm v\nregion r ipa=0x80000800 size=4K\n",
	 "t.scn:3:10:", "page aligned"},
	{"scenario x\nvm v\nregion r ipa=0x80000000 size=3K\n",
	 "t.scn:3:25:", "multiple of 4K"},
	{"scenario x\nvm v\nregion r ipa=0x80000000 size=4Q\n",
	 "t.scn:3:25:", "not a size"},
	{"scenario x\nvm v\nregion r size=4K\n", "t.scn:3:1:", "ipa="},
	{SCN_HEAD "region s ipa=0x80008000 size=4K\n",
	 "t.scn:4:1:", "overlaps region 'r'"},
	{SCN_HEAD "region s ipa=0x10000000 size=4K\n",
	 "t.scn:4:1:", "executor"},
	{"scenario x\nvm v ipa_bits=32\nregion r ipa=0xffff0000 size=128K\n",
	 "t.scn:3:1:", "IPA space"},
	{"scenario x\nvm v host_s2\nregion r pa=0x80000000 size=4K\n",
	 "t.scn:3:1:", "not RAM"},
	{SCN_HEAD "vcpu\n  read q\nend\n", "t.scn:5:8:", "no region 'q'"},
	{SCN_HEAD "vcpu\n  read r+64K\nend\n", "t.scn:5:8:", "past the end"},
	{SCN_HEAD "vcpu\n  loop 17\n  write r step=4K\n  end\nend\n",
	 "t.scn:6:9:", "past the end"},
	{SCN_HEAD "vcpu count=2\n  write r+60K vcpu_step=4K\nend\n",
	 "t.scn:5:9:", "past the end"},
	{SCN_HEAD "vcpu\n  read r+4\nend\n", "t.scn:5:8:", "multiples of 8"},
	{SCN_HEAD "vcpu\n  read r count=0\nend\n", "t.scn:5:10:", "count"},
	{SCN_HEAD "vcpu\n  read r fast\nend\n", "t.scn:5:10:", "does not take"},
	{SCN_HEAD "vcpu\n  jump r\nend\n", "t.scn:5:3:", "unknown operation"},
	{SCN_HEAD "vcpu\n  loop 2\n  read r\nend\n",
	 "t.scn:4:1:", "vcpu block has no `end`"},
	{SCN_HEAD "vcpu\n  read r\n", "t.scn:4:1:", "no `end`"},
	{SCN_HEAD "vcpu\nend\n", "t.scn:4:1:", "empty"},
	{SCN_HEAD "vcpu\n  loop 0\n  end\nend\n",
	 "t.scn:5:8:", "at least once"},
	{SCN_HEAD "vcpu\n  mmu sideways\nend\n", "t.scn:5:7:", "on or off"},
	{SCN_HEAD "vcpu\n  dirty later\nend\n", "t.scn:5:9:", "harvest"},
	{SCN_HEAD "vcpu\n  hvc 7\nend\n", "t.scn:5:7:", "hvc null"},
	{SCN_HEAD "vcpu\n  trap irq\nend\n", "t.scn:5:8:", "smc or pmu"},
	{SCN_HEAD "vcpu\n  delay 10\nend\n", "t.scn:5:9:", "duration"},
	{SCN_HEAD "vcpu\n  barrier now\nend\n", "t.scn:5:11:", "no arguments"},
	{SCN_HEAD "vcpu\n  end extra\nend\n", "t.scn:5:7:", "no arguments"},
	{SCN_HEAD "vcpu pcpu=1\n read r\nend\nvcpu pcpu=1\n read r\nend\n",
	 "t.scn:7:1:", "pCPU 1 already runs"},
	{SCN_HEAD
	 "vcpu\n  loop 1000\n    read r timed count=200 stride=8\n  end\nend\n",
	 "t.scn:6:5:", "time more than"},
	{SCN_HEAD, "t.scn:2:1:", "needs a region and a vcpu"},
	{"scenario x\ndescription \"open\n", "t.scn:2:13:", "not closed"},
	{"# nothing\n", "t.scn:1:1:", "no scenario"},
	{"scenario x\n", "t.scn:1:1:", "no VM"},
	{"scenario x\nrun smp=1\nvm v\nregion r ipa=0x80000000 size=4K\n"
	 "vcpu pcpu=3\nread r\nend\n",
	 "t.scn:5:1:", "pCPU 3"},
};

/** `trap smc` and `trap pmu` compile to the trap op with the trap to take. */
TEST(harness_scenario, trap_ops_compile)
{
	static const char text[] =
		SCN_HEAD "vcpu\n  trap smc\n  trap pmu\nend\n";
	struct scenario s;
	struct scn_diag d;

	ASSERT_EQ_INT(scenario_parse("t.scn", text, strlen(text), &s, &d), 0);
	ASSERT_EQ(s.vcpus[0].nops, 2u);
	EXPECT_EQ(s.ops[s.vcpus[0].first_op].code, GUEST_OP_TRAP);
	EXPECT_EQ(s.ops[s.vcpus[0].first_op].arg, (uint64_t)GUEST_TRAP_SMC);
	EXPECT_EQ(s.ops[s.vcpus[0].first_op + 1].arg, (uint64_t)GUEST_TRAP_PMU);
	scenario_free(&s);
}

/** Each malformed scenario is refused at the right line and column. */
TEST(harness_scenario, errors_point_at_the_mistake)
{
	scn_expect_refused(test_ctx, scn_bad_cases, ARRAY_SIZE(scn_bad_cases));
}

/** A NUL byte, control characters and CRLF line ends. */
TEST(harness_scenario, bytes_that_are_not_text)
{
	static const char nul[] = "scenario x\nvm v\0\n";
	static const char crlf[] =
		"scenario x\r\nvm v\r\nregion r ipa=0x80000000 "
		"size=4K\r\nvcpu\r\nread r\r\nend\r\n";
	struct scenario s;
	struct scn_diag d;

	EXPECT_EQ_INT(scenario_parse("t.scn", nul, sizeof(nul) - 1, &s, &d),
		      -ERR_INVAL);
	EXPECT_TRUE(strstr(d.msg, "t.scn:2:") == d.msg);
	scenario_free(&s);
	EXPECT_EQ_INT(scn_parse("scenario x\nvm v\x01w\n", &s, &d), -ERR_INVAL);
	EXPECT_TRUE(strstr(d.msg, "t.scn:2:5: control character") == d.msg);
	scenario_free(&s);
	EXPECT_EQ_INT(scn_parse(crlf, &s, &d), 0);
	EXPECT_EQ(s.nvcpus, 1u);
	scenario_free(&s);
}

/** A hint comes on its own line after the message. */
TEST(harness_scenario, diagnostics_format_with_a_hint)
{
	struct scenario s;
	struct scn_diag d;
	char text[2048];

	EXPECT_EQ_INT(scn_parse("scenario x\nrun timeout=3\n", &s, &d),
		      -ERR_INVAL);
	scn_diag_format(&d, text, sizeof(text));
	EXPECT_TRUE(strstr(text, "t.scn:2:5: '3' is not a duration\n  hint: "
				 "give a unit") == text);
	scenario_free(&s);
}

/** Random damage to a valid file never crashes the parser; errors name a place. */
TEST(harness_scenario, mutations_are_refused_cleanly)
{
	static const char bytes[] = " \n\"#+=xK09-_${}";
	size_t len = sizeof(scn_valid) - 1;
	char *buf = malloc(len + 1);
	unsigned seed = 12345;

	ASSERT_TRUE(buf != NULL);
	for (unsigned round = 0; round < 3000; round++) {
		struct scenario s;
		struct scn_diag d;
		int ret;

		memcpy(buf, scn_valid, len + 1);
		for (unsigned k = 0; k < 1 + round % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			buf[(seed >> 8) % len] =
				bytes[(seed >> 20) % (sizeof(bytes) - 1)];
		}
		ret = scenario_parse("t.scn", buf, len, &s, &d);
		if (ret != 0 &&
		    (ret != -ERR_INVAL || strncmp(d.msg, "t.scn:", 6) != 0)) {
			test_fail(test_ctx, __FILE__, __LINE__,
				  "round %u: %d \"%s\"", round, ret, d.msg);
			scenario_free(&s);
			break;
		}
		scenario_free(&s);
	}
	free(buf);
}
