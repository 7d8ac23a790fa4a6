/*
 * The host arch's model of per-CPU TLBs, behind arch/tlb.h, and the guest
 * accesses that go through it. Stricter than QEMU in the ways that matter
 * to the stage-2 fault path:
 *
 * - an entry stays cached until a TLBI that reaches it removes it: a CPU
 *   keeps using its stale entry after another CPU changed the table;
 * - an entry that does not allow the access is cached too, and the access
 *   takes a permission fault on it again and again (a TLB may hold an
 *   entry that caused a permission fault; only translation, access-flag
 *   and address-size faults are never cached, Arm ARM D8.16.2);
 * - guest accesses are made with the guest's stage 1 off, and the model
 *   caches them as combined stage 1+2 entries, tagged by VA: TLBI
 *   IPAS2E1 alone does not remove them (it is not required to), TLBI
 *   VMALLE1 or VMALLS12E1 for the VMID does.
 *
 * - walks cache the table entries they follow (walk caches), and resume
 *   from the deepest cached table on the next miss: TLBI IPAS2E1 drops
 *   those on the way to its IPA, TLBI VMALLS12E1 drops all of the VMID's,
 *   TLBI VMALLE1 none. A table replaced without the whole-VMID
 *   invalidation leaves walks going through the old table.
 *
 * TLBIs take effect at once and wait for the walks in flight (the DSB that
 * completes a TLBI does); no delayed completion is modelled. Every
 * maintenance operation is also appended to a log for tests to inspect.
 */
#ifndef FAULTLINE_HOST_TLB_H
#define FAULTLINE_HOST_TLB_H

#include <faultline/arch/tlb.h>
#include <faultline/stage2.h>

/** Entries each modelled CPU's TLB holds (round-robin replacement). */
#define HOST_TLB_ENTRIES 64
/** Table entries each modelled CPU caches for its walks. */
#define HOST_TLB_WALKS 16

/** How a modelled guest access ended. */
enum host_tlb_fault {
	HOST_TLB_OK,
	/** No valid leaf (or a locked one): not cached. */
	HOST_TLB_TRANSLATION,
	/** The (possibly cached, possibly stale) entry forbids the access. */
	HOST_TLB_PERMISSION,
};

/** The kind of access a guest makes. */
enum host_tlb_access_kind {
	HOST_TLB_READ,
	HOST_TLB_WRITE,
	HOST_TLB_EXEC,
};

/** The result of host_tlb_access(). */
struct host_tlb_result {
	enum host_tlb_fault fault;
	/** True when a cached entry was used (no walk). */
	bool hit;
	/** Level of the leaf used, or where the walk stopped. */
	unsigned level;
	/** Output address (HOST_TLB_OK only). */
	paddr_t pa;
};

/**
 * A guest access to @ipa of @kind on the calling CPU (its host CPU index),
 * through @pgt (VMID pgt->vmid), with the guest's stage 1 off.
 */
void host_tlb_access(const struct stage2_pgtable *pgt, uint64_t ipa,
		     enum host_tlb_access_kind kind,
		     struct host_tlb_result *out);

/** Empties every modelled TLB and the operation log. */
void host_tlb_reset(void);

/** Entries of VMID @vmid that translate @ipa in CPU @cpu's TLB. */
unsigned host_tlb_cached(unsigned cpu, uint16_t vmid, uint64_t ipa);

/** One maintenance operation, as logged. */
struct host_tlb_op {
	enum {
		HOST_TLB_OP_ENTER,
		HOST_TLB_OP_EXIT,
		HOST_TLB_OP_TLBI_IPA,
		HOST_TLB_OP_TLBI_VMALLE1,
		HOST_TLB_OP_TLBI_VMALLS12E1,
		HOST_TLB_OP_BARRIER,
	} kind;
	unsigned cpu;
	/** VMID in effect (VTTBR_EL2.VMID). */
	uint16_t vmid;
	enum arch_tlbi_scope scope;
	enum arch_barrier barrier;
	uint64_t ipa;
	/** Entries this operation removed (any CPU). */
	unsigned removed;
};

/**
 * Copies up to @max logged operations, oldest first. Returns how many were
 * logged since the last reset (the log keeps the first 8192).
 */
size_t host_tlb_log(struct host_tlb_op *out, size_t max);

#endif /* FAULTLINE_HOST_TLB_H */
