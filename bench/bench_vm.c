/* A VM for the fault-handler benchmarks (bench_vm.h). */
#include <string.h>

#include <faultline/err.h>
#include <faultline/fmt.h>
#include <faultline/plan.h>
#include <faultline/ram.h>
#include <faultline/stage2.h>
#include <faultline/vm_build.h>
#include <faultline/vm_ops.h>

#include "bench_vm.h"
#include "host_arch.h"
#include "host_tlb.h"

/* Where the RAM the VMs are built in pretends to be, and its size. */
#define BENCH_VM_RAM_PA UINT64_C(0x40000000)
#define BENCH_VM_RAM_SIZE (UINT64_C(64) << 20)
/* Table pages of the VM: the region's tables, the executor's, spares. */
#define BENCH_VM_POOL_PAGES 64u

/* ESR_EL2 of a data and an instruction abort from EL1 (Arm ARM D17.2.37). */
#define BENCH_VM_EC_DABT UINT64_C(0x24)
#define BENCH_VM_EC_IABT UINT64_C(0x20)
#define BENCH_VM_ESR_IL (UINT64_C(1) << 25)
#define BENCH_VM_ESR_WNR (UINT64_C(1) << 6)
/* DFSC/IFSC of a level-3 translation and permission fault. */
#define BENCH_VM_FSC_TRANS_L3 UINT64_C(0x07)
#define BENCH_VM_FSC_PERM_L3 UINT64_C(0x0f)

/* SCTLR_EL1 as a vCPU starts (RES1 bits, MMU and caches off), and M, C, I. */
#define BENCH_VM_SCTLR_RESET UINT64_C(0x30d00800)
#define BENCH_VM_SCTLR_ON                                                      \
	(BENCH_VM_SCTLR_RESET | UINT64_C(1) | (UINT64_C(1) << 2) |             \
	 (UINT64_C(1) << 12))

/* The plan: header, one VM, one region, a vCPU and one op per vCPU. */
struct bench_vm_plan {
	struct plan_header h;
	struct plan_vm vm;
	struct plan_region region;
	struct plan_vcpu vcpus[BENCH_VM_MAX_VCPUS];
	struct guest_op ops[BENCH_VM_MAX_VCPUS];
};

static uint8_t bench_vm_mem[BENCH_VM_RAM_SIZE]
	__attribute__((aligned(1 << 21)));
static uint64_t bench_vm_blob[sizeof(struct bench_vm_plan) / 8 + 1];

/*
 * Lays the plan out flat in bench_vm_blob (vCPU and op arrays cut to
 * @nvcpus). Returns its size.
 */
static size_t bench_vm_pack(unsigned policy, unsigned nvcpus)
{
	struct bench_vm_plan p;
	uint8_t *out = (uint8_t *)bench_vm_blob;
	size_t size;

	memset(&p, 0, sizeof(p));
	p.h.magic = PLAN_MAGIC;
	p.h.version = PLAN_VERSION;
	p.h.nvms = 1;
	p.h.nregions = 1;
	p.h.nvcpus = nvcpus;
	p.h.nops = nvcpus;
	p.h.timeout_ms = 1000;
	p.h.reps = 1;
	strcpy(p.h.name, "bench");
	p.vm.policy = policy;
	p.vm.ia_bits = 40;
	p.vm.mem_pool_pages = BENCH_VM_POOL_PAGES;
	p.vm.nregions = 1;
	p.vm.nvcpus = nvcpus;
	p.region.ipa = BENCH_VM_IPA;
	p.region.size = (uint64_t)BENCH_VM_PAGES * PAGE_SIZE;
	for (unsigned i = 0; i < nvcpus; i++) {
		p.vcpus[i] = (struct plan_vcpu){0, i, i, 1};
		/* Never run: the benchmarks make the faults themselves. */
		p.ops[i] = (struct guest_op){.code = GUEST_OP_READ,
					     .count = 1,
					     .addr = BENCH_VM_IPA};
	}
	size = sizeof(p.h) + sizeof(p.vm) + sizeof(p.region) +
	       nvcpus * (sizeof(p.vcpus[0]) + sizeof(p.ops[0]));
	p.h.size = (uint32_t)size;
	memcpy(out, &p, sizeof(p.h) + sizeof(p.vm) + sizeof(p.region));
	out += sizeof(p.h) + sizeof(p.vm) + sizeof(p.region);
	memcpy(out, p.vcpus, nvcpus * sizeof(p.vcpus[0]));
	out += nvcpus * sizeof(p.vcpus[0]);
	memcpy(out, p.ops, nvcpus * sizeof(p.ops[0]));
	return size;
}

struct vm *bench_vm_build(unsigned policy, unsigned nvcpus, char *err,
			  size_t err_size)
{
	static struct ram ram;
	static struct platform plat;
	struct mem_range range = {BENCH_VM_RAM_PA, BENCH_VM_RAM_SIZE};
	struct vm_build_env env = {&ram, &plat};
	struct plan p;
	size_t size;
	int ret;

	if (nvcpus == 0 || nvcpus > BENCH_VM_MAX_VCPUS) {
		fmt_snprintf(err, err_size, "%u vCPUs: 1 to %u", nvcpus,
			     BENCH_VM_MAX_VCPUS);
		return NULL;
	}
	if (nvms > 0) {
		vm_teardown();
	}
	host_mem_reset();
	if (host_mem_register(bench_vm_mem, pa_init(BENCH_VM_RAM_PA),
			      BENCH_VM_RAM_SIZE) != 0) {
		fmt_snprintf(err, err_size, "cannot register the RAM");
		return NULL;
	}
	ram_init(&ram, &range, 1);
	size = bench_vm_pack(policy, nvcpus);
	ret = plan_validate(bench_vm_blob, size, nvcpus, &p, err, err_size);
	if (ret == 0) {
		ret = vm_build(&p, &env, err, err_size);
	}
	if (ret != 0) {
		return NULL;
	}
	/*
	 * The guest turns its MMU and caches on, as any OS does early: from
	 * then on a first mapping needs no cache maintenance (seed 001).
	 */
	for (unsigned i = 0; i < nvcpus; i++) {
		cmo_sctlr_written(&vms[0].vcpus[i], BENCH_VM_SCTLR_RESET,
				  BENCH_VM_SCTLR_ON);
	}
	host_cache_log_reset();
	host_tlb_reset();
	return &vms[0];
}

enum fault_outcome bench_vm_fault(struct vcpu *v, uint64_t ipa,
				  enum fault_kind kind,
				  enum fault_access access)
{
	struct s2_fault f = {0};
	uint64_t ec =
		access == FAULT_EXEC ? BENCH_VM_EC_IABT : BENCH_VM_EC_DABT;

	f.ipa = ipa;
	f.far = ipa;
	f.kind = kind;
	f.level = 3;
	f.access = access;
	f.esr = ec << 26 | BENCH_VM_ESR_IL |
		(kind == FAULT_PERMISSION ? BENCH_VM_FSC_PERM_L3
					  : BENCH_VM_FSC_TRANS_L3) |
		(access == FAULT_WRITE ? BENCH_VM_ESR_WNR : 0);
	return fault_handle(v, &f);
}

int bench_vm_unmap_all(struct vm *vm)
{
	int ret;

	stage2_write_lock(&vm->s2);
	/* Any CPU running the VM may cache the entries: inner shareable. */
	ret = stage2_unmap(&vm->s2, BENCH_VM_IPA,
			   (uint64_t)BENCH_VM_PAGES * PAGE_SIZE,
			   STAGE2_SCOPE_INNER_SHAREABLE, NULL);
	stage2_write_unlock(&vm->s2);
	return ret;
}

int bench_vm_wrprotect_all(struct vm *vm)
{
	int ret;

	stage2_write_lock(&vm->s2);
	ret = stage2_wrprotect(&vm->s2, BENCH_VM_IPA,
			       (uint64_t)BENCH_VM_PAGES * PAGE_SIZE,
			       STAGE2_SCOPE_INNER_SHAREABLE, NULL);
	stage2_write_unlock(&vm->s2);
	return ret;
}
