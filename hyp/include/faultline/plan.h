/*
 * A run plan: what the harness compiles a scenario into and the hypervisor
 * reads (through semihosting) and runs. One flat little-endian blob:
 *
 *   struct plan_header
 *   struct plan_vm      [nvms]
 *   struct plan_region  [nregions]
 *   struct plan_vcpu    [nvcpus]
 *   struct guest_op     [nops]        (guest_abi.h)
 *
 * The hypervisor treats it as untrusted input: plan_validate() checks
 * every count, index and range and says which item is wrong and why.
 */
#ifndef FAULTLINE_PLAN_H
#define FAULTLINE_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include <faultline/guest_abi.h>

/** "FLTPLAN1". */
#define PLAN_MAGIC UINT64_C(0x314e414c50544c46)
/** Version of this layout. */
#define PLAN_VERSION 2
/** Most VMs in a plan. */
#define PLAN_MAX_VMS 4
/** Most regions of one VM. */
#define PLAN_MAX_REGIONS 16
/** Most vCPUs in a plan (one per pCPU). */
#define PLAN_MAX_VCPUS 16
/** Longest deadline of a plan (a day), and longest BBM delay (1 s). */
#define PLAN_MAX_TIMEOUT_MS UINT64_C(86400000)
#define PLAN_MAX_BBM_DELAY_NS UINT64_C(1000000000)
/** Most repetitions (measured plus warm-up) of one plan. */
#define PLAN_MAX_REPS 1000u
/** Largest livelock threshold (faults without progress). */
#define PLAN_MAX_LIVELOCK_FAULTS (1u << 24)

/** Fault-handling policies (values match the trace's POLICY enum). */
enum plan_policy {
	PLAN_POLICY_LEGACY = 1,
	PLAN_POLICY_PREJUDGE = 2,
};

/** VM flags. */
enum plan_vm_flags {
	/**
	 * The host VM of seed 000: an identity stage 2 filled lazily with
	 * the largest blocks that fit, over its memory and the device ranges
	 * of the device tree, with a separate device pool. Its regions give
	 * its memory; the executor runs at physical addresses.
	 */
	PLAN_VM_HOST_S2 = 1u << 0,
	/** Dirty logging on from the start. */
	PLAN_VM_DIRTY_LOG = 1u << 1,
};

/** Region flags. */
enum plan_region_flags {
	/** The guest may not write it: a write gets an external abort. */
	PLAN_REGION_RO = 1u << 0,
	/** Device-nGnRE in stage 2. */
	PLAN_REGION_DEVICE = 1u << 1,
	/** Executable: every 8 bytes hold a RET the guest can call. */
	PLAN_REGION_EXEC = 1u << 2,
	/** Mapped when the VM is created, so the run takes no fault on it. */
	PLAN_REGION_PRETOUCH = 1u << 3,
	/** Faults map the largest block that fits instead of a page. */
	PLAN_REGION_BLOCKS = 1u << 4,
};

/** The head of a plan. */
struct plan_header {
	uint64_t magic;
	uint32_t version;
	/** Bytes of the whole plan. */
	uint32_t size;
	uint32_t nvms;
	uint32_t nregions;
	uint32_t nvcpus;
	uint32_t nops;
	/** Research knob: spin between break and make (0: off). */
	uint64_t bbm_delay_ns;
	/**
	 * The hypervisor stops vCPUs still running after this long, in each
	 * repetition.
	 */
	uint64_t timeout_ms;
	/** The scenario's name, NUL-terminated. */
	char name[32];
	/** Measured repetitions (1 or more): the VMs are built anew each. */
	uint32_t reps;
	/** Repetitions run first and not measured (their rep events say so). */
	uint32_t warmup;
	/**
	 * A vCPU that takes this many stage-2 faults in a row on one page
	 * without its program making progress is livelocked: its VM is
	 * stopped (0: no detection).
	 */
	uint32_t livelock_faults;
	uint32_t reserved;
};

/** One VM. */
struct plan_vm {
	/** enum plan_policy. */
	uint32_t policy;
	/** enum plan_vm_flags. */
	uint32_t flags;
	/** IPA bits of its stage 2 (32 to 48). */
	uint32_t ia_bits;
	/** Pages for stage-2 tables (device mappings of a host VM excepted). */
	uint32_t mem_pool_pages;
	/** Pages for the host VM's device mappings (0 for other VMs). */
	uint32_t dev_pool_pages;
	uint32_t first_region;
	uint32_t nregions;
	uint32_t first_vcpu;
	uint32_t nvcpus;
	uint32_t reserved;
};

/** One memory region of a VM. */
struct plan_region {
	/** IPA (or PA in a host VM, where it must be RAM) and size. */
	uint64_t ipa;
	uint64_t size;
	/** enum plan_region_flags. */
	uint32_t flags;
	uint32_t reserved;
};

/** One vCPU: the pCPU it runs on and its program. */
struct plan_vcpu {
	/** Index of its VM. */
	uint32_t vm;
	/** Physical CPU it is pinned to. */
	uint32_t pcpu;
	uint32_t first_op;
	uint32_t nops;
};

_Static_assert(sizeof(struct plan_header) == 96, "plan header layout");
_Static_assert(sizeof(struct plan_vm) == 40, "plan vm layout");
_Static_assert(sizeof(struct plan_region) == 24, "plan region layout");
_Static_assert(sizeof(struct plan_vcpu) == 16, "plan vcpu layout");

/** A plan that passed plan_validate(): pointers into the blob. */
struct plan {
	const struct plan_header *h;
	const struct plan_vm *vms;
	const struct plan_region *regions;
	const struct plan_vcpu *vcpus;
	const struct guest_op *ops;
};

/**
 * Checks the @size bytes at @blob (8-byte aligned) as a plan for a machine
 * with @ncpus CPUs and fills @plan. Every count and index is checked, VMs'
 * regions must be page aligned, inside the IPA size, not overlap each
 * other or the executor's reserved IPAs, vCPUs must be on distinct
 * existing CPUs, programs must have balanced loops and known ops. Returns
 * 0, or -ERR_INVAL with @err (of @err_size bytes) naming the item.
 */
int plan_validate(const void *blob, size_t size, unsigned ncpus,
		  struct plan *plan, char *err, size_t err_size);

#endif /* FAULTLINE_PLAN_H */
