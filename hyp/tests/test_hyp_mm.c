/*
 * The dual-step init plan (hyp_mm_build) on the QEMU virt platform with a
 * fake image layout: what the boot and runtime tables map, and nothing
 * else; the bounce page; refusals. The cache maintenance is checked in
 * test_hyp_mm_host.c.
 */
#include <faultline/dtb.h>
#include <faultline/err.h>
#include <faultline/hyp_layout.h>
#include <faultline/hyp_mm.h>
#include <faultline/test.h>

#include "../../tests/fixtures/fixtures.h"
#include "test_hyp_mm.h"
#include "test_util.h"

#define SZ_4K UINT64_C(0x1000)
#define SZ_2M UINT64_C(0x200000)
#define SZ_1G UINT64_C(0x40000000)
#define OFF HYP_VA_OFFSET

/* Leaf descriptor bits that the tests read directly. */
#define D_TABLE (UINT64_C(1) << 1)
#define D_XN (UINT64_C(1) << 54)

uint8_t mm_test_pages[MM_TEST_NPAGES][PAGE_SIZE] __attribute__((aligned(4096)));
uint8_t mm_test_code[PAGE_SIZE];
struct page_pool mm_test_pool;
struct platform mm_test_plat;
struct hyp_mm mm_test_mm;

static struct dtb mm_dt;

int mm_test_setup(const uint8_t *fixture, size_t size, uint64_t pool_pa,
		  size_t npages)
{
	int ret = dtb_init(&mm_dt, fixture, size);

	if (ret == 0) {
		ret = platform_from_dtb(&mm_test_plat, &mm_dt);
	}
	for (size_t i = 0; i < sizeof(mm_test_code); i++) {
		mm_test_code[i] = (uint8_t)(i * 7 + 3);
	}
	page_pool_init(&mm_test_pool, mm_test_pages, pa_init(pool_pa), npages);
	return ret;
}

struct hyp_image mm_test_image(uint64_t idmap_start, uint64_t idmap_end,
			       uint64_t entry)
{
	struct hyp_image img = {
		.start = pa_init(MM_IMG_START),
		.text_end = pa_init(MM_IMG_TEXT_END),
		.rodata_end = pa_init(MM_IMG_RODATA_END),
		.end = pa_init(MM_IMG_END),
		.idmap_start = pa_init(idmap_start),
		.idmap_end = pa_init(idmap_end),
		.init_entry = pa_init(entry),
		.idmap_code = mm_test_code,
		.va_offset = OFF,
	};

	return img;
}

int mm_test_build_qemu(uint64_t idmap_start, uint64_t idmap_end, uint64_t entry)
{
	struct hyp_image img = mm_test_image(idmap_start, idmap_end, entry);
	int ret = mm_test_setup(fixture_qemu_virt_smp4,
				FIXTURE_SIZE(qemu_virt_smp4), MM_POOL_PA,
				MM_TEST_NPAGES);

	return ret != 0 ? ret
			: hyp_mm_build(&mm_test_mm, &mm_test_plat, &img,
				       &mm_test_pool);
}

/* Bytes mapped by a table, by kind of leaf. */
struct mm_census {
	uint64_t text, rodata, data, mmio, other;
	uint64_t blocks_2m, blocks_1g;
	unsigned bad;
};

/* Adds up the leaves of @table at @level into @c. */
static void mm_census_walk(const struct hyp_pgtable *pgt, const uint64_t *table,
			   unsigned level, struct mm_census *c)
{
	for (unsigned i = 0; i < 512; i++) {
		uint64_t d = table[i];
		uint64_t size = UINT64_C(1) << (12 + 9 * (3 - level));
		const uint64_t *next;

		if (!(d & 1)) {
			continue;
		}
		if (level < 3 && (d & D_TABLE)) {
			next = page_pool_ptr(
				pgt->pool, pa_init(d & 0x0000fffffffff000ull));
			if (next == NULL) {
				c->bad++;
			} else {
				mm_census_walk(pgt, next, level + 1, c);
			}
			continue;
		}
		if (level == 0 || (level == 3 && !(d & D_TABLE))) {
			c->bad++;
			continue;
		}
		c->blocks_2m += level == 2;
		c->blocks_1g += level == 1;
		switch (hyp_pgtable_desc_prot(d)) {
		case HYP_PROT_TEXT:
			c->text += size;
			break;
		case HYP_PROT_RODATA:
			c->rodata += size;
			break;
		case HYP_PROT_DATA:
			c->data += size;
			break;
		case HYP_PROT_MMIO:
			c->mmio += size;
			break;
		default:
			c->other += size;
			break;
		}
	}
}

static struct mm_census mm_census(const struct hyp_pgtable *pgt)
{
	struct mm_census c = {0};

	mm_census_walk(pgt, pgt->root, 0, &c);
	return c;
}

bool mm_test_expect(struct test_ctx *test_ctx, const struct hyp_pgtable *pgt,
		    uint64_t va, uint64_t pa, unsigned level, unsigned prot)
{
	struct hyp_pgtable_entry e;
	bool ok;

	if (!EXPECT_EQ_INT(hyp_pgtable_lookup(pgt, va_init(va), &e), 0)) {
		test_fail(test_ctx, __FILE__, __LINE__, "va 0x%llx not mapped",
			  (unsigned long long)va);
		return false;
	}
	ok = EXPECT_EQ(pa_addr(e.pa), pa);
	ok = EXPECT_EQ(e.prot, prot) && ok;
	if (level != 0) {
		ok = EXPECT_EQ(e.level, level) && ok;
	}
	if (!ok) {
		test_fail(test_ctx, __FILE__, __LINE__, "at va 0x%llx",
			  (unsigned long long)va);
	}
	return ok;
}

bool mm_test_unmapped(struct test_ctx *test_ctx, const struct hyp_pgtable *pgt,
		      uint64_t va)
{
	struct hyp_pgtable_entry e;

	if (!EXPECT_EQ_INT(hyp_pgtable_lookup(pgt, va_init(va), &e),
			   -ERR_NOENT)) {
		test_fail(test_ctx, __FILE__, __LINE__,
			  "va 0x%llx mapped to 0x%llx", (unsigned long long)va,
			  (unsigned long long)pa_addr(e.pa));
		return false;
	}
	return true;
}

/** Init code inside one page is used in place, with no bounce page. */
TEST(hyp_mm, no_bounce_in_place)
{
	ASSERT_EQ_INT(
		mm_test_build_qemu(MM_IDMAP, MM_IDMAP + 0x400, MM_IDMAP + 0x80),
		0);
	EXPECT_STREQ(mm_test_mm.error, "");
	EXPECT_TRUE(!mm_test_mm.bounced);
	EXPECT_EQ(pa_addr(mm_test_mm.init_page), MM_IDMAP & PAGE_MASK);
	EXPECT_EQ(pa_addr(mm_test_mm.init_entry), MM_IDMAP + 0x80);
	EXPECT_NE(pa_addr(mm_test_mm.boot.root_pa),
		  pa_addr(mm_test_mm.runtime.root_pa));
}

/** The boot tables map the init page at its PA and at the trampoline VA, and nothing else. */
TEST(hyp_mm, boot_tables_map_only_init_page)
{
	const struct hyp_pgtable *boot = &mm_test_mm.boot;
	uint64_t page = MM_IDMAP & PAGE_MASK;
	struct mm_census c;

	ASSERT_EQ_INT(
		mm_test_build_qemu(MM_IDMAP, MM_IDMAP + 0x400, MM_IDMAP + 0x80),
		0);
	mm_test_expect(test_ctx, boot, page, page, 3, HYP_PROT_TEXT);
	mm_test_expect(test_ctx, boot, page + 0xabc, page + 0xabc, 3,
		       HYP_PROT_TEXT);
	mm_test_expect(test_ctx, boot, HYP_TRAMPOLINE_VA, page, 3,
		       HYP_PROT_TEXT);
	mm_test_expect(test_ctx, boot, HYP_TRAMPOLINE_VA + 0xfff, page + 0xfff,
		       3, HYP_PROT_TEXT);
	mm_test_unmapped(test_ctx, boot, page - SZ_4K);
	mm_test_unmapped(test_ctx, boot, page + SZ_4K);
	mm_test_unmapped(test_ctx, boot, HYP_TRAMPOLINE_VA - SZ_4K);
	mm_test_unmapped(test_ctx, boot, MM_IMG_START);
	mm_test_unmapped(test_ctx, boot, page + OFF);
	mm_test_unmapped(test_ctx, boot, 0x9000000);
	mm_test_unmapped(test_ctx, boot, 0);
	c = mm_census(boot);
	EXPECT_EQ(c.bad, 0);
	EXPECT_EQ(c.text, 2 * SZ_4K);
	EXPECT_EQ(c.rodata + c.data + c.mmio + c.other, 0);
}

/** The runtime tables keep the trampoline on the same page but drop the identity map. */
TEST(hyp_mm, runtime_trampoline_without_identity)
{
	const struct hyp_pgtable *rt = &mm_test_mm.runtime;
	uint64_t page = MM_IDMAP & PAGE_MASK;

	ASSERT_EQ_INT(
		mm_test_build_qemu(MM_IDMAP, MM_IDMAP + 0x400, MM_IDMAP + 0x80),
		0);
	mm_test_expect(test_ctx, rt, HYP_TRAMPOLINE_VA, page, 3, HYP_PROT_TEXT);
	mm_test_unmapped(test_ctx, rt, page);
	mm_test_unmapped(test_ctx, rt, MM_IMG_START);
	mm_test_unmapped(test_ctx, rt, 0x40000000);
	mm_test_unmapped(test_ctx, rt, 0x9000000);
	mm_test_unmapped(test_ctx, rt, HYP_TRAMPOLINE_VA - SZ_4K);
}

/** The image is mapped at PA + offset: text RX, rodata R and XN, data RW and XN. */
TEST(hyp_mm, runtime_image_sections)
{
	const struct hyp_pgtable *rt = &mm_test_mm.runtime;
	struct hyp_pgtable_entry e;

	ASSERT_EQ_INT(
		mm_test_build_qemu(MM_IDMAP, MM_IDMAP + 0x400, MM_IDMAP + 0x80),
		0);
	mm_test_expect(test_ctx, rt, MM_IMG_START + OFF, MM_IMG_START, 3,
		       HYP_PROT_TEXT);
	mm_test_expect(test_ctx, rt, MM_IDMAP + OFF, MM_IDMAP, 3,
		       HYP_PROT_TEXT);
	mm_test_expect(test_ctx, rt, MM_IMG_TEXT_END - 1 + OFF,
		       MM_IMG_TEXT_END - 1, 3, HYP_PROT_TEXT);
	mm_test_expect(test_ctx, rt, MM_IMG_TEXT_END + OFF, MM_IMG_TEXT_END, 3,
		       HYP_PROT_RODATA);
	mm_test_expect(test_ctx, rt, MM_IMG_RODATA_END - 8 + OFF,
		       MM_IMG_RODATA_END - 8, 3, HYP_PROT_RODATA);
	mm_test_expect(test_ctx, rt, MM_IMG_RODATA_END + OFF, MM_IMG_RODATA_END,
		       3, HYP_PROT_DATA);
	mm_test_expect(test_ctx, rt, MM_IMG_END - 1 + OFF, MM_IMG_END - 1, 3,
		       HYP_PROT_DATA);
	/* The raw bits: text executable, the rest execute-never. */
	ASSERT_EQ_INT(hyp_pgtable_lookup(rt, va_init(MM_IMG_START + OFF), &e),
		      0);
	EXPECT_EQ(e.desc & D_XN, 0);
	ASSERT_EQ_INT(
		hyp_pgtable_lookup(rt, va_init(MM_IMG_TEXT_END + OFF), &e), 0);
	EXPECT_EQ(e.desc & D_XN, D_XN);
	ASSERT_EQ_INT(hyp_pgtable_lookup(rt, va_init(MM_IMG_END - 1 + OFF), &e),
		      0);
	EXPECT_EQ(e.desc & D_XN, D_XN);
}

/** The rest of RAM is RW XN at PA + offset, with 2 MiB blocks where aligned. */
TEST(hyp_mm, runtime_ram)
{
	const struct hyp_pgtable *rt = &mm_test_mm.runtime;

	ASSERT_EQ_INT(
		mm_test_build_qemu(MM_IDMAP, MM_IDMAP + 0x400, MM_IDMAP + 0x80),
		0);
	mm_test_expect(test_ctx, rt, 0x40000000 + OFF, 0x40000000, 2,
		       HYP_PROT_DATA);
	mm_test_expect(test_ctx, rt, MM_IMG_START - 1 + OFF, MM_IMG_START - 1,
		       2, HYP_PROT_DATA);
	mm_test_expect(test_ctx, rt, MM_IMG_END + OFF, MM_IMG_END, 2,
		       HYP_PROT_DATA);
	mm_test_expect(test_ctx, rt, MM_POOL_PA + OFF, MM_POOL_PA, 2,
		       HYP_PROT_DATA);
	mm_test_expect(test_ctx, rt, 0x5fffffff + OFF, 0x5fffffff, 2,
		       HYP_PROT_DATA);
	mm_test_unmapped(test_ctx, rt, 0x60000000 + OFF);
	mm_test_unmapped(test_ctx, rt, 0x3ffff000 + OFF);
}

/** The UART and the GIC regions are Device XN at PA + offset, and no more. */
TEST(hyp_mm, runtime_mmio)
{
	const struct hyp_pgtable *rt = &mm_test_mm.runtime;
	struct hyp_pgtable_entry e;

	ASSERT_EQ_INT(
		mm_test_build_qemu(MM_IDMAP, MM_IDMAP + 0x400, MM_IDMAP + 0x80),
		0);
	mm_test_expect(test_ctx, rt, 0x9000000 + OFF, 0x9000000, 3,
		       HYP_PROT_MMIO);
	mm_test_expect(test_ctx, rt, 0x9000fff + OFF, 0x9000fff, 3,
		       HYP_PROT_MMIO);
	mm_test_unmapped(test_ctx, rt, 0x9001000 + OFF);
	mm_test_expect(test_ctx, rt, 0x8000000 + OFF, 0x8000000, 3,
		       HYP_PROT_MMIO);
	mm_test_expect(test_ctx, rt, 0x800fffc + OFF, 0x800fffc, 3,
		       HYP_PROT_MMIO);
	mm_test_unmapped(test_ctx, rt, 0x8010000 + OFF);
	mm_test_unmapped(test_ctx, rt, 0x809f000 + OFF);
	mm_test_expect(test_ctx, rt, 0x80a0000 + OFF, 0x80a0000, 3,
		       HYP_PROT_MMIO);
	mm_test_expect(test_ctx, rt, 0x8200000 + OFF, 0x8200000, 2,
		       HYP_PROT_MMIO);
	mm_test_expect(test_ctx, rt, 0x8ffffff + OFF, 0x8ffffff, 2,
		       HYP_PROT_MMIO);
	ASSERT_EQ_INT(hyp_pgtable_lookup(rt, va_init(0x9000000 + OFF), &e), 0);
	EXPECT_EQ((e.desc >> 2) & 7, HYP_MAIR_IDX_DEVICE);
	EXPECT_EQ(e.desc & D_XN, D_XN);
	/* Other devices of the tree (virtio, flash, PCIe) are not mapped. */
	mm_test_unmapped(test_ctx, rt, 0xa000000 + OFF);
	mm_test_unmapped(test_ctx, rt, 0x0 + OFF);
	mm_test_unmapped(test_ctx, rt, 0x4010000000ull + OFF);
}

/** Added up, the runtime tables map exactly the trampoline, RAM, the UART and the GIC. */
TEST(hyp_mm, runtime_census)
{
	struct mm_census c;

	ASSERT_EQ_INT(
		mm_test_build_qemu(MM_IDMAP, MM_IDMAP + 0x400, MM_IDMAP + 0x80),
		0);
	c = mm_census(&mm_test_mm.runtime);
	EXPECT_EQ(c.bad, 0);
	EXPECT_EQ(c.text, MM_IMG_TEXT_END - MM_IMG_START + SZ_4K);
	EXPECT_EQ(c.rodata, MM_IMG_RODATA_END - MM_IMG_TEXT_END);
	EXPECT_EQ(c.data, 0x20000000 - (MM_IMG_END - MM_IMG_START) +
				  (MM_IMG_END - MM_IMG_RODATA_END));
	EXPECT_EQ(c.mmio, 0x1000 + 0x10000 + 0xf60000);
	EXPECT_EQ(c.other, 0);
	/* RAM: 1 block below the image, 254 above; redistributors: 7. */
	EXPECT_EQ(c.blocks_2m, 1 + 254 + 7);
	EXPECT_EQ(c.blocks_1g, 0);
}

/** Init code across a page boundary is copied to a bounce page used everywhere instead. */
TEST(hyp_mm, bounce_page)
{
	/* 0x100 bytes: 0x40 before the boundary and 0xc0 after it. */
	uint64_t start = MM_IDMAP_CROSS - 0x40;
	uint64_t page;
	const uint8_t *bounce;

	ASSERT_EQ_INT(mm_test_build_qemu(start, start + 0x100, start + 0x10),
		      0);
	EXPECT_TRUE(mm_test_mm.bounced);
	page = pa_addr(mm_test_mm.init_page);
	EXPECT_EQ(page & ~PAGE_MASK, 0);
	EXPECT_NE(page, start & PAGE_MASK);
	EXPECT_TRUE(page >= MM_POOL_PA &&
		    page < MM_POOL_PA + MM_TEST_NPAGES * SZ_4K);
	/* The entry keeps its offset from the start of the code. */
	EXPECT_EQ(pa_addr(mm_test_mm.init_entry), page + 0x10);
	bounce = page_pool_ptr(&mm_test_pool, mm_test_mm.init_page);
	ASSERT_TRUE(bounce != NULL);
	EXPECT_TRUE(test_util_mem_equal(bounce, mm_test_code, 0x100));
	EXPECT_EQ(bounce[0x100], 0);
	mm_test_expect(test_ctx, &mm_test_mm.boot, page, page, 3,
		       HYP_PROT_TEXT);
	mm_test_expect(test_ctx, &mm_test_mm.boot, HYP_TRAMPOLINE_VA, page, 3,
		       HYP_PROT_TEXT);
	mm_test_expect(test_ctx, &mm_test_mm.runtime, HYP_TRAMPOLINE_VA, page,
		       3, HYP_PROT_TEXT);
	mm_test_unmapped(test_ctx, &mm_test_mm.boot, start & PAGE_MASK);
	mm_test_unmapped(test_ctx, &mm_test_mm.runtime, page);
}

/** Code of exactly one page that starts mid-page is bounced; code ending on a boundary is not. */
TEST(hyp_mm, bounce_edges)
{
	ASSERT_EQ_INT(mm_test_build_qemu(MM_IDMAP_CROSS - 0x800,
					 MM_IDMAP_CROSS + 0x800,
					 MM_IDMAP_CROSS + 0x7fc),
		      0);
	EXPECT_TRUE(mm_test_mm.bounced);
	EXPECT_EQ(pa_addr(mm_test_mm.init_entry),
		  pa_addr(mm_test_mm.init_page) + 0xffc);
	ASSERT_EQ_INT(mm_test_build_qemu(MM_IDMAP_CROSS - 0x100, MM_IDMAP_CROSS,
					 MM_IDMAP_CROSS - 0x100),
		      0);
	EXPECT_TRUE(!mm_test_mm.bounced);
	EXPECT_EQ(pa_addr(mm_test_mm.init_page), MM_IDMAP_CROSS - SZ_4K);
	ASSERT_EQ_INT(mm_test_build_qemu(MM_IDMAP_CROSS, MM_IDMAP_CROSS + SZ_4K,
					 MM_IDMAP_CROSS),
		      0);
	EXPECT_TRUE(!mm_test_mm.bounced);
	EXPECT_EQ(pa_addr(mm_test_mm.init_page), MM_IDMAP_CROSS);
}

/** Init code longer than a page, empty or reversed gives -ERR_RANGE with a message. */
TEST(hyp_mm, init_code_bad_length)
{
	EXPECT_EQ_INT(
		mm_test_build_qemu(MM_IDMAP, MM_IDMAP + SZ_4K + 1, MM_IDMAP),
		-ERR_RANGE);
	EXPECT_TRUE(test_util_contains(mm_test_mm.error, "longer than a page"));
	EXPECT_EQ_INT(mm_test_build_qemu(MM_IDMAP, MM_IDMAP, MM_IDMAP),
		      -ERR_RANGE);
	EXPECT_EQ_INT(mm_test_build_qemu(MM_IDMAP + 0x10, MM_IDMAP, MM_IDMAP),
		      -ERR_RANGE);
	/* Nothing was taken from the pool. */
	EXPECT_EQ(mm_test_pool.used, 0);
}

/* Builds with the standard layout moved by @delta and the idmap inside its text. */
static int mm_build_moved(uint64_t delta)
{
	struct hyp_image img = mm_test_image(
		MM_IDMAP + delta, MM_IDMAP + delta + 0x100, MM_IDMAP + delta);

	img.start = pa_add(img.start, delta);
	img.text_end = pa_add(img.text_end, delta);
	img.rodata_end = pa_add(img.rodata_end, delta);
	img.end = pa_add(img.end, delta);
	return hyp_mm_build(&mm_test_mm, &mm_test_plat, &img, &mm_test_pool);
}

/** An image outside RAM, or straddling its end, gives -ERR_RANGE. */
TEST(hyp_mm, image_outside_ram)
{
	ASSERT_EQ_INT(mm_test_setup(fixture_qemu_virt_smp4,
				    FIXTURE_SIZE(qemu_virt_smp4), MM_POOL_PA,
				    MM_TEST_NPAGES),
		      0);
	EXPECT_EQ_INT(mm_build_moved(0x20000000), -ERR_RANGE);
	EXPECT_TRUE(test_util_contains(mm_test_mm.error, "outside RAM"));
	EXPECT_EQ_INT(mm_build_moved(SZ_1G), -ERR_RANGE);
	/* 0x40200000 + 0x1fd00000: the image's last MiB is past RAM. */
	EXPECT_EQ_INT(mm_build_moved(0x1fd00000), -ERR_RANGE);
	EXPECT_EQ_INT(mm_build_moved((uint64_t)0 - 0x40000000), -ERR_RANGE);
	/* The last position that fits is accepted. */
	EXPECT_EQ_INT(mm_build_moved(0x1fc00000), 0);
}

/** Image sections that are not page aligned are refused. */
TEST(hyp_mm, image_not_page_aligned)
{
	struct hyp_image img =
		mm_test_image(MM_IDMAP, MM_IDMAP + 0x100, MM_IDMAP);

	ASSERT_EQ_INT(mm_test_setup(fixture_qemu_virt_smp4,
				    FIXTURE_SIZE(qemu_virt_smp4), MM_POOL_PA,
				    MM_TEST_NPAGES),
		      0);
	img.rodata_end = pa_add(img.rodata_end, 0x800);
	EXPECT_EQ_INT(
		hyp_mm_build(&mm_test_mm, &mm_test_plat, &img, &mm_test_pool),
		-ERR_INVAL);
	EXPECT_TRUE(test_util_contains(mm_test_mm.error, "aligned"));
}

/** RAM beyond the linear map, or a device inside RAM, is refused. */
TEST(hyp_mm, bad_platform_ranges)
{
	ASSERT_EQ_INT(mm_test_setup(fixture_qemu_virt_smp4,
				    FIXTURE_SIZE(qemu_virt_smp4), MM_POOL_PA,
				    MM_TEST_NPAGES),
		      0);
	mm_test_plat.mem[1].base = HYP_LINEAR_PA_LIMIT - SZ_2M;
	mm_test_plat.mem[1].size = 2 * SZ_2M;
	mm_test_plat.nmem = 2;
	EXPECT_EQ_INT(mm_build_moved(0), -ERR_RANGE);
	EXPECT_TRUE(test_util_contains(mm_test_mm.error, "linear map"));

	ASSERT_EQ_INT(mm_test_setup(fixture_qemu_virt_smp4,
				    FIXTURE_SIZE(qemu_virt_smp4), MM_POOL_PA,
				    MM_TEST_NPAGES),
		      0);
	mm_test_plat.uart.base = 0x5ffff800;
	EXPECT_EQ_INT(mm_build_moved(0), -ERR_INVAL);
	EXPECT_TRUE(test_util_contains(mm_test_mm.error, "UART"));
}

/** Without a UART or a GIC no device is mapped, and the build still succeeds. */
TEST(hyp_mm, no_devices)
{
	ASSERT_EQ_INT(mm_test_setup(fixture_qemu_virt_smp4,
				    FIXTURE_SIZE(qemu_virt_smp4), MM_POOL_PA,
				    MM_TEST_NPAGES),
		      0);
	mm_test_plat.has_uart = false;
	mm_test_plat.gic.version = 0;
	ASSERT_EQ_INT(mm_build_moved(0), 0);
	EXPECT_EQ(mm_census(&mm_test_mm.runtime).mmio, 0);
}

/** With too few pool pages every build fails with -ERR_NOMEM; with enough it succeeds. */
TEST(hyp_mm, pool_exhaustion_at_every_step)
{
	size_t needed;

	ASSERT_EQ_INT(mm_test_build_qemu(MM_IDMAP_CROSS - 0x40,
					 MM_IDMAP_CROSS + 0x40, MM_IDMAP_CROSS),
		      0);
	needed = mm_test_pool.used;
	EXPECT_TRUE(needed > 8 && needed < MM_TEST_NPAGES);
	for (size_t n = 0; n < needed; n++) {
		struct hyp_image img =
			mm_test_image(MM_IDMAP_CROSS - 0x40,
				      MM_IDMAP_CROSS + 0x40, MM_IDMAP_CROSS);

		page_pool_init(&mm_test_pool, mm_test_pages,
			       pa_init(MM_POOL_PA), n);
		mm_test_mm.error[0] = '\0';
		if (!EXPECT_EQ_INT(hyp_mm_build(&mm_test_mm, &mm_test_plat,
						&img, &mm_test_pool),
				   -ERR_NOMEM)) {
			test_fail(test_ctx, __FILE__, __LINE__, "pool of %zu",
				  n);
		}
		EXPECT_TRUE(mm_test_mm.error[0] != '\0');
	}
}

/** On a platform with 1 GiB-aligned RAM the runtime tables use 1 GiB blocks. */
TEST(hyp_mm, one_gib_blocks_for_large_ram)
{
	struct hyp_image img =
		mm_test_image(0x80270000, 0x80270100, 0x80270000);
	struct mm_census c;

	ASSERT_EQ_INT(mm_test_setup(fixture_two_ranges_uart,
				    FIXTURE_SIZE(two_ranges_uart), 0x9f000000,
				    MM_TEST_NPAGES),
		      0);
	img.start = pa_init(0x80200000);
	img.text_end = pa_init(0x80300000);
	img.rodata_end = pa_init(0x80340000);
	img.end = pa_init(0x80400000);
	ASSERT_EQ_INT(
		hyp_mm_build(&mm_test_mm, &mm_test_plat, &img, &mm_test_pool),
		0);
	mm_test_expect(test_ctx, &mm_test_mm.runtime, 0x880000000ull + OFF,
		       0x880000000ull, 1, HYP_PROT_DATA);
	mm_test_expect(test_ctx, &mm_test_mm.runtime, 0x8ffffffffull + OFF,
		       0x8ffffffffull, 1, HYP_PROT_DATA);
	mm_test_expect(test_ctx, &mm_test_mm.runtime, 0x800000000ull + OFF,
		       0x800000000ull, 2, HYP_PROT_DATA);
	mm_test_expect(test_ctx, &mm_test_mm.runtime, 0x1c090000 + OFF,
		       0x1c090000, 3, HYP_PROT_MMIO);
	mm_test_expect(test_ctx, &mm_test_mm.runtime, 0x2c002000 + OFF,
		       0x2c002000, 3, HYP_PROT_MMIO);
	c = mm_census(&mm_test_mm.runtime);
	EXPECT_EQ(c.bad, 0);
	EXPECT_EQ(c.blocks_1g, 2);
	EXPECT_EQ(c.text + c.rodata + c.data,
		  SZ_4K + 0x40000000 + 0x80000000ull + 0x10000000);
	EXPECT_EQ(c.mmio, 0x1000 + 0x1000 + 0x2000);
}
