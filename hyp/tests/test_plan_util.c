/* Run plans for tests (test_plan_util.h). */
#include <faultline/err.h>

#include "test_plan_util.h"
#include "test_util.h"

uint64_t test_plan_blob[TEST_PLAN_BLOB_MAX / 8];

void test_plan_init(struct test_plan *t)
{
	test_util_fill(t, 0, sizeof(*t));
	t->h.magic = PLAN_MAGIC;
	t->h.version = PLAN_VERSION;
	t->h.timeout_ms = 1000;
	t->h.reps = 1;
	test_util_copy(t->h.name, "unit", 5);
	t->vms[0].policy = PLAN_POLICY_PREJUDGE;
	t->vms[0].ia_bits = 40;
	t->vms[0].mem_pool_pages = 16;
	t->vms[0].nregions = 1;
	t->vms[0].nvcpus = 1;
	t->regions[0].ipa = TEST_PLAN_IPA;
	t->regions[0].size = TEST_PLAN_REGION_SIZE;
	t->vcpus[0].pcpu = 0;
	t->vcpus[0].nops = 2;
	t->ops[0].code = GUEST_OP_READ;
	t->ops[0].count = 1;
	t->ops[0].addr = TEST_PLAN_IPA;
	t->ops[1].code = GUEST_OP_END;
	t->h.nvms = 1;
	test_plan_relayout(t);
}

void test_plan_relayout(struct test_plan *t)
{
	uint32_t region = 0, vcpu = 0, op = 0;

	for (uint32_t v = 0; v < t->h.nvms && v < PLAN_MAX_VMS; v++) {
		t->vms[v].first_region = region;
		t->vms[v].first_vcpu = vcpu;
		for (uint32_t c = 0;
		     c < t->vms[v].nvcpus && vcpu + c < PLAN_MAX_VCPUS; c++) {
			t->vcpus[vcpu + c].vm = v;
		}
		region += t->vms[v].nregions;
		vcpu += t->vms[v].nvcpus;
	}
	for (uint32_t c = 0; c < vcpu && c < PLAN_MAX_VCPUS; c++) {
		t->vcpus[c].first_op = op;
		op += t->vcpus[c].nops;
	}
	t->h.nregions = region;
	t->h.nvcpus = vcpu;
	t->h.nops = op;
}

size_t test_plan_pack(const struct test_plan *t, void *buf, size_t max)
{
	const struct plan_header *h = &t->h;
	uint8_t *b = buf;
	size_t off = sizeof(*h);
	size_t need;

	if (h->nvms > PLAN_MAX_VMS || h->nregions > TEST_PLAN_MAX_REGIONS ||
	    h->nvcpus > PLAN_MAX_VCPUS || h->nops > TEST_PLAN_MAX_OPS) {
		return 0;
	}
	need = sizeof(*h) + h->nvms * sizeof(struct plan_vm) +
	       h->nregions * sizeof(struct plan_region) +
	       h->nvcpus * sizeof(struct plan_vcpu) +
	       h->nops * sizeof(struct guest_op);
	if (need > max) {
		return 0;
	}
	test_util_copy(b, h, sizeof(*h));
	((struct plan_header *)buf)->size = (uint32_t)need;
	test_util_copy(b + off, t->vms, h->nvms * sizeof(struct plan_vm));
	off += h->nvms * sizeof(struct plan_vm);
	test_util_copy(b + off, t->regions,
		       h->nregions * sizeof(struct plan_region));
	off += h->nregions * sizeof(struct plan_region);
	test_util_copy(b + off, t->vcpus, h->nvcpus * sizeof(struct plan_vcpu));
	off += h->nvcpus * sizeof(struct plan_vcpu);
	test_util_copy(b + off, t->ops, h->nops * sizeof(struct guest_op));
	return need;
}

int test_plan_validate(const struct test_plan *t, unsigned ncpus,
		       struct plan *p, char *err, size_t err_size)
{
	struct plan local;
	size_t size = test_plan_pack(t, test_plan_blob, sizeof(test_plan_blob));

	err[0] = '\0';
	return plan_validate(test_plan_blob, size, ncpus,
			     p != NULL ? p : &local, err, err_size);
}

bool test_plan_expect_refused(struct test_ctx *test_ctx, const char *file,
			      int line, size_t size, unsigned ncpus,
			      const char *what)
{
	struct plan p;
	char err[200];
	int ret;

	err[0] = '\0';
	ret = plan_validate(test_plan_blob, size, ncpus, &p, err, sizeof(err));
	if (ret != -ERR_INVAL || !test_util_contains(err, what)) {
		test_fail(test_ctx, file, line,
			  "plan_validate gave %d \"%s\"; expected %d naming "
			  "\"%s\"",
			  ret, err, -ERR_INVAL, what);
		return false;
	}
	return true;
}

bool test_plan_expect_valid(struct test_ctx *test_ctx, const char *file,
			    int line, const struct test_plan *t, unsigned ncpus)
{
	char err[200];
	int ret = test_plan_validate(t, ncpus, NULL, err, sizeof(err));

	if (ret != 0) {
		test_fail(test_ctx, file, line,
			  "plan_validate gave %d \"%s\"; expected a valid plan",
			  ret, err);
		return false;
	}
	return true;
}
