/*
 * Hand-made decoded traces for the rule checker's tests: records built
 * by event and field name into a struct trace_data whose schema is the
 * compiled event table (as a file written by this build would have it),
 * and the sequences the hypervisor emits (world switch, invalidation by
 * IPA, break-before-make, faults, locks), so that each test states a good
 * trace and breaks one step of it.
 */
#ifndef FAULTLINE_TRACE_TESTS_CHECK_FIXTURE_H
#define FAULTLINE_TRACE_TESTS_CHECK_FIXTURE_H

#include <faultline/trace/check.h>
#include <faultline/trace/event.h>

/** A trace being built. */
struct fx {
	struct trace_data td;
	/** The next timestamp (one tick per record). */
	uint64_t ts;
	/** The next sequence number of each CPU. */
	uint32_t seq[TRACE_FILE_MAX_CPUS];
	/** Records @td.records has room for. */
	size_t cap;
	/** The result of the last fx_check(). */
	struct check_result res;
};

/** One field of a record: its name in events.def and its value. */
struct fx_field {
	const char *name;
	uint64_t value;
};

/** Starts an empty trace of @ncpus CPUs. */
void fx_init(struct fx *x, unsigned ncpus);

/** Frees @x (trace and result). */
void fx_free(struct fx *x);

/**
 * Appends event @name on @cpu, with the fields of @fields (ended by a
 * NULL name) and 0 in the others. Use FX() rather than this.
 */
void fx_event(struct fx *x, unsigned cpu, const char *name,
	      const struct fx_field *fields);

/** Appends event @ev on @cpu: FX(x, 0, "dsb", {"share", ...}, ...). */
#define FX(x, cpu, ev, ...)                                                    \
	fx_event((x), (cpu), (ev),                                             \
		 (const struct fx_field[]){__VA_ARGS__, {NULL, 0}})

/** Skips @n sequence numbers of @cpu: as if its ring had dropped them. */
void fx_lose(struct fx *x, unsigned cpu, uint32_t n);

/**
 * Runs the checker on @x into x->res; returns the violations found of
 * rule @rule (0: of all rules). Prints the report when any is found, so
 * a failing test shows what the checker saw.
 */
uint64_t fx_check(struct fx *x, unsigned rule);

/** A valid 4 KiB page descriptor for @pa, read-write (Normal WB). */
uint64_t fx_page(uint64_t pa);

/** fx_page() without write permission. */
uint64_t fx_page_ro(uint64_t pa);

/** A table descriptor pointing at @pa. */
uint64_t fx_table(uint64_t pa);

/** A guest entry and exit of vCPU @vcpu of @vmid on @cpu, as switch.c. */
void fx_switch_in(struct fx *x, unsigned cpu, uint64_t vcpu, uint64_t vmid);
void fx_switch_out(struct fx *x, unsigned cpu, uint64_t vcpu, uint64_t vmid);

/**
 * stage2_tlb_inval_ipa() of @ipa at @level for @vmid, shared (@ish) or
 * local, with the VMID already loaded.
 */
void fx_inval_ipa(struct fx *x, unsigned cpu, uint64_t ipa, uint64_t level,
		  uint64_t vmid, bool ish);

/** stage2_tlb_inval_vmid() for @vmid, with the VMID already loaded. */
void fx_inval_vmid(struct fx *x, unsigned cpu, uint64_t vmid, bool ish);

/** The table lock of @vmid taken (@write side or read) and released. */
void fx_lock(struct fx *x, unsigned cpu, uint64_t vmid, bool write);
void fx_unlock(struct fx *x, unsigned cpu, uint64_t vmid, bool write);

/** s2_fault_enter / s2_fault_exit of vCPU @vcpu (prejudge unless said). */
void fx_fault_enter(struct fx *x, unsigned cpu, uint64_t vcpu, uint64_t vmid,
		    uint64_t ipa, bool permission);
void fx_fault_exit(struct fx *x, unsigned cpu, uint64_t vcpu, uint64_t vmid,
		   uint64_t ipa, uint64_t outcome, uint64_t policy);

/** A break-before-make of the page entry of @ipa from @old to @new. */
void fx_bbm(struct fx *x, unsigned cpu, uint64_t ipa, uint64_t old,
	    uint64_t new_pte, uint64_t vmid);

/** The entry address fx_bbm() and the other helpers use for @ipa. */
uint64_t fx_entry(uint64_t ipa);

/**
 * A whole fault of vCPU @vcpu (on @cpu, VMID @vmid) that remaps @ipa
 * with break-before-make under the write lock, as the legacy policy does,
 * between a guest exit and the next entry.
 */
void fx_legacy_remap(struct fx *x, unsigned cpu, uint64_t vcpu, uint64_t vmid,
		     uint64_t ipa);

#endif /* FAULTLINE_TRACE_TESTS_CHECK_FIXTURE_H */
