/*
 * The world switch (switch.c) and what an exit reports to the exit
 * handlers (exits.c).
 */
#ifndef FAULTLINE_AARCH64_SWITCH_H
#define FAULTLINE_AARCH64_SWITCH_H

#include <faultline/vm.h>

#include "exception_frame.h"
#include "sysreg.h"

/** EC of a data abort from a lower EL. */
#define EC_DABT_LOW 0x24
/** EC of an instruction abort from a lower EL. */
#define EC_IABT_LOW 0x20
/** DFSC/IFSC of a permission fault, level bits cleared. */
#define FSC_PERM 0x0c
/** ISS.S1PTW: the fault was on a stage-1 table walk. */
#define ISS_S1PTW SYSREG_BIT(7)

/** One exit from a guest. */
struct switch_exit {
	/** EXC_LOW64_SYNC, EXC_LOW64_IRQ, ... (the vector taken). */
	uint64_t kind;
	uint64_t esr;
	uint64_t far;
	uint64_t hpfar;
	/** PAR_EL1 of AT S1E1R on FAR, for permission faults. */
	uint64_t par;
	bool par_valid;
};

/** True when exit @e is a stage-2 permission fault needing FAR → IPA. */
static inline bool switch_needs_at(const struct switch_exit *e)
{
	uint64_t ec = (e->esr >> ESR_EC_SHIFT) & ESR_EC_MASK;

	return (e->kind == EXC_LOW64_SYNC || e->kind == EXC_LOW32_SYNC) &&
	       (ec == EC_DABT_LOW || ec == EC_IABT_LOW) &&
	       (e->esr & 0x3c) == FSC_PERM && !(e->esr & ISS_S1PTW);
}

/**
 * Switches to @v (seed 003's order, traced), runs it until its next
 * exception to EL2, switches back, and describes the exit in @e. Returns
 * e->kind.
 */
uint64_t switch_run(struct vcpu *v, struct switch_exit *e);

/**
 * Forgets what the world switch set up on CPU @cpu (CNTHCTL_EL2,
 * CNTVOFF_EL2, MDCR_EL2, the host's saved registers, whether it loaded the
 * host stage 2): called on every boot of the CPU, since CPU_ON resets it
 * and its TLBs, so the next switch sets them up again.
 */
void switch_cpu_booted(unsigned cpu);

/**
 * Forgets, on every CPU, that the host stage 2 (VMID 0) was loaded there:
 * called between two repetitions of a plan, whose next VMs are new tables
 * under the same VMIDs, so the first load on each CPU does seed 000's
 * sequence again. The other CPUs must be idle.
 */
void switch_forget_vmids(void);

#endif /* FAULTLINE_AARCH64_SWITCH_H */
