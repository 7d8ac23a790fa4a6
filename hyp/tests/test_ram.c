/*
 * The RAM allocator (ram.h): free ranges taken from the machine's memory,
 * carved by reservations and aligned first-fit allocations, with the
 * bytes handed out accounted for and nothing handed out twice.
 */
#include <faultline/err.h>
#include <faultline/ram.h>
#include <faultline/test.h>

#define RT_BASE UINT64_C(0x40000000)
#define RT_MIB (UINT64_C(1) << 20)

static struct ram rt_ram;

/* One range [RT_BASE, RT_BASE + @size). */
static void rt_init_one(uint64_t size)
{
	struct mem_range m = {RT_BASE, size};

	ram_init(&rt_ram, &m, 1);
}

/* True when no byte of [a, a + as) is in [b, b + bs). */
static bool rt_disjoint(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a + as <= b || b + bs <= a;
}

/** Init keeps the page-aligned inside of each range and drops ranges with no whole page or that wrap. */
TEST(ram, init_from_ranges)
{
	static const struct mem_range mem[] = {
		{RT_BASE + 0x10, 3 * RT_MIB},
		{RT_BASE + 8 * RT_MIB, 0x800},
		{RT_BASE + 16 * RT_MIB, RT_MIB + 0xfff},
		/* Rounding up its base would wrap around 2^64. */
		{UINT64_MAX - 0x7ff, 0x100},
	};

	ram_init(&rt_ram, mem, ARRAY_SIZE(mem));
	EXPECT_EQ(rt_ram.nfree, 2);
	EXPECT_EQ(rt_ram.used, 0);
	EXPECT_EQ(rt_ram.free[0].base, RT_BASE + PAGE_SIZE);
	EXPECT_EQ(rt_ram.free[0].size, 3 * RT_MIB - PAGE_SIZE);
	EXPECT_EQ(rt_ram.free[1].base, RT_BASE + 16 * RT_MIB);
	EXPECT_EQ(rt_ram.free[1].size, RT_MIB);
	EXPECT_EQ(ram_free_bytes(&rt_ram), 4 * RT_MIB - PAGE_SIZE);
	ram_init(&rt_ram, mem, 0);
	EXPECT_EQ(ram_free_bytes(&rt_ram), 0);
}

/** Reserving the middle of a range splits it; the bytes are counted as used and are no longer free. */
TEST(ram, reserve_splits_and_accounts)
{
	paddr_t pa;

	rt_init_one(4 * RT_MIB);
	ASSERT_EQ_INT(ram_reserve(&rt_ram, RT_BASE + RT_MIB, RT_MIB), 0);
	EXPECT_EQ(rt_ram.nfree, 2);
	EXPECT_EQ(rt_ram.used, RT_MIB);
	EXPECT_EQ(ram_free_bytes(&rt_ram), 3 * RT_MIB);
	/* An unaligned reservation takes the whole pages it touches. */
	ASSERT_EQ_INT(ram_reserve(&rt_ram, RT_BASE + 0x10, 0x1000), 0);
	EXPECT_EQ(rt_ram.used, RT_MIB + 2 * PAGE_SIZE);
	EXPECT_EQ(rt_ram.free[0].base, RT_BASE + 2 * PAGE_SIZE);
	/* Allocations never land in what was reserved. */
	while (ram_alloc(&rt_ram, PAGE_SIZE, PAGE_SIZE, &pa) == 0) {
		if (!EXPECT_TRUE(rt_disjoint(pa_addr(pa), PAGE_SIZE,
					     RT_BASE + RT_MIB, RT_MIB) &&
				 pa_addr(pa) >= RT_BASE + 2 * PAGE_SIZE)) {
			break;
		}
	}
	EXPECT_EQ(ram_free_bytes(&rt_ram), 0);
	EXPECT_EQ(rt_ram.used, 4 * RT_MIB);
}

/** Reserving a range that is not wholly free fails with -ERR_RANGE and changes nothing. */
TEST(ram, reserve_of_a_range_not_free_fails)
{
	rt_init_one(4 * RT_MIB);
	ASSERT_EQ_INT(ram_reserve(&rt_ram, RT_BASE + RT_MIB, RT_MIB), 0);
	/* Already reserved, in part or whole. */
	EXPECT_EQ_INT(ram_reserve(&rt_ram, RT_BASE + RT_MIB, PAGE_SIZE),
		      -ERR_RANGE);
	EXPECT_EQ_INT(ram_reserve(&rt_ram, RT_BASE + RT_MIB - PAGE_SIZE,
				  2 * PAGE_SIZE),
		      -ERR_RANGE);
	EXPECT_EQ_INT(ram_reserve(&rt_ram, RT_BASE, 4 * RT_MIB), -ERR_RANGE);
	/* Outside the memory, at either end, or wrapping around. */
	EXPECT_EQ_INT(ram_reserve(&rt_ram, RT_BASE - PAGE_SIZE, PAGE_SIZE),
		      -ERR_RANGE);
	EXPECT_EQ_INT(ram_reserve(&rt_ram, RT_BASE + 4 * RT_MIB - PAGE_SIZE,
				  2 * PAGE_SIZE),
		      -ERR_RANGE);
	EXPECT_EQ_INT(
		ram_reserve(&rt_ram, UINT64_MAX - PAGE_SIZE + 1, 2 * PAGE_SIZE),
		-ERR_RANGE);
	EXPECT_EQ_INT(ram_reserve(&rt_ram, RT_BASE, 0), -ERR_RANGE);
	EXPECT_EQ(rt_ram.used, RT_MIB);
	EXPECT_EQ(ram_free_bytes(&rt_ram), 3 * RT_MIB);
	EXPECT_EQ(rt_ram.nfree, 2);
}

/** An allocation is aligned as asked, rounded up to pages, and the gap it skips stays free. */
TEST(ram, alloc_with_alignment)
{
	paddr_t a, b, c;

	rt_init_one(8 * RT_MIB);
	ASSERT_EQ_INT(ram_alloc(&rt_ram, 100, PAGE_SIZE, &a), 0);
	EXPECT_EQ(pa_addr(a), RT_BASE);
	EXPECT_EQ(rt_ram.used, PAGE_SIZE);
	ASSERT_EQ_INT(ram_alloc(&rt_ram, RT_MIB, 2 * RT_MIB, &b), 0);
	EXPECT_EQ(pa_addr(b), RT_BASE + 2 * RT_MIB);
	EXPECT_EQ(rt_ram.used, PAGE_SIZE + RT_MIB);
	EXPECT_EQ(ram_free_bytes(&rt_ram), 7 * RT_MIB - PAGE_SIZE);
	/* The skipped gap serves a later, smaller allocation. */
	ASSERT_EQ_INT(ram_alloc(&rt_ram, 2 * PAGE_SIZE, 4 * PAGE_SIZE, &c), 0);
	EXPECT_EQ(pa_addr(c), RT_BASE + 4 * PAGE_SIZE);
	EXPECT_TRUE(rt_disjoint(pa_addr(c), 2 * PAGE_SIZE, pa_addr(b), RT_MIB));
}

/** Sizes of 0 and alignments below a page or not powers of two are refused with -ERR_INVAL. */
TEST(ram, alloc_bad_arguments)
{
	paddr_t pa;

	rt_init_one(RT_MIB);
	EXPECT_EQ_INT(ram_alloc(&rt_ram, 0, PAGE_SIZE, &pa), -ERR_INVAL);
	EXPECT_EQ_INT(ram_alloc(&rt_ram, PAGE_SIZE, 0, &pa), -ERR_INVAL);
	EXPECT_EQ_INT(ram_alloc(&rt_ram, PAGE_SIZE, 2048, &pa), -ERR_INVAL);
	EXPECT_EQ_INT(ram_alloc(&rt_ram, PAGE_SIZE, 3 * PAGE_SIZE, &pa),
		      -ERR_INVAL);
	EXPECT_EQ(rt_ram.used, 0);
}

/** Allocating until nothing fits ends in -ERR_NOMEM, with every byte accounted for and no page handed out twice. */
TEST(ram, exhaustion)
{
	static uint64_t got[64];
	struct mem_range m;
	unsigned n = 0;
	paddr_t pa;
	int ret;

	rt_init_one(64 * PAGE_SIZE);
	while ((ret = ram_alloc(&rt_ram, PAGE_SIZE, PAGE_SIZE, &pa)) == 0 &&
	       n < ARRAY_SIZE(got)) {
		got[n++] = pa_addr(pa);
	}
	EXPECT_EQ_INT(ret, -ERR_NOMEM);
	EXPECT_EQ(n, 64);
	EXPECT_EQ(ram_free_bytes(&rt_ram), 0);
	EXPECT_EQ(rt_ram.used, 64 * PAGE_SIZE);
	for (unsigned i = 0; i < n; i++) {
		EXPECT_EQ(got[i], RT_BASE + i * PAGE_SIZE);
	}
	/* Too big, or not aligned as asked, though some is left. */
	m.base = RT_BASE + PAGE_SIZE;
	m.size = RT_MIB;
	ram_init(&rt_ram, &m, 1);
	EXPECT_EQ_INT(ram_alloc(&rt_ram, 2 * RT_MIB, PAGE_SIZE, &pa),
		      -ERR_NOMEM);
	EXPECT_EQ_INT(ram_alloc(&rt_ram, RT_MIB, 2 * RT_MIB, &pa), -ERR_NOMEM);
	EXPECT_EQ(ram_free_bytes(&rt_ram), RT_MIB);
}

/** An allocation that does not fit the first range comes from the next one that fits. */
TEST(ram, alloc_first_fit_across_ranges)
{
	static const struct mem_range mem[] = {
		{RT_BASE, 2 * PAGE_SIZE},
		{RT_BASE + RT_MIB, 4 * RT_MIB},
	};
	paddr_t pa;

	ram_init(&rt_ram, mem, ARRAY_SIZE(mem));
	ASSERT_EQ_INT(ram_alloc(&rt_ram, 3 * PAGE_SIZE, PAGE_SIZE, &pa), 0);
	EXPECT_EQ(pa_addr(pa), RT_BASE + RT_MIB);
	ASSERT_EQ_INT(ram_alloc(&rt_ram, 2 * PAGE_SIZE, PAGE_SIZE, &pa), 0);
	EXPECT_EQ(pa_addr(pa), RT_BASE);
	/* The first range is used up and gone from the list. */
	EXPECT_EQ(rt_ram.nfree, 1);
}

/** When the ranges cannot be split further a reservation fails with -ERR_NOMEM and changes nothing. */
TEST(ram, too_many_ranges)
{
	unsigned i;
	uint64_t used;
	int ret = 0;

	rt_init_one(4 * RT_MIB);
	/* Every other page: each reservation splits a range in two. */
	for (i = 0; ret == 0 && i < 64; i++) {
		ret = ram_reserve(&rt_ram, RT_BASE + (2 * i + 1) * PAGE_SIZE,
				  PAGE_SIZE);
	}
	EXPECT_EQ_INT(ret, -ERR_NOMEM);
	EXPECT_EQ(rt_ram.nfree, RAM_MAX_RANGES);
	EXPECT_EQ(i, RAM_MAX_RANGES);
	used = rt_ram.used;
	EXPECT_EQ(used, (RAM_MAX_RANGES - 1) * PAGE_SIZE);
	EXPECT_EQ(ram_free_bytes(&rt_ram), 4 * RT_MIB - used);
	/* Taking a whole range, or an end of one, needs no new range. */
	EXPECT_EQ_INT(ram_reserve(&rt_ram, RT_BASE, PAGE_SIZE), 0);
	EXPECT_EQ(rt_ram.nfree, RAM_MAX_RANGES - 1);
}

/** Ranges listed out of order are still allocated from the lowest address that fits. */
TEST(ram, unsorted_ranges_allocate_lowest_first)
{
	static const struct mem_range mem[] = {
		{RT_BASE + 64 * RT_MIB, 4 * RT_MIB},
		{RT_BASE, 4 * RT_MIB},
	};
	paddr_t pa;

	ram_init(&rt_ram, mem, ARRAY_SIZE(mem));
	ASSERT_EQ_INT(ram_alloc(&rt_ram, RT_MIB, PAGE_SIZE, &pa), 0);
	EXPECT_EQ(pa_addr(pa), RT_BASE);
}

/** Overlapping or touching ranges (a device tree may list them so) count once: no page is handed out twice. */
TEST(ram, overlapping_ranges_count_once)
{
	static const struct mem_range mem[] = {
		{RT_BASE, 32 * PAGE_SIZE},
		{RT_BASE + 16 * PAGE_SIZE, 32 * PAGE_SIZE},
		{RT_BASE + 4 * PAGE_SIZE, 4 * PAGE_SIZE},
		{RT_BASE + 48 * PAGE_SIZE, 16 * PAGE_SIZE},
	};
	static uint64_t got[128];
	unsigned n = 0;
	paddr_t pa;

	ram_init(&rt_ram, mem, ARRAY_SIZE(mem));
	EXPECT_EQ(ram_free_bytes(&rt_ram), 64 * PAGE_SIZE);
	/* Touching ranges merge: a reservation may span where they met. */
	EXPECT_EQ_INT(
		ram_reserve(&rt_ram, RT_BASE + 40 * PAGE_SIZE, 16 * PAGE_SIZE),
		0);
	while (n < ARRAY_SIZE(got) &&
	       ram_alloc(&rt_ram, PAGE_SIZE, PAGE_SIZE, &pa) == 0) {
		for (unsigned i = 0; i < n; i++) {
			if (!EXPECT_NE(got[i], pa_addr(pa))) {
				return;
			}
		}
		got[n++] = pa_addr(pa);
	}
	EXPECT_EQ(n, 48);
}
