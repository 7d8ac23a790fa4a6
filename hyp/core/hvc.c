/* Hypercalls from the guest executor (guest_abi.h). */
#include <faultline/err.h>
#include <faultline/trace/ring.h>
#include <faultline/vm_ops.h>

bool vcpu_hvc(struct vcpu *v, uint64_t fn, uint64_t arg, uint64_t *ret,
	      uint64_t deadline)
{
	struct vm *vm = v->vm;
	bool go_on = true;

	v->stats.hvcs++;
	*ret = 0;
	switch (fn) {
	case GUEST_HVC_NULL:
		break;
	case GUEST_HVC_BARRIER:
		if (vm_barrier(v, deadline) != 0) {
			/* Its VM was stopped, or the deadline came. */
			if (!vcpu_check_stop(v)) {
				vcpu_stop(v, TRACE_VCPU_STOP_BUDGET, 0);
			}
			go_on = false;
		}
		break;
	case GUEST_HVC_POLICY:
		if (fault_policy_find((unsigned)arg) != NULL) {
			atomic_store_explicit(&vm->policy, (unsigned)arg,
					      memory_order_relaxed);
		} else {
			*ret = (uint64_t)-ERR_INVAL;
		}
		break;
	case GUEST_HVC_DIRTY_START:
		*ret = (uint64_t)dirty_log_start(vm);
		break;
	case GUEST_HVC_DIRTY_STOP:
		dirty_log_stop(vm);
		break;
	case GUEST_HVC_DIRTY_HARVEST:
		*ret = dirty_log_harvest(vm);
		break;
	case GUEST_HVC_DONE:
		vcpu_stop(v, TRACE_VCPU_STOP_DONE, 0);
		go_on = false;
		break;
	case GUEST_HVC_FAIL:
		vcpu_stop(v, TRACE_VCPU_STOP_GUEST_FAILED, arg);
		go_on = false;
		break;
	default:
		*ret = (uint64_t)-ERR_NOTSUP;
		break;
	}
	trace_hvc_call(v->id, vm->vmid, fn, arg, *ret);
	return go_on;
}
