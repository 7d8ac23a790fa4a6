/*
 * Validation of a run plan (plan.h). The plan comes from a file the
 * hypervisor did not write: every count, index, range and op is checked
 * before anything is built from it, and the first problem is named.
 */
#include <faultline/err.h>
#include <faultline/fmt.h>
#include <faultline/plan.h>
#include <faultline/types.h>

static int plan_fail(char *err, size_t size, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

static int plan_fail(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return -ERR_INVAL;
}

/* True when [a, a + as) and [b, b + bs) overlap (no wrap: checked before). */
static bool plan_overlap(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

static int plan_check_regions(const struct plan *p, unsigned vmi, char *err,
			      size_t es)
{
	const struct plan_vm *vm = &p->vms[vmi];
	uint64_t limit = UINT64_C(1) << vm->ia_bits;
	bool host = (vm->flags & PLAN_VM_HOST_S2) != 0;

	for (uint32_t i = 0; i < vm->nregions; i++) {
		const struct plan_region *r = &p->regions[vm->first_region + i];

		if (!IS_ALIGNED(r->ipa, PAGE_SIZE) ||
		    !IS_ALIGNED(r->size, PAGE_SIZE) || r->size == 0) {
			return plan_fail(
				err, es,
				"vm %u region %u: 0x%llx+0x%llx is not "
				"page aligned",
				vmi, i, (unsigned long long)r->ipa,
				(unsigned long long)r->size);
		}
		if (r->ipa >= limit || r->size > limit - r->ipa) {
			return plan_fail(err, es,
					 "vm %u region %u: 0x%llx+0x%llx is "
					 "beyond the %u-bit IPA space",
					 vmi, i, (unsigned long long)r->ipa,
					 (unsigned long long)r->size,
					 vm->ia_bits);
		}
		if (r->flags &
		    ~(uint32_t)(PLAN_REGION_RO | PLAN_REGION_DEVICE |
				PLAN_REGION_EXEC | PLAN_REGION_PRETOUCH |
				PLAN_REGION_BLOCKS)) {
			return plan_fail(err, es,
					 "vm %u region %u: unknown flags 0x%x",
					 vmi, i, r->flags);
		}
		if (!host &&
		    plan_overlap(r->ipa, r->size, GUEST_CODE_IPA,
				 GUEST_RESERVED_END - GUEST_CODE_IPA)) {
			return plan_fail(
				err, es,
				"vm %u region %u: 0x%llx+0x%llx overlaps "
				"the executor's IPAs [0x%llx, 0x%llx)",
				vmi, i, (unsigned long long)r->ipa,
				(unsigned long long)r->size,
				(unsigned long long)GUEST_CODE_IPA,
				(unsigned long long)GUEST_RESERVED_END);
		}
		for (uint32_t j = 0; j < i; j++) {
			const struct plan_region *o =
				&p->regions[vm->first_region + j];

			if (plan_overlap(r->ipa, r->size, o->ipa, o->size)) {
				return plan_fail(err, es,
						 "vm %u: regions %u and %u "
						 "overlap",
						 vmi, j, i);
			}
		}
	}
	return 0;
}

/*
 * Items are laid out in order, each VM's regions and vCPUs and each vCPU's
 * ops right after the previous one's: nothing is shared or left over.
 */
static int plan_check_layout(const struct plan *p, char *err, size_t es)
{
	const struct plan_header *h = p->h;
	uint32_t region = 0, vcpu = 0, op = 0;

	for (uint32_t v = 0; v < h->nvms; v++) {
		if (p->vms[v].first_region != region ||
		    p->vms[v].first_vcpu != vcpu) {
			return plan_fail(err, es,
					 "vm %u: its regions or vCPUs do not "
					 "follow the previous VM's",
					 v);
		}
		region += p->vms[v].nregions;
		vcpu += p->vms[v].nvcpus;
	}
	for (uint32_t c = 0; c < h->nvcpus; c++) {
		if (p->vcpus[c].first_op != op) {
			return plan_fail(err, es,
					 "vcpu %u: its ops do not follow the "
					 "previous vCPU's",
					 c);
		}
		op += p->vcpus[c].nops;
	}
	if (region != h->nregions || vcpu != h->nvcpus || op != h->nops) {
		return plan_fail(err, es,
				 "the VMs use %u regions, %u vCPUs and %u ops; "
				 "the plan has %u, %u and %u",
				 region, vcpu, op, h->nregions, h->nvcpus,
				 h->nops);
	}
	return 0;
}

static int plan_check_vms(const struct plan *p, unsigned ncpus, char *err,
			  size_t es)
{
	const struct plan_header *h = p->h;
	bool cpu_used[PLAN_MAX_VCPUS] = {false};

	for (uint32_t v = 0; v < h->nvms; v++) {
		const struct plan_vm *vm = &p->vms[v];
		int ret;

		if (vm->policy != PLAN_POLICY_LEGACY &&
		    vm->policy != PLAN_POLICY_PREJUDGE) {
			return plan_fail(err, es, "vm %u: unknown policy %u", v,
					 vm->policy);
		}
		if (vm->ia_bits < 32 || vm->ia_bits > 48) {
			return plan_fail(err, es,
					 "vm %u: IPA size of %u bits, need "
					 "32 to 48",
					 v, vm->ia_bits);
		}
		if (vm->flags &
		    ~(uint32_t)(PLAN_VM_HOST_S2 | PLAN_VM_DIRTY_LOG)) {
			return plan_fail(err, es, "vm %u: unknown flags 0x%x",
					 v, vm->flags);
		}
		if (vm->mem_pool_pages < 4 || vm->mem_pool_pages > 65536 ||
		    vm->dev_pool_pages > 65536) {
			return plan_fail(err, es,
					 "vm %u: pool sizes %u/%u pages out of "
					 "range (4..65536 / 0..65536)",
					 v, vm->mem_pool_pages,
					 vm->dev_pool_pages);
		}
		if (vm->nregions == 0 || vm->nregions > PLAN_MAX_REGIONS ||
		    vm->first_region > h->nregions ||
		    vm->nregions > h->nregions - vm->first_region) {
			return plan_fail(err, es,
					 "vm %u: regions [%u, +%u) not in the "
					 "plan's %u (1 to %d per VM)",
					 v, vm->first_region, vm->nregions,
					 h->nregions, PLAN_MAX_REGIONS);
		}
		if (vm->nvcpus == 0 || vm->first_vcpu > h->nvcpus ||
		    vm->nvcpus > h->nvcpus - vm->first_vcpu) {
			return plan_fail(err, es,
					 "vm %u: vcpus [%u, +%u) not in the "
					 "plan's %u",
					 v, vm->first_vcpu, vm->nvcpus,
					 h->nvcpus);
		}
		for (uint32_t c = 0; c < vm->nvcpus; c++) {
			const struct plan_vcpu *vc =
				&p->vcpus[vm->first_vcpu + c];

			if (vc->vm != v) {
				return plan_fail(err, es,
						 "vcpu %u says vm %u but is in "
						 "vm %u's range",
						 vm->first_vcpu + c, vc->vm, v);
			}
			if (vc->pcpu >= ncpus || vc->pcpu >= PLAN_MAX_VCPUS) {
				return plan_fail(err, es,
						 "vcpu %u: pcpu %u, but the "
						 "machine has %u CPUs",
						 vm->first_vcpu + c, vc->pcpu,
						 ncpus);
			}
			if (cpu_used[vc->pcpu]) {
				return plan_fail(
					err, es,
					"vcpu %u: pcpu %u already runs "
					"another vCPU (one per CPU)",
					vm->first_vcpu + c, vc->pcpu);
			}
			cpu_used[vc->pcpu] = true;
		}
		ret = plan_check_regions(p, v, err, es);
		if (ret != 0) {
			return ret;
		}
	}
	return 0;
}

static int plan_check_program(const struct plan *p, uint32_t vc, char *err,
			      size_t es)
{
	const struct plan_vcpu *c = &p->vcpus[vc];
	unsigned depth = 0;

	if (c->nops == 0 || c->first_op > p->h->nops ||
	    c->nops > p->h->nops - c->first_op || c->nops > GUEST_OPS_MAX) {
		return plan_fail(err, es,
				 "vcpu %u: ops [%u, +%u) not in the plan's %u "
				 "(at most %llu per vCPU)",
				 vc, c->first_op, c->nops, p->h->nops,
				 (unsigned long long)GUEST_OPS_MAX);
	}
	for (uint32_t i = 0; i < c->nops; i++) {
		const struct guest_op *op = &p->ops[c->first_op + i];

		if (op->code > GUEST_OP_TRAP) {
			return plan_fail(err, es,
					 "vcpu %u op %u: unknown op %u", vc, i,
					 op->code);
		}
		if (op->code == GUEST_OP_TRAP && op->arg != GUEST_TRAP_SMC &&
		    op->arg != GUEST_TRAP_PMU) {
			return plan_fail(err, es,
					 "vcpu %u op %u: unknown trap %llu", vc,
					 i, (unsigned long long)op->arg);
		}
		if (op->code == GUEST_OP_LOOP && ++depth > 8) {
			return plan_fail(err, es,
					 "vcpu %u op %u: loops nested deeper "
					 "than 8",
					 vc, i);
		}
		if (op->code == GUEST_OP_LOOP_END && depth-- == 0) {
			return plan_fail(
				err, es,
				"vcpu %u op %u: loop end without a loop", vc,
				i);
		}
		if ((op->code == GUEST_OP_READ || op->code == GUEST_OP_WRITE ||
		     op->code == GUEST_OP_EXEC) &&
		    !IS_ALIGNED(op->addr | op->stride, 8)) {
			return plan_fail(err, es,
					 "vcpu %u op %u: address and stride "
					 "must be 8-byte aligned",
					 vc, i);
		}
	}
	if (depth != 0) {
		return plan_fail(err, es, "vcpu %u: %u loop(s) left open", vc,
				 depth);
	}
	return 0;
}

int plan_validate(const void *blob, size_t size, unsigned ncpus, struct plan *p,
		  char *err, size_t es)
{
	const uint8_t *b = blob;
	const struct plan_header *h = blob;
	uint64_t need;
	int ret;

	if (size < sizeof(*h) || !IS_ALIGNED((uintptr_t)blob, 8)) {
		return plan_fail(err, es, "plan of %zu bytes: no header", size);
	}
	if (h->magic != PLAN_MAGIC || h->version != PLAN_VERSION) {
		return plan_fail(err, es,
				 "not a version %d plan (magic 0x%llx, "
				 "version %u)",
				 PLAN_VERSION, (unsigned long long)h->magic,
				 h->version);
	}
	if (h->nvms == 0 || h->nvms > PLAN_MAX_VMS || h->nvcpus == 0 ||
	    h->nvcpus > PLAN_MAX_VCPUS ||
	    h->nregions > PLAN_MAX_VMS * PLAN_MAX_REGIONS ||
	    h->nops > PLAN_MAX_VCPUS * GUEST_OPS_MAX) {
		return plan_fail(err, es,
				 "counts out of range: %u VMs, %u vCPUs, %u "
				 "regions, %u ops",
				 h->nvms, h->nvcpus, h->nregions, h->nops);
	}
	need = sizeof(*h) + (uint64_t)h->nvms * sizeof(struct plan_vm) +
	       (uint64_t)h->nregions * sizeof(struct plan_region) +
	       (uint64_t)h->nvcpus * sizeof(struct plan_vcpu) +
	       (uint64_t)h->nops * sizeof(struct guest_op);
	if (h->size != need || size < need) {
		return plan_fail(err, es,
				 "plan says %u bytes, its counts need %llu, "
				 "the file has %zu",
				 h->size, (unsigned long long)need, size);
	}
	if (h->timeout_ms == 0 || h->timeout_ms > PLAN_MAX_TIMEOUT_MS ||
	    h->bbm_delay_ns > PLAN_MAX_BBM_DELAY_NS) {
		/* The hypervisor multiplies them: bounded, no overflow. */
		return plan_fail(
			err, es,
			"timeout %llu ms (1 to %llu) or bbm_delay %llu "
			"ns (at most %llu) out of range",
			(unsigned long long)h->timeout_ms,
			(unsigned long long)PLAN_MAX_TIMEOUT_MS,
			(unsigned long long)h->bbm_delay_ns,
			(unsigned long long)PLAN_MAX_BBM_DELAY_NS);
	}
	if (h->reps == 0 || h->reps > PLAN_MAX_REPS ||
	    h->warmup > PLAN_MAX_REPS - h->reps ||
	    h->livelock_faults > PLAN_MAX_LIVELOCK_FAULTS || h->reserved != 0) {
		return plan_fail(err, es,
				 "%u repetitions and %u warm-up ones (1 to %u "
				 "in all), or a livelock threshold of %u (at "
				 "most %u) out of range",
				 h->reps, h->warmup, PLAN_MAX_REPS,
				 h->livelock_faults, PLAN_MAX_LIVELOCK_FAULTS);
	}
	if (h->name[sizeof(h->name) - 1] != '\0') {
		return plan_fail(err, es, "plan name is not NUL-terminated");
	}
	p->h = h;
	p->vms = (const void *)(b + sizeof(*h));
	p->regions = (const void *)(p->vms + h->nvms);
	p->vcpus = (const void *)(p->regions + h->nregions);
	p->ops = (const void *)(p->vcpus + h->nvcpus);
	ret = plan_check_vms(p, ncpus, err, es);
	if (ret == 0) {
		ret = plan_check_layout(p, err, es);
	}
	for (uint32_t c = 0; ret == 0 && c < h->nvcpus; c++) {
		if (p->vcpus[c].vm >= h->nvms) {
			return plan_fail(err, es, "vcpu %u: vm %u of %u", c,
					 p->vcpus[c].vm, h->nvms);
		}
		ret = plan_check_program(p, c, err, es);
	}
	return ret;
}
