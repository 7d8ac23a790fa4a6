/*
 * The fault-handling policies. A policy is a row of this table: to add
 * one, add a row here, a value to the trace's POLICY enum
 * (trace/events.def) and to enum plan_policy (plan.h), and a name for the
 * scenario parser (harness). docs/fault-path.md explains each.
 */
#include <faultline/fault.h>
#include <faultline/plan.h>

const struct fault_policy fault_policies[] = {
	{
		/*
		 * KVM before seed 002: faults serialised on one lock, and
		 * every fault rebuilds the leaf with break-before-make,
		 * identical or not; a permission fault rebuilds it with the
		 * new permissions. A vCPU that faulted while another's BBM
		 * had the entry invalid waits for the lock, then replaces
		 * the other's fresh entry with its own: the RW/RO ping-pong.
		 */
		.id = PLAN_POLICY_LEGACY,
		.name = "legacy",
		.map_flags = 0,
		.exclusive = true,
		.relax_in_place = false,
		.inval_on_relax_retry = false,
	},
	{
		/*
		 * Seed 002's prejudgement: leave an identical mapping
		 * alone, send a permission-only change to the relax path
		 * (no BBM), and (2023) invalidate locally when the relax
		 * finds another CPU already did it.
		 */
		.id = PLAN_POLICY_PREJUDGE,
		.name = "prejudge",
		.map_flags =
			STAGE2_MAP_SKIP_IDENTICAL | STAGE2_MAP_NO_PERM_CHANGE,
		.exclusive = false,
		.relax_in_place = true,
		.inval_on_relax_retry = true,
	},
	{0, NULL, 0, false, false, false},
};

const struct fault_policy *fault_policy_find(unsigned id)
{
	for (const struct fault_policy *p = fault_policies; p->id != 0; p++) {
		if (p->id == id) {
			return p;
		}
	}
	return NULL;
}
