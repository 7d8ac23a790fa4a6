/*
 * The TLB maintenance rules of the checker: break-before-make (1) and the
 * order of a stage-2 invalidation (2). Each CPU's records are read in the
 * order that CPU emitted them, so every sequence is followed per CPU; a
 * sequence must be complete at its CPU's next "close point": the table
 * lock released, the fault handled (s2_fault_exit), or the guest entered.
 */
#include <stdlib.h>

#include "check_internal.h"

/* The close points, as reports name them. */
static const char *tlb_close_name(const struct ck_event *e)
{
	switch (e->ev) {
	case CK_FAULT_EXIT:
		return "the end of the fault (s2_fault_exit)";
	case CK_UNLOCK:
		return "the table lock's release";
	case CK_BBM_MAKE:
		return "the new entry's write (bbm_make)";
	default:
		return "the guest's entry (world_switch enter_begin)";
	}
}

/* True when @e is a close point for @cpu's pending work of @vmid. */
static bool tlb_closes(const struct ck_event *e, uint64_t vmid)
{
	switch (e->ev) {
	case CK_FAULT_EXIT:
		return true;
	case CK_UNLOCK:
		return e->f[CK_F_VMID] == vmid;
	case CK_SWITCH:
		return e->s[CK_F_PHASE] == CK_S_ENTER_BEGIN;
	default:
		return false;
	}
}

/* Rule 1: break-before-make. */

/* What a CPU still owes for an entry it changed. */
enum bbm_kind {
	/* Broken by bbm_break: TLBI + DSB, then bbm_make. */
	BBM_BREAK,
	/* Made invalid by a plain write: TLBI + DSB. */
	BBM_UNMAP,
	/* Permissions narrowed in place: TLBI + DSB. */
	BBM_NARROW,
};

struct bbm_owed {
	enum bbm_kind kind;
	/* The old entry was a table (only a walk-cache TLBI covers it). */
	bool table;
	/* Nothing to invalidate (the old entry was invalid). */
	bool nothing;
	/* A DSB since the write: the invalid entry is visible to walkers. */
	bool visible;
	unsigned vis_domain;
	/* A covering TLBI came before any such DSB. */
	bool early;
	size_t early_index;
	/* A covering TLBI after it, and its domain. */
	bool tlbi;
	unsigned tlbi_domain;
	size_t tlbi_index;
	/* That TLBI was local while other CPUs have run the VMID. */
	bool local_shared;
	/* ... and a DSB completed it. */
	bool done;
	size_t index;
	uint64_t entry, ipa, level, vmid, old;
};

struct bbm_cpu {
	struct bbm_owed *owed;
	size_t n, cap;
	/* Entries written valid and not yet published by a DSB. */
	size_t unpublished;
	size_t unpublished_index;
	uint64_t unpublished_vmid;
	/* Events were lost since the last close point: a break may be too. */
	bool lost;
};

struct bbm_state {
	struct bbm_cpu cpu[TRACE_FILE_MAX_CPUS];
};

static const char *const bbm_kind_name[] = {
	[BBM_BREAK] = "broken",
	[BBM_UNMAP] = "unmapped",
	[BBM_NARROW] = "write-protected",
};

static void bbm_owe(struct bbm_cpu *s, const struct ck_event *e,
		    enum bbm_kind kind)
{
	struct bbm_owed *o;

	if (s->n == s->cap) {
		size_t cap = s->cap != 0 ? s->cap * 2 : 8;
		struct bbm_owed *p = realloc(s->owed, cap * sizeof(*p));

		if (p == NULL) {
			/* Out of memory: this change goes unchecked. */
			return;
		}
		s->owed = p;
		s->cap = cap;
	}
	o = &s->owed[s->n++];
	*o = (struct bbm_owed){
		.kind = kind,
		.table = ck_pte_table(e->f[CK_F_OLD], e->f[CK_F_LEVEL]),
		.nothing = !ck_pte_valid(e->f[CK_F_OLD]),
		.index = e->index,
		.entry = e->f[CK_F_ENTRY],
		.ipa = e->f[CK_F_IPA],
		.level = e->f[CK_F_LEVEL],
		.vmid = e->f[CK_F_VMID],
		.old = e->f[CK_F_OLD],
	};
}

static void bbm_drop(struct bbm_cpu *s, size_t i)
{
	s->owed[i] = s->owed[--s->n];
}

/* Reports what @o still lacks at @e; true when it lacked anything. */
static bool bbm_report(struct ck *c, const struct ck_event *e,
		       const struct bbm_owed *o, const char *when)
{
	struct ck_where w = ck_at(o->index, o->ipa, o->vmid);
	bool bad = false;

	if (o->local_shared) {
		ck_fail(c, CHECK_RULE_BBM, e, w,
			"entry 0x%llx %s at record %zu was invalidated on this "
			"CPU only (TLBI nsh, record %zu), but VMID %llu has "
			"run on other CPUs, whose TLBs may keep the old entry",
			(unsigned long long)o->entry, bbm_kind_name[o->kind],
			o->index, o->tlbi_index, (unsigned long long)o->vmid);
		bad = true;
	}
	if (o->nothing || o->done) {
		return bad;
	}
	if (o->tlbi) {
		ck_fail(c, CHECK_RULE_BBM, e, w,
			"the TLBI of the old entry (record %zu) was not "
			"completed by a DSB before %s",
			o->tlbi_index, when);
	} else if (o->early) {
		ck_fail(c, CHECK_RULE_BBM, e, w,
			"the TLBI of the old entry (record %zu) came before a "
			"DSB made the %s entry (record %zu) visible to the "
			"table walkers, and none followed before %s",
			o->early_index, bbm_kind_name[o->kind], o->index, when);
	} else {
		ck_fail(c, CHECK_RULE_BBM, e, w,
			"no TLBI of the old entry 0x%llx (IPA 0x%llx level "
			"%llu, %s at record %zu) before %s",
			(unsigned long long)o->old, (unsigned long long)o->ipa,
			(unsigned long long)o->level, bbm_kind_name[o->kind],
			o->index, when);
	}
	return true;
}

static void bbm_pte_write(struct ck *c, struct bbm_cpu *s,
			  const struct ck_event *e)
{
	uint64_t old = e->f[CK_F_OLD], new_pte = e->f[CK_F_NEW];

	if (ck_pte_valid(old) && ck_pte_valid(new_pte) && old != new_pte &&
	    !ck_pte_perm_only(old, new_pte)) {
		ck_fail(c, CHECK_RULE_BBM, e,
			ck_at(CHECK_NO_INDEX, e->f[CK_F_IPA], e->f[CK_F_VMID]),
			"valid entry 0x%llx replaced by a different valid one "
			"in one write (old 0x%llx, new 0x%llx: bits 0x%llx "
			"changed beyond the permissions) with no invalid step",
			(unsigned long long)e->f[CK_F_ENTRY],
			(unsigned long long)old, (unsigned long long)new_pte,
			(unsigned long long)((old ^ new_pte) & ~CK_PTE_PERMS));
	} else if (ck_pte_valid(old) && !ck_pte_valid(new_pte)) {
		bbm_owe(s, e, BBM_UNMAP);
	} else if (ck_pte_perm_only(old, new_pte) &&
		   ck_pte_narrower(old, new_pte)) {
		bbm_owe(s, e, BBM_NARROW);
	}
	if (ck_pte_valid(new_pte) && s->unpublished++ == 0) {
		s->unpublished_index = e->index;
		s->unpublished_vmid = e->f[CK_F_VMID];
	}
}

static void bbm_break(struct ck *c, struct bbm_cpu *s, const struct ck_event *e)
{
	for (size_t i = 0; i < s->n; i++) {
		if (s->owed[i].kind == BBM_BREAK &&
		    s->owed[i].entry == e->f[CK_F_ENTRY] &&
		    s->owed[i].vmid == e->f[CK_F_VMID]) {
			ck_fail(c, CHECK_RULE_BBM, e,
				ck_at(s->owed[i].index, e->f[CK_F_IPA],
				      e->f[CK_F_VMID]),
				"entry 0x%llx broken again before the break at "
				"record %zu was made",
				(unsigned long long)e->f[CK_F_ENTRY],
				s->owed[i].index);
			bbm_drop(s, i);
			break;
		}
	}
	bbm_owe(s, e, BBM_BREAK);
}

static void bbm_make(struct ck *c, struct bbm_cpu *s, const struct ck_event *e)
{
	size_t i = 0;

	while (i < s->n && !(s->owed[i].kind == BBM_BREAK &&
			     s->owed[i].entry == e->f[CK_F_ENTRY] &&
			     s->owed[i].vmid == e->f[CK_F_VMID])) {
		i++;
	}
	if (i == s->n && !s->lost) {
		ck_fail(c, CHECK_RULE_BBM, e,
			ck_at(CHECK_NO_INDEX, e->f[CK_F_IPA], e->f[CK_F_VMID]),
			"entry 0x%llx made (new 0x%llx) with no bbm_break of "
			"it on this CPU: it never went through the invalid "
			"step",
			(unsigned long long)e->f[CK_F_ENTRY],
			(unsigned long long)e->f[CK_F_NEW]);
	} else if (i < s->n) {
		bbm_report(c, e, &s->owed[i], "the new entry was written");
		bbm_drop(s, i);
	}
	if (ck_pte_valid(e->f[CK_F_NEW]) && s->unpublished++ == 0) {
		s->unpublished_index = e->index;
		s->unpublished_vmid = e->f[CK_F_VMID];
	}
}

static void bbm_tlbi(struct ck *c, struct bbm_cpu *s, const struct ck_event *e)
{
	unsigned dom = ck_domain(e->s[CK_F_SHARE]);

	for (size_t i = 0; i < s->n; i++) {
		struct bbm_owed *o = &s->owed[i];

		if (o->nothing || o->tlbi ||
		    !ck_tlbi_covers(e, o->ipa, o->level, o->vmid, o->table)) {
			continue;
		}
		if (!o->visible || o->vis_domain < dom) {
			o->early = true;
			o->early_index = e->index;
			continue;
		}
		o->tlbi = true;
		o->tlbi_domain = dom;
		o->tlbi_index = e->index;
		o->local_shared = dom == 0 && (c->vmid_ran[o->vmid & 0xffff] &
					       ~(1u << e->cpu)) != 0;
	}
}

static void bbm_dsb(struct bbm_cpu *s, const struct ck_event *e)
{
	unsigned dom = ck_domain(e->s[CK_F_SHARE]);
	bool st = ck_dsb_st(e->s[CK_F_SHARE]);

	s->unpublished = 0;
	for (size_t i = 0; i < s->n; i++) {
		struct bbm_owed *o = &s->owed[i];

		if (!o->visible || o->vis_domain < dom) {
			o->visible = true;
			o->vis_domain = dom;
		}
		/* Stores only: it does not complete a TLBI (as KVM does). */
		if (o->tlbi && !st && dom >= o->tlbi_domain) {
			o->done = true;
		}
	}
}

/* At a close point: everything owed for @vmid must have been paid. */
static void bbm_close(struct ck *c, struct bbm_cpu *s, const struct ck_event *e)
{
	const char *when = tlb_close_name(e);

	if (e->ev != CK_SWITCH || e->s[CK_F_PHASE] == CK_S_ENTER_BEGIN) {
		s->lost = false;
	}
	for (size_t i = 0; i < s->n;) {
		struct bbm_owed *o = &s->owed[i];

		if (!tlb_closes(e, o->vmid)) {
			i++;
			continue;
		}
		if (o->kind == BBM_BREAK) {
			ck_fail(c, CHECK_RULE_BBM, e,
				ck_at(o->index, o->ipa, o->vmid),
				"entry 0x%llx broken at record %zu was still "
				"not made at %s",
				(unsigned long long)o->entry, o->index, when);
		} else {
			bbm_report(c, e, o, when);
		}
		bbm_drop(s, i);
	}
	if (s->unpublished > 0 && tlb_closes(e, s->unpublished_vmid)) {
		ck_fail(c, CHECK_RULE_BBM, e,
			ck_vmid(s->unpublished_index, s->unpublished_vmid),
			"%zu entries written since record %zu were not made "
			"visible by a DSB before %s",
			s->unpublished, s->unpublished_index, when);
		s->unpublished = 0;
	}
}

static void bbm_step(struct ck *c, void *st, const struct ck_event *e)
{
	struct bbm_cpu *s = &((struct bbm_state *)st)->cpu[e->cpu];

	switch (e->ev) {
	case CK_PTE_WRITE:
		bbm_pte_write(c, s, e);
		break;
	case CK_BBM_BREAK:
		bbm_break(c, s, e);
		break;
	case CK_BBM_MAKE:
		bbm_make(c, s, e);
		break;
	case CK_TLBI:
		bbm_tlbi(c, s, e);
		break;
	case CK_DSB:
		bbm_dsb(s, e);
		break;
	default:
		bbm_close(c, s, e);
		break;
	}
}

static void bbm_gap(struct ck *c, void *st, unsigned cpu)
{
	struct bbm_cpu *s = &((struct bbm_state *)st)->cpu[cpu];

	(void)c;
	s->n = 0;
	s->unpublished = 0;
	s->lost = true;
}

static void bbm_fini(void *st)
{
	struct bbm_state *s = st;

	for (unsigned i = 0; i < TRACE_FILE_MAX_CPUS; i++) {
		free(s->cpu[i].owed);
	}
}

const struct ck_rule ck_rule_bbm = {
	.desc = {CHECK_RULE_BBM, "break-before-make",
		 "a valid entry is replaced by a different valid one only "
		 "through an invalid entry, a DSB, a TLBI of the old entry "
		 "that reaches every CPU that ran the VMID, a DSB, then the "
		 "new entry and a DSB; an entry made invalid or narrower is "
		 "invalidated before the lock is released",
		 "Arm ARM D8.16.1 (DDI 0487 K.a) rules RWHZWS, RDDMVT"},
	.events = CK_BIT(CK_PTE_WRITE) | CK_BIT(CK_BBM_BREAK) |
		  CK_BIT(CK_BBM_MAKE) | CK_BIT(CK_TLBI) | CK_BIT(CK_DSB) |
		  CK_BIT(CK_FAULT_EXIT) | CK_BIT(CK_UNLOCK) | CK_BIT(CK_SWITCH),
	.needs = CK_BIT(CK_PTE_WRITE) | CK_BIT(CK_BBM_BREAK) |
		 CK_BIT(CK_BBM_MAKE) | CK_BIT(CK_TLBI) | CK_BIT(CK_DSB),
	.state_size = sizeof(struct bbm_state),
	.step = bbm_step,
	.gap = bbm_gap,
	.fini = bbm_fini,
};

/* Rule 2: the order of a stage-2 invalidation. */

enum order_phase {
	/* Nothing outstanding. */
	ORDER_IDLE,
	/* By-IPA TLBI(s) issued, not completed yet. */
	ORDER_S2,
	/* By-IPA TLBI(s) completed; the stage-1 TLBI is still owed. */
	ORDER_S2_DONE,
	/* A TLBI issued that no DSB has completed yet. */
	ORDER_S1,
};

/* Most table replacements one CPU has in flight. */
#define ORDER_MAX_TABLES 4

struct order_cpu {
	enum order_phase phase;
	size_t index;
	uint64_t vmid, ipa;
	unsigned domain;
	/* Table entries broken, awaiting TLBI VMALLS12E1 of their VMID. */
	struct {
		uint64_t entry, vmid, ipa;
		size_t index;
		bool done;
	} tab[ORDER_MAX_TABLES];
	unsigned ntab;
};

struct order_state {
	struct order_cpu cpu[TRACE_FILE_MAX_CPUS];
};

static void order_tlbi(struct ck *c, struct order_cpu *s,
		       const struct ck_event *e)
{
	uint8_t op = e->s[CK_F_OP];
	uint64_t vmid = e->f[CK_F_VMID];
	unsigned dom = ck_domain(e->s[CK_F_SHARE]);
	bool open = s->phase == ORDER_S2 || s->phase == ORDER_S2_DONE;

	if (!ck_tlbi_vmid_scoped(op)) {
		return;
	}
	if (ck_tlbi_by_ipa(op)) {
		if (open && s->vmid != vmid) {
			ck_fail(c, CHECK_RULE_INVAL_ORDER, e,
				ck_at(s->index, s->ipa, s->vmid),
				"the invalidation by IPA of VMID %llu (record "
				"%zu) was not followed by its stage-1 TLBI "
				"(VMALLE1) before one of VMID %llu began",
				(unsigned long long)s->vmid, s->index,
				(unsigned long long)vmid);
		}
		if (!open || s->vmid != vmid) {
			/* A TLBI still outstanding needs a DSB as wide. */
			if (s->phase != ORDER_S1 || dom > s->domain) {
				s->domain = dom;
			}
			s->index = e->index;
			s->vmid = vmid;
			s->ipa = e->f[CK_F_ADDR];
		} else if (dom > s->domain) {
			s->domain = dom;
		}
		s->phase = ORDER_S2;
		return;
	}
	if (op == CK_S_VMALLE1 && s->phase == ORDER_S2) {
		ck_fail(c, CHECK_RULE_INVAL_ORDER, e,
			ck_at(s->index, s->ipa, s->vmid),
			"stage-1 TLBI (VMALLE1) issued before the stage-2 "
			"invalidation by IPA (record %zu) was completed by a "
			"DSB: a walk could refill a combined entry from the "
			"old "
			"stage-2 entry",
			s->index);
	} else if (op == CK_S_VMALLE1 && s->phase == ORDER_S2_DONE &&
		   (s->vmid != vmid || dom < s->domain)) {
		ck_fail(c, CHECK_RULE_INVAL_ORDER, e,
			ck_at(s->index, s->ipa, s->vmid),
			"the stage-1 TLBI (VMALLE1, VMID %llu, %s) does not "
			"match the invalidation by IPA (record %zu, VMID %llu, "
			"%s) it completes",
			(unsigned long long)vmid, dom == 0 ? "local" : "shared",
			s->index, (unsigned long long)s->vmid,
			s->domain == 0 ? "local" : "shared");
	}
	if (op == CK_S_VMALLS12E1) {
		for (unsigned i = 0; i < s->ntab; i++) {
			s->tab[i].done |= s->tab[i].vmid == vmid;
		}
	}
	/* The DSB that completes this one completes what is outstanding. */
	if (s->phase == ORDER_IDLE || s->phase == ORDER_S2_DONE ||
	    dom > s->domain) {
		s->domain = dom;
	}
	if (s->phase == ORDER_IDLE) {
		s->vmid = vmid;
		s->ipa = e->f[CK_F_ADDR];
	}
	s->index = e->index;
	s->phase = ORDER_S1;
}

static void order_dsb(struct order_cpu *s, const struct ck_event *e)
{
	if (ck_dsb_st(e->s[CK_F_SHARE]) ||
	    ck_domain(e->s[CK_F_SHARE]) < s->domain) {
		return;
	}
	if (s->phase == ORDER_S2) {
		s->phase = ORDER_S2_DONE;
	} else if (s->phase == ORDER_S1) {
		s->phase = ORDER_IDLE;
	}
}

static void order_table_break(struct order_cpu *s, const struct ck_event *e)
{
	if (!ck_pte_table(e->f[CK_F_OLD], e->f[CK_F_LEVEL]) ||
	    s->ntab == ORDER_MAX_TABLES) {
		return;
	}
	s->tab[s->ntab].entry = e->f[CK_F_ENTRY];
	s->tab[s->ntab].vmid = e->f[CK_F_VMID];
	s->tab[s->ntab].ipa = e->f[CK_F_IPA];
	s->tab[s->ntab].index = e->index;
	s->tab[s->ntab].done = false;
	s->ntab++;
}

static void order_table_fail(struct ck *c, const struct ck_event *e,
			     const struct order_cpu *s, unsigned i,
			     const char *when)
{
	ck_fail(c, CHECK_RULE_INVAL_ORDER, e,
		ck_at(s->tab[i].index, s->tab[i].ipa, s->tab[i].vmid),
		"table entry 0x%llx replaced (record %zu) without a TLBI "
		"VMALLS12E1 of VMID %llu before %s: leaves below it and walks "
		"cached through it survive an invalidation by IPA",
		(unsigned long long)s->tab[i].entry, s->tab[i].index,
		(unsigned long long)s->tab[i].vmid, when);
}

/* The invalidation in progress must be whole at @e (a close or a make). */
static void order_close(struct ck *c, struct order_cpu *s,
			const struct ck_event *e)
{
	const char *when = tlb_close_name(e);
	bool make = e->ev == CK_BBM_MAKE;

	if (make || tlb_closes(e, s->vmid)) {
		if (s->phase == ORDER_S2 || s->phase == ORDER_S2_DONE) {
			ck_fail(c, CHECK_RULE_INVAL_ORDER, e,
				ck_at(s->index, s->ipa, s->vmid),
				"the invalidation by IPA (record %zu) was not "
				"followed by the stage-1 TLBI (VMALLE1) before "
				"%s: combined stage 1+2 entries of the old "
				"mapping survive",
				s->index, when);
		} else if (s->phase == ORDER_S1) {
			ck_fail(c, CHECK_RULE_INVAL_ORDER, e,
				ck_vmid(s->index, s->vmid),
				"a TLBI (record %zu) was not completed by a "
				"DSB "
				"before %s",
				s->index, when);
		}
		s->phase = ORDER_IDLE;
	}
	for (unsigned i = 0; i < s->ntab;) {
		bool mine = make ? s->tab[i].entry == e->f[CK_F_ENTRY] &&
					    s->tab[i].vmid == e->f[CK_F_VMID]
				 : tlb_closes(e, s->tab[i].vmid);

		if (!mine) {
			i++;
			continue;
		}
		if (!s->tab[i].done) {
			order_table_fail(c, e, s, i, when);
		}
		s->tab[i] = s->tab[--s->ntab];
	}
}

static void order_step(struct ck *c, void *st, const struct ck_event *e)
{
	struct order_cpu *s = &((struct order_state *)st)->cpu[e->cpu];

	switch (e->ev) {
	case CK_TLBI:
		order_tlbi(c, s, e);
		break;
	case CK_DSB:
		order_dsb(s, e);
		break;
	case CK_BBM_BREAK:
	case CK_PTE_WRITE:
		order_table_break(s, e);
		break;
	default:
		order_close(c, s, e);
		break;
	}
}

static void order_gap(struct ck *c, void *st, unsigned cpu)
{
	struct order_cpu *s = &((struct order_state *)st)->cpu[cpu];

	(void)c;
	s->phase = ORDER_IDLE;
	s->ntab = 0;
}

const struct ck_rule ck_rule_inval_order = {
	.desc = {CHECK_RULE_INVAL_ORDER, "stage-2 invalidation order",
		 "an invalidation by IPA (TLBI IPAS2E1[IS]) is completed by "
		 "a DSB before the stage-1 (combined) TLBI VMALLE1[IS] of the "
		 "same VMID and at least the same reach, which a DSB "
		 "completes in turn; a replaced table entry is invalidated "
		 "with TLBI VMALLS12E1[IS]",
		 "Arm ARM D8.16 TLB maintenance; KVM "
		 "__kvm_tlb_flush_vmid_ipa"},
	.events = CK_BIT(CK_TLBI) | CK_BIT(CK_DSB) | CK_BIT(CK_BBM_BREAK) |
		  CK_BIT(CK_PTE_WRITE) | CK_BIT(CK_BBM_MAKE) |
		  CK_BIT(CK_FAULT_EXIT) | CK_BIT(CK_UNLOCK) | CK_BIT(CK_SWITCH),
	.needs = CK_BIT(CK_TLBI) | CK_BIT(CK_DSB),
	.state_size = sizeof(struct order_state),
	.step = order_step,
	.gap = order_gap,
	.fini = NULL,
};
