/* Reading back the accesses each vCPU timed (guest_abi.h results). */
#include <faultline/arch/cache.h>
#include <faultline/arch/mem.h>
#include <faultline/trace/ring.h>
#include <faultline/vm_build.h>

uint64_t vm_results_access(uint32_t code)
{
	switch (code) {
	case GUEST_OP_WRITE:
		return TRACE_ACCESS_WRITE;
	case GUEST_OP_EXEC:
		return TRACE_ACCESS_EXEC;
	case GUEST_OP_HVC:
		return TRACE_ACCESS_HVC;
	default:
		return TRACE_ACCESS_READ;
	}
}

uint64_t vm_emit_results(void (*drain)(void), unsigned batch)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < nvms; i++) {
		for (unsigned c = 0; c < vms[i].nvcpus; c++) {
			struct vcpu *v = &vms[i].vcpus[c];
			const struct guest_ctl *ctl = v->ctl;
			uint64_t count;
			/*
			 * Where the results are comes from the layout, not
			 * from the control block: the guest can write that.
			 */
			const struct guest_result *res =
				(const void *)((const uint8_t *)ctl -
					       GUEST_PRIV_CTL +
					       GUEST_PRIV_RESULTS);

			/*
			 * The guest wrote these with its caches off (past
			 * ours) or on (dirty in them): clean and invalidate
			 * covers both. The hypervisor never wrote the results,
			 * so no stale dirty line of ours can be written back.
			 */
			arch_dcache_clean_inval_poc(ctl, sizeof(*ctl));
			count = ctl->nresults;
			if (count > GUEST_RESULTS_MAX) {
				count = GUEST_RESULTS_MAX;
			}
			arch_dcache_clean_inval_poc(res, count * sizeof(*res));
			for (uint64_t k = 0; k < count; k++) {
				trace_guest_access(
					v->id, res[k].op, res[k].addr,
					vm_results_access(res[k].code),
					res[k].t_start, res[k].t_end);
				if (++n % batch == 0 && drain != NULL) {
					drain();
				}
			}
		}
	}
	return n;
}
