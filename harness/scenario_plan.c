/* A parsed scenario into a run plan (scenario.h, plan.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>

#include "scenario_internal.h"

unsigned scenario_smp(const struct scenario *s)
{
	unsigned need = 1;

	if (s->smp != 0) {
		return s->smp;
	}
	for (unsigned i = 0; i < s->nvcpus; i++) {
		if (s->vcpus[i].pcpu + 1 > need) {
			need = s->vcpus[i].pcpu + 1;
		}
	}
	return need;
}

int scenario_check_smp(const struct scenario *s, unsigned smp,
		       struct scn_diag *d)
{
	for (unsigned i = 0; i < s->nvcpus; i++) {
		const struct scn_vcpu *v = &s->vcpus[i];

		if (v->pcpu >= smp) {
			snprintf(d->msg, sizeof(d->msg),
				 "%s:%u:%u: vCPU %u of VM '%s' is placed on "
				 "pCPU %u, but the run has %u CPU%s",
				 s->path, v->pos.line, v->pos.col, v->index,
				 s->vms[v->vm].name, v->pcpu, smp,
				 smp == 1 ? "" : "s");
			snprintf(d->hint, sizeof(d->hint),
				 "run with --smp %u or more, or place the vCPU "
				 "with pcpu=",
				 v->pcpu + 1);
			return -ERR_INVAL;
		}
	}
	return 0;
}

void scenario_set_policy(struct scenario *s, uint32_t policy)
{
	for (unsigned i = 0; i < s->nvms; i++) {
		s->vms[i].policy = policy;
	}
	scn_expect_policies(s);
}

/* The plan's VM @i, its regions and vCPUs starting at the given indexes. */
static struct plan_vm scn_plan_vm(const struct scenario *s, unsigned i,
				  uint32_t first_region, uint32_t first_vcpu)
{
	const struct scn_vm *vm = &s->vms[i];

	return (struct plan_vm){
		.policy = vm->policy,
		.flags = vm->flags,
		.ia_bits = vm->ia_bits,
		.mem_pool_pages = vm->pool_pages,
		.dev_pool_pages = vm->dev_pool_pages,
		.first_region = first_region,
		.nregions = vm->nregions,
		.first_vcpu = first_vcpu,
		.nvcpus = vm->nvcpus,
	};
}

int scenario_plan(const struct scenario *s, uint64_t timeout_ms, void **blob,
		  size_t *size)
{
	size_t n = sizeof(struct plan_header) +
		   s->nvms * sizeof(struct plan_vm) +
		   s->nregions * sizeof(struct plan_region) +
		   s->nvcpus * sizeof(struct plan_vcpu) +
		   s->nops * sizeof(struct guest_op);
	uint8_t *b = calloc(1, n);
	struct plan_header *h = (struct plan_header *)b;
	struct plan_vm *vms;
	struct plan_region *regions;
	struct plan_vcpu *vcpus;
	struct guest_op *ops;
	uint32_t region = 0, vcpu = 0;

	if (b == NULL) {
		return -ERR_NOMEM;
	}
	*h = (struct plan_header){
		.magic = PLAN_MAGIC,
		.version = PLAN_VERSION,
		.size = (uint32_t)n,
		.nvms = s->nvms,
		.nregions = s->nregions,
		.nvcpus = s->nvcpus,
		.nops = s->nops,
		.bbm_delay_ns = s->bbm_delay_ns,
		.timeout_ms = timeout_ms,
		.reps = s->reps,
		.warmup = s->warmup,
		.livelock_faults = s->livelock_faults,
	};
	snprintf(h->name, sizeof(h->name), "%s", s->name);
	vms = (struct plan_vm *)(h + 1);
	regions = (struct plan_region *)(vms + s->nvms);
	vcpus = (struct plan_vcpu *)(regions + s->nregions);
	ops = (struct guest_op *)(vcpus + s->nvcpus);
	/* Regions and vCPUs were declared VM by VM: already grouped. */
	for (unsigned i = 0; i < s->nvms; i++) {
		vms[i] = scn_plan_vm(s, i, region, vcpu);
		region += s->vms[i].nregions;
		vcpu += s->vms[i].nvcpus;
	}
	for (unsigned i = 0; i < s->nregions; i++) {
		regions[i] = (struct plan_region){.ipa = s->regions[i].ipa,
						  .size = s->regions[i].size,
						  .flags = s->regions[i].flags};
	}
	for (unsigned i = 0; i < s->nvcpus; i++) {
		vcpus[i] = (struct plan_vcpu){.vm = s->vcpus[i].vm,
					      .pcpu = s->vcpus[i].pcpu,
					      .first_op = s->vcpus[i].first_op,
					      .nops = s->vcpus[i].nops};
	}
	if (s->nops > 0) {
		memcpy(ops, s->ops, s->nops * sizeof(*ops));
	}
	*blob = b;
	*size = n;
	return 0;
}

const char *scn_diag_format(const struct scn_diag *d, char *out, size_t size)
{
	snprintf(out, size, "%s%s%s", d->msg,
		 d->hint[0] != '\0' ? "\n  hint: " : "", d->hint);
	return out;
}
