/*
 * What the timeline exporters (Perfetto, gnuplot) read from a decoded
 * trace before they write anything: the events and fields they use, bound
 * by name from the file's own schema (never by compiled ids, so a trace of
 * another build reads right or not at all); the VMs and vCPUs the trace
 * mentions, which become tracks, columns and processes; and every stage-2
 * fault paired from its s2_fault_enter to its s2_fault_exit.
 *
 * Faults nest strictly on a CPU, so an exit closes the innermost open
 * fault of its CPU with the same vCPU, VMID and IPA. When events were
 * lost, the faults opened above that one never see their exit: they are
 * "cut" there. Faults still open when the trace ends (a run killed mid
 * fault, a cut file) are "open" and end with the last record.
 */
#ifndef FAULTLINE_HARNESS_EXPORT_MODEL_H
#define FAULTLINE_HARNESS_EXPORT_MODEL_H

#include <stddef.h>

#include <faultline/trace/decode.h>

/** "No such record / vCPU / VM": an index that is not one. */
#define EXPORT_MODEL_NONE SIZE_MAX

/**
 * The VMID of the VM of a vCPU known only by its id (a guest_access of a
 * vCPU no other record names).
 */
#define EXPORT_MODEL_VMID_UNKNOWN UINT64_MAX

/** vCPUs the model keeps apart; records of more map to none. */
#define EXPORT_MODEL_MAX_VCPUS 256

/** The events the exporters single out (the others are generic). */
enum export_model_ev {
	EXPORT_EV_FAULT_ENTER,
	EXPORT_EV_FAULT_EXIT,
	EXPORT_EV_BBM_BREAK,
	EXPORT_EV_BBM_MAKE,
	EXPORT_EV_TLBI,
	EXPORT_EV_WORLD_SWITCH,
	EXPORT_EV_SPE_DRAIN,
	EXPORT_EV_GUEST_ACCESS,
	EXPORT_EV_VM_CREATE,
	EXPORT_EV_TRACE_DRAIN,
	EXPORT_EV_BOOT_TABLES_ON,
	EXPORT_EV_CPU_UP,
	EXPORT_EV_POOL_LEVEL,
	EXPORT_EV_COUNT,
	/** An event of the schema that is none of the above. */
	EXPORT_EV_OTHER = EXPORT_EV_COUNT
};

/** The fields the exporters read, of whichever event has them. */
enum export_model_field {
	EXPORT_F_VCPU,
	EXPORT_F_VMID,
	EXPORT_F_IPA,
	EXPORT_F_OUTCOME,
	EXPORT_F_POLICY,
	EXPORT_F_ENTRY,
	EXPORT_F_PHASE,
	EXPORT_F_ACCESS,
	EXPORT_F_T_START,
	EXPORT_F_T_END,
	EXPORT_F_TICKS,
	EXPORT_F_NVCPUS,
	EXPORT_F_OP,
	EXPORT_F_POOL,
	EXPORT_F_FREE,
	EXPORT_F_COUNT
};

/** How a paired fault ended. */
enum export_model_end {
	/** Its s2_fault_exit was found. */
	EXPORT_END_EXITED,
	/** An enclosing fault's exit came first (events were lost). */
	EXPORT_END_CUT,
	/** Still open when the trace ends. */
	EXPORT_END_OPEN,
};

/** A VM the trace mentions (vm_create, or any vCPU's VMID). */
struct export_model_vm {
	uint64_t vmid;
	/** A vm_create record was seen: @policy and @nvcpus are valid. */
	bool created;
	uint64_t policy;
	/** The schema's name of @policy, or NULL. */
	const char *policy_name;
	uint64_t nvcpus;
};

/** A vCPU the trace mentions: one (VMID, vCPU id) pair. */
struct export_model_vcpu {
	uint64_t vmid;
	/** The vCPU's id (global across VMs in plan runs). */
	uint64_t vcpu;
	/** Its VM in export_model.vms. */
	size_t vm;
};

/** One stage-2 fault, enter to exit. */
struct export_model_fault {
	/** Index of its s2_fault_enter record. */
	size_t enter;
	/** Index of its s2_fault_exit record, or EXPORT_MODEL_NONE. */
	size_t exit;
	/** Nanoseconds since the first record (trace_data_rel_ns()). */
	uint64_t start_ns;
	/** Where it ends: its exit, the cutting exit, or the last record. */
	uint64_t end_ns;
	enum export_model_end how;
	/** Its vCPU in export_model.vcpus, or EXPORT_MODEL_NONE. */
	size_t vcpu;
	/** The CPU that handled it. */
	unsigned cpu;
};

/** What the exporters read from one trace. */
struct export_model {
	const struct trace_data *td;
	/** Per schema id below @nids: its enum export_model_ev. */
	uint8_t *ev_of;
	/** Per schema id below @nids: each field's index, or -1. */
	int8_t (*fidx)[EXPORT_F_COUNT];
	size_t nids;
	/** CPUs: the header's count, or more when records name more. */
	unsigned ncpus;
	/** Sorted by VMID. */
	struct export_model_vm *vms;
	size_t nvms;
	/** Sorted by (VMID, vCPU id). */
	struct export_model_vcpu *vcpus;
	size_t nvcpus;
	/** In order of their enter records. */
	struct export_model_fault *faults;
	size_t nfaults;
	/** s2_fault_exit records with no open fault to close. */
	size_t unmatched_exits;
	/** trace_data_rel_ns() of the last record (0 without records). */
	uint64_t last_ns;
};

/**
 * Builds @m from @td, whose records are in time order as the decoder
 * leaves them; @m keeps a pointer to @td. Returns 0 or -ERR_NOMEM; @m is
 * released with export_model_free() in every case.
 */
int export_model_build(const struct trace_data *td, struct export_model *m);

/** Releases what @m holds (safe on a zeroed struct). */
void export_model_free(struct export_model *m);

/** Which of the singled-out events @r is (EXPORT_EV_OTHER if none). */
enum export_model_ev export_model_ev(const struct export_model *m,
				     const struct trace_record *r);

/**
 * Field @f of @r in *@v; returns false (and *@v = 0) when @r's event has
 * no field of that name.
 */
bool export_model_get(const struct export_model *m,
		      const struct trace_record *r, enum export_model_field f,
		      uint64_t *v);

/**
 * The schema's name of the value of enumerated field @f of @r ("mapped"),
 * or NULL when the event lacks the field or the value has no name.
 */
const char *export_model_enum(const struct export_model *m,
			      const struct trace_record *r,
			      enum export_model_field f);

/** The index of vCPU (@vmid, @vcpu) in m->vcpus, or EXPORT_MODEL_NONE. */
size_t export_model_vcpu_find(const struct export_model *m, uint64_t vmid,
			      uint64_t vcpu);

/**
 * The vCPU record @r is about: its (vmid, vcpu) fields, or for an event
 * that names only a vCPU id (guest_access), the first vCPU with that id.
 * EXPORT_MODEL_NONE when @r names no vCPU.
 */
size_t export_model_vcpu_of(const struct export_model *m,
			    const struct trace_record *r);

#endif /* FAULTLINE_HARNESS_EXPORT_MODEL_H */
