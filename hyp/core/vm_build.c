/*
 * Building the VMs of a validated plan: memory from the RAM allocator,
 * stage-2 tables and pools, the executor's code, one private area per vCPU
 * (control block, stack, program, results), a host VM's device ranges, and
 * the pre-touched mappings. Runs on the boot CPU before any vCPU starts.
 */
#include <faultline/arch/cache.h>
#include <faultline/arch/mem.h>
#include <faultline/arch/vcpu.h>
#include <faultline/err.h>
#include <faultline/fmt.h>
#include <faultline/trace/ring.h>
#include <faultline/vm_build.h>
#include <faultline/vm_ops.h>

/* An AArch64 RET: what executable regions are filled with. */
#define INSN_RET UINT32_C(0xd65f03c0)

static int build_fail(char *err, size_t size, int ret, const char *fmt, ...)
	PRINTF_LIKE(4, 5);

static int build_fail(char *err, size_t size, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return ret;
}

/* Fills [pa, pa + size) with @word and cleans it to the point of coherency. */
static void build_fill(paddr_t pa, uint64_t size, uint32_t word)
{
	uint32_t *p = arch_phys_to_virt(pa);

	for (uint64_t i = 0; i < size / sizeof(*p); i++) {
		p[i] = word;
	}
	/* The guest starts with its caches off: it must see this in memory. */
	arch_dcache_clean_inval_poc(p, size);
}

/* Takes @size bytes of RAM aligned to @align into *@pa. */
static int build_ram(const struct vm_build_env *env, uint64_t size,
		     uint64_t align, paddr_t *pa, char *err, size_t es,
		     const char *what)
{
	int ret = ram_alloc(env->ram, size, align, pa);

	if (ret != 0) {
		return build_fail(
			err, es, ret,
			"%s: no %llu KiB of free RAM left (%llu KiB "
			"free)",
			what, (unsigned long long)(size >> 10),
			(unsigned long long)(ram_free_bytes(env->ram) >> 10));
	}
	return 0;
}

static struct vm_region *build_region(struct vm *vm, uint64_t ipa,
				      uint64_t size, paddr_t pa, uint32_t flags)
{
	struct vm_region *r;

	if (vm->nregions == VM_MAX_REGIONS) {
		return NULL;
	}
	r = &vm->regions[vm->nregions++];
	r->ipa = ipa;
	r->size = size;
	r->pa = pa;
	r->flags = flags;
	r->dirty = NULL;
	return r;
}

static int build_pool(struct vm *vm, const struct vm_build_env *env,
		      struct stage2_pool *pool, const char *name, uint16_t id,
		      uint32_t pages, char *err, size_t es)
{
	paddr_t pa;
	int ret;

	if (pages == 0) {
		stage2_pool_init(pool, name, id, NULL, pa_init(0), 0);
		return 0;
	}
	ret = build_ram(env, (uint64_t)pages * PAGE_SIZE, PAGE_SIZE, &pa, err,
			es, name);
	if (ret == 0) {
		stage2_pool_init(pool, name, id, arch_phys_to_virt(pa), pa,
				 pages);
	}
	(void)vm;
	return ret;
}

/* The plan's regions: fresh zeroed RAM, or a host VM's own RAM in place. */
static int build_memory(struct vm *vm, const struct plan *p,
			const struct plan_vm *pv,
			const struct vm_build_env *env, char *err, size_t es)
{
	bool host = (pv->flags & PLAN_VM_HOST_S2) != 0;

	for (uint32_t i = 0; i < pv->nregions; i++) {
		const struct plan_region *pr =
			&p->regions[pv->first_region + i];
		uint64_t words = (pr->size / PAGE_SIZE + 63) / 64;
		struct vm_region *r;
		paddr_t pa, dirty;
		int ret;

		if (host) {
			ret = ram_reserve(env->ram, pr->ipa, pr->size);
			if (ret != 0) {
				return build_fail(
					err, es, ret,
					"vm %u region %u: 0x%llx+0x%llx "
					"is not free RAM a host VM "
					"can own",
					vm->index, i,
					(unsigned long long)pr->ipa,
					(unsigned long long)pr->size);
			}
			pa = pa_init(pr->ipa);
		} else {
			/* 2 MiB aligned when it can hold blocks. */
			ret = build_ram(env, pr->size,
					pr->size >= (UINT64_C(2) << 20)
						? (UINT64_C(2) << 20)
						: PAGE_SIZE,
					&pa, err, es, "guest memory");
			if (ret != 0) {
				return ret;
			}
		}
		build_fill(pa, pr->size,
			   (pr->flags & PLAN_REGION_EXEC) ? INSN_RET : 0);
		r = build_region(vm, pr->ipa, pr->size, pa, pr->flags);
		ret = build_ram(env, words * sizeof(uint64_t), PAGE_SIZE,
				&dirty, err, es, "dirty bitmap");
		if (ret != 0 || r == NULL) {
			return ret != 0 ? ret
					: build_fail(err, es, -ERR_NOMEM,
						     "vm %u: too many regions",
						     vm->index);
		}
		r->dirty = arch_phys_to_virt(dirty);
		for (uint64_t w = 0; w < words; w++) {
			atomic_store_explicit(&r->dirty[w], 0,
					      memory_order_relaxed);
		}
	}
	if (host) {
		for (unsigned i = 0; i < env->plat->ndevices; i++) {
			const struct mem_range *d = &env->plat->devices[i];

			if (d->base + d->size > (UINT64_C(1) << pv->ia_bits) ||
			    build_region(vm, d->base, d->size, pa_init(d->base),
					 VM_REGION_HOST_DEVICE) == NULL) {
				return build_fail(err, es, -ERR_RANGE,
						  "vm %u: device range 0x%llx "
						  "does not fit",
						  vm->index,
						  (unsigned long long)d->base);
			}
		}
	}
	return 0;
}

/* A vCPU's private area: control block, stack, table page, program. */
static int build_vcpu(struct vm *vm, unsigned idx, const struct plan *p,
		      const struct plan_vm *pv, const struct vm_build_env *env,
		      uint64_t code_ipa, char *err, size_t es)
{
	const struct plan_vcpu *pc = &p->vcpus[pv->first_vcpu + idx];
	struct vcpu *v = &vm->vcpus[idx];
	bool host = (pv->flags & PLAN_VM_HOST_S2) != 0;
	struct guest_op *ops;
	paddr_t pa;
	uint64_t ipa;
	int ret;

	ret = build_ram(env, GUEST_PRIV_STRIDE, PAGE_SIZE, &pa, err, es,
			"vcpu private area");
	if (ret != 0) {
		return ret;
	}
	ipa = host ? pa_addr(pa) : GUEST_PRIV_IPA + idx * GUEST_PRIV_STRIDE;
	build_fill(pa, GUEST_PRIV_RESULTS, 0);
	if (build_region(vm, ipa, GUEST_PRIV_STRIDE, pa, VM_REGION_PRIVATE) ==
	    NULL) {
		return build_fail(err, es, -ERR_NOMEM,
				  "vm %u: too many regions", vm->index);
	}
	v->vm = vm;
	v->index = idx;
	v->id = pv->first_vcpu + idx;
	v->pcpu = pc->pcpu;
	v->ctl = arch_phys_to_virt(pa_add(pa, GUEST_PRIV_CTL));
	v->ctl_ipa = ipa + GUEST_PRIV_CTL;
	v->ctl->magic = GUEST_CTL_MAGIC;
	v->ctl->vcpu = idx;
	v->ctl->nops = pc->nops;
	v->ctl->ops = ipa + GUEST_PRIV_OPS;
	v->ctl->results = ipa + GUEST_PRIV_RESULTS;
	v->ctl->results_max = (uint32_t)GUEST_RESULTS_MAX;
	v->ctl->pt = ipa + GUEST_PRIV_PT;
	v->ctl->stack_top = ipa + GUEST_PRIV_STACK_TOP;
	ops = arch_phys_to_virt(pa_add(pa, GUEST_PRIV_OPS));
	for (uint32_t i = 0; i < pc->nops; i++) {
		ops[i] = p->ops[pc->first_op + i];
	}
	arch_dcache_clean_inval_poc(v->ctl, GUEST_PRIV_RESULTS);
	atomic_store_explicit(&v->state, VCPU_READY, memory_order_relaxed);
	arch_vcpu_init(v, code_ipa, v->ctl_ipa);
	return 0;
}

/* Maps the executor, private areas and pre-touched regions now. */
static int build_pretouch(struct vm *vm, char *err, size_t es)
{
	int ret = 0;

	stage2_write_lock(&vm->s2);
	for (unsigned i = 0; ret == 0 && i < vm->nregions; i++) {
		const struct vm_region *r = &vm->regions[i];

		if (!(r->flags & (VM_REGION_EXECUTOR | VM_REGION_PRIVATE |
				  PLAN_REGION_PRETOUCH))) {
			continue;
		}
		/* Entries that were invalid: nothing to invalidate. */
		ret = stage2_map(&vm->s2, r->ipa, r->size, r->pa,
				 vm_region_prot(r), &vm->mem_pool,
				 STAGE2_SCOPE_LOCAL, 0, NULL);
		if (ret != 0) {
			ret = build_fail(err, es, ret,
					 "vm %u: pre-mapping 0x%llx+0x%llx: %s",
					 vm->index, (unsigned long long)r->ipa,
					 (unsigned long long)r->size,
					 err_name(ret));
		}
	}
	stage2_write_unlock(&vm->s2);
	return ret;
}

static int build_vm(unsigned index, const struct plan *p,
		    const struct vm_build_env *env, char *err, size_t es)
{
	const struct plan_vm *pv = &p->vms[index];
	struct vm *vm = &vms[index];
	bool host = (pv->flags & PLAN_VM_HOST_S2) != 0;
	paddr_t exe_pa;
	uint64_t exe_size, code_ipa;
	int ret;

	vm->index = index;
	/* VMID 0 is the host's, as in pKVM; the others count from 1. */
	vm->vmid = host ? 0 : (uint16_t)(index + 1);
	vm->flags = pv->flags;
	vm->lock = (struct spinlock)SPINLOCK_INIT;
	atomic_store_explicit(&vm->policy, pv->policy, memory_order_relaxed);
	ret = build_pool(vm, env, &vm->mem_pool, "mem", (uint16_t)(2 * index),
			 pv->mem_pool_pages, err, es);
	if (ret == 0) {
		ret = build_pool(vm, env, &vm->dev_pool, "dev",
				 (uint16_t)(2 * index + 1),
				 host ? pv->dev_pool_pages : 0, err, es);
	}
	if (ret == 0) {
		ret = stage2_pgtable_init(&vm->s2, pv->ia_bits, vm->vmid,
					  &vm->mem_pool);
		if (ret != 0) {
			return build_fail(err, es, ret,
					  "vm %u: stage-2 root: %s", index,
					  err_name(ret));
		}
	}
	if (ret == 0 && host) {
		ret = stage2_pgtable_add_pool(&vm->s2, &vm->dev_pool);
	}
	if (ret == 0) {
		ret = build_memory(vm, p, pv, env, err, es);
	}
	if (ret != 0) {
		return ret;
	}
	arch_guest_executor(&exe_pa, &exe_size);
	code_ipa = host ? pa_addr(exe_pa) : GUEST_CODE_IPA;
	/*
	 * An empty image (the host arch has none) gets no region: a region
	 * of 0 bytes maps nothing, and stage2_map() refuses to map it.
	 */
	if (exe_size > 0 && build_region(vm, code_ipa, exe_size, exe_pa,
					 VM_REGION_EXECUTOR) == NULL) {
		return build_fail(err, es, -ERR_NOMEM,
				  "vm %u: too many regions", index);
	}
	vm->nvcpus = pv->nvcpus;
	vm->live_vcpus = pv->nvcpus;
	for (unsigned c = 0; ret == 0 && c < pv->nvcpus; c++) {
		ret = build_vcpu(vm, c, p, pv, env, code_ipa, err, es);
	}
	if (ret == 0) {
		ret = build_pretouch(vm, err, es);
	}
	if (ret == 0 && (pv->flags & PLAN_VM_DIRTY_LOG)) {
		ret = dirty_log_start(vm);
	}
	if (ret == 0) {
		trace_vm_create(vm->vmid, pv->policy, pv->ia_bits, pv->nvcpus,
				pv->flags);
	}
	return ret;
}

int vm_build(const struct plan *p, const struct vm_build_env *env, char *err,
	     size_t err_size)
{
	int ret = 0;

	nvms = 0;
	for (uint32_t i = 0; ret == 0 && i < p->h->nvms; i++) {
		ret = build_vm(i, p, env, err, err_size);
		nvms = i + 1;
	}
	return ret;
}
