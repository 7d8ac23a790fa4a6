/*
 * plan_validate() on the items of a run plan: regions (alignment, IPA
 * size, overlaps, the executor's IPAs), vCPUs (pinning), the layout of
 * the arrays, the vCPUs' programs, and random corruption, which must
 * always end in a clean refusal or a valid plan.
 */
#include <faultline/err.h>
#include <faultline/test.h>

#include "test_plan_util.h"
#include "test_util.h"

static struct test_plan pi_plan;

/* test_plan_init() with a second region after the first. */
static void pi_two_regions(struct test_plan *t)
{
	test_plan_init(t);
	t->vms[0].nregions = 2;
	t->regions[1].ipa = TEST_PLAN_IPA + TEST_PLAN_REGION_SIZE;
	t->regions[1].size = PAGE_SIZE;
	test_plan_relayout(t);
}

/** A region whose IPA or size is not page aligned, or whose size is 0, is refused. */
TEST(plan_items, refuses_misaligned_region)
{
	pi_two_regions(&pi_plan);
	pi_plan.regions[1].ipa += 8;
	EXPECT_PLAN_REFUSED(&pi_plan, 1,
			    "vm 0 region 1: 0x80010008+0x1000 is not page "
			    "aligned");
	pi_two_regions(&pi_plan);
	pi_plan.regions[1].size = 0x800;
	EXPECT_PLAN_REFUSED(&pi_plan, 1, "region 1: 0x80010000+0x800 is not");
	pi_plan.regions[1].size = 0;
	EXPECT_PLAN_REFUSED(&pi_plan, 1, "region 1: 0x80010000+0x0 is not");
}

/** A region that starts or ends beyond the VM's IPA size is refused; one ending exactly at the limit passes. */
TEST(plan_items, refuses_region_beyond_ipa_size)
{
	test_plan_init(&pi_plan);
	pi_plan.vms[0].ia_bits = 32;
	pi_plan.regions[0].ipa = UINT64_C(0x100000000);
	pi_plan.regions[0].size = PAGE_SIZE;
	EXPECT_PLAN_REFUSED(&pi_plan, 1, "beyond the 32-bit IPA space");
	pi_plan.regions[0].ipa = UINT64_C(0xfffff000);
	pi_plan.regions[0].size = 2 * PAGE_SIZE;
	EXPECT_PLAN_REFUSED(&pi_plan, 1,
			    "vm 0 region 0: 0xfffff000+0x2000 is beyond");
	/* A size that would wrap around 2^64 with the IPA. */
	pi_plan.regions[0].size = UINT64_C(0) - PAGE_SIZE;
	EXPECT_PLAN_REFUSED(&pi_plan, 1, "beyond the 32-bit IPA space");
	pi_plan.regions[0].size = PAGE_SIZE;
	EXPECT_PLAN_VALID(&pi_plan, 1);
	pi_plan.vms[0].ia_bits = 33;
	pi_plan.regions[0].ipa = UINT64_C(0x100000000);
	EXPECT_PLAN_VALID(&pi_plan, 1);
}

/** Region flags beyond the five known ones are refused. */
TEST(plan_items, refuses_unknown_region_flags)
{
	pi_two_regions(&pi_plan);
	pi_plan.regions[1].flags = PLAN_REGION_RO | (1u << 5);
	EXPECT_PLAN_REFUSED(&pi_plan, 1, "vm 0 region 1: unknown flags 0x21");
	/* The hypervisor's own region flags may not come from a plan. */
	pi_plan.regions[1].flags = 1u << 16;
	EXPECT_PLAN_REFUSED(&pi_plan, 1, "unknown flags 0x10000");
}

/** An ordinary VM's region may not touch the executor's IPAs, at either end; a host stage-2 VM's may. */
TEST(plan_items, refuses_region_on_executor_ipas)
{
	test_plan_init(&pi_plan);
	pi_plan.regions[0].ipa = GUEST_CODE_IPA;
	pi_plan.regions[0].size = PAGE_SIZE;
	EXPECT_PLAN_REFUSED(&pi_plan, 1, "overlaps the executor's IPAs");
	pi_plan.regions[0].ipa = GUEST_RESERVED_END - PAGE_SIZE;
	EXPECT_PLAN_REFUSED(&pi_plan, 1,
			    "overlaps the executor's IPAs [0x10000000, "
			    "0x14100000)");
	/* Covering all of it from below. */
	pi_plan.regions[0].ipa = GUEST_CODE_IPA - PAGE_SIZE;
	pi_plan.regions[0].size =
		GUEST_RESERVED_END - GUEST_CODE_IPA + 2 * PAGE_SIZE;
	EXPECT_PLAN_REFUSED(&pi_plan, 1, "vm 0 region 0: 0xffff000+");
	/* Just outside at both ends. */
	pi_plan.regions[0].size = PAGE_SIZE;
	EXPECT_PLAN_VALID(&pi_plan, 1);
	pi_plan.regions[0].ipa = GUEST_RESERVED_END;
	EXPECT_PLAN_VALID(&pi_plan, 1);
	/* A host VM runs the executor at its PA: the IPAs are free. */
	pi_plan.regions[0].ipa = GUEST_CODE_IPA;
	pi_plan.vms[0].flags = PLAN_VM_HOST_S2;
	EXPECT_PLAN_VALID(&pi_plan, 1);
}

/** Two regions of a VM that share a page are refused, naming both; adjacent ones pass. */
TEST(plan_items, refuses_overlapping_regions)
{
	pi_two_regions(&pi_plan);
	EXPECT_PLAN_VALID(&pi_plan, 1);
	pi_plan.regions[1].ipa -= PAGE_SIZE;
	EXPECT_PLAN_REFUSED(&pi_plan, 1, "vm 0: regions 0 and 1 overlap");
	/* The second inside the first; then the first inside the second. */
	pi_plan.regions[1].ipa = TEST_PLAN_IPA + 4 * PAGE_SIZE;
	EXPECT_PLAN_REFUSED(&pi_plan, 1, "regions 0 and 1 overlap");
	pi_plan.regions[1].ipa = TEST_PLAN_IPA - PAGE_SIZE;
	pi_plan.regions[1].size = 32 * PAGE_SIZE;
	EXPECT_PLAN_REFUSED(&pi_plan, 1, "regions 0 and 1 overlap");
	/* Two VMs may use the same IPAs: each has its own stage 2. */
	test_plan_init(&pi_plan);
	pi_plan.h.nvms = 2;
	pi_plan.vms[1] = pi_plan.vms[0];
	pi_plan.regions[1] = pi_plan.regions[0];
	pi_plan.vcpus[1].pcpu = 1;
	pi_plan.vcpus[1].nops = 1;
	test_plan_relayout(&pi_plan);
	EXPECT_PLAN_VALID(&pi_plan, 2);
}

/** A vCPU pinned to a CPU the machine does not have (or beyond 16) is refused. */
TEST(plan_items, refuses_vcpu_on_missing_cpu)
{
	test_plan_init(&pi_plan);
	pi_plan.vcpus[0].pcpu = 4;
	EXPECT_PLAN_REFUSED(&pi_plan, 4,
			    "vcpu 0: pcpu 4, but the machine has 4 CPUs");
	EXPECT_PLAN_VALID(&pi_plan, 5);
	pi_plan.vcpus[0].pcpu = PLAN_MAX_VCPUS;
	EXPECT_PLAN_REFUSED(&pi_plan, 64, "vcpu 0: pcpu 16");
	pi_plan.vcpus[0].pcpu = UINT32_MAX;
	EXPECT_PLAN_REFUSED(&pi_plan, 64, "pcpu 4294967295");
	pi_plan.vcpus[0].pcpu = 0;
	EXPECT_PLAN_REFUSED(&pi_plan, 0, "the machine has 0 CPUs");
}

/** Two vCPUs on one CPU are refused, in one VM or across VMs. */
TEST(plan_items, refuses_two_vcpus_on_one_cpu)
{
	test_plan_init(&pi_plan);
	pi_plan.vms[0].nvcpus = 2;
	pi_plan.vcpus[1].nops = 1;
	pi_plan.vcpus[1].pcpu = 0;
	test_plan_relayout(&pi_plan);
	EXPECT_PLAN_REFUSED(&pi_plan, 2,
			    "vcpu 1: pcpu 0 already runs another vCPU");
	pi_plan.vcpus[1].pcpu = 1;
	EXPECT_PLAN_VALID(&pi_plan, 2);
	/* The second VM's vCPU on the first VM's CPU. */
	pi_plan.h.nvms = 2;
	pi_plan.vms[1] = pi_plan.vms[0];
	pi_plan.vms[1].nvcpus = 1;
	pi_plan.regions[1] = pi_plan.regions[0];
	pi_plan.vcpus[2].nops = 1;
	pi_plan.vcpus[2].pcpu = 1;
	test_plan_relayout(&pi_plan);
	EXPECT_PLAN_REFUSED(&pi_plan, 4, "vcpu 2: pcpu 1 already runs");
}

/* Two VMs of one region and one vCPU each, on CPUs 0 and 1. */
static void pi_two_vms(struct test_plan *t)
{
	test_plan_init(t);
	t->h.nvms = 2;
	t->vms[1] = t->vms[0];
	t->regions[1] = t->regions[0];
	t->vcpus[1].pcpu = 1;
	t->vcpus[1].nops = 1;
	test_plan_relayout(t);
}

/** Items must follow each other: a VM's regions or vCPUs, or a vCPU's ops, out of order or left over are refused. */
TEST(plan_items, refuses_layout_not_contiguous)
{
	pi_two_vms(&pi_plan);
	EXPECT_PLAN_VALID(&pi_plan, 2);
	/* Each VM points at the other's region: both ranges are valid. */
	pi_plan.vms[0].first_region = 1;
	pi_plan.vms[1].first_region = 0;
	EXPECT_PLAN_REFUSED(&pi_plan, 2,
			    "vm 0: its regions or vCPUs do not follow");
	/* Both VMs share region 0; region 1 is nobody's. */
	pi_plan.vms[0].first_region = 0;
	EXPECT_PLAN_REFUSED(&pi_plan, 2, "vm 1: its regions or vCPUs");
	/* vCPU ops swapped: each range is inside the plan. */
	pi_two_vms(&pi_plan);
	pi_plan.vcpus[0].first_op = 1;
	pi_plan.vcpus[0].nops = 1;
	pi_plan.vcpus[1].first_op = 0;
	pi_plan.ops[1].code = GUEST_OP_END;
	EXPECT_PLAN_REFUSED(&pi_plan, 2, "vcpu 0: its ops do not follow");
	/* A region and an op nobody uses. */
	pi_two_vms(&pi_plan);
	pi_plan.h.nregions = 3;
	pi_plan.regions[2] = pi_plan.regions[0];
	EXPECT_PLAN_REFUSED(&pi_plan, 2,
			    "the VMs use 2 regions, 2 vCPUs and 3 ops; the "
			    "plan has 3, 2 and 3");
	pi_two_vms(&pi_plan);
	pi_plan.h.nops = 4;
	EXPECT_PLAN_REFUSED(&pi_plan, 2, "use 2 regions, 2 vCPUs and 3 ops");
}

/* test_plan_init() with the program @codes (count 1, address 0 each). */
static void pi_program(struct test_plan *t, const uint16_t *codes, unsigned n)
{
	test_plan_init(t);
	for (unsigned i = 0; i < n; i++) {
		t->ops[i].code = codes[i];
		t->ops[i].count = 2;
		t->ops[i].addr = TEST_PLAN_IPA;
	}
	t->vcpus[0].nops = n;
	test_plan_relayout(t);
}

/** A LOOP_END without its LOOP, or a LOOP left open, is refused. */
TEST(plan_items, refuses_unbalanced_loops)
{
	static const uint16_t end_first[] = {GUEST_OP_READ, GUEST_OP_LOOP_END,
					     GUEST_OP_LOOP, GUEST_OP_END};
	static const uint16_t open[] = {GUEST_OP_LOOP, GUEST_OP_LOOP,
					GUEST_OP_LOOP_END, GUEST_OP_END};
	static const uint16_t balanced[] = {GUEST_OP_LOOP, GUEST_OP_LOOP_END,
					    GUEST_OP_LOOP, GUEST_OP_READ,
					    GUEST_OP_LOOP_END};

	pi_program(&pi_plan, end_first, ARRAY_SIZE(end_first));
	EXPECT_PLAN_REFUSED(&pi_plan, 1,
			    "vcpu 0 op 1: loop end without a loop");
	pi_program(&pi_plan, open, ARRAY_SIZE(open));
	EXPECT_PLAN_REFUSED(&pi_plan, 1, "vcpu 0: 1 loop(s) left open");
	pi_program(&pi_plan, balanced, ARRAY_SIZE(balanced));
	EXPECT_PLAN_VALID(&pi_plan, 1);
}

/** Loops nest at most 8 deep: the 9th LOOP is refused, naming its op. */
TEST(plan_items, refuses_loops_nested_deeper_than_8)
{
	uint16_t codes[20];
	unsigned n = 0;

	for (unsigned i = 0; i < 9; i++) {
		codes[n++] = GUEST_OP_LOOP;
	}
	for (unsigned i = 0; i < 9; i++) {
		codes[n++] = GUEST_OP_LOOP_END;
	}
	pi_program(&pi_plan, codes, n);
	EXPECT_PLAN_REFUSED(&pi_plan, 1,
			    "vcpu 0 op 8: loops nested deeper than 8");
	/* Exactly 8 deep is fine. */
	pi_program(&pi_plan, codes + 1, 16);
	EXPECT_PLAN_VALID(&pi_plan, 1);
}

/** An op code past the last known one is refused, naming the vCPU and the op. */
TEST(plan_items, refuses_unknown_op)
{
	static const uint16_t codes[] = {GUEST_OP_HVC, GUEST_OP_SET_WAY,
					 GUEST_OP_TRAP + 1, GUEST_OP_END};

	pi_program(&pi_plan, codes, ARRAY_SIZE(codes));
	EXPECT_PLAN_REFUSED(&pi_plan, 1, "vcpu 0 op 2: unknown op 13");
	pi_plan.ops[2].code = UINT16_MAX;
	EXPECT_PLAN_REFUSED(&pi_plan, 1, "unknown op 65535");
	pi_plan.ops[2].code = GUEST_OP_MMU_OFF;
	EXPECT_PLAN_VALID(&pi_plan, 1);
}

/** A trap op names one of the traps the executor knows how to take. */
TEST(plan_items, refuses_unknown_trap)
{
	static const uint16_t codes[] = {GUEST_OP_TRAP, GUEST_OP_END};

	pi_program(&pi_plan, codes, ARRAY_SIZE(codes));
	pi_plan.ops[0].arg = GUEST_TRAP_SMC;
	EXPECT_PLAN_VALID(&pi_plan, 1);
	pi_plan.ops[0].arg = GUEST_TRAP_PMU;
	EXPECT_PLAN_VALID(&pi_plan, 1);
	pi_plan.ops[0].arg = 3;
	EXPECT_PLAN_REFUSED(&pi_plan, 1, "vcpu 0 op 0: unknown trap 3");
}

/** READ, WRITE and EXEC need 8-byte aligned addresses and strides; other ops do not look at them. */
TEST(plan_items, refuses_unaligned_access)
{
	static const uint16_t access[] = {GUEST_OP_READ, GUEST_OP_WRITE,
					  GUEST_OP_EXEC};

	for (unsigned i = 0; i < ARRAY_SIZE(access); i++) {
		test_plan_init(&pi_plan);
		pi_plan.ops[0].code = access[i];
		pi_plan.ops[0].addr = TEST_PLAN_IPA + 4;
		EXPECT_PLAN_REFUSED(&pi_plan, 1,
				    "vcpu 0 op 0: address and stride must be "
				    "8-byte aligned");
		pi_plan.ops[0].addr = TEST_PLAN_IPA + 8;
		pi_plan.ops[0].stride = 12;
		EXPECT_PLAN_REFUSED(&pi_plan, 1, "must be 8-byte aligned");
		pi_plan.ops[0].stride = 24;
		EXPECT_PLAN_VALID(&pi_plan, 1);
	}
	test_plan_init(&pi_plan);
	pi_plan.ops[0].code = GUEST_OP_DELAY;
	pi_plan.ops[0].addr = 3;
	pi_plan.ops[0].stride = 5;
	EXPECT_PLAN_VALID(&pi_plan, 1);
}

/** A vCPU without a program is refused. */
TEST(plan_items, refuses_empty_program)
{
	test_plan_init(&pi_plan);
	pi_plan.h.nvms = 1;
	pi_plan.vms[0].nvcpus = 2;
	pi_plan.vcpus[1].pcpu = 1;
	pi_plan.vcpus[1].nops = 0;
	test_plan_relayout(&pi_plan);
	EXPECT_PLAN_REFUSED(&pi_plan, 2, "vcpu 1: ops [2, +0)");
}

/** A message longer than the caller's buffer is cut and NUL-terminated, and nothing past the buffer is written. */
TEST(plan_items, error_message_fits_the_buffer)
{
	char err[24];
	struct plan p;
	size_t size;

	test_plan_init(&pi_plan);
	pi_plan.vms[0].ia_bits = 20;
	size = test_plan_pack(&pi_plan, test_plan_blob, sizeof(test_plan_blob));
	test_util_fill(err, 0x7e, sizeof(err));
	EXPECT_EQ_INT(plan_validate(test_plan_blob, size, 1, &p, err, 16),
		      -ERR_INVAL);
	EXPECT_EQ(test_util_strlen(err), 15);
	EXPECT_TRUE(test_util_mem_equal(err, "vm 0: IPA size ", 15));
	for (unsigned i = 16; i < sizeof(err); i++) {
		EXPECT_EQ(err[i], 0x7e);
	}
}

/*
 * The fuzz test's plan sits at the end of a static buffer, so that a read
 * past the bytes it was given runs off the object (AddressSanitizer sees
 * it on the host).
 */
static uint64_t pi_fuzz_area[TEST_PLAN_BLOB_MAX / 8];
static uint64_t pi_rng = UINT64_C(0x9e3779b97f4a7c15);

static uint64_t pi_rand(void)
{
	/* xorshift64: reproducible, no libc at EL2. */
	pi_rng ^= pi_rng << 13;
	pi_rng ^= pi_rng >> 7;
	pi_rng ^= pi_rng << 17;
	return pi_rng;
}

/** Random byte changes and truncations of a valid plan never crash: each validates, or is refused with -ERR_INVAL and a message. */
TEST(plan_items, random_corruption_is_refused_cleanly)
{
	static uint8_t good[TEST_PLAN_BLOB_MAX];
	struct test_plan *t = &pi_plan;
	unsigned valid = 0, refused = 0;
	size_t size;

	/* Two VMs, a loop, and every kind of field to hit. */
	pi_two_vms(t);
	t->vms[1].flags = PLAN_VM_HOST_S2 | PLAN_VM_DIRTY_LOG;
	t->vms[1].dev_pool_pages = 8;
	t->ops[2].code = GUEST_OP_LOOP;
	t->ops[2].count = 3;
	t->ops[3].code = GUEST_OP_WRITE;
	t->ops[3].addr = TEST_PLAN_IPA + 64;
	t->ops[4].code = GUEST_OP_LOOP_END;
	t->ops[5].code = GUEST_OP_END;
	t->vcpus[1].nops = 4;
	test_plan_relayout(t);
	size = test_plan_pack(t, good, sizeof(good));
	ASSERT_TRUE(size > 0 && size % 8 == 0);
	for (unsigned iter = 0; iter < 4000; iter++) {
		uint8_t *blob =
			(uint8_t *)pi_fuzz_area + sizeof(pi_fuzz_area) - size;
		size_t len = size;
		unsigned flips = 1 + (unsigned)(pi_rand() % 4);
		char err[120];
		struct plan p;
		int ret;

		test_util_copy(blob, good, size);
		for (unsigned f = 0; f < flips; f++) {
			uint64_t r = pi_rand();

			blob[r % size] ^= (uint8_t)(1u << ((r >> 32) % 8));
			if ((r >> 40) % 8 == 0) {
				/* Sometimes a whole random byte. */
				blob[(r >> 16) % size] = (uint8_t)(r >> 48);
			}
		}
		if (pi_rand() % 16 == 0) {
			/* Truncated: the copy slides so it still ends there. */
			len = (size_t)(pi_rand() % size) & ~(size_t)7;
			blob += size - len;
			test_util_copy(blob, good, len);
		}
		err[0] = '\0';
		ret = plan_validate(blob, len, 4, &p, err, sizeof(err));
		if (ret == 0) {
			valid++;
			EXPECT_TRUE((const uint8_t *)p.ops +
					    p.h->nops *
						    sizeof(struct guest_op) <=
				    blob + len);
		} else {
			refused++;
			if (!EXPECT_EQ_INT(ret, -ERR_INVAL) ||
			    !EXPECT_TRUE(err[0] != '\0')) {
				return;
			}
		}
	}
	/* Both outcomes happen: flips of name or delay bytes stay valid. */
	EXPECT_TRUE(valid > 0);
	EXPECT_TRUE(refused > 0);
}
