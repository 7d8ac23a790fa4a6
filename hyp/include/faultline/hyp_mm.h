/*
 * The dual-step init plan (seed 004): builds the two sets of EL2 page
 * tables that every CPU goes through on its way up.
 *
 * - boot tables: the init page identity-mapped, and the same page at
 *   HYP_TRAMPOLINE_VA. Kept for the lifetime of the hypervisor, so that a
 *   CPU brought back with PSCI CPU_ON after CPU_OFF can run the init again.
 * - runtime tables: the init page at HYP_TRAMPOLINE_VA (the same VA and the
 *   same physical page as in the boot tables), plus the runtime mappings:
 *   the image at PA + HYP_VA_OFFSET with text read-only/executable, rodata
 *   read-only and data execute-never; the rest of RAM as Normal Write-Back
 *   execute-never; the UART and GIC as Device-nGnRE execute-never.
 *
 * If the init code crosses a page boundary it is copied to a page-aligned
 * bounce page, cleaned to the point of coherency, and the bounce page is
 * used in its place. All table pages are cleaned to the point of coherency
 * at the end, because the CPUs that use them first do so with the MMU off.
 */
#ifndef FAULTLINE_HYP_MM_H
#define FAULTLINE_HYP_MM_H

#include <faultline/hyp_pgtable.h>
#include <faultline/platform.h>
#include <faultline/types.h>

/** Where the hypervisor image lies, in physical addresses. */
struct hyp_image {
	/** Start of the image and of its text (page aligned). */
	paddr_t start;
	/** End of text, start of rodata (page aligned). */
	paddr_t text_end;
	/** End of rodata, start of data and bss (page aligned). */
	paddr_t rodata_end;
	/** End of the image (page aligned). */
	paddr_t end;
	/** The init code: [idmap_start, idmap_end), at most one page long. */
	paddr_t idmap_start;
	/** End of the init code. */
	paddr_t idmap_end;
	/** The entry point of the init code, inside [idmap_start, idmap_end). */
	paddr_t init_entry;
	/** A pointer through which the caller can read the init code. */
	const void *idmap_code;
	/** Runtime VA minus PA of the image and of all RAM. */
	uint64_t va_offset;
};

/** The result of hyp_mm_build(). */
struct hyp_mm {
	/** The boot tables: identity + trampoline mapping of the init page. */
	struct hyp_pgtable boot;
	/** The runtime tables. */
	struct hyp_pgtable runtime;
	/** The page holding the init code (the bounce page when bounced). */
	paddr_t init_page;
	/** PA of the init entry point in init_page (for PSCI CPU_ON). */
	paddr_t init_entry;
	/** True when the init code was copied to a bounce page. */
	bool bounced;
	/** Why hyp_mm_build() failed. */
	char error[160];
};

/**
 * Builds both table sets for @plat and @img from @pool, bouncing the init
 * code when it crosses a page, and cleans every used pool page to the point
 * of coherency. Returns 0, -ERR_NOMEM, -ERR_RANGE (memory beyond the linear
 * map, init code longer than a page) or -ERR_INVAL, with mm->error set.
 */
int hyp_mm_build(struct hyp_mm *mm, const struct platform *plat,
		 const struct hyp_image *img, struct page_pool *pool);

#endif /* FAULTLINE_HYP_MM_H */
