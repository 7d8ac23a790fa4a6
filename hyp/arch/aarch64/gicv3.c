/*
 * The GICv3 at EL2 (Arm IHI 0069): just enough to take a private
 * interrupt (the EL2 physical timer's) as an IRQ exit while a guest runs.
 *
 * The distributor and the redistributors are reached through the runtime
 * map (PA + HYP_VA_OFFSET, hyp_mm.c maps both ranges as device memory).
 * Private interrupts are configured in each CPU's own redistributor, as
 * affinity routing requires; the distributor only needs ARE and the group
 * enable. Every wait on the GIC is bounded by the generic counter, so a
 * GIC that never answers gives -ERR_TIMEDOUT and a message, never a hang.
 */
#include <faultline/arch/cpu.h>
#include <faultline/arch/mem.h>
#include <faultline/console.h>
#include <faultline/err.h>
#include <faultline/time.h>

#include "gicv3.h"
#include "hyp_state.h"
#include "sysreg.h"

/* Distributor registers (IHI 0069 "The GIC Distributor register map"). */
#define GICD_CTLR 0x0000
#define GICD_CTLR_ENABLE_GRP0 SYSREG_BIT(0)
/* EnableGrp1 with DS = 1; EnableGrp1A (Non-secure Group 1) with DS = 0. */
#define GICD_CTLR_ENABLE_GRP1 SYSREG_BIT(1)
#define GICD_CTLR_ENABLE_GRP1S SYSREG_BIT(2)
/* ARE with DS = 1; ARE_NS with DS = 0. */
#define GICD_CTLR_ARE SYSREG_BIT(4)
#define GICD_CTLR_DS SYSREG_BIT(6)
#define GICD_CTLR_RWP SYSREG_BIT(31)

/* Redistributor RD_base frame. */
#define GICR_CTLR 0x0000
#define GICR_CTLR_RWP SYSREG_BIT(3)
#define GICR_TYPER 0x0008
#define GICR_TYPER_VLPIS SYSREG_BIT(1)
#define GICR_TYPER_LAST SYSREG_BIT(4)
#define GICR_TYPER_AFF_SHIFT 32
#define GICR_WAKER 0x0014
#define GICR_WAKER_PROCESSOR_SLEEP SYSREG_BIT(1)
#define GICR_WAKER_CHILDREN_ASLEEP SYSREG_BIT(2)
#define GICR_PIDR2 0xffe8
#define GICR_PIDR2_ARCHREV_SHIFT 4
#define GICR_PIDR2_ARCHREV_MASK 0xf

/* Redistributor SGI_base frame, 64 KiB after RD_base. */
#define GICR_SGI_BASE 0x10000
#define GICR_IGROUPR0 (GICR_SGI_BASE + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI_BASE + 0x0100)
#define GICR_ICENABLER0 (GICR_SGI_BASE + 0x0180)
#define GICR_ISPENDR0 (GICR_SGI_BASE + 0x0200)
#define GICR_IPRIORITYR (GICR_SGI_BASE + 0x0400)
#define GICR_ICFGR1 (GICR_SGI_BASE + 0x0c04)
#define GICR_IGRPMODR0 (GICR_SGI_BASE + 0x0d00)

/* One redistributor: RD_base + SGI_base; GICv4 adds VLPI_base + reserved. */
#define GICR_FRAME_V3 0x20000
#define GICR_FRAME_V4 0x40000

/* ICC_SRE_EL2 and ICC_CTLR_EL1 bits. */
#define ICC_SRE_SRE SYSREG_BIT(0)
#define ICC_SRE_ENABLE SYSREG_BIT(3)
#define ICC_CTLR_EOIMODE SYSREG_BIT(1)
/*
 * The priority mask: every priority more urgent than 0xf0 is signalled.
 * Any implemented number of priority bits (at least 4 for Non-secure
 * Group 1, IHI 0069 "Interrupt prioritization") keeps 0xf0 distinct from
 * the priorities drivers use.
 */
#define GICV3_PMR 0xf0

/* MPIDR_EL1: Aff2..Aff0 in [23:0], Aff3 in [39:32]. */
#define MPIDR_AFF012_MASK UINT64_C(0xffffff)
#define MPIDR_AFF3_SHIFT 32

/* Longest wait for the GIC (RWP, ChildrenAsleep): 10 ms of counter. */
#define GICV3_WAIT_NS UINT64_C(10000000)

static volatile uint8_t *gicv3_dist;
static bool gicv3_dist_ok;
/* GICD_CTLR.DS: one security state, so grouping is ours to set. */
static bool gicv3_one_state;

/* Per CPU, reset by every gicv3_cpu_init(): its redistributor frame. */
static struct {
	volatile uint8_t *rd;
	bool ready;
} gicv3_cpu[PLATFORM_MAX_CPUS];

static uint32_t gicv3_read32(volatile uint8_t *base, uint32_t off)
{
	return *(volatile uint32_t *)(base + off);
}

static void gicv3_write32(volatile uint8_t *base, uint32_t off, uint32_t val)
{
	*(volatile uint32_t *)(base + off) = val;
}

static uint64_t gicv3_read64(volatile uint8_t *base, uint32_t off)
{
	return *(volatile uint64_t *)(base + off);
}

/*
 * Waits, bounded, until (*(base + off) & mask) == want. Device memory
 * accesses are not reordered among themselves, so the loop sees each
 * earlier write's effect in order.
 */
static int gicv3_wait(volatile uint8_t *base, uint32_t off, uint32_t mask,
		      uint32_t want)
{
	uint64_t limit = arch_counter_now() +
			 time_ns_to_ticks(GICV3_WAIT_NS, arch_counter_freq());

	while ((gicv3_read32(base, off) & mask) != want) {
		if (arch_counter_now() > limit) {
			return (gicv3_read32(base, off) & mask) == want
				       ? 0
				       : -ERR_TIMEDOUT;
		}
		arch_cpu_relax();
	}
	return 0;
}

static int gicv3_dist_write(uint32_t ctlr)
{
	gicv3_write32(gicv3_dist, GICD_CTLR, ctlr);
	/* RWP: the write has taken effect throughout the GIC. */
	return gicv3_wait(gicv3_dist, GICD_CTLR, (uint32_t)GICD_CTLR_RWP, 0);
}

int gicv3_dist_init(void)
{
	const struct platform_gic *g = &hyp_platform.gic;
	uint32_t ctlr;
	uint32_t want = (uint32_t)(GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1);
	int ret;

	gicv3_dist_ok = false;
	if (g->version != 3 || g->dist.size < 0x10000 || g->redist.size == 0) {
		console_printf("faultline: gicv3: no GICv3 in the device tree "
			       "(version %u): no preemption timer\n",
			       g->version);
		return -ERR_NOTSUP;
	}
	gicv3_dist = arch_phys_to_virt(pa_init(g->dist.base));
	ctlr = gicv3_read32(gicv3_dist, GICD_CTLR);
	if (!(ctlr & GICD_CTLR_ARE)) {
		/*
		 * DS = 1 (QEMU virt without secure=on): one security state,
		 * bit 4 is ARE and bit 1 EnableGrp1. DS = 0 (a secure
		 * firmware below us): this Non-secure view has ARE_NS and
		 * EnableGrp1A at the same bits. Groups off first.
		 */
		ctlr &= ~(uint32_t)(GICD_CTLR_ENABLE_GRP0 |
				    GICD_CTLR_ENABLE_GRP1 |
				    GICD_CTLR_ENABLE_GRP1S);
		ret = gicv3_dist_write(ctlr);
		if (ret == 0) {
			ret = gicv3_dist_write(ctlr | (uint32_t)GICD_CTLR_ARE);
		}
		if (ret != 0) {
			goto fail;
		}
		ctlr |= (uint32_t)GICD_CTLR_ARE;
	}
	ret = gicv3_dist_write(ctlr | (uint32_t)GICD_CTLR_ENABLE_GRP1);
	if (ret != 0) {
		goto fail;
	}
	ctlr = gicv3_read32(gicv3_dist, GICD_CTLR);
	if ((ctlr & want) != want) {
		ret = -ERR_IO;
		goto fail;
	}
	gicv3_one_state = (ctlr & GICD_CTLR_DS) != 0;
	gicv3_dist_ok = true;
	return 0;

fail:
	console_printf("faultline: gicv3: distributor at 0x%llx: GICD_CTLR "
		       "0x%x (DS=%u), wanted ARE and EnableGrp1: %s\n",
		       (unsigned long long)g->dist.base,
		       gicv3_read32(gicv3_dist, GICD_CTLR),
		       (gicv3_read32(gicv3_dist, GICD_CTLR) & GICD_CTLR_DS) !=
			       0,
		       err_name(ret));
	return ret;
}

/* MPIDR_EL1's affinity in the GICR_TYPER.Affinity_Value layout. */
static uint32_t gicv3_mpidr_affinity(uint64_t mpidr)
{
	return (uint32_t)(mpidr & MPIDR_AFF012_MASK) |
	       (uint32_t)((mpidr >> MPIDR_AFF3_SHIFT) & 0xff) << 24;
}

/* Finds the redistributor whose affinity is @aff; -ERR_NOENT if none. */
static int gicv3_find_redist(uint32_t aff, volatile uint8_t **out)
{
	const struct mem_range *r = &hyp_platform.gic.redist;
	volatile uint8_t *base = arch_phys_to_virt(pa_init(r->base));
	uint64_t off = 0;

	while (off + GICR_FRAME_V3 <= r->size) {
		volatile uint8_t *rd = base + off;
		uint32_t rev = (gicv3_read32(rd, GICR_PIDR2) >>
				GICR_PIDR2_ARCHREV_SHIFT) &
			       GICR_PIDR2_ARCHREV_MASK;
		uint64_t typer;

		if (rev != 3 && rev != 4) {
			console_printf("faultline: gicv3: no redistributor at "
				       "0x%llx (PIDR2.ArchRev %u)\n",
				       (unsigned long long)(r->base + off),
				       rev);
			return -ERR_IO;
		}
		typer = gicv3_read64(rd, GICR_TYPER);
		if ((uint32_t)(typer >> GICR_TYPER_AFF_SHIFT) == aff) {
			*out = rd;
			return 0;
		}
		if (typer & GICR_TYPER_LAST) {
			break;
		}
		off += (typer & GICR_TYPER_VLPIS) ? GICR_FRAME_V4
						  : GICR_FRAME_V3;
	}
	return -ERR_NOENT;
}

/* The system-register CPU interface at EL2 (IHI 0069 "ICC_SRE_EL2"). */
static int gicv3_cpuif_init(void)
{
	write_sysreg(read_sysreg(icc_sre_el2) | ICC_SRE_SRE | ICC_SRE_ENABLE,
		     icc_sre_el2);
	/* Accesses to the other ICC registers depend on SRE: synchronise. */
	isb();
	if (!(read_sysreg(icc_sre_el2) & ICC_SRE_SRE)) {
		return -ERR_NOTSUP;
	}
	write_sysreg(GICV3_PMR, icc_pmr_el1);
	/*
	 * Priority grouping only matters for nested interrupts, and EL2 never
	 * takes one (PSTATE.I stays masked). 0 asks for the finest grouping;
	 * the GIC raises it to its minimum.
	 */
	write_sysreg(0, icc_bpr1_el1);
	write_sysreg(read_sysreg(icc_ctlr_el1) & ~ICC_CTLR_EOIMODE,
		     icc_ctlr_el1);
	write_sysreg(1, icc_igrpen1_el1);
	isb();
	return 0;
}

int gicv3_cpu_init(void)
{
	unsigned cpu = arch_cpu_index();
	uint64_t mpidr = read_sysreg(mpidr_el1);
	uint32_t aff = gicv3_mpidr_affinity(mpidr);
	volatile uint8_t *rd = NULL;
	const char *what;
	int ret;

	gicv3_cpu[cpu].ready = false;
	gicv3_cpu[cpu].rd = NULL;
	if (!gicv3_dist_ok) {
		/* gicv3_dist_init() already said why. */
		return -ERR_NOTSUP;
	}
	what = "finding the redistributor";
	ret = gicv3_find_redist(aff, &rd);
	if (ret == 0) {
		what = "waking the redistributor";
		gicv3_write32(rd, GICR_WAKER,
			      gicv3_read32(rd, GICR_WAKER) &
				      ~(uint32_t)GICR_WAKER_PROCESSOR_SLEEP);
		ret = gicv3_wait(rd, GICR_WAKER,
				 (uint32_t)GICR_WAKER_CHILDREN_ASLEEP, 0);
	}
	if (ret == 0) {
		what = "enabling the system-register interface";
		ret = gicv3_cpuif_init();
	}
	if (ret != 0) {
		console_printf("faultline: gicv3: cpu %u (affinity 0x%x): %s: "
			       "%s\n",
			       cpu, aff, what, err_name(ret));
		return ret;
	}
	gicv3_cpu[cpu].rd = rd;
	gicv3_cpu[cpu].ready = true;
	return 0;
}

void gicv3_cpu_sleep(void)
{
	unsigned cpu = arch_cpu_index();
	volatile uint8_t *rd = gicv3_cpu[cpu].rd;

	if (!gicv3_cpu[cpu].ready) {
		return;
	}
	gicv3_cpu[cpu].ready = false;
	write_sysreg(0, icc_igrpen1_el1);
	isb();
	gicv3_write32(rd, GICR_WAKER,
		      gicv3_read32(rd, GICR_WAKER) |
			      (uint32_t)GICR_WAKER_PROCESSOR_SLEEP);
	if (gicv3_wait(rd, GICR_WAKER, (uint32_t)GICR_WAKER_CHILDREN_ASLEEP,
		       (uint32_t)GICR_WAKER_CHILDREN_ASLEEP) != 0) {
		/* Power-off goes ahead: the next boot wakes it again. */
		console_printf("faultline: gicv3: cpu %u: redistributor did "
			       "not report ChildrenAsleep\n",
			       cpu);
	}
}

bool gicv3_cpu_ready(void)
{
	return gicv3_cpu[arch_cpu_index()].ready;
}

volatile void *gicv3_redist(void)
{
	unsigned cpu = arch_cpu_index();

	return gicv3_cpu[cpu].ready ? gicv3_cpu[cpu].rd : NULL;
}

int gicv3_ppi_enable(unsigned intid, uint8_t prio)
{
	unsigned cpu = arch_cpu_index();
	volatile uint8_t *rd = gicv3_cpu[cpu].rd;
	uint32_t bit, edge;
	int ret;

	if (intid < GICV3_PPI_FIRST || intid > GICV3_PPI_LAST) {
		return -ERR_INVAL;
	}
	if (!gicv3_cpu[cpu].ready) {
		return -ERR_NOTSUP;
	}
	bit = UINT32_C(1) << intid;
	/* Two configuration bits per interrupt: [1] = edge-triggered. */
	edge = UINT32_C(2) << (2 * (intid - GICV3_PPI_FIRST));
	/* Disabled while it is reconfigured; RWP covers the disable. */
	gicv3_write32(rd, GICR_ICENABLER0, bit);
	ret = gicv3_wait(rd, GICR_CTLR, (uint32_t)GICR_CTLR_RWP, 0);
	if (ret != 0) {
		return ret;
	}
	/*
	 * With two security states the group registers are Secure-only
	 * (RAZ/WI from here): the secure firmware groups interrupts, and
	 * leaves them Non-secure Group 1 unless it claims them.
	 */
	if (gicv3_one_state) {
		gicv3_write32(rd, GICR_IGROUPR0,
			      gicv3_read32(rd, GICR_IGROUPR0) | bit);
		gicv3_write32(rd, GICR_IGRPMODR0,
			      gicv3_read32(rd, GICR_IGRPMODR0) & ~bit);
	}
	/* The PPI's trigger may be fixed by the implementation (RO). */
	gicv3_write32(rd, GICR_ICFGR1, gicv3_read32(rd, GICR_ICFGR1) & ~edge);
	/* GICR_IPRIORITYR is byte-accessible: one byte per INTID. */
	rd[GICR_IPRIORITYR + intid] = prio;
	gicv3_write32(rd, GICR_ISENABLER0, bit);
	if ((gicv3_one_state && !(gicv3_read32(rd, GICR_IGROUPR0) & bit)) ||
	    !(gicv3_read32(rd, GICR_ISENABLER0) & bit)) {
		return -ERR_IO;
	}
	return 0;
}

bool gicv3_ppi_pending(unsigned intid)
{
	unsigned cpu = arch_cpu_index();

	if (!gicv3_cpu[cpu].ready || intid > GICV3_PPI_LAST) {
		return false;
	}
	return (gicv3_read32(gicv3_cpu[cpu].rd, GICR_ISPENDR0) >> intid) & 1;
}

uint32_t gicv3_ack(void)
{
	uint32_t intid = (uint32_t)read_sysreg(icc_iar1_el1) & 0xffffff;

	/*
	 * Later memory accesses (to whatever raised the interrupt) are
	 * ordered after the acknowledge: the read has no data dependency
	 * on them that would order them otherwise.
	 */
	dsb(sy);
	return intid;
}

void gicv3_eoi(uint32_t intid)
{
	write_sysreg(intid, icc_eoir1_el1);
	isb();
}
