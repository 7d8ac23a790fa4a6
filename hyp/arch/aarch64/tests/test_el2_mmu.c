/*
 * EL2-only tests of the live translation regime: the hardware's own walk
 * (AT S1E2R/S1E2W, Arm ARM C5.5 "A64 address translation instructions")
 * must agree with the software walk of the runtime tables the boot built.
 */
#include <faultline/err.h>
#include <faultline/hyp_layout.h>
#include <faultline/test.h>

#include "../hyp_state.h"
#include "../sysreg.h"
#include "plat.h"

#define PAR_F (UINT64_C(1) << 0)
#define PAR_PA_MASK UINT64_C(0x0000fffffffff000)
/* PAR_EL1.FST when F is set: bits [6:1]. */
#define PAR_FST(par) (((par) >> 1) & 0x3f)

extern char __image_start[], __text_end[], __rodata_end[];

static uint8_t test_data_page[4096] __attribute__((aligned(4096)));

/* Translates @va as an EL2 read (or write) and returns PAR_EL1. */
static uint64_t at_s1e2(uint64_t va, bool write)
{
	if (write) {
		__asm__ volatile("at s1e2w, %0" : : "r"(va) : "memory");
	} else {
		__asm__ volatile("at s1e2r, %0" : : "r"(va) : "memory");
	}
	isb();
	return read_sysreg(par_el1);
}

/* Checks that hardware and software agree on the translation of @va. */
static void check_va(struct test_ctx *test_ctx, uint64_t va, bool writable)
{
	struct hyp_pgtable_entry e;
	uint64_t par = at_s1e2(va, false);

	ASSERT_EQ_INT(hyp_pgtable_lookup(&hyp_mm.runtime, va_init(va), &e), 0);
	if (!EXPECT_EQ(par & PAR_F, 0)) {
		test_fail(test_ctx, __FILE__, __LINE__,
			  "AT S1E2R faulted on 0x%llx (PAR 0x%llx)",
			  (unsigned long long)va, (unsigned long long)par);
		return;
	}
	EXPECT_EQ(par & PAR_PA_MASK, pa_addr(e.pa) & PAR_PA_MASK);
	par = at_s1e2(va, true);
	EXPECT_EQ((par & PAR_F) == 0, writable);
	EXPECT_EQ((e.prot & HYP_PROT_W) != 0, writable);
}

/** TTBR0_EL2 holds the runtime tables and SCTLR_EL2 has the MMU, caches and WXN on. */
TEST(el2_mmu, registers_hold_the_runtime_regime)
{
	uint64_t sctlr = read_sysreg(sctlr_el2);

	EXPECT_EQ(read_sysreg(ttbr0_el2), pa_addr(hyp_mm.runtime.root_pa));
	EXPECT_EQ(sctlr & SCTLR_EL2_MMU_ON, SCTLR_EL2_MMU_ON);
	EXPECT_EQ(read_sysreg(mair_el2), HYP_MAIR_VALUE);
	EXPECT_EQ(read_sysreg(tcr_el2) & 0x3f, 64 - HYP_VA_BITS);
}

/** The MMU translates text, rodata, data, the trampoline and the UART as the software walk says. */
TEST(el2_mmu, hardware_walk_matches_software_walk)
{
	check_va(test_ctx, (uint64_t)(uintptr_t)__image_start, false);
	check_va(test_ctx, (uint64_t)(uintptr_t)__text_end - 8, false);
	check_va(test_ctx, (uint64_t)(uintptr_t)__rodata_end - 8, false);
	check_va(test_ctx, (uint64_t)(uintptr_t)test_data_page, true);
	check_va(test_ctx, HYP_TRAMPOLINE_VA, false);
	/* RAM below and far above the image, through the linear map. */
	check_va(test_ctx, PLAT_RAM_BASE + HYP_VA_OFFSET, true);
	check_va(test_ctx,
		 hyp_platform.mem[0].base + hyp_platform.mem[0].size - 8 +
			 HYP_VA_OFFSET,
		 true);
	if (hyp_platform.has_uart) {
		check_va(test_ctx, hyp_platform.uart.base + HYP_VA_OFFSET,
			 true);
	}
}

/** The trampoline VA and the init page's linear alias reach the same physical page. */
TEST(el2_mmu, trampoline_aliases_the_init_page)
{
	uint64_t par = at_s1e2(HYP_TRAMPOLINE_VA, false);

	ASSERT_EQ(par & PAR_F, 0);
	EXPECT_EQ(par & PAR_PA_MASK, pa_addr(hyp_mm.init_page));
}

/** Nothing is identity-mapped at runtime: the image's own PA gives a level-0 translation fault. */
TEST(el2_mmu, no_identity_map_at_runtime)
{
	uint64_t par = at_s1e2(PLAT_LOAD_PA, false);
	struct hyp_pgtable_entry e;

	EXPECT_EQ(par & PAR_F, PAR_F);
	/* FST 0b000100: translation fault, level 0. */
	EXPECT_EQ(PAR_FST(par), 0x4);
	EXPECT_EQ_INT(
		hyp_pgtable_lookup(&hyp_mm.runtime, va_init(PLAT_LOAD_PA), &e),
		-ERR_NOENT);
	/* The boot tables, kept for hotplug, still map it. */
	EXPECT_EQ_INT(hyp_pgtable_lookup(&hyp_mm.boot,
					 va_init(pa_addr(hyp_mm.init_page)),
					 &e),
		      0);
}

/** Writing to text is refused by the hardware: a permission fault. */
TEST(el2_mmu, text_is_read_only)
{
	uint64_t par = at_s1e2((uint64_t)(uintptr_t)__image_start, true);

	EXPECT_EQ(par & PAR_F, PAR_F);
	/* FST 0b0011xx: permission fault. */
	EXPECT_EQ(PAR_FST(par) >> 2, 0x3);
}
