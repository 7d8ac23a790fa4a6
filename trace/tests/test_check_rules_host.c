/*
 * The rule checker, rule by rule: for each, a good trace as the
 * hypervisor emits it, and bad traces that break one step of it, each
 * caught by that rule and no other (check_fixture.h builds them).
 */
#include <faultline/test.h>

#include "check_fixture.h"

#define IPA UINT64_C(0x80000000)
#define PA UINT64_C(0x42e00000)

/*
 * Two CPUs, each running a vCPU of VMID 1 with its MMU and caches on (as
 * rw-ro-pingpong does).
 */
static void rules_two_vcpus(struct fx *x)
{
	fx_init(x, 2);
	for (unsigned v = 0; v < 2; v++) {
		FX(x, v, "sctlr_trap", {"vcpu", v}, {"vmid", 1}, {"old", 0},
		   {"new", 5}, {"caches_on", 1});
		fx_switch_in(x, v, v, 1);
	}
}

/*
 * A legacy fault that remaps IPA on CPU 0: shared (@ish) or local
 * invalidation, with or without the DSB before the TLBI (@dsb_first),
 * the TLBIs (@tlbi) and the DSBs that complete them (@dsb_after).
 */
static void rules_remap(struct fx *x, bool ish, bool dsb_first, bool tlbi,
			bool dsb_after)
{
	uint64_t share = ish ? TRACE_SHARE_ISH : TRACE_SHARE_NSH;

	fx_switch_out(x, 0, 0, 1);
	fx_fault_enter(x, 0, 0, 1, IPA, true);
	fx_lock(x, 0, 1, true);
	FX(x, 0, "bbm_break", {"entry", fx_entry(IPA)}, {"ipa", IPA},
	   {"level", 3}, {"old", fx_page_ro(PA)}, {"vmid", 1});
	if (dsb_first) {
		FX(x, 0, "dsb",
		   {"share", ish ? TRACE_SHARE_ISHST : TRACE_SHARE_NSHST});
	}
	if (tlbi) {
		FX(x, 0, "tlbi", {"op", TRACE_TLBI_OP_IPAS2E1}, {"addr", IPA},
		   {"level", 3}, {"share", share}, {"vmid", 1});
		if (dsb_after) {
			FX(x, 0, "dsb", {"share", share});
		}
		FX(x, 0, "tlbi", {"op", TRACE_TLBI_OP_VMALLE1},
		   {"share", share}, {"vmid", 1});
		if (dsb_after) {
			FX(x, 0, "dsb", {"share", share});
		}
	}
	FX(x, 0, "bbm_make", {"entry", fx_entry(IPA)}, {"ipa", IPA},
	   {"level", 3}, {"new", fx_page(PA)}, {"vmid", 1});
	FX(x, 0, "dsb", {"share", TRACE_SHARE_ISHST});
	fx_unlock(x, 0, 1, true);
	fx_fault_exit(x, 0, 0, 1, IPA, TRACE_OUTCOME_REMAPPED,
		      TRACE_POLICY_LEGACY);
	fx_switch_in(x, 0, 0, 1);
}

/** Rule 1 good: break, DSB, shared TLBI, DSB, make, DSB; a fresh map; a relax. */
TEST(check_bbm, good_sequences_are_clean)
{
	struct fx x;

	rules_two_vcpus(&x);
	fx_legacy_remap(&x, 0, 0, 1, IPA);
	fx_switch_out(&x, 1, 1, 1);
	fx_fault_enter(&x, 1, 1, 1, IPA + 0x1000, false);
	fx_lock(&x, 1, 1, false);
	FX(&x, 1, "pte_write", {"entry", fx_entry(IPA + 0x1000)},
	   {"ipa", IPA + 0x1000}, {"level", 3}, {"old", 0},
	   {"new", fx_page(PA + 0x1000)}, {"vmid", 1});
	FX(&x, 1, "dsb", {"share", TRACE_SHARE_ISHST});
	fx_unlock(&x, 1, 1, false);
	fx_fault_exit(&x, 1, 1, 1, IPA + 0x1000, TRACE_OUTCOME_MAPPED,
		      TRACE_POLICY_PREJUDGE);
	fx_switch_in(&x, 1, 1, 1);
	EXPECT_EQ(fx_check(&x, 0), 0u);
	fx_free(&x);
}

/** Rule 1 bad: no TLBI between break and make (bug=skip_tlbi). */
TEST(check_bbm, make_without_tlbi)
{
	struct fx x;

	rules_two_vcpus(&x);
	rules_remap(&x, true, true, false, true);
	EXPECT_EQ(fx_check(&x, CHECK_RULE_BBM), 1u);
	EXPECT_EQ(fx_check(&x, 0), 1u);
	ASSERT_EQ(x.res.nv, 1u);
	EXPECT_TRUE(x.res.v[0].has_ipa && x.res.v[0].ipa == IPA);
	EXPECT_TRUE(x.res.v[0].has_vmid && x.res.v[0].vmid == 1);
	EXPECT_EQ(x.res.v[0].cpu, 0u);
	fx_free(&x);
}

/** Rule 1 bad: the TLBI before a DSB made the invalid entry visible. */
TEST(check_bbm, tlbi_before_the_break_is_visible)
{
	struct fx x;

	rules_two_vcpus(&x);
	rules_remap(&x, true, false, true, true);
	EXPECT_EQ(fx_check(&x, CHECK_RULE_BBM), 1u);
	EXPECT_EQ(fx_check(&x, 0), 1u);
	fx_free(&x);
}

/** Rule 1 bad: the TLBI not completed by a DSB before the make (rule 2 sees the order). */
TEST(check_bbm, tlbi_not_completed_before_make)
{
	struct fx x;

	rules_two_vcpus(&x);
	rules_remap(&x, true, true, true, false);
	EXPECT_EQ(fx_check(&x, CHECK_RULE_BBM), 1u);
	fx_free(&x);
}

/** Rule 1 bad: a local TLBI while another CPU has run the VMID. */
TEST(check_bbm, local_tlbi_of_a_shared_vmid)
{
	struct fx x;

	rules_two_vcpus(&x);
	rules_remap(&x, false, true, true, true);
	EXPECT_EQ(fx_check(&x, CHECK_RULE_BBM), 1u);
	EXPECT_EQ(fx_check(&x, 0), 1u);
	fx_free(&x);
	/* Good: the same when only this CPU ever ran the VMID. */
	fx_init(&x, 2);
	fx_switch_in(&x, 0, 0, 1);
	rules_remap(&x, false, true, true, true);
	EXPECT_EQ(fx_check(&x, 0), 0u);
	fx_free(&x);
}

/** Rule 1 bad: a valid entry replaced by another in one write; a make with no break. */
TEST(check_bbm, replaced_without_a_break)
{
	struct fx x;

	rules_two_vcpus(&x);
	fx_switch_out(&x, 0, 0, 1);
	fx_lock(&x, 0, 1, true);
	FX(&x, 0, "pte_write", {"entry", fx_entry(IPA)}, {"ipa", IPA},
	   {"level", 3}, {"old", fx_page(PA)}, {"new", fx_page(PA + 0x200000)},
	   {"vmid", 1});
	FX(&x, 0, "dsb", {"share", TRACE_SHARE_ISHST});
	FX(&x, 0, "bbm_make", {"entry", fx_entry(IPA)}, {"ipa", IPA},
	   {"level", 3}, {"new", fx_page(PA)}, {"vmid", 1});
	FX(&x, 0, "dsb", {"share", TRACE_SHARE_ISHST});
	fx_unlock(&x, 0, 1, true);
	EXPECT_EQ(fx_check(&x, CHECK_RULE_BBM), 2u);
	EXPECT_EQ(fx_check(&x, 0), 2u);
	fx_free(&x);
}

/** Rule 1 bad: a break never made, and a write-protect never invalidated, at the unlock. */
TEST(check_bbm, left_broken_or_stale_at_unlock)
{
	struct fx x;

	rules_two_vcpus(&x);
	fx_switch_out(&x, 0, 0, 1);
	fx_lock(&x, 0, 1, true);
	FX(&x, 0, "bbm_break", {"entry", fx_entry(IPA)}, {"ipa", IPA},
	   {"level", 3}, {"old", fx_page(PA)}, {"vmid", 1});
	fx_inval_ipa(&x, 0, IPA, 3, 1, true);
	FX(&x, 0, "pte_write", {"entry", fx_entry(IPA + 0x1000)},
	   {"ipa", IPA + 0x1000}, {"level", 3}, {"old", fx_page(PA + 0x1000)},
	   {"new", fx_page_ro(PA + 0x1000)}, {"vmid", 1});
	FX(&x, 0, "dsb", {"share", TRACE_SHARE_ISHST});
	fx_unlock(&x, 0, 1, true);
	EXPECT_EQ(fx_check(&x, CHECK_RULE_BBM), 2u);
	EXPECT_EQ(fx_check(&x, 0), 2u);
	fx_free(&x);
	/* Good: write-protect, then one VMID-wide invalidation (wrprotect). */
	rules_two_vcpus(&x);
	fx_lock(&x, 0, 1, true);
	for (uint64_t p = 0; p < 4; p++) {
		FX(&x, 0, "pte_write", {"entry", fx_entry(IPA + p * 0x1000)},
		   {"ipa", IPA + p * 0x1000}, {"level", 3},
		   {"old", fx_page(PA + p * 0x1000)},
		   {"new", fx_page_ro(PA + p * 0x1000)}, {"vmid", 1});
	}
	fx_inval_vmid(&x, 0, 1, true);
	fx_unlock(&x, 0, 1, true);
	EXPECT_EQ(fx_check(&x, 0), 0u);
	fx_free(&x);
}

/** Rule 2 good: by IPA, DSB, VMALLE1, DSB; a table replaced with VMALLS12E1. */
TEST(check_order, good_sequences_are_clean)
{
	struct fx x;

	rules_two_vcpus(&x);
	fx_legacy_remap(&x, 1, 1, 1, IPA);
	fx_lock(&x, 0, 1, true);
	FX(&x, 0, "bbm_break", {"entry", 0x42897000}, {"ipa", IPA},
	   {"level", 2}, {"old", fx_table(0x42898000)}, {"vmid", 1});
	fx_inval_vmid(&x, 0, 1, true);
	FX(&x, 0, "bbm_make", {"entry", 0x42897000}, {"ipa", IPA}, {"level", 2},
	   {"new", 0}, {"vmid", 1});
	FX(&x, 0, "dsb", {"share", TRACE_SHARE_ISHST});
	fx_unlock(&x, 0, 1, true);
	EXPECT_EQ(fx_check(&x, 0), 0u);
	fx_free(&x);
}

/** Rule 2 bad: VMALLE1 before a DSB completed the invalidation by IPA (bug=skip_dsb). */
TEST(check_order, stage1_before_stage2_completed)
{
	struct fx x;

	rules_two_vcpus(&x);
	fx_lock(&x, 0, 1, true);
	FX(&x, 0, "bbm_break", {"entry", fx_entry(IPA)}, {"ipa", IPA},
	   {"level", 3}, {"old", fx_page(PA)}, {"vmid", 1});
	FX(&x, 0, "dsb", {"share", TRACE_SHARE_ISHST});
	FX(&x, 0, "tlbi", {"op", TRACE_TLBI_OP_IPAS2E1}, {"addr", IPA},
	   {"level", 3}, {"share", TRACE_SHARE_ISH}, {"vmid", 1});
	FX(&x, 0, "tlbi", {"op", TRACE_TLBI_OP_VMALLE1},
	   {"share", TRACE_SHARE_ISH}, {"vmid", 1});
	FX(&x, 0, "dsb", {"share", TRACE_SHARE_ISH});
	FX(&x, 0, "bbm_make", {"entry", fx_entry(IPA)}, {"ipa", IPA},
	   {"level", 3}, {"new", fx_page(PA)}, {"vmid", 1});
	FX(&x, 0, "dsb", {"share", TRACE_SHARE_ISHST});
	fx_unlock(&x, 0, 1, true);
	EXPECT_EQ(fx_check(&x, CHECK_RULE_INVAL_ORDER), 1u);
	EXPECT_EQ(fx_check(&x, 0), 1u);
	fx_free(&x);
}

/** Rule 2 bad: no stage-1 invalidation; a local one after a shared one. */
TEST(check_order, stage1_missing_or_narrower)
{
	struct fx x;

	rules_two_vcpus(&x);
	fx_lock(&x, 0, 1, false);
	FX(&x, 0, "dsb", {"share", TRACE_SHARE_ISHST});
	FX(&x, 0, "tlbi", {"op", TRACE_TLBI_OP_IPAS2E1}, {"addr", IPA},
	   {"level", 3}, {"share", TRACE_SHARE_ISH}, {"vmid", 1});
	FX(&x, 0, "dsb", {"share", TRACE_SHARE_ISH});
	fx_unlock(&x, 0, 1, false);
	EXPECT_EQ(fx_check(&x, CHECK_RULE_INVAL_ORDER), 1u);
	fx_free(&x);

	rules_two_vcpus(&x);
	FX(&x, 0, "dsb", {"share", TRACE_SHARE_ISHST});
	FX(&x, 0, "tlbi", {"op", TRACE_TLBI_OP_IPAS2E1}, {"addr", IPA},
	   {"level", 3}, {"share", TRACE_SHARE_ISH}, {"vmid", 1});
	FX(&x, 0, "dsb", {"share", TRACE_SHARE_ISH});
	FX(&x, 0, "tlbi", {"op", TRACE_TLBI_OP_VMALLE1},
	   {"share", TRACE_SHARE_NSH}, {"vmid", 1});
	FX(&x, 0, "dsb", {"share", TRACE_SHARE_ISH});
	fx_switch_out(&x, 0, 0, 1);
	fx_switch_in(&x, 0, 0, 1);
	EXPECT_EQ(fx_check(&x, CHECK_RULE_INVAL_ORDER), 1u);
	EXPECT_EQ(fx_check(&x, 0), 1u);
	fx_free(&x);
}

/** Rule 2 bad: a table entry invalidated by IPA only; a last TLBI never completed. */
TEST(check_order, table_by_ipa_and_uncompleted_tlbi)
{
	struct fx x;

	rules_two_vcpus(&x);
	fx_lock(&x, 0, 1, true);
	FX(&x, 0, "bbm_break", {"entry", 0x42897000}, {"ipa", IPA},
	   {"level", 2}, {"old", fx_table(0x42898000)}, {"vmid", 1});
	fx_inval_ipa(&x, 0, IPA, 2, 1, true);
	FX(&x, 0, "bbm_make", {"entry", 0x42897000}, {"ipa", IPA}, {"level", 2},
	   {"new", 0}, {"vmid", 1});
	FX(&x, 0, "dsb", {"share", TRACE_SHARE_ISHST});
	FX(&x, 0, "tlbi", {"op", TRACE_TLBI_OP_VMALLS12E1},
	   {"share", TRACE_SHARE_ISH}, {"vmid", 1});
	fx_unlock(&x, 0, 1, true);
	EXPECT_EQ(fx_check(&x, CHECK_RULE_INVAL_ORDER), 2u);
	EXPECT_EQ(fx_check(&x, 0), 2u);
	fx_free(&x);
}

/** Rule 3 good: the VMID switched for the invalidation and restored. */
TEST(check_vmid, switched_vmid_is_clean)
{
	struct fx x;

	rules_two_vcpus(&x);
	FX(&x, 0, "sysreg_write", {"reg", TRACE_SYSREG_VTTBR_EL2},
	   {"value", UINT64_C(2) << 48 | 0x42a90000});
	FX(&x, 0, "isb", {"site", TRACE_ISB_SITE_SYSREG});
	fx_inval_ipa(&x, 0, IPA, 3, 2, true);
	FX(&x, 0, "sysreg_write", {"reg", TRACE_SYSREG_VTTBR_EL2},
	   {"value", UINT64_C(1) << 48 | 0x42990000});
	FX(&x, 0, "isb", {"site", TRACE_ISB_SITE_SYSREG});
	fx_switch_out(&x, 0, 0, 1);
	EXPECT_EQ(fx_check(&x, 0), 0u);
	fx_free(&x);
}

/** Rule 3 bad: a TLBI for VMID 2 with VMID 1 loaded; a guest entered with the wrong VMID; no VMID at all. */
TEST(check_vmid, wrong_or_unknown_vmid)
{
	struct fx x;

	rules_two_vcpus(&x);
	fx_inval_ipa(&x, 0, IPA, 3, 2, true);
	EXPECT_EQ(fx_check(&x, CHECK_RULE_VMID_SCOPE), 2u);
	EXPECT_EQ(fx_check(&x, 0), 2u);
	fx_free(&x);

	fx_init(&x, 1);
	fx_switch_in(&x, 0, 0, 1);
	fx_switch_out(&x, 0, 0, 1);
	FX(&x, 0, "sysreg_write", {"reg", TRACE_SYSREG_VTTBR_EL2},
	   {"value", UINT64_C(2) << 48});
	FX(&x, 0, "world_switch", {"phase", TRACE_SWITCH_PHASE_ENTER},
	   {"vcpu", 0}, {"vmid", 1});
	EXPECT_EQ(fx_check(&x, CHECK_RULE_VMID_SCOPE), 1u);
	fx_free(&x);

	fx_init(&x, 1);
	fx_inval_vmid(&x, 0, 1, false);
	EXPECT_EQ(fx_check(&x, CHECK_RULE_VMID_SCOPE), 1u);
	EXPECT_EQ(fx_check(&x, 0), 1u);
	fx_free(&x);
}

/* A permission fault of vCPU 1 that finds the entry already relaxed. */
static void rules_lost_race(struct fx *x, uint64_t policy, bool invalidate)
{
	rules_two_vcpus(x);
	fx_switch_out(x, 1, 1, 1);
	fx_fault_enter(x, 1, 1, 1, IPA, true);
	fx_lock(x, 1, 1, false);
	FX(x, 1, "s2_backoff", {"ipa", IPA}, {"level", 3}, {"pte", fx_page(PA)},
	   {"why", TRACE_BACKOFF_ALREADY}, {"vmid", 1});
	if (invalidate) {
		fx_inval_ipa(x, 1, IPA, 3, 1, false);
	}
	fx_unlock(x, 1, 1, false);
	fx_fault_exit(x, 1, 1, 1, IPA, TRACE_OUTCOME_SPURIOUS, policy);
	fx_switch_in(x, 1, 1, 1);
}

/** Rule 4 good: the loser invalidates locally; legacy never promises it. */
TEST(check_race, local_invalidation_is_clean)
{
	struct fx x;

	rules_lost_race(&x, TRACE_POLICY_PREJUDGE, true);
	EXPECT_EQ(fx_check(&x, 0), 0u);
	fx_free(&x);
	rules_lost_race(&x, TRACE_POLICY_LEGACY, false);
	EXPECT_EQ(fx_check(&x, 0), 0u);
	fx_free(&x);
}

/** Rule 4 bad: the loser resumes without invalidating (bug=no_local_inval). */
TEST(check_race, resumed_without_invalidating)
{
	struct fx x;

	rules_lost_race(&x, TRACE_POLICY_PREJUDGE, false);
	EXPECT_EQ(fx_check(&x, CHECK_RULE_LOST_RACE), 1u);
	EXPECT_EQ(fx_check(&x, 0), 1u);
	ASSERT_EQ(x.res.nv, 1u);
	EXPECT_EQ(x.res.v[0].cpu, 1u);
	EXPECT_EQ(x.res.v[0].ipa, IPA);
	fx_free(&x);
}

/** Rule 5 good: an ISB between the VTTBR write and the TLBI; bad: none. */
TEST(check_isb, tlbi_after_vttbr_or_hcr_write)
{
	struct fx x;

	fx_init(&x, 1);
	fx_switch_in(&x, 0, 0, 1);
	fx_switch_out(&x, 0, 0, 1);
	FX(&x, 0, "sysreg_write", {"reg", TRACE_SYSREG_VTTBR_EL2},
	   {"value", UINT64_C(1) << 48});
	FX(&x, 0, "isb", {"site", TRACE_ISB_SITE_SYSREG});
	fx_inval_vmid(&x, 0, 1, false);
	EXPECT_EQ(fx_check(&x, 0), 0u);
	FX(&x, 0, "sysreg_write", {"reg", TRACE_SYSREG_VTTBR_EL2},
	   {"value", UINT64_C(1) << 48});
	fx_inval_vmid(&x, 0, 1, false);
	FX(&x, 0, "sysreg_write", {"reg", TRACE_SYSREG_HCR_EL2},
	   {"value", 0x80000000});
	fx_inval_vmid(&x, 0, 1, false);
	EXPECT_EQ(fx_check(&x, CHECK_RULE_ISB), 2u);
	EXPECT_EQ(fx_check(&x, 0), 2u);
	fx_free(&x);
}

/** Rule 6 bad: guest state loaded before the drain; no drain; profiling back on too early. */
TEST(check_spe, drain_order)
{
	struct fx x;

	fx_init(&x, 1);
	FX(&x, 0, "world_switch", {"phase", TRACE_SWITCH_PHASE_ENTER_BEGIN},
	   {"vcpu", 0}, {"vmid", 1});
	FX(&x, 0, "world_switch", {"phase", TRACE_SWITCH_PHASE_GUEST_S1_LOADED},
	   {"vcpu", 0}, {"vmid", 1});
	FX(&x, 0, "spe_drain", {"present", 1}, {"pmscr", 3}, {"vcpu", 0});
	FX(&x, 0, "world_switch", {"phase", TRACE_SWITCH_PHASE_ENTER},
	   {"vcpu", 0}, {"vmid", 1});
	fx_switch_out(&x, 0, 0, 1);
	EXPECT_EQ(fx_check(&x, CHECK_RULE_SPE), 1u);
	fx_free(&x);

	fx_init(&x, 1);
	FX(&x, 0, "world_switch", {"phase", TRACE_SWITCH_PHASE_ENTER_BEGIN},
	   {"vcpu", 0}, {"vmid", 1});
	FX(&x, 0, "sysreg_write", {"reg", TRACE_SYSREG_HCR_EL2},
	   {"value", 0x8448003b});
	FX(&x, 0, "world_switch", {"phase", TRACE_SWITCH_PHASE_ENTER},
	   {"vcpu", 0}, {"vmid", 1});
	FX(&x, 0, "world_switch", {"phase", TRACE_SWITCH_PHASE_EXIT},
	   {"vcpu", 0}, {"vmid", 1});
	FX(&x, 0, "sysreg_write", {"reg", TRACE_SYSREG_PMSCR_EL1},
	   {"value", 3});
	FX(&x, 0, "world_switch", {"phase", TRACE_SWITCH_PHASE_HOST_RESTORED},
	   {"vcpu", 0}, {"vmid", 1});
	EXPECT_EQ(fx_check(&x, CHECK_RULE_SPE), 2u);
	EXPECT_EQ(fx_check(&x, 0), 2u);
	fx_free(&x);

	/* Good: drain first, profiling back after the host is restored. */
	fx_init(&x, 1);
	fx_switch_in(&x, 0, 0, 1);
	fx_switch_out(&x, 0, 0, 1);
	FX(&x, 0, "sysreg_write", {"reg", TRACE_SYSREG_PMSCR_EL1},
	   {"value", 3});
	EXPECT_EQ(fx_check(&x, 0), 0u);
	fx_free(&x);
}

/* A translation fault of VMID @vmid mapping @new, cleaning @clean first. */
static void rules_first_map(struct fx *x, uint64_t vmid, uint64_t new_pte,
			    uint64_t clean, bool caches_on)
{
	fx_init(x, 1);
	fx_switch_in(x, 0, 0, vmid);
	fx_switch_out(x, 0, 0, vmid);
	FX(x, 0, "sctlr_trap", {"vcpu", 0}, {"vmid", vmid}, {"old", 0},
	   {"new", caches_on ? 5 : 0}, {"caches_on", caches_on});
	fx_fault_enter(x, 0, 0, vmid, IPA, false);
	if (clean != 0) {
		FX(x, 0, "cmo", {"op", TRACE_CMO_OP_CIVAC},
		   {"why", TRACE_CMO_WHY_FIRST_MAP}, {"addr", clean},
		   {"size", 0x1000}, {"vmid", vmid});
	}
	fx_lock(x, 0, vmid, false);
	FX(x, 0, "pte_write", {"entry", fx_entry(IPA)}, {"ipa", IPA},
	   {"level", 3}, {"old", 0}, {"new", new_pte}, {"vmid", vmid});
	FX(x, 0, "dsb", {"share", TRACE_SHARE_ISHST});
	fx_unlock(x, 0, vmid, false);
	fx_fault_exit(x, 0, 0, vmid, IPA, TRACE_OUTCOME_MAPPED,
		      TRACE_POLICY_PREJUDGE);
}

/** Rule 7 good: cleaned first; caches on; Device memory; the host (VMID 0). */
TEST(check_cmo, cleaned_or_not_needed)
{
	struct fx x;

	rules_first_map(&x, 1, fx_page(PA), PA, false);
	EXPECT_EQ(fx_check(&x, 0), 0u);
	fx_free(&x);
	rules_first_map(&x, 1, fx_page(PA), 0, true);
	EXPECT_EQ(fx_check(&x, 0), 0u);
	fx_free(&x);
	/* MemAttr 0b0001: Device-nGnRE. */
	rules_first_map(&x, 1, (fx_page(PA) & ~UINT64_C(0x3c)) | 0x4, 0, false);
	EXPECT_EQ(fx_check(&x, 0), 0u);
	fx_free(&x);
	rules_first_map(&x, 0, fx_page(PA), 0, false);
	EXPECT_EQ(fx_check(&x, 0), 0u);
	fx_free(&x);
}

/** Rule 7 bad: Normal memory mapped with caches off, not cleaned or another page cleaned. */
TEST(check_cmo, mapped_without_cleaning)
{
	struct fx x;

	rules_first_map(&x, 1, fx_page(PA), 0, false);
	EXPECT_EQ(fx_check(&x, CHECK_RULE_CMO), 1u);
	EXPECT_EQ(fx_check(&x, 0), 1u);
	fx_free(&x);
	rules_first_map(&x, 1, fx_page(PA), PA + 0x1000, false);
	EXPECT_EQ(fx_check(&x, CHECK_RULE_CMO), 1u);
	fx_free(&x);
}

/** Rule 8 good: maps under the read side, unmap and write-protect under the write side. */
TEST(check_lock, writes_under_the_lock)
{
	struct fx x;

	rules_two_vcpus(&x);
	fx_lock(&x, 0, 1, false);
	FX(&x, 0, "pte_write", {"entry", fx_entry(IPA)}, {"ipa", IPA},
	   {"level", 3}, {"old", 0}, {"new", fx_page_ro(PA)}, {"vmid", 1});
	FX(&x, 0, "dsb", {"share", TRACE_SHARE_ISHST});
	fx_unlock(&x, 0, 1, false);
	fx_lock(&x, 0, 1, true);
	fx_bbm(&x, 0, IPA, fx_page_ro(PA), 0, 1);
	fx_unlock(&x, 0, 1, true);
	EXPECT_EQ(fx_check(&x, 0), 0u);
	fx_free(&x);
}

/** Rule 8 bad: no lock; an unmap under the read side; unlock not held; into the guest with it. */
TEST(check_lock, writes_without_the_right_lock)
{
	struct fx x;

	rules_two_vcpus(&x);
	FX(&x, 0, "pte_write", {"entry", fx_entry(IPA)}, {"ipa", IPA},
	   {"level", 3}, {"old", 0}, {"new", fx_page_ro(PA)}, {"vmid", 1});
	FX(&x, 0, "dsb", {"share", TRACE_SHARE_ISHST});
	fx_lock(&x, 0, 1, false);
	fx_bbm(&x, 0, IPA, fx_page_ro(PA), 0, 1);
	fx_unlock(&x, 0, 1, false);
	fx_unlock(&x, 1, 1, true);
	EXPECT_EQ(fx_check(&x, CHECK_RULE_LOCK), 3u);
	EXPECT_EQ(fx_check(&x, 0), 3u);
	fx_free(&x);

	fx_init(&x, 1);
	fx_lock(&x, 0, 1, false);
	fx_lock(&x, 0, 1, false);
	fx_switch_in(&x, 0, 0, 1);
	EXPECT_EQ(fx_check(&x, CHECK_RULE_LOCK), 2u);
	fx_free(&x);
}
