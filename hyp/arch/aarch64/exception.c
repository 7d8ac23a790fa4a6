/*
 * Exceptions taken to EL2. There are no guests yet, so every exception is
 * unexpected: it produces a crash report (on the UART and as a `crash`
 * trace event), the trace file is closed, and the run ends with
 * HYP_EXIT_CRASH. No silent hangs.
 *
 * The report must also work for a fault before the MMU is on, so the names
 * come from switches, not from tables of pointers (see early.c).
 */
#include <stdatomic.h>

#include <faultline/arch/cpu.h>
#include <faultline/check.h>
#include <faultline/console.h>
#include <faultline/cpu.h>
#include <faultline/fmt.h>
#include <faultline/trace/ring.h>

#include "exception_frame.h"
#include "hyp_main.h"
#include "semihosting.h"
#include "sysreg.h"

_Static_assert(
	__builtin_offsetof(struct exc_frame, x[30]) == EXC_FRAME_X30 &&
		__builtin_offsetof(struct exc_frame, elr) == EXC_FRAME_ELR &&
		__builtin_offsetof(struct exc_frame, esr) == EXC_FRAME_ESR &&
		__builtin_offsetof(struct exc_frame, kind) == EXC_FRAME_KIND &&
		sizeof(struct exc_frame) == EXC_FRAME_SIZE,
	"exc_frame offsets used by vectors.S");

/* Index + 1 of the CPU reporting a crash; 0 while none is. */
static _Atomic unsigned crash_owner;

static const char *exc_kind_name(uint64_t kind)
{
	switch (kind & 3) {
	case 0:
		return "synchronous";
	case 1:
		return "IRQ";
	case 2:
		return "FIQ";
	default:
		return "SError";
	}
}

static const char *exc_origin_name(uint64_t kind)
{
	switch (kind >> 2) {
	case 0:
		return "current EL with SP_EL0";
	case 1:
		return "current EL with SP_EL2";
	case 2:
		return "lower EL, AArch64";
	default:
		return "lower EL, AArch32";
	}
}

/* Short and long names of an exception class (Arm ARM, ESR_EL2.EC). */
static const char *exc_ec_name(unsigned ec, const char **what)
{
	switch (ec) {
	case 0x00:
		*what = "unknown reason (undefined instruction?)";
		return "unknown";
	case 0x01:
		*what = "trapped WFI/WFE";
		return "wfx";
	case 0x07:
		*what = "trapped FP/SIMD access";
		return "fp_asimd";
	case 0x0e:
		*what = "illegal execution state";
		return "illegal_state";
	case 0x15:
		*what = "SVC from AArch64";
		return "svc64";
	case 0x16:
		*what = "HVC from AArch64";
		return "hvc64";
	case 0x17:
		*what = "SMC from AArch64";
		return "smc64";
	case 0x18:
		*what = "trapped MSR/MRS/system instruction";
		return "sys64";
	case 0x20:
		*what = "instruction abort from a lower EL";
		return "iabt_low";
	case 0x21:
		*what = "instruction abort without a change of EL";
		return "iabt_cur";
	case 0x22:
		*what = "PC alignment fault";
		return "pc_align";
	case 0x24:
		*what = "data abort from a lower EL";
		return "dabt_low";
	case 0x25:
		*what = "data abort without a change of EL";
		return "dabt_cur";
	case 0x26:
		*what = "SP alignment fault";
		return "sp_align";
	case 0x2f:
		*what = "SError interrupt";
		return "serror";
	case 0x3c:
		*what = "BRK instruction";
		return "brk64";
	default:
		*what = "see the Arm ARM, ESR_EL2.EC";
		return "other";
	}
}

/* Decodes the fault status code of an abort (DFSC/IFSC, ISS[5:0]). */
static void exc_print_abort(uint64_t esr, bool data)
{
	unsigned fsc = (unsigned)(esr & 0x3f);
	unsigned level = fsc & 3;
	const char *type;

	switch (fsc >> 2) {
	case 0:
		type = "address size fault";
		break;
	case 1:
		type = "translation fault";
		break;
	case 2:
		type = "access flag fault";
		break;
	case 3:
		type = "permission fault";
		break;
	default:
		type = fsc == 0x10   ? "synchronous external abort"
		       : fsc == 0x21 ? "alignment fault"
				     : "other fault";
		level = 0;
		break;
	}
	console_printf_unlocked("  %s abort: %s, level %u%s\n",
				data ? "data" : "instruction", type, level,
				data ? ((esr & (1 << 6)) ? ", write" : ", read")
				     : "");
}

static void exc_report(const struct exc_frame *f, unsigned cpu, bool mmu_on)
{
	unsigned ec = (unsigned)((f->esr >> ESR_EC_SHIFT) & ESR_EC_MASK);
	bool sync = (f->kind & 3) == 0;
	const char *what = "";
	const char *name =
		sync ? exc_ec_name(ec, &what) : exc_kind_name(f->kind);

	console_printf_unlocked("\n=== faultline crash ===\n");
	console_printf_unlocked(
		"cpu %u (mpidr 0x%llx): unexpected %s exception at EL2 "
		"(%s)%s\n",
		cpu,
		(unsigned long long)(read_sysreg(mpidr_el1) & 0xff00ffffffULL),
		exc_kind_name(f->kind), exc_origin_name(f->kind),
		mmu_on ? "" : " before the MMU was on");
	if (sync) {
		console_printf_unlocked("  EC 0x%02x %s: %s\n", ec, name, what);
	}
	console_printf_unlocked("  ESR_EL2 0x%016llx (IL=%u ISS=0x%07llx)\n",
				(unsigned long long)f->esr,
				(unsigned)((f->esr & ESR_IL) != 0),
				(unsigned long long)(f->esr & ESR_ISS_MASK));
	if (sync && (ec == 0x24 || ec == 0x25)) {
		exc_print_abort(f->esr, true);
	} else if (sync && (ec == 0x20 || ec == 0x21)) {
		exc_print_abort(f->esr, false);
	}
	console_printf_unlocked(
		"  FAR_EL2 0x%016llx  ELR_EL2 0x%016llx  SPSR_EL2 0x%016llx\n",
		(unsigned long long)f->far, (unsigned long long)f->elr,
		(unsigned long long)f->spsr);
	/* x0..x29 three to a line, then x30 and sp. */
	for (unsigned i = 0; i < 30; i += 3) {
		console_printf_unlocked(
			"  x%-2u 0x%016llx  x%-2u 0x%016llx  x%-2u 0x%016llx\n",
			i, (unsigned long long)f->x[i], i + 1,
			(unsigned long long)f->x[i + 1], i + 2,
			(unsigned long long)f->x[i + 2]);
	}
	console_printf_unlocked("  x30 0x%016llx  sp  0x%016llx\n",
				(unsigned long long)f->x[30],
				(unsigned long long)f->sp);
}

/*
 * Makes the calling CPU the one that reports the crash and ends the run.
 * Returns only to that CPU; any other crashing CPU waits for the end, and a
 * fault inside the report itself ends the run at once.
 */
static void crash_claim(unsigned cpu, bool mmu_on)
{
	unsigned expected = 0;

	if (!mmu_on) {
		/* Only the boot CPU runs with the MMU off; no atomics there. */
		return;
	}
	if (atomic_compare_exchange_strong(&crash_owner, &expected, cpu + 1)) {
		return;
	}
	if (expected == cpu + 1) {
		console_printf_unlocked(
			"\nfaultline: a fault while reporting a "
			"fault on cpu %u\nfaultline: run "
			"ended: crash (exit status %d)\n",
			cpu, HYP_EXIT_CRASH);
		semihosting_exit(HYP_EXIT_CRASH);
	}
	for (;;) {
		__asm__ volatile("wfe");
	}
}

static bool crash_mmu_on(void)
{
	return (read_sysreg(sctlr_el2) & SCTLR_EL2_M) != 0;
}

/* Ends the run after a report made before the trace can be reached. */
static NORETURN void crash_end_early(void)
{
	console_printf_unlocked(
		"faultline: run ended: crash (exit status %d)\n",
		HYP_EXIT_CRASH);
	semihosting_exit(HYP_EXIT_CRASH);
}

void exception_handle(struct exc_frame *f)
{
	bool mmu_on = crash_mmu_on();
	unsigned cpu = arch_cpu_index();
	unsigned ec = (unsigned)((f->esr >> ESR_EC_SHIFT) & ESR_EC_MASK);

	crash_claim(cpu, mmu_on);
	exc_report(f, cpu, mmu_on);
	if (!mmu_on) {
		crash_end_early();
	}
	trace_crash((f->kind & 3) == 0 ? ec : 0x100 + (f->kind & 3), f->esr,
		    f->far, f->elr);
	hyp_end_run(HYP_EXIT_CRASH, "crash");
}

NORETURN void panic(const char *fmt, ...)
{
	bool mmu_on = crash_mmu_on();
	unsigned cpu = arch_cpu_index();
	char msg[256];
	va_list ap;

	crash_claim(cpu, mmu_on);
	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	console_printf_unlocked(
		"\n=== faultline crash ===\ncpu %u: panic: %s\n", cpu, msg);
	if (!mmu_on) {
		crash_end_early();
	}
	trace_crash(TRACE_EC_PANIC, 0, 0,
		    (uint64_t)(uintptr_t)__builtin_return_address(0));
	hyp_end_run(HYP_EXIT_CRASH, "panic");
}
