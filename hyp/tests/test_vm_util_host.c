/* VMs for the host-only fault-path tests (test_vm_util.h). */
#include <stdatomic.h>

#include <faultline/arch/mem.h>
#include <faultline/err.h>
#include <faultline/trace/ring.h>

#include "host_arch.h"
#include "host_tlb.h"
#include "test_stage2_util.h"
#include "test_util.h"
#include "test_vm_util.h"

/* ESR_EL2.EC of a data and an instruction abort from a lower EL. */
#define TVM_EC_DABT UINT64_C(0x24)
#define TVM_EC_IABT UINT64_C(0x20)
/* ESR_EL2.IL and .WnR. */
#define TVM_ESR_IL (UINT64_C(1) << 25)
#define TVM_ESR_WNR (UINT64_C(1) << 6)
/* DFSC of a level-3 translation and permission fault. */
#define TVM_FSC_TRANS_L3 UINT64_C(0x07)
#define TVM_FSC_PERM_L3 UINT64_C(0x0f)

static uint8_t tvm_mem[TVM_RAM_SIZE] __attribute__((aligned(1 << 21)));

struct ram test_vm_ram;
struct platform test_vm_plat;

void test_vm_plat_reset(void)
{
	test_util_fill(&test_vm_plat, 0, sizeof(test_vm_plat));
}

/* Fresh RAM, empty vms[]; then packs, validates and builds @t. */
static int tvm_build(const struct test_plan *t, char *err, size_t es)
{
	struct mem_range ram = {TVM_RAM_PA, TVM_RAM_SIZE};
	struct vm_build_env env = {&test_vm_ram, &test_vm_plat};
	struct plan p;
	size_t size;
	int ret;

	host_mem_reset();
	if (host_mem_register(tvm_mem, pa_init(TVM_RAM_PA), TVM_RAM_SIZE) !=
	    0) {
		return -ERR_NOMEM;
	}
	/* What vm_build() promises to zero or fill must not be so already. */
	test_util_fill(tvm_mem, 0xa5, sizeof(tvm_mem));
	ram_init(&test_vm_ram, &ram, 1);
	test_util_fill(vms, 0, sizeof(vms));
	nvms = 0;
	size = test_plan_pack(t, test_plan_blob, sizeof(test_plan_blob));
	ret = plan_validate(test_plan_blob, size, TVM_NCPUS, &p, err, es);
	if (ret == 0) {
		ret = vm_build(&p, &env, err, es);
	}
	trace_rings_reset();
	host_cache_log_reset();
	host_tlb_reset();
	return ret;
}

struct vm *test_vm_build(struct test_ctx *test_ctx, const struct test_plan *t)
{
	char err[200] = "";
	int ret = tvm_build(t, err, sizeof(err));

	if (ret != 0) {
		test_fail(test_ctx, __FILE__, __LINE__,
			  "building the test VMs: %d (%s)", ret, err);
		return NULL;
	}
	return &vms[0];
}

int test_vm_build_error(const struct test_plan *t, char *err, size_t err_size)
{
	err[0] = '\0';
	return tvm_build(t, err, err_size);
}

enum fault_outcome test_vm_fault(struct vcpu *v, uint64_t ipa,
				 enum fault_kind kind, enum fault_access access)
{
	struct s2_fault f = {0};

	f.ipa = ipa;
	f.far = ipa;
	f.kind = kind;
	f.level = 3;
	f.access = access;
	f.esr = (access == FAULT_EXEC ? TVM_EC_IABT : TVM_EC_DABT) << 26 |
		TVM_ESR_IL |
		(kind == FAULT_PERMISSION ? TVM_FSC_PERM_L3
					  : TVM_FSC_TRANS_L3) |
		(access == FAULT_WRITE ? TVM_ESR_WNR : 0);
	return fault_handle(v, &f);
}

uint64_t test_vm_pa(struct vm *vm, uint64_t ipa)
{
	struct vm_region *r = vm_region_find(vm, ipa);

	return r != NULL ? pa_addr(r->pa) + (ipa - r->ipa) : 0;
}

void *test_vm_ptr(struct vm *vm, uint64_t ipa)
{
	uint64_t pa = test_vm_pa(vm, ipa);

	return pa != 0 ? arch_phys_to_virt(pa_init(pa)) : NULL;
}

bool test_vm_expect_leaf(struct test_ctx *test_ctx, const char *file, int line,
			 struct vm *vm, uint64_t ipa, unsigned level,
			 unsigned prot)
{
	return test_stage2_expect_in(test_ctx, file, line, &vm->s2, ipa,
				     test_vm_pa(vm, ipa), level, prot);
}

bool test_vm_expect_none(struct test_ctx *test_ctx, const char *file, int line,
			 struct vm *vm, uint64_t ipa)
{
	return test_stage2_expect_none_in(test_ctx, file, line, &vm->s2, ipa);
}

stage2_pte_t test_vm_pte(struct vm *vm, uint64_t ipa)
{
	struct stage2_leaf leaf;

	return stage2_lookup(&vm->s2, ipa, &leaf) == 0 ? leaf.pte : 0;
}

/* What test_vm_store_pte() looks for and stores. */
struct tvm_store {
	unsigned level;
	bool found;
	stage2_pte_t val;
	stage2_pte_t old;
};

static int tvm_store_visit(struct stage2_visit_ctx *ctx,
			   enum stage2_visit visit UNUSED)
{
	struct tvm_store *s = ctx->arg;

	if (ctx->level == s->level && !s->found) {
		s->found = true;
		s->old = ctx->old;
		atomic_store_explicit(ctx->ptep, s->val, memory_order_release);
	}
	return 0;
}

stage2_pte_t test_vm_store_pte(struct vm *vm, uint64_t ipa, unsigned level,
			       stage2_pte_t val)
{
	struct tvm_store s = {level, false, val, 0};
	struct stage2_walker w = {tvm_store_visit, &s,
				  STAGE2_VISIT_LEAF | STAGE2_VISIT_TABLE_PRE,
				  0};

	/* Storing a locked entry stops nothing: the walk only reads on. */
	(void)stage2_walk(&vm->s2, ALIGN_DOWN(ipa, PAGE_SIZE), PAGE_SIZE, &w);
	return s.found ? s.old : UINT64_MAX;
}

void test_vm_drain_pool(struct stage2_pool *pool)
{
	paddr_t pa;

	while (stage2_pool_alloc(pool, 1, &pa) != NULL) {
	}
	/* The failed allocation above was traced: start clean. */
	trace_rings_reset();
}

size_t test_vm_trace_take(void)
{
	return test_stage2_trace_take();
}

unsigned test_vm_trace_count_field(size_t n, uint16_t id, unsigned field,
				   uint64_t value)
{
	unsigned count = 0;

	for (size_t i = 0; i < n; i++) {
		if (test_stage2_trace[i].id == id &&
		    test_stage2_trace[i].f[field] == value) {
			count++;
		}
	}
	return count;
}

uint64_t test_vm_trace_last_outcome(size_t n)
{
	uint64_t out = 0;

	for (size_t i = 0; i < n; i++) {
		if (test_stage2_trace[i].id == TRACE_EV_s2_fault_exit) {
			out = test_stage2_trace[i].f[3];
		}
	}
	return out;
}
