/*
 * Shared set-up of the hyp_mm tests (test_hyp_mm.c, test_hyp_mm_host.c):
 * the QEMU virt platform, a fake image layout inside its RAM and a static
 * pool of table pages that pretends to live at MM_POOL_PA.
 */
#ifndef FAULTLINE_TESTS_TEST_HYP_MM_H
#define FAULTLINE_TESTS_TEST_HYP_MM_H

#include <faultline/hyp_mm.h>
#include <faultline/page_pool.h>
#include <faultline/platform.h>
#include <faultline/test.h>

/** Pages in the test pool. */
#define MM_TEST_NPAGES 64
/** The PA the test pool pretends to have (inside QEMU virt RAM). */
#define MM_POOL_PA UINT64_C(0x5f000000)
/** The fake image: 1 MiB of text, 256 KiB of rodata, 768 KiB of data. */
#define MM_IMG_START UINT64_C(0x40200000)
#define MM_IMG_TEXT_END UINT64_C(0x40300000)
#define MM_IMG_RODATA_END UINT64_C(0x40340000)
#define MM_IMG_END UINT64_C(0x40400000)
/** Init code start well inside a text page. */
#define MM_IDMAP UINT64_C(0x40270080)
/** A page boundary inside the text, for init code that crosses it. */
#define MM_IDMAP_CROSS UINT64_C(0x40280000)

extern uint8_t mm_test_pages[MM_TEST_NPAGES][PAGE_SIZE];
/** The init code as the image would hold it: a recognisable pattern. */
extern uint8_t mm_test_code[PAGE_SIZE];
extern struct page_pool mm_test_pool;
extern struct platform mm_test_plat;
extern struct hyp_mm mm_test_mm;

/**
 * Parses @fixture into mm_test_plat, fills mm_test_code and sets up
 * mm_test_pool with @npages pages at @pool_pa. Returns 0 or the error.
 */
int mm_test_setup(const uint8_t *fixture, size_t size, uint64_t pool_pa,
		  size_t npages);

/** The standard image layout with the given init code range and entry. */
struct hyp_image mm_test_image(uint64_t idmap_start, uint64_t idmap_end,
			       uint64_t entry);

/** Sets up the QEMU virt platform and runs hyp_mm_build into mm_test_mm. */
int mm_test_build_qemu(uint64_t idmap_start, uint64_t idmap_end,
		       uint64_t entry);

/**
 * Checks that @va maps to @pa with @prot at @level (any level when 0) in
 * @pgt, recording failures in @test_ctx.
 */
bool mm_test_expect(struct test_ctx *test_ctx, const struct hyp_pgtable *pgt,
		    uint64_t va, uint64_t pa, unsigned level, unsigned prot);

/** Checks that @va is not mapped in @pgt. */
bool mm_test_unmapped(struct test_ctx *test_ctx, const struct hyp_pgtable *pgt,
		      uint64_t va);

#endif /* FAULTLINE_TESTS_TEST_HYP_MM_H */
