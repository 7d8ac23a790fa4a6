/*
 * The end of a repetition of a plan, shared by the hypervisor and the sim:
 * the per-vCPU report, the exit status it adds up to, and the teardown
 * that lets the plan be built again.
 */
#include <faultline/console.h>
#include <faultline/exit_status.h>
#include <faultline/stage2.h>
#include <faultline/trace/ring.h>
#include <faultline/vm_build.h>

static void vm_report_vcpu(const struct vcpu *v)
{
	const struct vcpu_stats *s = &v->stats;
	const char *why = trace_enum_name(TRACE_KIND_VCPU_STOP, v->stop_reason);

	console_printf("faultline: vm %u (vmid %u) vcpu %u (cpu %u): %s; %llu "
		       "exits, %llu faults (",
		       v->vm->index, v->vm->vmid, v->index, v->pcpu,
		       why != NULL ? why : "?", (unsigned long long)s->exits,
		       (unsigned long long)s->faults);
	for (unsigned o = 1; o < ARRAY_SIZE(s->outcomes); o++) {
		const char *name = trace_enum_name(TRACE_KIND_OUTCOME, o);

		if (s->outcomes[o] != 0 && name != NULL) {
			console_printf(" %s %llu", name,
				       (unsigned long long)s->outcomes[o]);
		}
	}
	console_printf(" ), %llu hvc, %u timed accesses, %llu aborts "
		       "injected",
		       (unsigned long long)s->hvcs, v->ctl->nresults,
		       (unsigned long long)s->aborts_injected);
	if (v->streak.max_faults > 1) {
		console_printf(", at most %llu faults in a row on 0x%llx "
			       "without progress",
			       (unsigned long long)v->streak.max_faults,
			       (unsigned long long)v->streak.max_page);
	}
	console_printf("\n");
}

void vm_report_vcpus(void)
{
	for (unsigned i = 0; i < nvms; i++) {
		for (unsigned c = 0; c < vms[i].nvcpus; c++) {
			vm_report_vcpu(&vms[i].vcpus[c]);
		}
	}
}

int vm_run_status(void)
{
	bool livelock = false, budget = false, failed = false;

	for (unsigned i = 0; i < nvms; i++) {
		for (unsigned c = 0; c < vms[i].nvcpus; c++) {
			unsigned why = vms[i].vcpus[c].stop_reason;

			livelock |= why == TRACE_VCPU_STOP_LIVELOCK;
			budget |= why == TRACE_VCPU_STOP_BUDGET;
			failed |= why != TRACE_VCPU_STOP_DONE;
		}
	}
	return livelock ? HYP_EXIT_LIVELOCK
	       : budget ? HYP_EXIT_DEADLINE
	       : failed ? HYP_EXIT_VCPU_FAILED
			: HYP_EXIT_OK;
}

void vm_teardown(void)
{
	for (unsigned i = 0; i < nvms; i++) {
		/* Every CPU may hold entries of this VMID: broadcast. */
		stage2_tlb_inval_vmid(&vms[i].s2, STAGE2_SCOPE_INNER_SHAREABLE);
	}
	/* Byte by byte: no struct-sized temporary on a small EL2 stack. */
	for (size_t b = 0; b < sizeof(vms); b++) {
		((volatile uint8_t *)vms)[b] = 0;
	}
	nvms = 0;
}
