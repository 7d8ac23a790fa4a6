/*
 * The rules of the checker about the context a TLBI runs in: the VMID
 * loaded in VTTBR_EL2 (3), and the ISB that makes a VTTBR_EL2 or HCR_EL2
 * write take effect before it (5).
 */
#include "check_internal.h"

/* Rule 3: VMID scope. */

static void vmid_step(struct ck *c, void *st, const struct ck_event *e)
{
	const struct ck_cpu *cpu = &c->cpu[e->cpu];
	uint64_t vmid = e->f[CK_F_VMID];

	(void)st;
	if (e->ev == CK_SWITCH) {
		if (e->s[CK_F_PHASE] == CK_S_ENTER && cpu->vttbr_known &&
		    cpu->vmid != vmid) {
			ck_fail(c, CHECK_RULE_VMID_SCOPE, e,
				ck_vmid(cpu->vttbr_index, vmid),
				"a vCPU of VMID %llu entered the guest with "
				"VMID %llu loaded (VTTBR_EL2 written at record "
				"%zu)",
				(unsigned long long)vmid,
				(unsigned long long)cpu->vmid,
				cpu->vttbr_index);
		}
		return;
	}
	if (!ck_tlbi_vmid_scoped(e->s[CK_F_OP])) {
		return;
	}
	if (!cpu->vttbr_known && !cpu->vttbr_lost) {
		ck_fail(c, CHECK_RULE_VMID_SCOPE, e,
			ck_vmid(CHECK_NO_INDEX, vmid),
			"TLBI for VMID %llu on a CPU with no VTTBR_EL2 write "
			"traced before it: the VMID it acts on is unknown",
			(unsigned long long)vmid);
	} else if (cpu->vttbr_known && cpu->vmid != vmid) {
		ck_fail(c, CHECK_RULE_VMID_SCOPE, e,
			ck_vmid(cpu->vttbr_index, vmid),
			"TLBI for VMID %llu ran with VMID %llu loaded "
			"(VTTBR_EL2 written at record %zu): it invalidated "
			"another VM's entries and left this VM's",
			(unsigned long long)vmid, (unsigned long long)cpu->vmid,
			cpu->vttbr_index);
	}
}

const struct ck_rule ck_rule_vmid_scope = {
	.desc = {CHECK_RULE_VMID_SCOPE, "VMID scope",
		 "every TLBI of a guest's entries runs with that guest's VMID "
		 "in VTTBR_EL2 (the TLBI's vmid field against the last "
		 "VTTBR_EL2 write on its CPU), and a vCPU enters its guest "
		 "with its own VMID loaded",
		 "Arm ARM D8.16 TLB maintenance (the VMID of TLBI ...E1 is "
		 "VTTBR_EL2.VMID); seed 000"},
	.events = CK_BIT(CK_TLBI) | CK_BIT(CK_SWITCH),
	.needs = CK_BIT(CK_TLBI) | CK_BIT(CK_SYSREG),
	.needs_switch = true,
	.state_size = 1,
	.step = vmid_step,
	.gap = NULL,
	.fini = NULL,
};

/* Rule 5: an ISB after a VTTBR_EL2 or HCR_EL2 write, before a TLBI. */

struct isb_state {
	struct {
		bool pending;
		uint8_t reg;
		size_t index;
	} cpu[TRACE_FILE_MAX_CPUS];
};

static void isb_step(struct ck *c, void *st, const struct ck_event *e)
{
	struct isb_state *s = st;
	uint8_t reg = e->s[CK_F_REG];

	switch (e->ev) {
	case CK_SYSREG:
		if (reg == CK_S_VTTBR || reg == CK_S_HCR) {
			s->cpu[e->cpu].pending = true;
			s->cpu[e->cpu].reg = reg;
			s->cpu[e->cpu].index = e->index;
		}
		break;
	case CK_ISB:
		s->cpu[e->cpu].pending = false;
		break;
	case CK_SWITCH:
		/* Exception return and entry synchronise context too. */
		if (e->s[CK_F_PHASE] == CK_S_ENTER ||
		    e->s[CK_F_PHASE] == CK_S_EXIT) {
			s->cpu[e->cpu].pending = false;
		}
		break;
	default:
		if (s->cpu[e->cpu].pending &&
		    ck_tlbi_vmid_scoped(e->s[CK_F_OP])) {
			ck_fail(c, CHECK_RULE_ISB, e,
				ck_vmid(s->cpu[e->cpu].index, e->f[CK_F_VMID]),
				"TLBI issued before an ISB synchronised the %s "
				"write (record %zu): it may still use the old "
				"VMID or stage-2 controls",
				s->cpu[e->cpu].reg == CK_S_VTTBR ? "VTTBR_EL2"
								 : "HCR_EL2",
				s->cpu[e->cpu].index);
		}
		break;
	}
}

static void isb_gap(struct ck *c, void *st, unsigned cpu)
{
	(void)c;
	((struct isb_state *)st)->cpu[cpu].pending = false;
}

const struct ck_rule ck_rule_isb = {
	.desc = {CHECK_RULE_ISB, "ISB after VTTBR/HCR writes",
		 "a write to VTTBR_EL2 or HCR_EL2 is synchronised (ISB, or an "
		 "exception entry or return) before a TLBI that depends on "
		 "it",
		 "Arm ARM D24.1.2.2 Synchronization requirements for AArch64 "
		 "System registers; seed 000"},
	.events = CK_BIT(CK_SYSREG) | CK_BIT(CK_ISB) | CK_BIT(CK_SWITCH) |
		  CK_BIT(CK_TLBI),
	.needs = CK_BIT(CK_SYSREG) | CK_BIT(CK_ISB) | CK_BIT(CK_TLBI),
	.needs_switch = true,
	.state_size = sizeof(struct isb_state),
	.step = isb_step,
	.gap = isb_gap,
	.fini = NULL,
};
