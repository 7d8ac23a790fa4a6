/*
 * The run's parameters, passed on the kernel command line (QEMU -append,
 * which lands in /chosen/bootargs) as space-separated key=value words.
 *
 *   mode=boot|test|hotplug|plan   what to do once every CPU is up (boot)
 *   plan=PATH                with mode=plan, the run plan (plan.bin)
 *   test=PREFIX              with mode=test, run tests matching PREFIX
 *   hotplug_cpu=N            CPU to cycle (default: every secondary)
 *   hotplug_cycles=N         CPU_OFF/CPU_ON cycles (default 1)
 *   crash=data|undef|panic   take a deliberate fault after boot
 *   crash=hang               stop answering (spin with interrupts masked),
 *                            to test the harness's watchdog
 *   crash_cpu=N              CPU that takes it (default 0)
 *   trace=PATH               trace file on the host (default trace.bin)
 *   cpus=N                   bring up only the first N CPUs
 *   bug=NAME[,NAME...]       break the fault path on purpose (bug.h):
 *                            skip_tlbi, skip_dsb, no_local_inval
 *   tracing=on|off|fault     off: lean tracing, only what the report and
 *                            the guest-timed latencies need (ring.h);
 *                            fault: everything but the world switch's
 *                            own events (its phases, system-register
 *                            writes and ISBs), which are most of a
 *                            round trip's
 */
#ifndef FAULTLINE_BOOTARGS_H
#define FAULTLINE_BOOTARGS_H

#include <faultline/types.h>

/** What the boot CPU does once every CPU is up. */
enum boot_mode {
	BOOT_MODE_BOOT,
	BOOT_MODE_TEST,
	BOOT_MODE_HOTPLUG,
	/** Build the VMs of a run plan (plan.h) and run them. */
	BOOT_MODE_PLAN,
};

/** A deliberate fault, to test the crash path. */
enum boot_crash {
	BOOT_CRASH_NONE,
	/** A load from an unmapped VA: a data abort at EL2. */
	BOOT_CRASH_DATA,
	/** An undefined instruction. */
	BOOT_CRASH_UNDEF,
	/** A failed CHECK(). */
	BOOT_CRASH_PANIC,
	/** Spin forever: a hung hypervisor, for the harness's timeout. */
	BOOT_CRASH_HANG,
};

/** Hotplug every secondary CPU. */
#define BOOT_HOTPLUG_ALL 0xffffffffu

/** Parsed boot arguments. */
struct boot_options {
	enum boot_mode mode;
	char test_filter[64];
	unsigned hotplug_cpu;
	unsigned hotplug_cycles;
	enum boot_crash crash;
	unsigned crash_cpu;
	char trace_path[96];
	char plan_path[96];
	/** 0 means all CPUs. */
	unsigned max_cpus;
	/** Deliberate bugs to turn on (enum bug bits; 0: none). */
	unsigned bugs;
	/** tracing=off: lean tracing (trace_set_lean()). */
	bool tracing_off;
	/** tracing=fault: no world-switch events (trace_set_switch_quiet()). */
	bool tracing_fault;
};

/**
 * Parses @args into @opts (defaults first). An unknown key, a bad value or
 * a value too long gives -ERR_INVAL with @err saying which word and why.
 */
int bootargs_parse(const char *args, struct boot_options *opts, char *err,
		   size_t err_size);

#endif /* FAULTLINE_BOOTARGS_H */
