/*
 * Scenarios: the text files in scenarios/ (docs/scenarios.md) parsed into
 * VMs, regions and per-vCPU programs, checked, and compiled into the run
 * plan the hypervisor reads (hyp/include/faultline/plan.h).
 *
 * Every error names the place as `file:line:col: message`, with a hint
 * when there is an obvious fix.
 */
#ifndef FAULTLINE_HARNESS_SCENARIO_H
#define FAULTLINE_HARNESS_SCENARIO_H

#include <stddef.h>

#include <faultline/guest_abi.h>
#include <faultline/plan.h>
#include <faultline/types.h>

#include "expect.h"

/** Longest name of a scenario, VM or region (with the NUL). */
#define SCN_NAME_MAX 32
/** Longest description. */
#define SCN_DESC_MAX 256
/** Largest scenario file read. */
#define SCN_FILE_MAX (1u << 20)
/** Most `param` and `expect` statements in one scenario. */
#define SCN_MAX_PARAMS 16
#define SCN_MAX_EXPECTS 64
/** Longest parameter value. */
#define SCN_PARAM_VALUE_MAX 64
/** Default livelock threshold: faults in a row on a page, no progress. */
#define SCN_DEFAULT_LIVELOCK 64u
/** Default deadline of a run (ms) when the scenario gives none. */
#define SCN_DEFAULT_TIMEOUT_MS 30000u
/**
 * The RAM of the machine the harness starts (QEMU virt, -m 512M): a host
 * VM's regions are physical memory and must be inside it.
 */
#define SCN_RAM_BASE UINT64_C(0x40000000)
#define SCN_RAM_SIZE (UINT64_C(512) << 20)

/** A place in the scenario's text (1-based). */
struct scn_pos {
	unsigned line;
	unsigned col;
};

/** A parse or check error: "file:line:col: message" and maybe a hint. */
struct scn_diag {
	char msg[1024];
	char hint[256];
};

/** A parameter (`param NAME=VALUE`), used as $NAME after it. */
struct scn_param {
	char name[SCN_NAME_MAX];
	char value[SCN_PARAM_VALUE_MAX];
	/** Given on the command line (--set), replacing the default. */
	bool overridden;
	struct scn_pos pos;
};

/** A value for a parameter from the command line (--set NAME=VALUE). */
struct scn_set {
	const char *name;
	const char *value;
};

/** One memory region of a VM. */
struct scn_region {
	char name[SCN_NAME_MAX];
	/** Index of its VM. */
	unsigned vm;
	uint64_t ipa;
	uint64_t size;
	/** enum plan_region_flags. */
	uint32_t flags;
	struct scn_pos pos;
};

/** One VM. */
struct scn_vm {
	char name[SCN_NAME_MAX];
	/** enum plan_policy. */
	uint32_t policy;
	/** enum plan_vm_flags. */
	uint32_t flags;
	uint32_t ia_bits;
	uint32_t pool_pages;
	uint32_t dev_pool_pages;
	unsigned nregions;
	unsigned nvcpus;
	struct scn_pos pos;
};

/** One vCPU and its program (ops[first_op, first_op + nops)). */
struct scn_vcpu {
	unsigned vm;
	/** Its index within its VM. */
	unsigned index;
	unsigned pcpu;
	unsigned first_op;
	unsigned nops;
	/** Timed accesses the program records (loops multiplied out). */
	uint64_t timed;
	struct scn_pos pos;
};

/** A parsed scenario. */
struct scenario {
	/** The file, as given (for messages). */
	char path[512];
	char name[SCN_NAME_MAX];
	char description[SCN_DESC_MAX];
	/** `run smp=`: 0 when not given (enough for the vCPUs). */
	unsigned smp;
	/** `run timeout=` in ms. */
	uint64_t timeout_ms;
	/** `run bbm_delay=` in ns (0: off). */
	uint64_t bbm_delay_ns;
	/** `run reps=` (default 1) and `warmup=` (default 0). */
	uint32_t reps;
	uint32_t warmup;
	/** `run livelock=` faults without progress (default 64; 0: off). */
	uint32_t livelock_faults;
	/**
	 * `run prealloc=on`: the machine's RAM is allocated and touched on
	 * the host before the hypervisor boots (QEMU's -mem-prealloc), so
	 * that the first touch of each host page does not weigh on the
	 * measured faults (DESIGN.md, "Measuring under QEMU"). Off by default.
	 */
	bool prealloc;
	struct scn_vm vms[PLAN_MAX_VMS];
	unsigned nvms;
	struct scn_region regions[PLAN_MAX_VMS * PLAN_MAX_REGIONS];
	unsigned nregions;
	struct scn_vcpu vcpus[PLAN_MAX_VCPUS];
	unsigned nvcpus;
	struct scn_param params[SCN_MAX_PARAMS];
	unsigned nparams;
	struct expect expects[SCN_MAX_EXPECTS];
	unsigned nexpects;
	/** Every vCPU's program, in vCPU order, and where each op was. */
	struct guest_op *ops;
	struct scn_pos *op_pos;
	unsigned nops;
	unsigned ops_cap;
	/**
	 * The bytes scenario_load_with() read and parsed (@text_len of
	 * them), so that what is copied into the results is what ran;
	 * NULL when the scenario was parsed from memory.
	 */
	char *text;
	size_t text_len;
};

/**
 * Parses @len bytes of scenario @text (named @path in messages) into @s,
 * which scenario_free() releases whatever the result. The @nsets values at
 * @sets replace the defaults of the parameters they name; naming a
 * parameter the scenario does not declare is an error. Returns 0, or
 * -ERR_INVAL with @d filled, -ERR_NOMEM.
 */
int scenario_parse_with(const char *path, const char *text, size_t len,
			const struct scn_set *sets, unsigned nsets,
			struct scenario *s, struct scn_diag *d);

/** scenario_parse_with() without parameter values. */
int scenario_parse(const char *path, const char *text, size_t len,
		   struct scenario *s, struct scn_diag *d);

/**
 * Reads the file at @path and parses it (scenario_parse_with()); @s
 * keeps the bytes it read (@s->text).
 */
int scenario_load_with(const char *path, const struct scn_set *sets,
		       unsigned nsets, struct scenario *s, struct scn_diag *d);

/**
 * The VMID the hypervisor gives the scenario's VM @vm (vm_build.c: 0 for a
 * host_s2 VM, the VM's index + 1 otherwise).
 */
int64_t scenario_vmid(const struct scenario *s, unsigned vm);

/** Releases what @s holds. */
void scenario_free(struct scenario *s);

/**
 * The number of CPUs a run of @s needs: `run smp=`, or one more than the
 * highest pCPU a vCPU is placed on.
 */
unsigned scenario_smp(const struct scenario *s);

/**
 * Checks that @s can run on @smp CPUs (every vCPU's pCPU exists). Returns
 * 0, or -ERR_INVAL with @d naming the vCPU.
 */
int scenario_check_smp(const struct scenario *s, unsigned smp,
		       struct scn_diag *d);

/**
 * Overrides every VM's policy with @policy (enum plan_policy), as
 * `faultline run --policy` does, and decides again which expectations
 * with `policy=` apply (expect.off_policy).
 */
void scenario_set_policy(struct scenario *s, uint32_t policy);

/**
 * The policy named @name ("legacy", "prejudge"): its enum plan_policy
 * value, or 0 when there is none of that name.
 */
uint32_t scenario_policy_id(const char *name);

/** The name of enum plan_policy @policy, or "?". */
const char *scenario_policy_name(uint32_t policy);

/**
 * Compiles @s into a plan (plan.h) in a buffer from malloc(): *@blob, of
 * *@size bytes, with @timeout_ms as the hypervisor's deadline. Returns 0
 * or -ERR_NOMEM.
 */
int scenario_plan(const struct scenario *s, uint64_t timeout_ms, void **blob,
		  size_t *size);

/**
 * Formats @d for a terminal: the message, then "  hint: ..." on its own
 * line when there is one. Returns @out.
 */
const char *scn_diag_format(const struct scn_diag *d, char *out, size_t size);

#endif /* FAULTLINE_HARNESS_SCENARIO_H */
