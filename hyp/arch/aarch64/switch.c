/*
 * The nVHE-style world switch. Entering a guest:
 *
 *   1. SPE: sampling disabled and the buffer drained (seed 003), before
 *      anything of the guest is loaded: the buffer would otherwise be
 *      written through the guest's stage 1, or with EL2 owning it.
 *   2. the host's EL1 system registers saved, the guest's loaded (its
 *      stage 1 is now live at EL1);
 *   3. traps activated: HCR_EL2 (VM, TVM, TSW, ...), MDCR_EL2 (E2PB = EL2
 *      owns the profiling buffer), CPTR_EL2, then VTCR_EL2 and VTTBR_EL2;
 *   4. eret.
 *
 * Leaving: the guest's EL1 registers saved, traps deactivated, the host's
 * EL1 registers restored, and only then SPE re-enabled. Each ordering
 * point is traced (world_switch, spe_drain, sysreg_write), with or
 * without SPE, so the rule checker can verify the order of every switch.
 */
#include <faultline/arch/cpu.h>
#include <faultline/trace/ring.h>
#include <faultline/vm.h>

#include "exception_frame.h"
#include "stage2_regs.h"
#include "switch.h"
#include "switch_ctx.h"
#include "sysreg.h"

_Static_assert(__builtin_offsetof(struct switch_ctx, sp) == SWITCH_CTX_SP &&
		       __builtin_offsetof(struct switch_ctx, regs) ==
			       SWITCH_CTX_REGS,
	       "switch_ctx offsets used by switch.S");
_Static_assert(__builtin_offsetof(struct arch_vcpu_regs, pc) == VCPU_REGS_PC &&
		       __builtin_offsetof(struct arch_vcpu_regs, pstate) ==
			       VCPU_REGS_PSTATE,
	       "arch_vcpu_regs offsets used by switch.S");

#define HCR_VM SYSREG_BIT(0)
#define HCR_SWIO SYSREG_BIT(1)
#define HCR_FMO SYSREG_BIT(3)
#define HCR_IMO SYSREG_BIT(4)
#define HCR_AMO SYSREG_BIT(5)
#define HCR_TSC SYSREG_BIT(19)
#define HCR_TSW SYSREG_BIT(22)
#define HCR_TVM SYSREG_BIT(26)
/** HCR_EL2 while a guest runs. */
#define HCR_GUEST                                                              \
	(HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_TSC | HCR_TSW | \
	 HCR_TVM | HCR_EL2_RW)

#define MDCR_HPMN_MASK UINT64_C(0x1f)
#define MDCR_TPMCR SYSREG_BIT(5)
#define MDCR_TPM SYSREG_BIT(6)
#define MDCR_TDA SYSREG_BIT(9)
#define MDCR_TDOSA SYSREG_BIT(10)
#define MDCR_TDRA SYSREG_BIT(11)
#define MDCR_E2PB_SHIFT 12
#define MDCR_TPMS SYSREG_BIT(14)

/* CPTR_EL2 (E2H == 0): RES1 bits, SVE/SME traps, FP/SIMD, trace. */
#define CPTR_GUEST (UINT64_C(0x33ff) | SYSREG_BIT(10) | SYSREG_BIT(20))

/* PMSCR_EL1 and its enable bits (FEAT_SPE). */
#define PMSCR_E0SPE SYSREG_BIT(0)
#define PMSCR_E1SPE SYSREG_BIT(1)

#define CNTHCTL_EL1PCTEN SYSREG_BIT(0)
#define CNTHCTL_EL1PCEN SYSREG_BIT(1)

struct switch_ctx *switch_ctx_of_cpu[PLATFORM_MAX_CPUS];

/* Per CPU: the host's view, set up on the CPU's first switch. */
static struct {
	bool ready;
	bool spe;
	/* VMID 0 (the host stage 2) has been loaded on this CPU. */
	bool host_s2_loaded;
	uint64_t hcr;
	uint64_t mdcr;
	uint64_t cptr;
	struct arch_el1_sysregs el1;
	struct switch_ctx ctx;
} switch_cpu[PLATFORM_MAX_CPUS];

static uint64_t read_pmscr(void)
{
	return read_sysreg(s3_0_c9_c9_0);
}

static void write_pmscr(uint64_t v)
{
	write_sysreg(v, s3_0_c9_c9_0);
}

static void switch_el1_save(struct arch_el1_sysregs *s)
{
	s->sctlr = read_sysreg(sctlr_el1);
	s->ttbr0 = read_sysreg(ttbr0_el1);
	s->ttbr1 = read_sysreg(ttbr1_el1);
	s->tcr = read_sysreg(tcr_el1);
	s->mair = read_sysreg(mair_el1);
	s->amair = read_sysreg(amair_el1);
	s->vbar = read_sysreg(vbar_el1);
	s->contextidr = read_sysreg(contextidr_el1);
	s->tpidr = read_sysreg(tpidr_el1);
	s->sp = read_sysreg(sp_el1);
	s->elr = read_sysreg(elr_el1);
	s->spsr = read_sysreg(spsr_el1);
	s->esr = read_sysreg(esr_el1);
	s->far = read_sysreg(far_el1);
	s->par = read_sysreg(par_el1);
	s->cpacr = read_sysreg(cpacr_el1);
	s->afsr0 = read_sysreg(afsr0_el1);
	s->afsr1 = read_sysreg(afsr1_el1);
	s->csselr = read_sysreg(csselr_el1);
	s->cntkctl = read_sysreg(cntkctl_el1);
	s->sp_el0 = read_sysreg(sp_el0);
	s->tpidr_el0 = read_sysreg(tpidr_el0);
	s->tpidrro_el0 = read_sysreg(tpidrro_el0);
}

static void switch_el1_restore(const struct arch_el1_sysregs *s)
{
	write_sysreg(s->sctlr, sctlr_el1);
	write_sysreg(s->ttbr0, ttbr0_el1);
	write_sysreg(s->ttbr1, ttbr1_el1);
	write_sysreg(s->tcr, tcr_el1);
	write_sysreg(s->mair, mair_el1);
	write_sysreg(s->amair, amair_el1);
	write_sysreg(s->vbar, vbar_el1);
	write_sysreg(s->contextidr, contextidr_el1);
	write_sysreg(s->tpidr, tpidr_el1);
	write_sysreg(s->sp, sp_el1);
	write_sysreg(s->elr, elr_el1);
	write_sysreg(s->spsr, spsr_el1);
	write_sysreg(s->esr, esr_el1);
	write_sysreg(s->far, far_el1);
	write_sysreg(s->par, par_el1);
	write_sysreg(s->cpacr, cpacr_el1);
	write_sysreg(s->afsr0, afsr0_el1);
	write_sysreg(s->afsr1, afsr1_el1);
	write_sysreg(s->csselr, csselr_el1);
	write_sysreg(s->cntkctl, cntkctl_el1);
	write_sysreg(s->sp_el0, sp_el0);
	write_sysreg(s->tpidr_el0, tpidr_el0);
	write_sysreg(s->tpidrro_el0, tpidrro_el0);
}

void switch_forget_vmids(void)
{
	for (unsigned cpu = 0; cpu < ARRAY_SIZE(switch_cpu); cpu++) {
		switch_cpu[cpu].host_s2_loaded = false;
	}
}

void switch_cpu_booted(unsigned cpu)
{
	switch_cpu[cpu].ready = false;
	switch_cpu[cpu].host_s2_loaded = false;
}

/* The CPU's host state and timer access, on its first switch. */
static void switch_cpu_init(unsigned cpu)
{
	uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1);

	switch_cpu[cpu].spe = ((dfr0 >> 32) & 0xf) != 0;
	switch_cpu[cpu].hcr = read_sysreg(hcr_el2);
	switch_cpu[cpu].cptr = read_sysreg(cptr_el2);
	/* The host (EL1) owns the profiling buffer: E2PB = 0b11. */
	switch_cpu[cpu].mdcr =
		(read_sysreg(mdcr_el2) & MDCR_HPMN_MASK) |
		(switch_cpu[cpu].spe ? (UINT64_C(3) << MDCR_E2PB_SHIFT) : 0);
	write_sysreg(switch_cpu[cpu].mdcr, mdcr_el2);
	/* Guests read the counters directly; virtual == physical count. */
	write_sysreg(read_sysreg(cnthctl_el2) | CNTHCTL_EL1PCTEN |
			     CNTHCTL_EL1PCEN,
		     cnthctl_el2);
	write_sysreg(0, cntvoff_el2);
	isb();
	switch_cpu[cpu].ready = true;
}

/* Seed 003: disable sampling and drain the buffer. Returns PMSCR_EL1. */
static uint64_t switch_spe_drain(unsigned cpu, const struct vcpu *v)
{
	uint64_t pmscr = 0;

	if (switch_cpu[cpu].spe) {
		pmscr = read_pmscr();
		if (pmscr & (PMSCR_E0SPE | PMSCR_E1SPE)) {
			write_pmscr(0);
			isb();
			/* PSB CSYNC: flush what sampling has in flight. */
			__asm__ volatile("hint #17" : : : "memory");
			dsb(nsh);
		}
	}
	trace_spe_drain(switch_cpu[cpu].spe, pmscr, v->id);
	return pmscr;
}

/*
 * The switch's own events: tracing=fault leaves them out (they are 17 of
 * the 24 events of a fault's round trip), one load when it does.
 */
static void switch_sysreg(uint64_t reg, uint64_t value)
{
	if (!trace_switch_quiet()) {
		trace_sysreg_write(reg, value);
	}
}

static void switch_isb_traced(void)
{
	if (!trace_switch_quiet()) {
		trace_isb(TRACE_ISB_SITE_SWITCH);
	}
}

static void switch_phase(uint64_t phase, const struct vcpu *v,
			 const struct vm *vm)
{
	if (!trace_switch_quiet()) {
		trace_world_switch(phase, v->id, vm->vmid);
	}
}

/*
 * Loads the VM's stage 2. The first time the host stage 2 (VMID 0) is
 * enabled on a CPU, TLB entries tagged with VMID 0 may hold HCR_EL2 bits
 * from before, so they are invalidated after an ISB makes the new VTTBR
 * and HCR effective (seed 000). Only this CPU can hold them: local.
 */
static void switch_stage2(unsigned cpu, const struct vm *vm)
{
	uint64_t vtcr = stage2_regs_vtcr(&vm->s2);
	uint64_t vttbr = stage2_vttbr(&vm->s2);

	write_sysreg(vtcr, vtcr_el2);
	switch_sysreg(TRACE_SYSREG_VTCR_EL2, vtcr);
	write_sysreg(vttbr, vttbr_el2);
	switch_sysreg(TRACE_SYSREG_VTTBR_EL2, vttbr);
	isb();
	switch_isb_traced();
	if ((vm->flags & PLAN_VM_HOST_S2) && !switch_cpu[cpu].host_s2_loaded) {
		__asm__ volatile("tlbi vmalls12e1" : : : "memory");
		trace_tlbi(TRACE_TLBI_OP_VMALLS12E1, 0, 0, TRACE_SHARE_NSH,
			   vm->vmid);
		dsb(nsh);
		trace_dsb(TRACE_SHARE_NSH);
		isb();
		trace_isb(TRACE_ISB_SITE_TLBI);
		switch_cpu[cpu].host_s2_loaded = true;
	}
}

uint64_t switch_run(struct vcpu *v, struct switch_exit *e)
{
	unsigned cpu = arch_cpu_index();
	struct vm *vm = v->vm;
	uint64_t mdcr_guest;
	uint64_t pmscr;
	uint64_t kind;

	if (!switch_cpu[cpu].ready) {
		switch_cpu_init(cpu);
	}
	switch_phase(TRACE_SWITCH_PHASE_ENTER_BEGIN, v, vm);
	pmscr = switch_spe_drain(cpu, v);

	switch_el1_save(&switch_cpu[cpu].el1);
	switch_el1_restore(&v->regs.el1);
	switch_phase(TRACE_SWITCH_PHASE_GUEST_S1_LOADED, v, vm);

	write_sysreg(HCR_GUEST, hcr_el2);
	switch_sysreg(TRACE_SYSREG_HCR_EL2, HCR_GUEST);
	/* E2PB = 0b00: EL2 owns the buffer, the guest cannot reach SPE. */
	mdcr_guest = (switch_cpu[cpu].mdcr & MDCR_HPMN_MASK) | MDCR_TPMCR |
		     MDCR_TPM | MDCR_TDA | MDCR_TDOSA | MDCR_TDRA |
		     (switch_cpu[cpu].spe ? MDCR_TPMS : 0);
	write_sysreg(mdcr_guest, mdcr_el2);
	switch_sysreg(TRACE_SYSREG_MDCR_EL2, mdcr_guest);
	write_sysreg(CPTR_GUEST, cptr_el2);
	switch_sysreg(TRACE_SYSREG_CPTR_EL2, CPTR_GUEST);
	switch_stage2(cpu, vm);
	switch_phase(TRACE_SWITCH_PHASE_TRAPS_ON, v, vm);

	switch_phase(TRACE_SWITCH_PHASE_ENTER, v, vm);
	kind = __guest_run(&v->regs, &switch_cpu[cpu].ctx);
	e->kind = kind;
	e->esr = read_sysreg(esr_el2);
	e->far = read_sysreg(far_el2);
	e->hpfar = read_sysreg(hpfar_el2);
	e->par = 0;
	e->par_valid = false;
	if (switch_needs_at(e)) {
		/*
		 * HPFAR_EL2 is not valid for a permission fault: translate
		 * FAR through the guest's stage 1 while it is still loaded.
		 */
		uint64_t guest_par = read_sysreg(par_el1);

		__asm__ volatile("at s1e1r, %0" : : "r"(e->far));
		isb();
		e->par = read_sysreg(par_el1);
		e->par_valid = true;
		/* The guest's own PAR_EL1 must not change under it. */
		write_sysreg(guest_par, par_el1);
	}
	switch_phase(TRACE_SWITCH_PHASE_EXIT, v, vm);

	switch_el1_save(&v->regs.el1);
	write_sysreg(switch_cpu[cpu].hcr, hcr_el2);
	switch_sysreg(TRACE_SYSREG_HCR_EL2, switch_cpu[cpu].hcr);
	write_sysreg(switch_cpu[cpu].mdcr, mdcr_el2);
	switch_sysreg(TRACE_SYSREG_MDCR_EL2, switch_cpu[cpu].mdcr);
	write_sysreg(switch_cpu[cpu].cptr, cptr_el2);
	isb();
	/* Traced: the host's HCR_EL2 is in effect for what follows (rule 5). */
	switch_isb_traced();
	switch_phase(TRACE_SWITCH_PHASE_TRAPS_OFF, v, vm);
	switch_el1_restore(&switch_cpu[cpu].el1);
	isb();
	switch_phase(TRACE_SWITCH_PHASE_HOST_RESTORED, v, vm);
	/* Seed 003: profiling back on only after all host state is back. */
	if (switch_cpu[cpu].spe && (pmscr & (PMSCR_E0SPE | PMSCR_E1SPE))) {
		write_pmscr(pmscr);
		isb();
		switch_sysreg(TRACE_SYSREG_PMSCR_EL1, pmscr);
	}
	switch_phase(TRACE_SWITCH_PHASE_EXIT_END, v, vm);
	return kind;
}
