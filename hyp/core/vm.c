/* VM and vCPU objects: lookups, the cross-vCPU barrier, stopping. */
#include <faultline/arch/cpu.h>
#include <faultline/arch/vcpu.h>
#include <faultline/console.h>
#include <faultline/err.h>
#include <faultline/trace/ring.h>
#include <faultline/vm.h>

struct vm vms[VM_MAX];
unsigned nvms;

struct vm_region *vm_region_find(struct vm *vm, uint64_t ipa)
{
	for (unsigned i = 0; i < vm->nregions; i++) {
		struct vm_region *r = &vm->regions[i];

		if (ipa >= r->ipa && ipa - r->ipa < r->size) {
			return r;
		}
	}
	return NULL;
}

unsigned vm_region_prot(const struct vm_region *r)
{
	unsigned prot = STAGE2_PROT_R;

	if (!(r->flags & (PLAN_REGION_RO | VM_REGION_EXECUTOR))) {
		prot |= STAGE2_PROT_W;
	}
	if (r->flags & (PLAN_REGION_EXEC | VM_REGION_EXECUTOR)) {
		prot |= STAGE2_PROT_X;
	}
	if (r->flags & (PLAN_REGION_DEVICE | VM_REGION_HOST_DEVICE)) {
		prot |= STAGE2_PROT_DEVICE;
		prot &= ~(unsigned)STAGE2_PROT_X;
	}
	return prot;
}

bool vm_caches_off(struct vm *vm)
{
	return atomic_load_explicit(&vm->caches_on_vcpus,
				    memory_order_acquire) == 0;
}

struct vcpu *vm_vcpu(struct vm *vm, unsigned index)
{
	return index < vm->nvcpus ? &vm->vcpus[index] : NULL;
}

bool vcpu_stopped(struct vcpu *v)
{
	return atomic_load_explicit(&v->state, memory_order_acquire) ==
	       VCPU_STOPPED;
}

void vm_request_stop(struct vm *vm)
{
	atomic_store_explicit(&vm->stop_requested, true, memory_order_release);
}

bool vcpu_check_stop(struct vcpu *v)
{
	if (!vcpu_stopped(v) && atomic_load_explicit(&v->vm->stop_requested,
						     memory_order_acquire)) {
		vcpu_stop(v, TRACE_VCPU_STOP_VM_STOPPED, 0);
	}
	return vcpu_stopped(v);
}

/* Releases a barrier whose last missing vCPUs stopped. vm->lock held. */
static void vm_barrier_check(struct vm *vm)
{
	if (vm->barrier_arrived > 0 && vm->barrier_arrived >= vm->live_vcpus) {
		vm->barrier_arrived = 0;
		atomic_fetch_add_explicit(&vm->barrier_generation, 1,
					  memory_order_release);
	}
}

static const char *vcpu_stop_name(unsigned reason)
{
	const char *name = trace_enum_name(TRACE_KIND_VCPU_STOP, reason);

	return name != NULL ? name : "?";
}

void vcpu_stop(struct vcpu *v, unsigned reason, uint64_t esr)
{
	struct vm *vm = v->vm;

	spinlock_lock(&vm->lock);
	if (vcpu_stopped(v)) {
		spinlock_unlock(&vm->lock);
		return;
	}
	v->stop_reason = reason;
	atomic_store_explicit(&v->state, VCPU_STOPPED, memory_order_release);
	vm->live_vcpus--;
	vm_barrier_check(vm);
	if (vm->live_vcpus == 0) {
		atomic_store_explicit(&vm->stopped, true, memory_order_release);
	}
	spinlock_unlock(&vm->lock);
	trace_vcpu_stop(v->id, vm->vmid, reason, arch_vcpu_pc(v), esr);
	if (reason != TRACE_VCPU_STOP_DONE) {
		console_printf(
			"faultline: vm %u vcpu %u stopped: %s (pc 0x%llx, "
			"esr 0x%llx)\n",
			vm->index, v->index, vcpu_stop_name(reason),
			(unsigned long long)arch_vcpu_pc(v),
			(unsigned long long)esr);
	}
}

/*
 * A vCPU that waited at barrier generation @gen until its deadline takes
 * its arrival back, unless the barrier was released meanwhile: left
 * counted, it would release the barrier while a live vCPU never reached
 * it. Returns 0 if released, else -ERR_TIMEDOUT.
 */
static int vm_barrier_withdraw(struct vm *vm, unsigned gen)
{
	int ret = 0;

	spinlock_lock(&vm->lock);
	if (atomic_load_explicit(&vm->barrier_generation,
				 memory_order_relaxed) == gen) {
		vm->barrier_arrived--;
		ret = -ERR_TIMEDOUT;
	}
	spinlock_unlock(&vm->lock);
	return ret;
}

int vm_barrier(struct vcpu *v, uint64_t deadline)
{
	struct vm *vm = v->vm;
	unsigned gen;

	spinlock_lock(&vm->lock);
	gen = atomic_load_explicit(&vm->barrier_generation,
				   memory_order_relaxed);
	vm->barrier_arrived++;
	vm_barrier_check(vm);
	spinlock_unlock(&vm->lock);
	while (atomic_load_explicit(&vm->barrier_generation,
				    memory_order_acquire) == gen) {
		if (arch_counter_now() > deadline ||
		    atomic_load_explicit(&vm->stop_requested,
					 memory_order_acquire)) {
			return vm_barrier_withdraw(vm, gen);
		}
		arch_cpu_relax();
	}
	return 0;
}
