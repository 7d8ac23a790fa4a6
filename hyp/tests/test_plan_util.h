/*
 * Run plans for tests (plan.h): a plan held as separate arrays, so a test
 * can change one field and pack it into the flat blob plan_validate()
 * reads. Shared by test_plan*.c and the VM tests. Portable: no libc.
 */
#ifndef FAULTLINE_TESTS_TEST_PLAN_UTIL_H
#define FAULTLINE_TESTS_TEST_PLAN_UTIL_H

#include <faultline/plan.h>
#include <faultline/test.h>

/** Regions a test plan can hold (all VMs together). */
#define TEST_PLAN_MAX_REGIONS 24
/** Ops a test plan can hold (all vCPUs together). */
#define TEST_PLAN_MAX_OPS 32
/** Bytes of the packed blob at most. */
#define TEST_PLAN_BLOB_MAX                                                     \
	(sizeof(struct plan_header) + PLAN_MAX_VMS * sizeof(struct plan_vm) +  \
	 TEST_PLAN_MAX_REGIONS * sizeof(struct plan_region) +                  \
	 PLAN_MAX_VCPUS * sizeof(struct plan_vcpu) +                           \
	 TEST_PLAN_MAX_OPS * sizeof(struct guest_op))
/** IPA of the region of test_plan_init()'s plan (outside the executor's). */
#define TEST_PLAN_IPA UINT64_C(0x80000000)
/** Size of that region. */
#define TEST_PLAN_REGION_SIZE UINT64_C(0x10000)

/**
 * A plan being written: the header's counts say how much of each array is
 * used. test_plan_pack() lays it out in order.
 */
struct test_plan {
	struct plan_header h;
	struct plan_vm vms[PLAN_MAX_VMS];
	struct plan_region regions[TEST_PLAN_MAX_REGIONS];
	struct plan_vcpu vcpus[PLAN_MAX_VCPUS];
	struct guest_op ops[TEST_PLAN_MAX_OPS];
};

/** The blob test_plan_validate() packs into (8-byte aligned). */
extern uint64_t test_plan_blob[TEST_PLAN_BLOB_MAX / 8];

/**
 * Fills @t with the smallest valid plan: one VM (prejudge, 40-bit IPAs, 16
 * table pages), one read-write region of TEST_PLAN_REGION_SIZE at
 * TEST_PLAN_IPA, one vCPU on CPU 0 whose program reads the region's first
 * word and ends.
 */
void test_plan_init(struct test_plan *t);

/**
 * Makes @t's layout consistent with the per-VM and per-vCPU counts: each
 * VM's first region and vCPU follow the previous VM's, each vCPU's first
 * op follows the previous vCPU's, the header's totals are the sums, and
 * each vCPU names the VM whose range holds it. Tests change counts, call
 * this, then break one field on purpose.
 */
void test_plan_relayout(struct test_plan *t);

/**
 * Writes @t as a flat plan into @buf (8-byte aligned, @max bytes), with
 * the header's size set to what its counts need. Returns the size, or 0
 * when it does not fit.
 */
size_t test_plan_pack(const struct test_plan *t, void *buf, size_t max);

/**
 * Packs @t into test_plan_blob and runs plan_validate() on it for a
 * machine of @ncpus CPUs, with @err of @err_size bytes. @p may be NULL.
 */
int test_plan_validate(const struct test_plan *t, unsigned ncpus,
		       struct plan *p, char *err, size_t err_size);

/**
 * Validates the @size bytes of test_plan_blob for @ncpus CPUs and checks
 * that they are refused with -ERR_INVAL and a message containing @what;
 * records a failure at @file:@line otherwise. Returns whether it was so.
 */
bool test_plan_expect_refused(struct test_ctx *test_ctx, const char *file,
			      int line, size_t size, unsigned ncpus,
			      const char *what);

/** Packs @t and expects it refused for @ncpus CPUs naming @what. */
#define EXPECT_PLAN_REFUSED(t, ncpus, what)                                    \
	test_plan_expect_refused(                                              \
		test_ctx, __FILE__, __LINE__,                                  \
		test_plan_pack((t), test_plan_blob, sizeof(test_plan_blob)),   \
		(ncpus), (what))

/** Packs @t and expects it valid for @ncpus CPUs. */
#define EXPECT_PLAN_VALID(t, ncpus)                                            \
	test_plan_expect_valid(test_ctx, __FILE__, __LINE__, (t), (ncpus))

/**
 * Packs @t, validates it for @ncpus CPUs and records a failure (with the
 * message) at @file:@line unless it passed. Returns whether it passed.
 */
bool test_plan_expect_valid(struct test_ctx *test_ctx, const char *file,
			    int line, const struct test_plan *t,
			    unsigned ncpus);

#endif /* FAULTLINE_TESTS_TEST_PLAN_UTIL_H */
