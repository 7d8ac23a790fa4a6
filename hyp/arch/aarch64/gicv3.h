/*
 * A minimal GICv3 driver for EL2: the distributor with affinity routing,
 * this CPU's redistributor, private interrupts (PPIs) as Non-secure Group
 * 1, and the system-register CPU interface (Arm IHI 0069, "GIC
 * architecture specification, GICv3 and GICv4"). Enough to take the EL2
 * physical timer's interrupt as an exit from a guest; nothing is routed to
 * guests. Private to hyp/arch/aarch64.
 */
#ifndef FAULTLINE_AARCH64_GICV3_H
#define FAULTLINE_AARCH64_GICV3_H

#include <faultline/types.h>

/** First INTID of the private peripheral interrupts (IHI 0069 "INTIDs"). */
#define GICV3_PPI_FIRST 16
/** Last INTID of the private peripheral interrupts. */
#define GICV3_PPI_LAST 31

/**
 * What ICC_IAR1_EL1 returns when no interrupt can be acknowledged
 * (IHI 0069 "Special INTIDs").
 */
#define GICV3_INTID_SPURIOUS 1023

/**
 * Initialises the distributor, once, on the boot CPU before any other CPU
 * runs gicv3_cpu_init(): affinity routing on and Group 1 enabled, with the
 * bits the GICD_CTLR description of IHI 0069 gives for the GIC's security
 * configuration (GICD_CTLR.DS = 1: one security state, ARE and
 * EnableGrp1; DS = 0 seen from Non-secure: ARE_NS and EnableGrp1A).
 * Affinity routing is turned on with the groups off: changing ARE while a
 * group is enabled is UNPREDICTABLE. Every wait for GICD_CTLR.RWP is
 * bounded. Returns 0; -ERR_NOTSUP when the platform has no GICv3;
 * -ERR_TIMEDOUT when RWP never clears; -ERR_IO when the bits do not read
 * back as written. Prints why it failed.
 */
int gicv3_dist_init(void);

/**
 * Initialises this CPU's part of the GIC, on every boot of the CPU (a
 * CPU_ON resets its CPU interface): finds its redistributor by walking the
 * frames until GICR_TYPER.Affinity_Value matches MPIDR_EL1, stopping at
 * GICR_TYPER.Last (IHI 0069 "GICR_TYPER"); wakes it (GICR_WAKER.
 * ProcessorSleep = 0, then a bounded wait for ChildrenAsleep = 0, IHI 0069
 * "GICR_WAKER"); and enables the system-register CPU interface at EL2:
 * ICC_SRE_EL2.SRE and .Enable, ICC_PMR_EL1, ICC_BPR1_EL1,
 * ICC_CTLR_EL1.EOImode = 0 (an EOI both drops the priority and
 * deactivates), ICC_IGRPEN1_EL1 = 1. Requires gicv3_dist_init() to have
 * succeeded. Returns 0; -ERR_NOTSUP without a working distributor or
 * system-register interface; -ERR_NOENT when no frame matches this CPU;
 * -ERR_TIMEDOUT when the redistributor does not wake; -ERR_IO on a frame
 * that is not a GICv3/v4 redistributor. Prints why it failed.
 */
int gicv3_cpu_init(void);

/**
 * Prepares this CPU's redistributor for the CPU to be powered off: Group 1
 * off at the CPU interface, then GICR_WAKER.ProcessorSleep = 1 and a
 * bounded wait for ChildrenAsleep = 1 (IHI 0069 "Power management").
 * gicv3_cpu_init() must run again when the CPU comes back. Does nothing
 * when this CPU's part was not initialised.
 */
void gicv3_cpu_sleep(void);

/** True when gicv3_cpu_init() succeeded on this CPU since it last booted. */
bool gicv3_cpu_ready(void);

/**
 * The EL2 virtual address of this CPU's redistributor (its RD_base frame;
 * the SGI_base frame follows 64 KiB later), or NULL when gicv3_cpu_init()
 * has not succeeded on this CPU.
 */
volatile void *gicv3_redist(void);

/**
 * Makes PPI @intid Non-secure Group 1 (GICR_IGROUPR0 = 1, GICR_IGRPMODR0 =
 * 0, IHI 0069 "Interrupt grouping"; with GICD_CTLR.DS = 0 those registers
 * are Secure-only and left to the firmware) and level-sensitive, gives it
 * priority @prio (lower is more urgent; a GIC may implement only the top
 * bits, IHI 0069 "Interrupt prioritization") and enables it in this CPU's
 * redistributor. Returns 0; -ERR_INVAL when @intid is not a PPI;
 * -ERR_NOTSUP when this CPU's part is not initialised; -ERR_TIMEDOUT when
 * GICR_CTLR.RWP never clears; -ERR_IO when the group (if ours to set) or
 * enable bit does not read back as set.
 */
int gicv3_ppi_enable(unsigned intid, uint8_t prio);

/**
 * Whether PPI @intid is pending in this CPU's redistributor (IHI 0069
 * "GICR_ISPENDR0"). False when this CPU's part is not initialised.
 */
bool gicv3_ppi_pending(unsigned intid);

/**
 * Acknowledges the highest-priority pending Group 1 interrupt by reading
 * ICC_IAR1_EL1 (IHI 0069 "ICC_IAR1_EL1"), which makes it active. Returns
 * its INTID, or GICV3_INTID_SPURIOUS when there is none to acknowledge.
 */
uint32_t gicv3_ack(void);

/**
 * Ends interrupt @intid, acknowledged by gicv3_ack(), by writing
 * ICC_EOIR1_EL1 (IHI 0069 "ICC_EOIR1_EL1"): with EOImode 0, a priority
 * drop and a deactivation. Must not be called with GICV3_INTID_SPURIOUS.
 */
void gicv3_eoi(uint32_t intid);

#endif /* FAULTLINE_AARCH64_GICV3_H */
