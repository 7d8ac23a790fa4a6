/*
 * plan_validate() on the header and the VMs of a run plan: a valid plan
 * fills struct plan with pointers into the blob; every malformed count,
 * size or VM field is refused with a message that names the item.
 * (Regions, vCPUs, layout and programs: test_plan_items.c.)
 */
#include <faultline/err.h>
#include <faultline/test.h>

#include "test_plan_util.h"
#include "test_util.h"

/* Bytes of the plan header. */
#define PL_HDR ((unsigned)sizeof(struct plan_header))

/* Static: a plan is about 2 KiB and the EL2 stack is 16. */
static struct test_plan pl_plan;

/* The blob's header, for tests that corrupt it after packing. */
static struct plan_header *pl_header(void)
{
	return (struct plan_header *)test_plan_blob;
}

/* Packs pl_plan; returns its size. */
static size_t pl_pack(void)
{
	return test_plan_pack(&pl_plan, test_plan_blob, sizeof(test_plan_blob));
}

/** The smallest plan passes and struct plan points at each array of the blob, in order. */
TEST(plan, minimal_plan_is_valid)
{
	const uint8_t *b = (const uint8_t *)test_plan_blob;
	struct plan p = {0};
	char err[100];

	test_plan_init(&pl_plan);
	ASSERT_EQ_INT(test_plan_validate(&pl_plan, 1, &p, err, sizeof(err)), 0);
	EXPECT_TRUE((const void *)p.h == b);
	EXPECT_TRUE((const void *)p.vms == b + PL_HDR);
	EXPECT_TRUE((const void *)p.regions == b + PL_HDR + 40);
	EXPECT_TRUE((const void *)p.vcpus == b + PL_HDR + 40 + 24);
	EXPECT_TRUE((const void *)p.ops == b + PL_HDR + 40 + 24 + 16);
	EXPECT_EQ(p.h->size, PL_HDR + 40 + 24 + 16 + 2 * 32);
	EXPECT_EQ(p.vms[0].ia_bits, 40);
	EXPECT_EQ(p.regions[0].ipa, TEST_PLAN_IPA);
	EXPECT_EQ(p.vcpus[0].nops, 2);
	EXPECT_EQ(p.ops[0].code, GUEST_OP_READ);
	EXPECT_EQ(p.ops[1].code, GUEST_OP_END);
}

/*
 * Two VMs using every flag: a dirty-logged guest with three regions (one
 * ending where the executor's IPAs start, one reaching the end of the IPA
 * space) and two vCPUs with loops nested 8 deep, and a host stage-2 VM
 * whose memory sits on the executor's IPAs (it runs at PAs).
 */
static void pl_two_vms(struct test_plan *t)
{
	unsigned op = 0;

	test_plan_init(t);
	t->h.nvms = 2;
	t->vms[0].flags = PLAN_VM_DIRTY_LOG;
	t->vms[0].ia_bits = 32;
	t->vms[0].mem_pool_pages = 4;
	t->vms[0].nregions = 3;
	t->vms[0].nvcpus = 2;
	t->regions[0].ipa = GUEST_CODE_IPA - 0x2000;
	t->regions[0].size = 0x2000;
	t->regions[0].flags = PLAN_REGION_RO | PLAN_REGION_PRETOUCH;
	t->regions[1].ipa = 0;
	t->regions[1].size = 0x1000;
	t->regions[1].flags = PLAN_REGION_DEVICE;
	t->regions[2].ipa = UINT64_C(0xffe00000);
	t->regions[2].size = UINT64_C(0x200000);
	t->regions[2].flags = PLAN_REGION_EXEC | PLAN_REGION_BLOCKS;
	t->vms[1].policy = PLAN_POLICY_LEGACY;
	t->vms[1].flags = PLAN_VM_HOST_S2;
	t->vms[1].ia_bits = 48;
	t->vms[1].mem_pool_pages = 65536;
	t->vms[1].dev_pool_pages = 65536;
	t->vms[1].nregions = 1;
	t->vms[1].nvcpus = 1;
	t->regions[3].ipa = GUEST_CODE_IPA;
	t->regions[3].size = UINT64_C(0x800000);
	/* vCPU 0: 8 nested loops around a write; vCPU 1 and 2: END. */
	for (unsigned i = 0; i < 8; i++) {
		t->ops[op++].code = GUEST_OP_LOOP;
	}
	t->ops[op].code = GUEST_OP_WRITE;
	t->ops[op].addr = 0xffe00008;
	t->ops[op++].stride = 16;
	for (unsigned i = 0; i < 8; i++) {
		t->ops[op++].code = GUEST_OP_LOOP_END;
	}
	t->ops[op++].code = GUEST_OP_END;
	t->vcpus[0].nops = op;
	t->vcpus[0].pcpu = 3;
	t->vcpus[1].nops = 1;
	t->vcpus[1].pcpu = 1;
	t->vcpus[2].nops = 1;
	t->vcpus[2].pcpu = 0;
	t->ops[op++].code = GUEST_OP_END;
	t->ops[op++].code = GUEST_OP_HVC;
	test_plan_relayout(t);
}

/** A plan with two VMs, every flag, adjacent regions, edge IPAs, 8-deep loops and a host VM on the executor's IPAs passes. */
TEST(plan, full_plan_is_valid)
{
	struct plan p;
	char err[100];

	pl_two_vms(&pl_plan);
	ASSERT_TRUE(EXPECT_PLAN_VALID(&pl_plan, 4));
	ASSERT_EQ_INT(test_plan_validate(&pl_plan, 4, &p, err, sizeof(err)), 0);
	EXPECT_EQ(p.h->nvms, 2);
	EXPECT_EQ(p.vms[1].first_region, 3);
	EXPECT_EQ(p.vms[1].first_vcpu, 2);
	EXPECT_EQ(p.vcpus[2].vm, 1);
	EXPECT_EQ(p.ops[p.vcpus[1].first_op].code, GUEST_OP_END);
	/* One CPU fewer than vCPU 0's: refused. */
	EXPECT_PLAN_REFUSED(&pl_plan, 3, "vcpu 0: pcpu 3");
}

/** A blob shorter than the header, or not 8-byte aligned, is refused before anything is read. */
TEST(plan, refuses_short_or_misaligned_blob)
{
	const uint8_t *b = (const uint8_t *)test_plan_blob;
	struct plan p;
	char err[100];
	size_t size;

	test_plan_init(&pl_plan);
	size = pl_pack();
	EXPECT_TRUE(test_plan_expect_refused(test_ctx, __FILE__, __LINE__,
					     sizeof(struct plan_header) - 1, 1,
					     "no header"));
	EXPECT_TRUE(test_plan_expect_refused(test_ctx, __FILE__, __LINE__, 0, 1,
					     "no header"));
	EXPECT_EQ_INT(plan_validate(b + 4, size - 4, 1, &p, err, sizeof(err)),
		      -ERR_INVAL);
	EXPECT_TRUE(test_util_contains(err, "no header"));
}

/** A wrong magic or version is refused, naming both. */
TEST(plan, refuses_bad_magic_or_version)
{
	size_t size;

	test_plan_init(&pl_plan);
	pl_plan.h.magic ^= 1;
	EXPECT_PLAN_REFUSED(&pl_plan, 1, "not a version 2 plan (magic");
	test_plan_init(&pl_plan);
	pl_plan.h.version = 1;
	EXPECT_PLAN_REFUSED(&pl_plan, 1, "version 1)");
	test_plan_init(&pl_plan);
	size = pl_pack();
	pl_header()->version = 0;
	EXPECT_TRUE(test_plan_expect_refused(test_ctx, __FILE__, __LINE__, size,
					     1, "version 0)"));
}

/** The header's size must equal what its counts need, and the file must hold that much. */
TEST(plan, refuses_size_mismatch)
{
	size_t size;

	test_plan_init(&pl_plan);
	size = pl_pack();
	pl_header()->size += 8;
	EXPECT_TRUE(test_plan_expect_refused(test_ctx, __FILE__, __LINE__, size,
					     1, "plan says 248 bytes"));
	size = pl_pack();
	pl_header()->size -= 32;
	EXPECT_TRUE(test_plan_expect_refused(test_ctx, __FILE__, __LINE__, size,
					     1, "counts need 240"));
	/* A truncated file: the header is right, the ops are missing. */
	size = pl_pack();
	EXPECT_TRUE(test_plan_expect_refused(test_ctx, __FILE__, __LINE__,
					     size - 8, 1, "the file has 232"));
	/* One op more in the counts than in the file. */
	size = pl_pack();
	pl_header()->nops++;
	EXPECT_TRUE(test_plan_expect_refused(test_ctx, __FILE__, __LINE__, size,
					     1, "need 272"));
}

/* Packs pl_plan, sets one header count and expects "counts out of range". */
static bool pl_count_refused(struct test_ctx *test_ctx, unsigned which,
			     uint32_t value)
{
	size_t size;
	struct plan_header *h;

	test_plan_init(&pl_plan);
	size = pl_pack();
	h = pl_header();
	switch (which) {
	case 0:
		h->nvms = value;
		break;
	case 1:
		h->nvcpus = value;
		break;
	case 2:
		h->nregions = value;
		break;
	default:
		h->nops = value;
		break;
	}
	return test_plan_expect_refused(test_ctx, __FILE__, __LINE__, size, 1,
					"counts out of range");
}

/** No VM or vCPU, or more VMs, vCPUs, regions or ops than a plan may have, is refused before any size is computed. */
TEST(plan, refuses_counts_out_of_range)
{
	EXPECT_TRUE(pl_count_refused(test_ctx, 0, 0));
	EXPECT_TRUE(pl_count_refused(test_ctx, 0, PLAN_MAX_VMS + 1));
	EXPECT_TRUE(pl_count_refused(test_ctx, 0, UINT32_MAX));
	EXPECT_TRUE(pl_count_refused(test_ctx, 1, 0));
	EXPECT_TRUE(pl_count_refused(test_ctx, 1, PLAN_MAX_VCPUS + 1));
	EXPECT_TRUE(pl_count_refused(test_ctx, 2,
				     PLAN_MAX_VMS * PLAN_MAX_REGIONS + 1));
	EXPECT_TRUE(pl_count_refused(
		test_ctx, 3, (uint32_t)(PLAN_MAX_VCPUS * GUEST_OPS_MAX + 1)));
	EXPECT_TRUE(pl_count_refused(test_ctx, 3, UINT32_MAX));
}

/** A scenario name that fills its 32 bytes without a NUL is refused. */
TEST(plan, refuses_name_without_nul)
{
	test_plan_init(&pl_plan);
	test_util_fill(pl_plan.h.name, 'x', sizeof(pl_plan.h.name));
	EXPECT_PLAN_REFUSED(&pl_plan, 1, "name is not NUL-terminated");
	pl_plan.h.name[31] = '\0';
	EXPECT_PLAN_VALID(&pl_plan, 1);
}

/** A deadline of 0 or beyond a day, or a BBM delay beyond 1 s, is refused (the hypervisor multiplies them). */
TEST(plan, refuses_timeout_and_delay_out_of_range)
{
	test_plan_init(&pl_plan);
	pl_plan.h.timeout_ms = 0;
	EXPECT_PLAN_REFUSED(&pl_plan, 1, "timeout 0 ms");
	pl_plan.h.timeout_ms = PLAN_MAX_TIMEOUT_MS + 1;
	EXPECT_PLAN_REFUSED(&pl_plan, 1, "out of range");
	pl_plan.h.timeout_ms = UINT64_MAX;
	EXPECT_PLAN_REFUSED(&pl_plan, 1, "out of range");
	pl_plan.h.timeout_ms = PLAN_MAX_TIMEOUT_MS;
	EXPECT_PLAN_VALID(&pl_plan, 1);
	pl_plan.h.bbm_delay_ns = PLAN_MAX_BBM_DELAY_NS + 1;
	EXPECT_PLAN_REFUSED(&pl_plan, 1, "bbm_delay");
	pl_plan.h.bbm_delay_ns = PLAN_MAX_BBM_DELAY_NS;
	EXPECT_PLAN_VALID(&pl_plan, 1);
}

/** Repetitions: 1 to 1000 with the warm-up ones; a livelock threshold up to 2^24; the reserved word 0. */
TEST(plan, refuses_reps_and_livelock_out_of_range)
{
	static const struct {
		uint32_t reps, warmup, livelock, reserved;
		bool ok;
	} cases[] = {
		{0, 0, 0, 0, false},
		{1, 0, 0, 0, true},
		{1000, 0, 0, 0, true},
		{1001, 0, 0, 0, false},
		{999, 1, 0, 0, true},
		{999, 2, 0, 0, false},
		{1, UINT32_MAX, 0, 0, false},
		{1, 0, 1u << 24, 0, true},
		{1, 0, (1u << 24) + 1, 0, false},
		{1, 0, 0, 1, false},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		test_plan_init(&pl_plan);
		pl_plan.h.reps = cases[i].reps;
		pl_plan.h.warmup = cases[i].warmup;
		pl_plan.h.livelock_faults = cases[i].livelock;
		pl_plan.h.reserved = cases[i].reserved;
		if (cases[i].ok) {
			EXPECT_PLAN_VALID(&pl_plan, 1);
		} else {
			EXPECT_PLAN_REFUSED(&pl_plan, 1, "out of range");
		}
	}
}

/** A policy id that names no policy is refused, naming the VM. */
TEST(plan, refuses_unknown_policy)
{
	pl_two_vms(&pl_plan);
	pl_plan.vms[1].policy = 0;
	EXPECT_PLAN_REFUSED(&pl_plan, 4, "vm 1: unknown policy 0");
	pl_plan.vms[1].policy = 3;
	EXPECT_PLAN_REFUSED(&pl_plan, 4, "vm 1: unknown policy 3");
	pl_plan.vms[1].policy = PLAN_POLICY_PREJUDGE;
	EXPECT_PLAN_VALID(&pl_plan, 4);
}

/** IPA sizes outside 32..48 bits are refused; both ends are accepted. */
TEST(plan, refuses_ia_bits_out_of_range)
{
	static const uint32_t bad[] = {0, 31, 49, 64, UINT32_MAX};

	test_plan_init(&pl_plan);
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		pl_plan.vms[0].ia_bits = bad[i];
		EXPECT_PLAN_REFUSED(&pl_plan, 1, "vm 0: IPA size of");
	}
	pl_plan.vms[0].ia_bits = 48;
	EXPECT_PLAN_VALID(&pl_plan, 1);
	pl_plan.vms[0].ia_bits = 32;
	EXPECT_PLAN_VALID(&pl_plan, 1);
}

/** VM flags beyond HOST_S2 and DIRTY_LOG are refused. */
TEST(plan, refuses_unknown_vm_flags)
{
	test_plan_init(&pl_plan);
	pl_plan.vms[0].flags = PLAN_VM_DIRTY_LOG | (1u << 2);
	EXPECT_PLAN_REFUSED(&pl_plan, 1, "vm 0: unknown flags 0x6");
	pl_plan.vms[0].flags = 1u << 31;
	EXPECT_PLAN_REFUSED(&pl_plan, 1, "unknown flags 0x80000000");
}

/** Table pools need 4 to 65536 memory pages and at most 65536 device pages. */
TEST(plan, refuses_pool_sizes)
{
	test_plan_init(&pl_plan);
	pl_plan.vms[0].mem_pool_pages = 3;
	EXPECT_PLAN_REFUSED(&pl_plan, 1, "vm 0: pool sizes 3/0 pages");
	pl_plan.vms[0].mem_pool_pages = 65537;
	EXPECT_PLAN_REFUSED(&pl_plan, 1, "pool sizes 65537/0");
	pl_plan.vms[0].mem_pool_pages = 4;
	pl_plan.vms[0].dev_pool_pages = 65537;
	EXPECT_PLAN_REFUSED(&pl_plan, 1, "pool sizes 4/65537");
	pl_plan.vms[0].dev_pool_pages = 65536;
	EXPECT_PLAN_VALID(&pl_plan, 1);
}

/** A VM with no region, more than 16, or a region range past the plan's is refused. */
TEST(plan, refuses_vm_region_range)
{
	test_plan_init(&pl_plan);
	pl_plan.vms[0].nregions = 0;
	test_plan_relayout(&pl_plan);
	EXPECT_PLAN_REFUSED(&pl_plan, 1, "vm 0: regions [0, +0)");
	/* 17 disjoint regions: too many for one VM. */
	pl_plan.vms[0].nregions = PLAN_MAX_REGIONS + 1;
	for (unsigned i = 0; i < PLAN_MAX_REGIONS + 1; i++) {
		pl_plan.regions[i].ipa = TEST_PLAN_IPA + i * PAGE_SIZE;
		pl_plan.regions[i].size = PAGE_SIZE;
	}
	test_plan_relayout(&pl_plan);
	EXPECT_PLAN_REFUSED(&pl_plan, 1, "vm 0: regions [0, +17)");
	pl_plan.vms[0].nregions = PLAN_MAX_REGIONS;
	test_plan_relayout(&pl_plan);
	EXPECT_PLAN_VALID(&pl_plan, 1);
	/* The range runs past the plan's regions. */
	pl_plan.vms[0].first_region = 1;
	EXPECT_PLAN_REFUSED(&pl_plan, 1, "vm 0: regions [1, +16)");
	pl_plan.vms[0].first_region = UINT32_MAX;
	pl_plan.vms[0].nregions = 2;
	EXPECT_PLAN_REFUSED(&pl_plan, 1, "not in the plan's 16");
}

/** A VM with no vCPU, a vCPU range past the plan's, or a vCPU that names another VM is refused. */
TEST(plan, refuses_vm_vcpu_range)
{
	pl_two_vms(&pl_plan);
	pl_plan.vms[1].nvcpus = 0;
	EXPECT_PLAN_REFUSED(&pl_plan, 4, "vm 1: vcpus [2, +0)");
	pl_two_vms(&pl_plan);
	pl_plan.vms[1].nvcpus = 2;
	EXPECT_PLAN_REFUSED(&pl_plan, 4,
			    "vm 1: vcpus [2, +2) not in the "
			    "plan's 3");
	pl_two_vms(&pl_plan);
	pl_plan.vms[0].first_vcpu = UINT32_MAX;
	EXPECT_PLAN_REFUSED(&pl_plan, 4, "vm 0: vcpus [4294967295, +2)");
	pl_two_vms(&pl_plan);
	pl_plan.vcpus[1].vm = 1;
	EXPECT_PLAN_REFUSED(&pl_plan, 4, "vcpu 1 says vm 1 but is in vm 0's");
}
