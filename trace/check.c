/*
 * The rule checker's engine (check.h): binds the file's schema to the
 * checker's events, fields and enum values once, then makes one pass over
 * the records, keeping the state every rule shares (the VMID each CPU has
 * loaded, the fault it handles, the locks it holds) and stepping each rule
 * on the events it reads. The rules are in check_tlb.c, check_regs.c and
 * check_path.c.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <faultline/err.h>

#include "check_internal.h"

/* Most values of an enum the checker translates (they are all small). */
#define CK_XLAT_VALUES 64u
/* Violations kept per rule unless the options say otherwise. */
#define CK_DEFAULT_MAX_PER_RULE 10u
/* VMIDs are 16 bits at most (VTTBR_EL2.VMID). */
#define CK_NVMIDS 65536u

/* The table of rules, in rule-number order. */
static const struct ck_rule *const ck_rules[CHECK_NRULES] = {
	&ck_rule_bbm,       &ck_rule_inval_order, &ck_rule_vmid_scope,
	&ck_rule_lost_race, &ck_rule_isb,         &ck_rule_spe,
	&ck_rule_cmo,       &ck_rule_lock,
};

static const char *const ck_ev_names[CK_EV_COUNT] = {
	[CK_PTE_WRITE] = "pte_write",
	[CK_BBM_BREAK] = "bbm_break",
	[CK_BBM_MAKE] = "bbm_make",
	[CK_TLBI] = "tlbi",
	[CK_DSB] = "dsb",
	[CK_ISB] = "isb",
	[CK_SYSREG] = "sysreg_write",
	[CK_BACKOFF] = "s2_backoff",
	[CK_FAULT_ENTER] = "s2_fault_enter",
	[CK_FAULT_EXIT] = "s2_fault_exit",
	[CK_SCTLR_TRAP] = "sctlr_trap",
	[CK_CMO] = "cmo",
	[CK_SPE_DRAIN] = "spe_drain",
	[CK_SWITCH] = "world_switch",
	[CK_LOCK] = "lock",
	[CK_UNLOCK] = "unlock",
};

static const char *const ck_f_names[CK_F_COUNT] = {
	[CK_F_ENTRY] = "entry",   [CK_F_IPA] = "ipa",
	[CK_F_LEVEL] = "level",   [CK_F_OLD] = "old",
	[CK_F_NEW] = "new",       [CK_F_VMID] = "vmid",
	[CK_F_OP] = "op",         [CK_F_ADDR] = "addr",
	[CK_F_SHARE] = "share",   [CK_F_REG] = "reg",
	[CK_F_VALUE] = "value",   [CK_F_WHY] = "why",
	[CK_F_VCPU] = "vcpu",     [CK_F_KIND] = "kind",
	[CK_F_POLICY] = "policy", [CK_F_CACHES_ON] = "caches_on",
	[CK_F_SIZE] = "size",     [CK_F_PHASE] = "phase",
	[CK_F_LOCK] = "lock",     [CK_F_SIDE] = "side",
};

/* Enum kind and value name of each symbol. */
static const struct {
	const char *kind;
	const char *name;
} ck_syms[CK_S_COUNT] = {
	[CK_S_IPAS2E1] = {"TLBI_OP", "ipas2e1"},
	[CK_S_IPAS2LE1] = {"TLBI_OP", "ipas2le1"},
	[CK_S_VMALLE1] = {"TLBI_OP", "vmalle1"},
	[CK_S_VMALLS12E1] = {"TLBI_OP", "vmalls12e1"},
	[CK_S_NSH] = {"SHARE", "nsh"},
	[CK_S_ISH] = {"SHARE", "ish"},
	[CK_S_OSH] = {"SHARE", "osh"},
	[CK_S_SY] = {"SHARE", "sy"},
	[CK_S_NSHST] = {"SHARE", "nshst"},
	[CK_S_ISHST] = {"SHARE", "ishst"},
	[CK_S_VTTBR] = {"SYSREG", "vttbr_el2"},
	[CK_S_HCR] = {"SYSREG", "hcr_el2"},
	[CK_S_MDCR] = {"SYSREG", "mdcr_el2"},
	[CK_S_PMSCR] = {"SYSREG", "pmscr_el1"},
	[CK_S_ALREADY] = {"BACKOFF", "already"},
	[CK_S_PERMISSION] = {"FAULT_KIND", "permission"},
	[CK_S_ENTER_BEGIN] = {"SWITCH_PHASE", "enter_begin"},
	[CK_S_GUEST_S1_LOADED] = {"SWITCH_PHASE", "guest_s1_loaded"},
	[CK_S_ENTER] = {"SWITCH_PHASE", "enter"},
	[CK_S_EXIT] = {"SWITCH_PHASE", "exit"},
	[CK_S_HOST_RESTORED] = {"SWITCH_PHASE", "host_restored"},
	[CK_S_EXIT_END] = {"SWITCH_PHASE", "exit_end"},
	[CK_S_CIVAC] = {"CMO_OP", "civac"},
	[CK_S_READ] = {"LOCK_SIDE", "read"},
	[CK_S_WRITE] = {"LOCK_SIDE", "write"},
};

/* The schema, resolved once for the pass over the records. */
struct ck_bind {
	/* Our event of each schema id below @nids. */
	uint8_t *ev_of;
	size_t nids;
	/* Per event and schema field position: our field, or -1. */
	int8_t field[CK_EV_COUNT][TRACE_MAX_FIELDS];
	/* Per event and position: enum value -> symbol, or NULL. */
	uint8_t *xlat[CK_EV_COUNT][TRACE_MAX_FIELDS];
	/* The events the schema declares. */
	uint32_t present;
};

static const struct check_rule_desc *const ck_descs[CHECK_NRULES] = {
	&ck_rule_bbm.desc,        &ck_rule_inval_order.desc,
	&ck_rule_vmid_scope.desc, &ck_rule_lost_race.desc,
	&ck_rule_isb.desc,        &ck_rule_spe.desc,
	&ck_rule_cmo.desc,        &ck_rule_lock.desc,
};

const struct check_rule_desc *check_rule(unsigned number)
{
	return number >= 1 && number <= CHECK_NRULES ? ck_descs[number - 1]
						     : NULL;
}

unsigned ck_domain(uint8_t share_sym)
{
	switch (share_sym) {
	case CK_S_ISH:
	case CK_S_ISHST:
		return 1;
	case CK_S_OSH:
		return 2;
	case CK_S_SY:
		return 3;
	default:
		return 0;
	}
}

bool ck_tlbi_covers(const struct ck_event *e, uint64_t ipa, uint64_t level,
		    uint64_t vmid, bool table)
{
	uint8_t op = e->s[CK_F_OP];
	uint64_t size = ck_level_size(level);
	uint64_t base = ipa & ~(size - 1);

	if (e->f[CK_F_VMID] != vmid) {
		return false;
	}
	if (op == CK_S_VMALLS12E1) {
		return true;
	}
	/* The last-level form leaves table (walk) entries alone. */
	if (op == CK_S_IPAS2E1 || (op == CK_S_IPAS2LE1 && !table)) {
		return e->f[CK_F_ADDR] - base < size;
	}
	return false;
}

const char *ck_event_name(const struct ck *c, size_t index)
{
	const struct trace_schema_event *ev =
		trace_data_event(c->td, c->td->records[index].id);

	return ev != NULL ? ev->name : "?";
}

void ck_fail(struct ck *c, unsigned rule, const struct ck_event *e,
	     struct ck_where w, const char *fmt, ...)
{
	struct check_result *res = c->res;
	struct check_violation *v;
	va_list ap;

	res->count[rule]++;
	res->total++;
	if (res->count[rule] > c->max_per_rule) {
		return;
	}
	if (res->nv == res->cap) {
		size_t cap = res->cap != 0 ? res->cap * 2 : 16;
		struct check_violation *nv = realloc(res->v, cap * sizeof(*nv));

		if (nv == NULL) {
			/* Counted, not kept: the report says how many. */
			return;
		}
		res->v = nv;
		res->cap = cap;
	}
	v = &res->v[res->nv++];
	v->rule = rule;
	v->index = e->index;
	v->related = w.related;
	v->cpu = e->cpu;
	v->has_ipa = w.has_ipa;
	v->ipa = w.ipa;
	v->has_vmid = w.has_vmid;
	v->vmid = w.vmid;
	va_start(ap, fmt);
	vsnprintf(v->msg, sizeof(v->msg), fmt, ap);
	va_end(ap);
}

static enum ck_ev ck_ev_by_name(const char *name)
{
	for (unsigned e = 1; e < CK_EV_COUNT; e++) {
		if (strcmp(ck_ev_names[e], name) == 0) {
			return (enum ck_ev)e;
		}
	}
	return CK_NONE;
}

static int ck_f_by_name(const char *name)
{
	for (unsigned f = 0; f < CK_F_COUNT; f++) {
		if (strcmp(ck_f_names[f], name) == 0) {
			return (int)f;
		}
	}
	return -1;
}

/* The value -> symbol table of enum @kind, or NULL when it has none. */
static uint8_t *ck_xlat(const struct trace_data *td, const char *kind)
{
	uint8_t *x = NULL;

	for (size_t i = 0; i < td->nenums; i++) {
		const struct trace_schema_enum *en = &td->enums[i];

		if (strcmp(en->kind, kind) != 0 ||
		    en->value >= CK_XLAT_VALUES) {
			continue;
		}
		for (unsigned s = 1; s < CK_S_COUNT; s++) {
			if (strcmp(ck_syms[s].kind, kind) != 0 ||
			    strcmp(ck_syms[s].name, en->name) != 0) {
				continue;
			}
			if (x == NULL) {
				x = calloc(CK_XLAT_VALUES, 1);
				if (x == NULL) {
					return NULL;
				}
			}
			x[en->value] = (uint8_t)s;
		}
	}
	return x;
}

static void ck_bind_free(struct ck_bind *b)
{
	for (unsigned e = 0; e < CK_EV_COUNT; e++) {
		for (unsigned i = 0; i < TRACE_MAX_FIELDS; i++) {
			free(b->xlat[e][i]);
		}
	}
	free(b->ev_of);
}

static int ck_bind(const struct trace_data *td, struct ck_bind *b)
{
	memset(b, 0, sizeof(*b));
	memset(b->field, -1, sizeof(b->field));
	b->nids = 1;
	for (size_t i = 0; i < td->nevents; i++) {
		if ((size_t)td->events[i].id + 1 > b->nids) {
			b->nids = (size_t)td->events[i].id + 1;
		}
	}
	b->ev_of = calloc(b->nids, 1);
	if (b->ev_of == NULL) {
		return -ERR_NOMEM;
	}
	for (size_t i = 0; i < td->nevents; i++) {
		const struct trace_schema_event *se = &td->events[i];
		enum ck_ev e = ck_ev_by_name(se->name);

		if (e == CK_NONE || (b->present & CK_BIT(e))) {
			continue;
		}
		b->ev_of[se->id] = (uint8_t)e;
		b->present |= CK_BIT(e);
		for (unsigned f = 0; f < se->nfields && f < TRACE_MAX_FIELDS;
		     f++) {
			b->field[e][f] =
				(int8_t)ck_f_by_name(se->fields[f].name);
			if (b->field[e][f] >= 0) {
				/* NULL unless the kind is an enum we read. */
				b->xlat[e][f] = ck_xlat(td, se->fields[f].kind);
			}
		}
	}
	return 0;
}

/* Fills @e from record @i; false when no rule reads its event. */
static bool ck_decode(const struct ck_bind *b, const struct trace_data *td,
		      size_t i, struct ck_event *e)
{
	const struct trace_record *r = &td->records[i];
	enum ck_ev ev = r->id < b->nids ? (enum ck_ev)b->ev_of[r->id] : CK_NONE;

	if (ev == CK_NONE) {
		return false;
	}
	memset(e, 0, sizeof(*e));
	e->ev = ev;
	e->index = i;
	e->cpu = r->cpu;
	for (unsigned f = 0; f < TRACE_MAX_FIELDS; f++) {
		int k = b->field[ev][f];
		const uint8_t *x = b->xlat[ev][f];

		if (k < 0) {
			continue;
		}
		e->f[k] = r->f[f];
		if (x != NULL && r->f[f] < CK_XLAT_VALUES) {
			e->s[k] = x[r->f[f]];
		}
	}
	return true;
}

/* Before the rules see @e: what it starts (a fault, a VMID loaded). */
static void ck_track_before(struct ck *c, const struct ck_event *e)
{
	struct ck_cpu *cpu = &c->cpu[e->cpu];

	switch (e->ev) {
	case CK_SYSREG:
		if (e->s[CK_F_REG] == CK_S_VTTBR) {
			cpu->vttbr_known = true;
			cpu->vttbr_lost = false;
			cpu->vmid = (e->f[CK_F_VALUE] >> 48) & 0xffff;
			cpu->vttbr_index = e->index;
		}
		break;
	case CK_FAULT_ENTER:
		cpu->in_fault = true;
		cpu->fault_index = e->index;
		cpu->fault_vmid = e->f[CK_F_VMID];
		cpu->fault_ipa = e->f[CK_F_IPA];
		break;
	case CK_SWITCH:
		if (e->s[CK_F_PHASE] == CK_S_ENTER) {
			c->vmid_ran[e->f[CK_F_VMID] & 0xffff] |=
				(uint16_t)(1u << e->cpu);
		}
		break;
	default:
		break;
	}
}

/* After the rules saw @e: what it ends (a fault, a lock hold). */
static void ck_track_after(struct ck *c, const struct ck_event *e)
{
	struct ck_cpu *cpu = &c->cpu[e->cpu];

	switch (e->ev) {
	case CK_FAULT_EXIT:
		cpu->in_fault = false;
		break;
	case CK_LOCK:
		cpu->locks_unknown = false;
		if (cpu->nheld < CK_MAX_HELD) {
			cpu->held[cpu->nheld++] = (struct ck_held){
				e->f[CK_F_LOCK], e->f[CK_F_VMID],
				e->s[CK_F_SIDE] == CK_S_WRITE, e->index};
		}
		break;
	case CK_UNLOCK:
		for (unsigned i = cpu->nheld; i-- > 0;) {
			if (cpu->held[i].lock == e->f[CK_F_LOCK]) {
				cpu->held[i] = cpu->held[--cpu->nheld];
				break;
			}
		}
		break;
	default:
		break;
	}
}

/* Records of @cpu were lost before this one: forget what it was doing. */
static void ck_gap(struct ck *c, void *const *states, unsigned cpu)
{
	struct ck_cpu *s = &c->cpu[cpu];

	c->res->gaps++;
	s->vttbr_known = false;
	s->vttbr_lost = true;
	s->in_fault = false;
	s->nheld = 0;
	s->locks_unknown = true;
	for (unsigned r = 0; r < CHECK_NRULES; r++) {
		if (ck_rules[r]->gap != NULL && states[r] != NULL) {
			ck_rules[r]->gap(c, states[r], cpu);
		}
	}
}

static uint64_t ck_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The pass over every record, with the schema bound and states set up. */
static void ck_pass(struct ck *c, const struct ck_bind *b, void *const *states,
		    const uint32_t *masks)
{
	const struct trace_data *td = c->td;
	struct ck_event e;

	for (size_t i = 0; i < td->nrecords; i++) {
		const struct trace_record *r = &td->records[i];
		struct ck_cpu *cpu;

		if (r->cpu >= TRACE_FILE_MAX_CPUS) {
			continue;
		}
		cpu = &c->cpu[r->cpu];
		if (cpu->seen && r->seq != cpu->last_seq + 1) {
			ck_gap(c, states, r->cpu);
		}
		cpu->seen = true;
		cpu->last_seq = r->seq;
		if (!ck_decode(b, td, i, &e)) {
			continue;
		}
		ck_track_before(c, &e);
		for (unsigned k = 0; k < CHECK_NRULES; k++) {
			if (masks[k] & CK_BIT(e.ev)) {
				ck_rules[k]->step(c, states[k], &e);
			}
		}
		ck_track_after(c, &e);
	}
}

/*
 * The tracing level the run had, from its knob records: tracing=off
 * drops the fault path's events, tracing=fault the world switch's, so
 * the rules that follow them cannot be checked on what is left ("clean"
 * would only mean "nothing recorded"). One pass over the records.
 */
static void ck_tracing_level(const struct trace_data *td, bool *lean,
			     bool *quiet)
{
	uint16_t knob = UINT16_MAX;

	*lean = *quiet = false;
	for (size_t i = 0; i < td->nevents; i++) {
		if (strcmp(td->events[i].name, "knob") == 0) {
			knob = td->events[i].id;
		}
	}
	for (size_t i = 0; knob != UINT16_MAX && i < td->nrecords; i++) {
		const struct trace_record *r = &td->records[i];
		uint64_t v, value;
		const char *nm;

		if (r->id != knob || !trace_data_field(td, r, "name", &v) ||
		    !trace_data_field(td, r, "value", &value) || value == 0 ||
		    (nm = trace_data_enum_name(td, "KNOB", v)) == NULL) {
			continue;
		}
		*lean |= strcmp(nm, "tracing_off") == 0;
		*quiet |= strcmp(nm, "tracing_fault") == 0;
	}
}

int check_run(const struct trace_data *td, const struct check_options *o,
	      struct check_result *res)
{
	struct ck c = {.td = td, .res = res};
	void *states[CHECK_NRULES] = {NULL};
	uint32_t masks[CHECK_NRULES] = {0};
	struct ck_bind b;
	uint64_t t0 = ck_now_ns();
	int ret = 0;

	memset(res, 0, sizeof(*res));
	res->nrecords = td->nrecords;
	c.max_per_rule = o != NULL && o->max_per_rule != 0
				 ? o->max_per_rule
				 : CK_DEFAULT_MAX_PER_RULE;
	c.vmid_ran = calloc(CK_NVMIDS, sizeof(*c.vmid_ran));
	if (c.vmid_ran == NULL || ck_bind(td, &b) != 0) {
		free(c.vmid_ran);
		return -ERR_NOMEM;
	}
	ck_tracing_level(td, &res->lean, &res->switch_quiet);
	for (unsigned k = 0; k < CHECK_NRULES && ret == 0; k++) {
		const struct ck_rule *rule = ck_rules[k];
		uint32_t missing = rule->needs & ~b.present;
		bool dropped =
			res->lean || (res->switch_quiet && rule->needs_switch);

		if (dropped || missing != 0) {
			unsigned n = rule->desc.number;

			res->unchecked[n] = true;
			res->missing[n] =
				dropped ? NULL
					: ck_ev_names[__builtin_ctz(missing)];
			continue;
		}
		states[k] = calloc(1, rule->state_size);
		if (states[k] == NULL) {
			ret = -ERR_NOMEM;
		}
		masks[k] = rule->events;
	}
	if (ret == 0) {
		ck_pass(&c, &b, states, masks);
	}
	for (unsigned k = 0; k < CHECK_NRULES; k++) {
		if (states[k] != NULL && ck_rules[k]->fini != NULL) {
			ck_rules[k]->fini(states[k]);
		}
		free(states[k]);
	}
	ck_bind_free(&b);
	free(c.vmid_ran);
	res->elapsed_ns = ck_now_ns() - t0;
	return ret;
}

void check_result_free(struct check_result *res)
{
	free(res->v);
	res->v = NULL;
	res->nv = 0;
	res->cap = 0;
}

char *check_verdict(const struct check_result *res, char *buf, size_t size)
{
	size_t n = 0;
	unsigned checked = 0, broken = 0;
	const char *sep = "";

	for (unsigned r = 1; r <= CHECK_NRULES; r++) {
		checked += !res->unchecked[r];
		broken += res->count[r] != 0;
	}
	if (res->total == 0 && checked == 0) {
		/* Nothing was checked: not "clean" (a lean trace, say). */
		n = (size_t)snprintf(buf, size, "no rule checked (%zu records)",
				     res->nrecords);
	} else if (res->total == 0) {
		n = (size_t)snprintf(buf, size, "clean (%u rules, %zu records)",
				     checked, res->nrecords);
	} else {
		n = (size_t)snprintf(buf, size, "%llu violation%s (rule%s ",
				     (unsigned long long)res->total,
				     res->total == 1 ? "" : "s",
				     broken == 1 ? "" : "s");
		for (unsigned r = 1; r <= CHECK_NRULES && n < size; r++) {
			if (res->count[r] != 0) {
				n += (size_t)snprintf(buf + n, size - n, "%s%u",
						      sep, r);
				sep = ", ";
			}
		}
		if (n < size) {
			n += (size_t)snprintf(buf + n, size - n, ")");
		}
	}
	sep = "; not checked: rule ";
	for (unsigned r = 1; r <= CHECK_NRULES && n < size; r++) {
		if (res->unchecked[r]) {
			n += (size_t)snprintf(buf + n, size - n, "%s%u", sep,
					      r);
			sep = ", ";
		}
	}
	return buf;
}
