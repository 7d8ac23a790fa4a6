/* Hand-made traces for the rule checker's tests (check_fixture.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_fixture.h"
#include "schema_fixture.h"

/* Root table PA of each VMID's stage 2 (also its lock's identity). */
#define FX_ROOT(vmid) (UINT64_C(0x42890000) + (uint64_t)(vmid)*0x100000)
/* Stage-2 page attributes: valid, page, Normal WB, RW, inner, AF, XN. */
#define FX_PAGE_RW (UINT64_C(0x7ff) | (UINT64_C(1) << 54))
#define FX_PAGE_RO (UINT64_C(0x77f) | (UINT64_C(1) << 54))
#define FX_HCR_GUEST UINT64_C(0x8448003b)
#define FX_HCR_HOST UINT64_C(0x80000000)

static void fx_die(const char *what, const char *name)
{
	fprintf(stderr, "check fixture: %s %s\n", what, name);
	abort();
}

void fx_init(struct fx *x, unsigned ncpus)
{
	struct trace_data *td = &x->td;

	memset(x, 0, sizeof(*x));
	if (trace_fixture_schema(td, ncpus, 62500000) != 0) {
		fx_die("out of memory", "");
	}
	x->ts = 1000;
}

void fx_free(struct fx *x)
{
	check_result_free(&x->res);
	trace_data_free(&x->td);
}

void fx_event(struct fx *x, unsigned cpu, const char *name,
	      const struct fx_field *fields)
{
	const struct trace_event_desc *d = NULL;
	struct trace_record *r;

	for (unsigned i = 0; i < trace_nevents && d == NULL; i++) {
		if (strcmp(trace_events[i].name, name) == 0) {
			d = &trace_events[i];
		}
	}
	if (d == NULL) {
		fx_die("no such event:", name);
	}
	if (x->td.nrecords == x->cap) {
		size_t cap = x->cap != 0 ? x->cap * 2 : 256;
		struct trace_record *p =
			realloc(x->td.records, cap * sizeof(*p));

		if (p == NULL) {
			fx_die("out of memory", "");
		}
		x->td.records = p;
		x->cap = cap;
		x->td.records_cap = cap;
	}
	r = &x->td.records[x->td.nrecords++];
	memset(r, 0, sizeof(*r));
	r->ts = x->ts++;
	r->id = d->id;
	r->cpu = (uint16_t)cpu;
	r->seq = x->seq[cpu]++;
	for (const struct fx_field *f = fields; f->name != NULL; f++) {
		unsigned i = 0;

		while (i < d->nfields && strcmp(d->fields[i].name, f->name)) {
			i++;
		}
		if (i == d->nfields) {
			fx_die("no such field:", f->name);
		}
		r->f[i] = f->value;
	}
}

void fx_lose(struct fx *x, unsigned cpu, uint32_t n)
{
	x->seq[cpu] += n;
	x->td.lost[cpu] += n;
	x->td.lost_total += n;
}

uint64_t fx_check(struct fx *x, unsigned rule)
{
	check_result_free(&x->res);
	if (check_run(&x->td, NULL, &x->res) != 0) {
		fx_die("check_run failed", "");
	}
	if (x->res.total > 0 && getenv("FAULTLINE_CHECK_VERBOSE") != NULL) {
		check_report(&x->td, &x->res, "fixture", 8, stderr);
	}
	return rule == 0 ? x->res.total : x->res.count[rule];
}

uint64_t fx_page(uint64_t pa)
{
	return pa | FX_PAGE_RW;
}

uint64_t fx_page_ro(uint64_t pa)
{
	return pa | FX_PAGE_RO;
}

uint64_t fx_table(uint64_t pa)
{
	return pa | 3;
}

uint64_t fx_entry(uint64_t ipa)
{
	return UINT64_C(0x42898000) + ((ipa >> 12) & 511) * 8;
}

static void fx_phase(struct fx *x, unsigned cpu, uint64_t phase, uint64_t vcpu,
		     uint64_t vmid)
{
	FX(x, cpu, "world_switch", {"phase", phase}, {"vcpu", vcpu},
	   {"vmid", vmid});
}

static void fx_sysreg(struct fx *x, unsigned cpu, uint64_t reg, uint64_t v)
{
	FX(x, cpu, "sysreg_write", {"reg", reg}, {"value", v});
}

void fx_switch_in(struct fx *x, unsigned cpu, uint64_t vcpu, uint64_t vmid)
{
	fx_phase(x, cpu, TRACE_SWITCH_PHASE_ENTER_BEGIN, vcpu, vmid);
	FX(x, cpu, "spe_drain", {"present", 0}, {"pmscr", 0}, {"vcpu", vcpu});
	fx_phase(x, cpu, TRACE_SWITCH_PHASE_GUEST_S1_LOADED, vcpu, vmid);
	fx_sysreg(x, cpu, TRACE_SYSREG_HCR_EL2, FX_HCR_GUEST);
	fx_sysreg(x, cpu, TRACE_SYSREG_MDCR_EL2, 0xe66);
	fx_sysreg(x, cpu, TRACE_SYSREG_CPTR_EL2, 0x1037ff);
	fx_sysreg(x, cpu, TRACE_SYSREG_VTCR_EL2, 0x800d3558);
	fx_sysreg(x, cpu, TRACE_SYSREG_VTTBR_EL2, FX_ROOT(vmid) | vmid << 48);
	FX(x, cpu, "isb", {"site", TRACE_ISB_SITE_SWITCH});
	fx_phase(x, cpu, TRACE_SWITCH_PHASE_TRAPS_ON, vcpu, vmid);
	fx_phase(x, cpu, TRACE_SWITCH_PHASE_ENTER, vcpu, vmid);
}

void fx_switch_out(struct fx *x, unsigned cpu, uint64_t vcpu, uint64_t vmid)
{
	fx_phase(x, cpu, TRACE_SWITCH_PHASE_EXIT, vcpu, vmid);
	fx_sysreg(x, cpu, TRACE_SYSREG_HCR_EL2, FX_HCR_HOST);
	fx_sysreg(x, cpu, TRACE_SYSREG_MDCR_EL2, 0x6);
	FX(x, cpu, "isb", {"site", TRACE_ISB_SITE_SWITCH});
	fx_phase(x, cpu, TRACE_SWITCH_PHASE_TRAPS_OFF, vcpu, vmid);
	fx_phase(x, cpu, TRACE_SWITCH_PHASE_HOST_RESTORED, vcpu, vmid);
	fx_phase(x, cpu, TRACE_SWITCH_PHASE_EXIT_END, vcpu, vmid);
}

void fx_inval_ipa(struct fx *x, unsigned cpu, uint64_t ipa, uint64_t level,
		  uint64_t vmid, bool ish)
{
	uint64_t share = ish ? TRACE_SHARE_ISH : TRACE_SHARE_NSH;

	FX(x, cpu, "dsb",
	   {"share", ish ? TRACE_SHARE_ISHST : TRACE_SHARE_NSHST});
	FX(x, cpu, "tlbi", {"op", TRACE_TLBI_OP_IPAS2E1}, {"addr", ipa},
	   {"level", level}, {"share", share}, {"vmid", vmid});
	FX(x, cpu, "dsb", {"share", share});
	FX(x, cpu, "tlbi", {"op", TRACE_TLBI_OP_VMALLE1}, {"share", share},
	   {"vmid", vmid});
	FX(x, cpu, "dsb", {"share", share});
	FX(x, cpu, "isb", {"site", TRACE_ISB_SITE_TLBI});
}

void fx_inval_vmid(struct fx *x, unsigned cpu, uint64_t vmid, bool ish)
{
	uint64_t share = ish ? TRACE_SHARE_ISH : TRACE_SHARE_NSH;

	FX(x, cpu, "dsb",
	   {"share", ish ? TRACE_SHARE_ISHST : TRACE_SHARE_NSHST});
	FX(x, cpu, "tlbi", {"op", TRACE_TLBI_OP_VMALLS12E1}, {"share", share},
	   {"vmid", vmid});
	FX(x, cpu, "dsb", {"share", share});
	FX(x, cpu, "isb", {"site", TRACE_ISB_SITE_TLBI});
}

void fx_lock(struct fx *x, unsigned cpu, uint64_t vmid, bool write)
{
	FX(x, cpu, "lock", {"lock", FX_ROOT(vmid)},
	   {"side", write ? TRACE_LOCK_SIDE_WRITE : TRACE_LOCK_SIDE_READ},
	   {"vmid", vmid}, {"wait", 3});
}

void fx_unlock(struct fx *x, unsigned cpu, uint64_t vmid, bool write)
{
	FX(x, cpu, "unlock", {"lock", FX_ROOT(vmid)},
	   {"side", write ? TRACE_LOCK_SIDE_WRITE : TRACE_LOCK_SIDE_READ},
	   {"vmid", vmid});
}

void fx_fault_enter(struct fx *x, unsigned cpu, uint64_t vcpu, uint64_t vmid,
		    uint64_t ipa, bool permission)
{
	FX(x, cpu, "s2_fault_enter", {"vcpu", vcpu}, {"vmid", vmid},
	   {"ipa", ipa}, {"esr", 0x93c08005},
	   {"kind", permission ? TRACE_FAULT_KIND_PERMISSION
			       : TRACE_FAULT_KIND_TRANSLATION},
	   {"access", permission ? TRACE_ACCESS_WRITE : TRACE_ACCESS_READ});
}

void fx_fault_exit(struct fx *x, unsigned cpu, uint64_t vcpu, uint64_t vmid,
		   uint64_t ipa, uint64_t outcome, uint64_t policy)
{
	FX(x, cpu, "s2_fault_exit", {"vcpu", vcpu}, {"vmid", vmid},
	   {"ipa", ipa}, {"outcome", outcome}, {"policy", policy},
	   {"level", 3});
}

void fx_bbm(struct fx *x, unsigned cpu, uint64_t ipa, uint64_t old,
	    uint64_t new_pte, uint64_t vmid)
{
	FX(x, cpu, "bbm_break", {"entry", fx_entry(ipa)}, {"ipa", ipa},
	   {"level", 3}, {"old", old}, {"vmid", vmid});
	fx_inval_ipa(x, cpu, ipa, 3, vmid, true);
	FX(x, cpu, "bbm_make", {"entry", fx_entry(ipa)}, {"ipa", ipa},
	   {"level", 3}, {"new", new_pte}, {"vmid", vmid});
	FX(x, cpu, "dsb", {"share", TRACE_SHARE_ISHST});
}

void fx_legacy_remap(struct fx *x, unsigned cpu, uint64_t vcpu, uint64_t vmid,
		     uint64_t ipa)
{
	uint64_t pa = UINT64_C(0x42e00000);

	fx_switch_out(x, cpu, vcpu, vmid);
	fx_fault_enter(x, cpu, vcpu, vmid, ipa, true);
	fx_lock(x, cpu, vmid, true);
	fx_bbm(x, cpu, ipa, fx_page_ro(pa), fx_page(pa), vmid);
	fx_unlock(x, cpu, vmid, true);
	fx_fault_exit(x, cpu, vcpu, vmid, ipa, TRACE_OUTCOME_REMAPPED,
		      TRACE_POLICY_LEGACY);
	fx_switch_in(x, cpu, vcpu, vmid);
}
