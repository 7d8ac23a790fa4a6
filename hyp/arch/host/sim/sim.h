/*
 * The sim backend (docs/sim.md): a run plan (plan.h) executed by the
 * portable core on host threads, with the host arch's strict TLB model
 * standing in for the MMU. Each vCPU is a thread playing its pCPU; it
 * interprets its guest_op program as the EL1 executor does
 * (hyp/guest/executor.c), and every fault, hypercall and trapped system
 * register write goes to the same core code the hypervisor calls. The
 * outputs are the hypervisor's: a trace file, a console of "faultline:"
 * lines, and the exit statuses of exit_status.h.
 *
 * A run is sim_setup(), sim_run(), sim_finish(), sim_teardown(). The core
 * keeps its VMs in the global vms[] and the trace in global rings, so one
 * run at a time per process.
 */
#ifndef FAULTLINE_SIM_H
#define FAULTLINE_SIM_H

#include <pthread.h>
#include <stdatomic.h>

#include <faultline/plan.h>
#include <faultline/platform.h>
#include <faultline/ram.h>
#include <faultline/trace/writer.h>
#include <faultline/vm.h>

/** Where RAM starts, as on QEMU's virt machine. */
#define SIM_RAM_BASE UINT64_C(0x40000000)
/**
 * The end of RAM on the machine the harness starts under QEMU (512 MiB):
 * a host VM's regions must lie below it on both backends.
 */
#define SIM_RAM_LIMIT UINT64_C(0x60000000)
/** Records per CPU ring in the tool: run_plan.c's largest (16 MiB). */
#define SIM_RING_RECORDS (UINT32_C(1) << 18)
/**
 * DC CISW operations the executor issues for one SET_WAY op on QEMU's
 * `-cpu max`: its level-1 data cache has 256 sets of 2 ways, and each
 * operation traps (HCR_EL2.TSW).
 */
#define SIM_SET_WAY_OPS 512
/**
 * EL1 system-register writes that trap (HCR_EL2.TVM) when the executor
 * turns its MMU on: MAIR, TCR, TTBR0, then SCTLR.
 */
#define SIM_MMU_ON_TRAPS 4
/** How long vCPUs get after the deadline before the watchdog gives up. */
#define SIM_GRACE_NS UINT64_C(2000000000)
/** Largest plan file read (as the hypervisor's). */
#define SIM_PLAN_MAX (64u << 20)

/** What a run is asked for. */
struct sim_options {
	/**
	 * CPUs of the machine (1 to PLATFORM_MAX_CPUS), or 0 for just enough
	 * for the plan's placements (the highest pCPU + 1).
	 */
	unsigned ncpus;
	/** The trace file to write. */
	const char *trace_path;
	/** The plan's file, for messages (may be NULL). */
	const char *plan_path;
	/** Records per CPU ring (a power of two); 0 keeps the rings as they are. */
	uint32_t ring_records;
	/** Deliberate bugs to turn on (enum bug bits of bug.h; 0: none). */
	unsigned bugs;
	/** tracing=off: lean tracing (trace_set_lean()), as at EL2. */
	bool tracing_off;
	/**
	 * tracing=fault: recorded as at EL2; the sim has no world switch
	 * to quiet, so its trace is the same as with tracing=on.
	 */
	bool tracing_fault;
	/** Print the console lines the hypervisor prints for a plan. */
	bool verbose;
	/** Build id for the trace header (may be NULL). */
	const uint8_t *build_id;
	/** Bytes of @build_id. */
	size_t build_id_len;
};

struct sim;

/** One vCPU's thread and interpreter state. */
struct sim_vcpu {
	/** The run it belongs to. */
	struct sim *sim;
	/** The core's vCPU (in vms[]). */
	struct vcpu *v;
	/** Its program (in the plan). */
	const struct guest_op *ops;
	/** Ops in @ops. */
	uint32_t nops;
	/** SCTLR_EL1 as the guest last wrote it (trapped, emulated). */
	uint64_t sctlr;
	/** What the last hypercall returned in x0. */
	uint64_t x0;
	/** Dirty pages each DIRTY_HARVEST hypercall returned, in order. */
	uint64_t harvests[8];
	/** Harvests made (may exceed the length of @harvests). */
	unsigned nharvests;
	/** Its host thread, while @started. */
	pthread_t thread;
	/** The thread was created and not joined yet. */
	bool started;
	/** Set by the thread as it ends (the watchdog reads it). */
	_Atomic bool finished;
};

/** A run. */
struct sim {
	/** What the run was asked for. */
	struct sim_options opt;
	/** The validated plan (pointers into the caller's blob). */
	struct plan plan;
	/** CPUs of the machine (the trace's and the plan's). */
	unsigned ncpus;
	/** The host memory that plays RAM at SIM_RAM_BASE. */
	uint8_t *mem;
	/** Bytes of @mem: RAM ends at SIM_RAM_BASE + @mem_size. */
	uint64_t mem_size;
	/** What vm_build() allocates from. */
	struct ram ram;
	/** @ram before the first build: each repetition starts from it. */
	struct ram fresh_ram;
	/** The fake machine: one RAM range, QEMU virt's devices if needed. */
	struct platform plat;
	/** The trace file, while @trace_open. */
	struct trace_writer trace;
	bool trace_open;
	/** The plan's deadline (arch_counter_now() ticks). */
	uint64_t deadline;
	/** One per vCPU of the plan, in the plan's order. */
	struct sim_vcpu vcpus[PLAN_MAX_VCPUS];
	unsigned nvcpus;
	/** vCPU threads the watchdog left running. */
	unsigned stuck;
	/** Events written and lost, once sim_finish() closed the trace. */
	uint64_t events;
	uint64_t lost;
};

/**
 * Reads the plan file at @path (at most SIM_PLAN_MAX bytes) into a new
 * 8-byte aligned buffer *@blob of *@size bytes, which the caller frees.
 * Returns 0, or -ERR_NOENT/-ERR_IO/-ERR_RANGE/-ERR_NOMEM with @err (of
 * @err_size bytes) saying why.
 */
int sim_load_plan(const char *path, void **blob, size_t *size, char *err,
		  size_t err_size);

/**
 * Prepares a run of the @size-byte plan at @blob (untrusted, checked with
 * plan_validate()) with @opt: empties the TLB model and the rings, sizes
 * the rings, opens the trace, builds host memory and the machine (each
 * repetition builds the VMs: sim_build()). @blob must outlive the run.
 * Returns
 * HYP_EXIT_OK, or the exit status the hypervisor gives for the same
 * failure (HYP_EXIT_BAD_ARGS for a bad plan or one that does not fit,
 * HYP_EXIT_BOOT_FAILED when the trace or the memory cannot be had) with
 * @err saying why (also on the console, as the hypervisor says it, when
 * verbose); the trace stays open when it could be, so a failed run still
 * leaves one. Call sim_finish() and sim_teardown() either way.
 */
int sim_setup(struct sim *s, const void *blob, size_t size,
	      const struct sim_options *opt, char *err, size_t err_size);

/**
 * Runs every vCPU on its own thread until each has finished or stopped,
 * draining the trace meanwhile; a thread still running SIM_GRACE_NS after
 * the deadline is left behind and reported. Prints one line per vCPU as
 * the hypervisor does (when verbose). Returns HYP_EXIT_OK,
 * HYP_EXIT_VCPU_FAILED or HYP_EXIT_DEADLINE.
 */
int sim_run(struct sim *s);

/**
 * Builds the plan's VMs afresh for a repetition: tears down the previous
 * ones (vm_teardown()), takes RAM back to how it was after sim_setup(),
 * vm_build(), and the sim vCPUs over the new vCPUs. Returns HYP_EXIT_OK
 * or HYP_EXIT_BAD_ARGS with @err (a plan too big for the machine).
 */
int sim_build(struct sim *s, char *err, size_t err_size);

/**
 * Closes the trace and prints the hypervisor's last lines for @status
 * (when verbose). Returns @status.
 */
int sim_finish(struct sim *s, int status);

/**
 * Undoes sim_setup(): the rings go back to TRACE_RING_RECORDS records,
 * the host memory is released. The VMs in vms[] are gone with it. Not
 * safe while a vCPU thread was left running (s->stuck): then the memory
 * and rings are kept.
 */
void sim_teardown(struct sim *s);

/**
 * Runs @sv's program on the calling thread, which plays its pCPU, until
 * the program ends, the vCPU stops, or the run's deadline passes. Used by
 * sim_run()'s threads.
 */
void sim_vcpu_run(struct sim_vcpu *sv);

#endif /* FAULTLINE_SIM_H */
