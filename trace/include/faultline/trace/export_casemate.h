/*
 * Export to the trace format of Casemate (github.com/rems-project/casemate),
 * a checker of break-before-make and TLB maintenance on Arm page tables:
 * one s-expression per line, written the way Casemate's own trace printer
 * writes them, e.g.
 *
 *   (mem-write (id 7) (tid 1) (mem-order release) (address 0x44890000)
 *    (value 0x4488f003) (src "pte_write:27"))
 *
 * (on one line). docs/casemate.md gives the mapping from faultline events
 * and what the trace cannot tell Casemate.
 */
#ifndef FAULTLINE_TRACE_EXPORT_CASEMATE_H
#define FAULTLINE_TRACE_EXPORT_CASEMATE_H

#include <stdio.h>

#include <faultline/trace/decode.h>

/** What one Casemate export wrote, and what it left out. */
struct trace_casemate_stats {
	/** Records written, every kind. */
	size_t records;
	/** Of them, mem-init records the exporter added (see the doc). */
	size_t mem_inits;
	/** Events Casemate has no use for (fault entry, world switch...). */
	size_t skipped;
	/**
	 * Events Casemate needs but has no name for, left out: a DSB NSHST,
	 * a TLBI other than ipas2e1is, vmalle1[is] and vmalls12e1[is], a
	 * read-side (shared) lock, a lock event without an address, a
	 * descriptor write whose entry address the hypervisor could not
	 * tell (0).
	 * Casemate's verdict on a trace that has any is not to be trusted.
	 */
	size_t unsupported;
	/** Of @unsupported: DSBs. */
	size_t unsupported_dsb;
	/** Of @unsupported: TLBIs. */
	size_t unsupported_tlbi;
	/** Of @unsupported: lock and unlock events. */
	size_t unsupported_lock;
};

/**
 * Writes @td in Casemate's trace format to @out: page-table writes
 * (pte_write, bbm_break, bbm_make), DSBs and ISBs, TLBIs, VTTBR_EL2 and
 * VTCR_EL2 writes, write-side lock and unlock events (with a set_root_lock
 * hint before a lock's first use), and a mem-init before the first write
 * into each page-table page. Events are
 * recognised by their names and fields in the file's schema, so a trace
 * of an older table exports as long as the names are the same. The format
 * has no comments: anything else is left out and counted in *@stats
 * (which may be NULL). Returns 0, -ERR_NOMEM, or -ERR_IO.
 */
int trace_export_casemate_stats(const struct trace_data *td, FILE *out,
				struct trace_casemate_stats *stats);

/** trace_export_casemate_stats() without the counts. */
int trace_export_casemate(const struct trace_data *td, FILE *out);

#endif /* FAULTLINE_TRACE_EXPORT_CASEMATE_H */
