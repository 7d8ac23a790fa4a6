/*
 * The fault-path rules of the checker: the lost relax race (4), the SPE
 * drain in the world switch (6), cache maintenance while a guest's caches
 * are off (7) and the table lock (8).
 */
#include <string.h>

#include "check_internal.h"

/* Rule 4: invalidation after a lost race. */

/*
 * Whether a policy promises the local invalidation after a lost relax
 * race (hyp/core/fault_policy.c's inval_on_relax_retry). A policy the
 * checker does not know is held to it: resuming on a TLB entry that
 * caused the fault is the 2023 livelock whatever the policy is called.
 */
static const struct {
	const char *name;
	bool invalidates;
} race_policies[] = {
	/* Never relaxes in place, so never loses a relax race. */
	{"legacy", false},
	{"prejudge", true},
};

static bool race_required(const struct ck *c, uint64_t policy)
{
	const char *name = trace_data_enum_name(c->td, "POLICY", policy);

	for (size_t i = 0; name != NULL && i < ARRAY_SIZE(race_policies); i++) {
		if (strcmp(race_policies[i].name, name) == 0) {
			return race_policies[i].invalidates;
		}
	}
	return true;
}

struct race_cpu {
	/* The fault found its permission change already made. */
	bool lost;
	size_t index;
	uint64_t ipa, level, vmid;
	/* ... and this CPU then invalidated that IPA. */
	bool invalidated;
};

struct race_state {
	struct race_cpu cpu[TRACE_FILE_MAX_CPUS];
};

static void race_step(struct ck *c, void *st, const struct ck_event *e)
{
	struct race_state *rs = st;
	const struct ck_cpu *cpu = &c->cpu[e->cpu];
	struct race_cpu *s = &rs->cpu[e->cpu];

	switch (e->ev) {
	case CK_FAULT_ENTER:
		memset(s, 0, sizeof(*s));
		break;
	case CK_BACKOFF:
		if (cpu->in_fault && e->s[CK_F_WHY] == CK_S_ALREADY &&
		    !s->lost) {
			s->lost = true;
			s->index = e->index;
			s->ipa = e->f[CK_F_IPA];
			s->level = e->f[CK_F_LEVEL];
			s->vmid = e->f[CK_F_VMID];
		}
		break;
	case CK_TLBI:
		if (s->lost &&
		    ck_tlbi_covers(e, s->ipa, s->level, s->vmid, false)) {
			s->invalidated = true;
		}
		break;
	default:
		if (s->lost && !s->invalidated &&
		    race_required(c, e->f[CK_F_POLICY])) {
			const char *pol = trace_data_enum_name(
				c->td, "POLICY", e->f[CK_F_POLICY]);

			ck_fail(c, CHECK_RULE_LOST_RACE, e,
				ck_at(s->index, s->ipa, s->vmid),
				"vCPU %llu lost the relax race (the entry was "
				"already relaxed, record %zu) and resumed "
				"without invalidating the IPA in its own TLB, "
				"which may keep the narrower entry; policy %s "
				"requires it (the 2023 KVM livelock)",
				(unsigned long long)e->f[CK_F_VCPU], s->index,
				pol != NULL ? pol : "?");
		}
		memset(s, 0, sizeof(*s));
		break;
	}
}

static void race_gap(struct ck *c, void *st, unsigned cpu)
{
	struct race_state *rs = st;

	(void)c;
	memset(&rs->cpu[cpu], 0, sizeof(rs->cpu[cpu]));
}

const struct ck_rule ck_rule_lost_race = {
	.desc = {CHECK_RULE_LOST_RACE, "invalidation after a lost race",
		 "a fault whose permission change another CPU already made "
		 "(s2_backoff already) invalidates the IPA on its own CPU "
		 "before it resumes the guest, when its policy requires it",
		 "seed 002; KVM 2023 (stage2 relax_perms: local invalidation "
		 "on -EAGAIN), docs/stage2.md"},
	.events = CK_BIT(CK_FAULT_ENTER) | CK_BIT(CK_BACKOFF) |
		  CK_BIT(CK_TLBI) | CK_BIT(CK_FAULT_EXIT),
	.needs = CK_BIT(CK_FAULT_ENTER) | CK_BIT(CK_BACKOFF) | CK_BIT(CK_TLBI) |
		 CK_BIT(CK_FAULT_EXIT),
	.state_size = sizeof(struct race_state),
	.step = race_step,
	.gap = race_gap,
	.fini = NULL,
};

/* Rule 6: the SPE drain in each world switch. */

struct spe_cpu {
	/* Between enter_begin and enter. */
	bool entering;
	bool drained;
	bool reported;
	size_t index;
	/* Between exit and exit_end. */
	bool exiting;
	bool restored;
	size_t exit_index;
};

struct spe_state {
	struct spe_cpu cpu[TRACE_FILE_MAX_CPUS];
};

static void spe_early(struct ck *c, struct spe_state *ss,
		      const struct ck_event *e, const char *what)
{
	struct spe_cpu *s = &ss->cpu[e->cpu];

	if (!s->entering || s->drained || s->reported) {
		return;
	}
	/* One report per switch: what came first is what matters. */
	s->reported = true;
	ck_fail(c, CHECK_RULE_SPE, e, ck_none(s->index),
		"%s before the SPE buffer was drained (world switch from "
		"record %zu): the profiler could write through the guest's "
		"translation",
		what, s->index);
}

static void spe_switch(struct ck *c, struct spe_state *ss,
		       const struct ck_event *e)
{
	struct spe_cpu *s = &ss->cpu[e->cpu];

	switch (e->s[CK_F_PHASE]) {
	case CK_S_ENTER_BEGIN:
		s->entering = true;
		s->drained = false;
		s->reported = false;
		s->index = e->index;
		break;
	case CK_S_GUEST_S1_LOADED:
		spe_early(c, ss, e, "the guest's stage 1 was loaded");
		break;
	case CK_S_ENTER:
		spe_early(c, ss, e, "the guest was entered");
		s->entering = false;
		break;
	case CK_S_EXIT:
		s->exiting = true;
		s->restored = false;
		s->exit_index = e->index;
		break;
	case CK_S_HOST_RESTORED:
		s->restored = true;
		break;
	case CK_S_EXIT_END:
		s->exiting = false;
		break;
	default:
		break;
	}
}

static void spe_step(struct ck *c, void *st, const struct ck_event *e)
{
	struct spe_state *ss = st;
	struct spe_cpu *s = &ss->cpu[e->cpu];
	uint8_t reg = e->s[CK_F_REG];

	if (e->ev == CK_SWITCH) {
		spe_switch(c, ss, e);
	} else if (e->ev == CK_SPE_DRAIN) {
		s->drained |= s->entering;
	} else if (reg == CK_S_HCR) {
		spe_early(c, ss, e, "HCR_EL2 was written for the guest");
	} else if (reg == CK_S_MDCR) {
		spe_early(c, ss, e, "MDCR_EL2 was written for the guest");
	} else if (reg == CK_S_VTTBR) {
		spe_early(c, ss, e, "VTTBR_EL2 was written for the guest");
	} else if (reg == CK_S_PMSCR && s->exiting && !s->restored) {
		ck_fail(c, CHECK_RULE_SPE, e, ck_none(s->exit_index),
			"profiling re-enabled (PMSCR_EL1) before the host's "
			"state was restored (world switch exit at record %zu)",
			s->exit_index);
	}
}

static void spe_gap(struct ck *c, void *st, unsigned cpu)
{
	struct spe_state *ss = st;

	(void)c;
	memset(&ss->cpu[cpu], 0, sizeof(ss->cpu[cpu]));
}

const struct ck_rule ck_rule_spe = {
	.desc = {CHECK_RULE_SPE, "SPE drain order",
		 "each guest entry drains the SPE buffer (spe_drain) before "
		 "the guest's stage 1, HCR_EL2, MDCR_EL2 or VTTBR_EL2 is "
		 "loaded, and each exit re-enables profiling only after the "
		 "host's state is restored",
		 "seed 003 (nvhe: Save the SPE context early); Arm ARM D13 "
		 "(SPE) owning translation regime"},
	.events = CK_BIT(CK_SWITCH) | CK_BIT(CK_SPE_DRAIN) | CK_BIT(CK_SYSREG),
	.needs = CK_BIT(CK_SWITCH) | CK_BIT(CK_SPE_DRAIN) | CK_BIT(CK_SYSREG),
	.needs_switch = true,
	.state_size = sizeof(struct spe_state),
	.step = spe_step,
	.gap = spe_gap,
	.fini = NULL,
};

/* Rule 7: cache maintenance before a mapping while caches are off. */

/* Most VMs and cleaned ranges per fault the rule tracks. */
#define CMO_MAX_VMS 64
#define CMO_MAX_CLEANED 8

struct cmo_state {
	/* Per VM: the vCPUs with MMU and caches on (vcpu mod 64). */
	struct {
		uint64_t vmid;
		uint64_t on;
	} vm[CMO_MAX_VMS];
	unsigned nvms;
	/* Per CPU: what the fault in progress cleaned. */
	struct {
		uint64_t pa[CMO_MAX_CLEANED];
		uint64_t size[CMO_MAX_CLEANED];
		unsigned n;
		/* Events lost in this fault: what it cleaned is unknown. */
		bool lost;
	} cpu[TRACE_FILE_MAX_CPUS];
};

static uint64_t *cmo_vm_on(struct cmo_state *s, uint64_t vmid)
{
	for (unsigned i = 0; i < s->nvms; i++) {
		if (s->vm[i].vmid == vmid) {
			return &s->vm[i].on;
		}
	}
	if (s->nvms == CMO_MAX_VMS) {
		return NULL;
	}
	s->vm[s->nvms].vmid = vmid;
	s->vm[s->nvms].on = 0;
	return &s->vm[s->nvms++].on;
}

static void cmo_map(struct ck *c, struct cmo_state *s, const struct ck_event *e)
{
	uint64_t old = e->f[CK_F_OLD], new_pte = e->f[CK_F_NEW];
	uint64_t level = e->f[CK_F_LEVEL], vmid = e->f[CK_F_VMID];
	uint64_t pa = ck_pte_oa(new_pte, level), size = ck_level_size(level);
	const uint64_t *on;

	/* VMID 0 is the host's (pKVM's convention): it keeps its caches. */
	if (!c->cpu[e->cpu].in_fault || s->cpu[e->cpu].lost || vmid == 0 ||
	    ck_pte_valid(old) || !ck_pte_valid(new_pte) ||
	    ck_pte_table(new_pte, level) || !ck_pte_normal(new_pte)) {
		return;
	}
	on = cmo_vm_on(s, vmid);
	if (on == NULL || *on != 0) {
		return;
	}
	for (unsigned i = 0; i < s->cpu[e->cpu].n; i++) {
		if (pa >= s->cpu[e->cpu].pa[i] &&
		    pa - s->cpu[e->cpu].pa[i] + size <=
			    s->cpu[e->cpu].size[i]) {
			return;
		}
	}
	ck_fail(c, CHECK_RULE_CMO, e,
		ck_at(c->cpu[e->cpu].fault_index, e->f[CK_F_IPA], vmid),
		"PA 0x%llx+0x%llx mapped as Normal memory while no vCPU of "
		"VMID %llu has its caches on, with no clean+invalidate of "
		"it in the fault (record %zu)",
		(unsigned long long)pa, (unsigned long long)size,
		(unsigned long long)vmid, c->cpu[e->cpu].fault_index);
}

static void cmo_step(struct ck *c, void *st, const struct ck_event *e)
{
	struct cmo_state *s = st;
	uint64_t *on;
	unsigned n;

	switch (e->ev) {
	case CK_FAULT_ENTER:
		s->cpu[e->cpu].n = 0;
		s->cpu[e->cpu].lost = false;
		break;
	case CK_SCTLR_TRAP:
		on = cmo_vm_on(s, e->f[CK_F_VMID]);
		if (on != NULL && e->f[CK_F_CACHES_ON] != 0) {
			*on |= UINT64_C(1) << (e->f[CK_F_VCPU] % 64);
		} else if (on != NULL) {
			*on &= ~(UINT64_C(1) << (e->f[CK_F_VCPU] % 64));
		}
		break;
	case CK_CMO:
		n = s->cpu[e->cpu].n;
		if (e->s[CK_F_OP] == CK_S_CIVAC && n < CMO_MAX_CLEANED) {
			s->cpu[e->cpu].pa[n] = e->f[CK_F_ADDR];
			s->cpu[e->cpu].size[n] = e->f[CK_F_SIZE];
			s->cpu[e->cpu].n = n + 1;
		}
		break;
	default:
		cmo_map(c, s, e);
		break;
	}
}

static void cmo_gap(struct ck *c, void *st, unsigned cpu)
{
	(void)c;
	((struct cmo_state *)st)->cpu[cpu].n = 0;
	((struct cmo_state *)st)->cpu[cpu].lost = true;
}

const struct ck_rule ck_rule_cmo = {
	.desc = {CHECK_RULE_CMO, "cache maintenance with caches off",
		 "while no vCPU of a guest has its MMU and caches on "
		 "(sctlr_trap), a fault that maps Normal memory cleans and "
		 "invalidates it to the point of coherency (cmo civac) "
		 "before the entry is written",
		 "seed 001 (honor cacheability attributes on S2 page fault); "
		 "Arm ARM Mismatched memory attributes (B2)"},
	.events = CK_BIT(CK_FAULT_ENTER) | CK_BIT(CK_SCTLR_TRAP) |
		  CK_BIT(CK_CMO) | CK_BIT(CK_PTE_WRITE),
	.needs = CK_BIT(CK_FAULT_ENTER) | CK_BIT(CK_SCTLR_TRAP) |
		 CK_BIT(CK_CMO) | CK_BIT(CK_PTE_WRITE),
	.state_size = sizeof(struct cmo_state),
	.step = cmo_step,
	.gap = cmo_gap,
	.fini = NULL,
};

/* Rule 8: the table lock. */

static const struct ck_held *lock_find(const struct ck_cpu *cpu, bool by_vmid,
				       uint64_t key)
{
	for (unsigned i = 0; i < cpu->nheld; i++) {
		if ((by_vmid ? cpu->held[i].vmid : cpu->held[i].lock) == key) {
			return &cpu->held[i];
		}
	}
	return NULL;
}

/* Why write @e needs the write side, or NULL when the read side will do. */
static const char *lock_needs_write(const struct ck_event *e)
{
	uint64_t old = e->f[CK_F_OLD], new_pte = e->f[CK_F_NEW];

	switch (e->ev) {
	case CK_BBM_BREAK:
		return ck_pte_table(old, e->f[CK_F_LEVEL])
			       ? "replacing a table frees its page"
			       : NULL;
	case CK_BBM_MAKE:
		return new_pte == 0 ? "unmapping may free table pages" : NULL;
	default:
		if (ck_pte_valid(old) && !ck_pte_valid(new_pte)) {
			return "unmapping may free table pages";
		}
		if (ck_pte_perm_only(old, new_pte) &&
		    ck_pte_narrower(old, new_pte)) {
			return "write-protecting must not race a fault that "
			       "makes the page writable";
		}
		return NULL;
	}
}

static void lock_write(struct ck *c, const struct ck_event *e)
{
	const struct ck_cpu *cpu = &c->cpu[e->cpu];
	uint64_t vmid = e->f[CK_F_VMID];
	const struct ck_held *h = lock_find(cpu, true, vmid);
	const char *why = lock_needs_write(e);

	if (h == NULL) {
		ck_fail(c, CHECK_RULE_LOCK, e,
			ck_at(CHECK_NO_INDEX, e->f[CK_F_IPA], vmid),
			"entry 0x%llx of VMID %llu written without the table's "
			"lock",
			(unsigned long long)e->f[CK_F_ENTRY],
			(unsigned long long)vmid);
	} else if (why != NULL && !h->write) {
		ck_fail(c, CHECK_RULE_LOCK, e,
			ck_at(h->index, e->f[CK_F_IPA], vmid),
			"entry 0x%llx of VMID %llu needs the write side of the "
			"table's lock (%s), but it is held for reading (record "
			"%zu)",
			(unsigned long long)e->f[CK_F_ENTRY],
			(unsigned long long)vmid, why, h->index);
	}
}

static void lock_step(struct ck *c, void *st, const struct ck_event *e)
{
	const struct ck_cpu *cpu = &c->cpu[e->cpu];
	const struct ck_held *h;
	bool write = e->s[CK_F_SIDE] == CK_S_WRITE;

	(void)st;
	switch (e->ev) {
	case CK_LOCK:
		h = lock_find(cpu, false, e->f[CK_F_LOCK]);
		if (h != NULL && !cpu->locks_unknown) {
			ck_fail(c, CHECK_RULE_LOCK, e,
				ck_vmid(h->index, e->f[CK_F_VMID]),
				"the table lock of VMID %llu taken again by "
				"the CPU that holds it since record %zu",
				(unsigned long long)e->f[CK_F_VMID], h->index);
		}
		break;
	case CK_UNLOCK:
		h = lock_find(cpu, false, e->f[CK_F_LOCK]);
		if (cpu->locks_unknown) {
			break;
		}
		if (h == NULL) {
			ck_fail(c, CHECK_RULE_LOCK, e,
				ck_vmid(CHECK_NO_INDEX, e->f[CK_F_VMID]),
				"the table lock of VMID %llu released by a CPU "
				"that does not hold it",
				(unsigned long long)e->f[CK_F_VMID]);
		} else if (h->write != write) {
			ck_fail(c, CHECK_RULE_LOCK, e,
				ck_vmid(h->index, e->f[CK_F_VMID]),
				"the %s side of the table lock released, but "
				"the %s side was taken (record %zu)",
				write ? "write" : "read",
				h->write ? "write" : "read", h->index);
		}
		break;
	case CK_SWITCH:
		if (e->s[CK_F_PHASE] == CK_S_ENTER_BEGIN && cpu->nheld > 0 &&
		    !cpu->locks_unknown) {
			ck_fail(c, CHECK_RULE_LOCK, e,
				ck_vmid(cpu->held[0].index, cpu->held[0].vmid),
				"entering a guest with the table lock of VMID "
				"%llu held (since record %zu)",
				(unsigned long long)cpu->held[0].vmid,
				cpu->held[0].index);
		}
		break;
	default:
		if (!cpu->locks_unknown) {
			lock_write(c, e);
		}
		break;
	}
}

const struct ck_rule ck_rule_lock = {
	.desc = {CHECK_RULE_LOCK, "table lock",
		 "every stage-2 entry is written by a CPU that holds its "
		 "table's lock, for writing when the change may free table "
		 "pages or write-protects (unmap, table replacement, "
		 "wrprotect); holds are released by their holder, and never "
		 "held into a guest",
		 "docs/stage2.md Locking rules; KVM mmu_lock"},
	.events = CK_BIT(CK_LOCK) | CK_BIT(CK_UNLOCK) | CK_BIT(CK_SWITCH) |
		  CK_BIT(CK_PTE_WRITE) | CK_BIT(CK_BBM_BREAK) |
		  CK_BIT(CK_BBM_MAKE),
	.needs = CK_BIT(CK_LOCK) | CK_BIT(CK_UNLOCK) | CK_BIT(CK_PTE_WRITE),
	.state_size = 1,
	.step = lock_step,
	.gap = NULL,
	.fini = NULL,
};
