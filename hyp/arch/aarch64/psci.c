/* PSCI over smc. */
#include "psci.h"

int64_t psci_call(uint32_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("smc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "memory");
	return (int64_t)x0;
}

const char *psci_err_name(int64_t ret)
{
	switch (ret) {
	case PSCI_SUCCESS:
		return "SUCCESS";
	case PSCI_NOT_SUPPORTED:
		return "NOT_SUPPORTED";
	case PSCI_INVALID_PARAMETERS:
		return "INVALID_PARAMETERS";
	case PSCI_DENIED:
		return "DENIED";
	case PSCI_ALREADY_ON:
		return "ALREADY_ON";
	case PSCI_ON_PENDING:
		return "ON_PENDING";
	case PSCI_INTERNAL_FAILURE:
		return "INTERNAL_FAILURE";
	default:
		return "unknown PSCI error";
	}
}
