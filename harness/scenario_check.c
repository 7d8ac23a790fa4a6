/*
 * The checks of a scenario that need the whole file (scenario_internal.h):
 * expectations that could never hold for what the programs and the run
 * do, and VMs that could not fit the machine. Each is reported before
 * anything boots, at the statement to change.
 */
#include <stdio.h>
#include <string.h>

#include <faultline/err.h>

#include "scenario_internal.h"

/*
 * What the hypervisor keeps of the machine's RAM before it builds the VMs
 * (hyp/arch/aarch64/run_plan.c): its image, the DTB and their tables
 * (under 16 MiB), and a trace ring per CPU of up to 16 MiB, the rings
 * together taking at most a quarter of what is free (64 MiB in practice).
 * Slightly more than measured, so that a scenario this passes fits.
 */
#define SCN_HYP_KEEP (UINT64_C(16) << 20)
#define SCN_RING_PER_CPU (UINT64_C(16) << 20)
#define SCN_RINGS_MAX (UINT64_C(64) << 20)
#define SCN_MIB (UINT64_C(1) << 20)

/* What the programs of the scenario time. */
struct scn_timing {
	bool hvc;
	bool access;
};

static struct scn_timing scn_timing_of(const struct scenario *s)
{
	struct scn_timing t = {false, false};

	for (unsigned i = 0; i < s->nops; i++) {
		const struct guest_op *op = &s->ops[i];

		if (!(op->flags & GUEST_OP_TIMED)) {
			continue;
		}
		if (op->code == GUEST_OP_HVC && op->arg == GUEST_HVC_NULL) {
			t.hvc = true;
		} else if (op->code == GUEST_OP_READ ||
			   op->code == GUEST_OP_WRITE ||
			   op->code == GUEST_OP_EXEC) {
			t.access = true;
		}
	}
	return t;
}

static bool scn_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Expectations that no run of this scenario could satisfy. */
static int scn_check_expects(struct scn_parser *p)
{
	const struct scenario *s = p->s;
	struct scn_timing t = scn_timing_of(s);

	for (unsigned i = 0; i < s->nexpects; i++) {
		const struct expect *e = &s->expects[i];
		struct scn_pos at = {e->line, e->col};
		const char *m = e->metric;

		if (e->kind == EXPECT_LIVELOCK && s->livelock_faults == 0) {
			scn_error_at(p, at,
				     "`expect livelock` cannot hold: `run "
				     "livelock=off` turns the detector off");
			scn_hint(p, "give livelock= a number of faults, or "
				    "drop the expectation");
			return -ERR_INVAL;
		}
		if (e->kind != EXPECT_METRIC) {
			continue;
		}
		if ((scn_prefix(m, "ratio.") ||
		     scn_prefix(m, "latency.hvc.")) &&
		    !t.hvc) {
			scn_error_at(p, at,
				     "%s needs the null-hvc floor, but no "
				     "vCPU times a null hvc",
				     m);
			scn_hint(p, "add `loop 256` / `hvc null timed` / "
				    "`end` to a vCPU's program");
			return -ERR_INVAL;
		}
		if ((scn_prefix(m, "latency.access.") ||
		     scn_prefix(m, "latency.faulting_access.") ||
		     scn_prefix(m, "ratio.access") ||
		     scn_prefix(m, "ratio.faulting_access")) &&
		    !t.access) {
			scn_error_at(p, at,
				     "%s needs timed accesses, but no vCPU "
				     "times a read, write or exec",
				     m);
			scn_hint(p, "add `timed` to the accesses to measure");
			return -ERR_INVAL;
		}
	}
	return 0;
}

/* Bytes of the machine's RAM VM @vi takes (vm_build.c's allocations). */
static uint64_t scn_vm_ram(const struct scenario *s, unsigned vi)
{
	const struct scn_vm *vm = &s->vms[vi];
	uint64_t n =
		((uint64_t)vm->pool_pages + vm->dev_pool_pages) * PAGE_SIZE;

	for (unsigned i = 0; i < s->nregions; i++) {
		const struct scn_region *r = &s->regions[i];
		uint64_t bitmap = (r->size / PAGE_SIZE + 63) / 64 * 8;

		if (r->vm != vi) {
			continue;
		}
		/* Regions that can hold blocks are 2 MiB aligned. */
		n += r->size >= 2 * SCN_MIB ? ALIGN_UP(r->size, 2 * SCN_MIB)
					    : r->size;
		n += ALIGN_UP(bitmap, PAGE_SIZE);
	}
	return n + (uint64_t)vm->nvcpus * GUEST_PRIV_STRIDE;
}

/* The VMs' memory against what the hypervisor can give them. */
static int scn_check_ram(struct scn_parser *p)
{
	const struct scenario *s = p->s;
	unsigned smp = scenario_smp(s);
	uint64_t rings = (uint64_t)smp * SCN_RING_PER_CPU;
	uint64_t avail, need = 0;

	rings = rings < SCN_RINGS_MAX ? rings : SCN_RINGS_MAX;
	avail = SCN_RAM_SIZE - SCN_HYP_KEEP - rings;
	for (unsigned i = 0; i < s->nvms; i++) {
		need += scn_vm_ram(s, i);
		if (need > avail) {
			scn_error_at(p, s->vms[i].pos,
				     "the VMs need %llu MiB of RAM (up to VM "
				     "'%s'), more than the %llu MiB left for "
				     "VMs on %u CPU%s",
				     (unsigned long long)(need / SCN_MIB),
				     s->vms[i].name,
				     (unsigned long long)(avail / SCN_MIB), smp,
				     smp == 1 ? "" : "s");
			scn_hint(p,
				 "the machine has %llu MiB; regions, pool= "
				 "pages and 4 MiB per vCPU come out of it, "
				 "after the hypervisor's image and a trace "
				 "ring per CPU",
				 (unsigned long long)(SCN_RAM_SIZE / SCN_MIB));
			return -ERR_INVAL;
		}
	}
	return 0;
}

int scn_check_semantics(struct scn_parser *p)
{
	int ret = scn_check_expects(p);

	return ret != 0 ? ret : scn_check_ram(p);
}
