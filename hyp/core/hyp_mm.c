/*
 * The dual-step init plan (seed 004): the boot tables and the runtime
 * tables. Runs once, on the boot CPU, with the MMU off; the host tests run
 * it on a malloc'd pool.
 */
#include <faultline/arch/cache.h>
#include <faultline/err.h>
#include <faultline/fmt.h>
#include <faultline/hyp_layout.h>
#include <faultline/hyp_mm.h>

static int mm_fail(struct hyp_mm *mm, int ret, const char *what, uint64_t addr)
{
	fmt_snprintf(mm->error, sizeof(mm->error), "%s (0x%llx): %s", what,
		     (unsigned long long)addr, err_name(ret));
	return ret;
}

/* Copies the init code to a page-aligned page when it crosses a page. */
static int mm_place_init_code(struct hyp_mm *mm, const struct hyp_image *img,
			      struct page_pool *pool)
{
	uint64_t start = pa_addr(img->idmap_start);
	uint64_t end = pa_addr(img->idmap_end);
	uint64_t len = end - start;
	uint8_t *bounce;
	paddr_t bounce_pa;

	if (end < start || len > PAGE_SIZE || len == 0) {
		return mm_fail(mm, -ERR_RANGE, "init code longer than a page",
			       len);
	}
	if (pa_addr(img->init_entry) < start ||
	    pa_addr(img->init_entry) >= end) {
		return mm_fail(mm, -ERR_RANGE,
			       "init entry outside the init code",
			       pa_addr(img->init_entry));
	}
	if ((start & PAGE_MASK) == ((end - 1) & PAGE_MASK)) {
		mm->bounced = false;
		mm->init_page = pa_init(start & PAGE_MASK);
		mm->init_entry = img->init_entry;
		return 0;
	}

	/*
	 * The init code crosses a page boundary, but only one page can be
	 * mapped at the trampoline VA: run a copy from a page of its own.
	 */
	bounce = page_pool_alloc(pool, &bounce_pa);
	if (bounce == NULL) {
		return mm_fail(mm, -ERR_NOMEM,
			       "no page for the init bounce page", start);
	}
	for (uint64_t i = 0; i < len; i++) {
		((volatile uint8_t *)bounce)[i] =
			((const uint8_t *)img->idmap_code)[i];
	}
	/*
	 * CPUs fetch this code with their MMU off (non-cacheable), so it must
	 * reach the point of coherency; and no stale instructions for the
	 * page may linger in this CPU's I-cache.
	 */
	arch_dcache_clean_inval_poc(bounce, len);
	arch_icache_inval_all();
	mm->bounced = true;
	mm->init_page = bounce_pa;
	mm->init_entry = pa_add(bounce_pa, pa_addr(img->init_entry) - start);
	return 0;
}

/* Maps [@start, @end) of RAM into the linear map, skipping the image. */
static int mm_map_ram(struct hyp_mm *mm, const struct hyp_image *img,
		      uint64_t start, uint64_t end)
{
	uint64_t img_start = pa_addr(img->start);
	uint64_t img_end = pa_addr(img->end);
	uint64_t pieces[2][2] = {{start, MIN(end, img_start)},
				 {MAX(start, img_end), end}};

	for (unsigned i = 0; i < 2; i++) {
		uint64_t s = ALIGN_UP(pieces[i][0], PAGE_SIZE);
		uint64_t e = ALIGN_DOWN(pieces[i][1], PAGE_SIZE);
		int ret;

		if (s >= e) {
			continue;
		}
		ret = hyp_pgtable_map(&mm->runtime, va_init(s + img->va_offset),
				      pa_init(s), e - s, HYP_PROT_DATA);
		if (ret != 0) {
			return mm_fail(mm, ret, "mapping RAM", s);
		}
	}
	return 0;
}

static int mm_map_mmio(struct hyp_mm *mm, const struct platform *plat,
		       const struct hyp_image *img, const struct mem_range *r,
		       const char *what)
{
	uint64_t s = ALIGN_DOWN(r->base, PAGE_SIZE);
	uint64_t e = ALIGN_UP(r->base + r->size, PAGE_SIZE);
	int ret;

	if (r->size == 0) {
		return 0;
	}
	if (e > HYP_LINEAR_PA_LIMIT || e < s) {
		return mm_fail(mm, -ERR_RANGE, what, r->base);
	}
	if (platform_is_memory(plat, s, 1) ||
	    platform_is_memory(plat, e - 1, 1)) {
		return mm_fail(mm, -ERR_INVAL, what, r->base);
	}
	ret = hyp_pgtable_map(&mm->runtime, va_init(s + img->va_offset),
			      pa_init(s), e - s, HYP_PROT_MMIO);
	return ret == 0 ? 0 : mm_fail(mm, ret, what, r->base);
}

static int mm_build_runtime(struct hyp_mm *mm, const struct platform *plat,
			    const struct hyp_image *img)
{
	uint64_t off = img->va_offset;
	struct {
		paddr_t start;
		paddr_t end;
		unsigned prot;
	} sections[] = {
		{img->start, img->text_end, HYP_PROT_TEXT},
		{img->text_end, img->rodata_end, HYP_PROT_RODATA},
		{img->rodata_end, img->end, HYP_PROT_DATA},
	};
	int ret;

	ret = hyp_pgtable_map(&mm->runtime, va_init(HYP_TRAMPOLINE_VA),
			      mm->init_page, PAGE_SIZE, HYP_PROT_TEXT);
	if (ret != 0) {
		return mm_fail(mm, ret, "runtime trampoline",
			       HYP_TRAMPOLINE_VA);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(sections); i++) {
		uint64_t s = pa_addr(sections[i].start);
		uint64_t e = pa_addr(sections[i].end);

		if (s == e) {
			continue;
		}
		ret = hyp_pgtable_map(&mm->runtime, va_init(s + off),
				      pa_init(s), e - s, sections[i].prot);
		if (ret != 0) {
			return mm_fail(mm, ret, "mapping the image", s);
		}
	}
	for (unsigned i = 0; i < plat->nmem; i++) {
		const struct mem_range *r = &plat->mem[i];

		if (r->base + r->size > HYP_LINEAR_PA_LIMIT) {
			return mm_fail(mm, -ERR_RANGE,
				       "RAM beyond the linear map", r->base);
		}
		ret = mm_map_ram(mm, img, r->base, r->base + r->size);
		if (ret != 0) {
			return ret;
		}
	}
	if (plat->has_uart) {
		ret = mm_map_mmio(mm, plat, img, &plat->uart, "UART");
		if (ret != 0) {
			return ret;
		}
	}
	if (plat->gic.version != 0) {
		ret = mm_map_mmio(mm, plat, img, &plat->gic.dist,
				  "GIC distributor");
		if (ret == 0) {
			ret = mm_map_mmio(mm, plat, img, &plat->gic.redist,
					  "GIC redistributor");
		}
	}
	return ret;
}

int hyp_mm_build(struct hyp_mm *mm, const struct platform *plat,
		 const struct hyp_image *img, struct page_pool *pool)
{
	uint64_t img_start = pa_addr(img->start);
	uint64_t img_size = pa_addr(img->end) - img_start;
	int ret;

	mm->error[0] = '\0';
	if (!IS_ALIGNED(img_start, PAGE_SIZE) ||
	    !IS_ALIGNED(pa_addr(img->text_end), PAGE_SIZE) ||
	    !IS_ALIGNED(pa_addr(img->rodata_end), PAGE_SIZE) ||
	    !IS_ALIGNED(pa_addr(img->end), PAGE_SIZE)) {
		return mm_fail(mm, -ERR_INVAL,
			       "image sections not page aligned", img_start);
	}
	if (!platform_is_memory(plat, img_start, img_size)) {
		return mm_fail(mm, -ERR_RANGE, "image outside RAM", img_start);
	}
	ret = mm_place_init_code(mm, img, pool);
	if (ret != 0) {
		return ret;
	}
	ret = hyp_pgtable_init(&mm->boot, pool);
	if (ret == 0) {
		ret = hyp_pgtable_init(&mm->runtime, pool);
	}
	if (ret != 0) {
		return mm_fail(mm, ret, "root tables", 0);
	}

	/* Boot tables: the init page at its PA, and at the trampoline VA. */
	ret = hyp_pgtable_map(&mm->boot, va_init(pa_addr(mm->init_page)),
			      mm->init_page, PAGE_SIZE, HYP_PROT_TEXT);
	if (ret != 0) {
		return mm_fail(mm, ret, "boot identity map",
			       pa_addr(mm->init_page));
	}
	ret = hyp_pgtable_map(&mm->boot, va_init(HYP_TRAMPOLINE_VA),
			      mm->init_page, PAGE_SIZE, HYP_PROT_TEXT);
	if (ret != 0) {
		return mm_fail(mm, ret, "boot trampoline", HYP_TRAMPOLINE_VA);
	}

	ret = mm_build_runtime(mm, plat, img);
	if (ret != 0) {
		return ret;
	}

	/*
	 * Every CPU first walks these tables right after turning its MMU on,
	 * and the secondaries read them with their caches off before that:
	 * the tables must be in memory, not only in this CPU's cache (seed
	 * 004's review: "where are the updated page tables flushed?").
	 */
	arch_dcache_clean_inval_poc(pool->base, pool->used * PAGE_SIZE);
	return 0;
}
