/*
 * What the hypervisor learns about the machine from the device tree:
 * memory, CPUs, the PSCI conduit, the console UART, the GIC and the boot
 * arguments. Plain values only (no pointers), so the structure filled with
 * the MMU off stays valid after the switch to the runtime mappings.
 */
#ifndef FAULTLINE_PLATFORM_H
#define FAULTLINE_PLATFORM_H

#include <faultline/dtb.h>
#include <faultline/types.h>

/** Most CPUs the hypervisor brings up. */
#define PLATFORM_MAX_CPUS 16
/** Most memory ranges taken from the device tree. */
#define PLATFORM_MAX_MEM 8
/** Most device ranges kept (after merging neighbours). */
#define PLATFORM_MAX_DEVICES 32
/** Longest boot argument string kept, NUL included. */
#define PLATFORM_BOOTARGS_MAX 256

/** A range of physical addresses. */
struct mem_range {
	uint64_t base;
	uint64_t size;
};

/** How PSCI calls reach the firmware. */
enum psci_conduit {
	PSCI_CONDUIT_NONE,
	PSCI_CONDUIT_SMC,
	PSCI_CONDUIT_HVC,
};

/** Interrupt controller found in the device tree. */
struct platform_gic {
	/** 2 or 3; 0 when none was found. */
	unsigned version;
	struct mem_range dist;
	/** The redistributor region (GICv3) or the CPU interface (GICv2). */
	struct mem_range redist;
};

/** The machine as described by the device tree. */
struct platform {
	struct mem_range mem[PLATFORM_MAX_MEM];
	unsigned nmem;
	/** MPIDR affinity value ("reg") of each CPU, in device-tree order. */
	uint64_t cpu_mpidr[PLATFORM_MAX_CPUS];
	unsigned ncpus;
	/** CPUs listed in the tree beyond PLATFORM_MAX_CPUS (not brought up). */
	unsigned ncpus_ignored;
	enum psci_conduit psci;
	/** The UART for the console ("stdout-path", or the first PL011). */
	struct mem_range uart;
	bool has_uart;
	struct platform_gic gic;
	/**
	 * The "reg" ranges of the root's device nodes (everything but memory,
	 * CPUs and firmware nodes), page aligned, sorted and merged where
	 * they touch: what a host stage 2 may map as devices.
	 */
	struct mem_range devices[PLATFORM_MAX_DEVICES];
	unsigned ndevices;
	/** Device ranges dropped because devices[] was full. */
	unsigned ndevices_dropped;
	/** /chosen/bootargs, NUL-terminated (empty when absent). */
	char bootargs[PLATFORM_BOOTARGS_MAX];
	/** Human-readable reason for the last failure of platform_from_dtb(). */
	char error[160];
};

/**
 * Fills @plat from the validated tree @dt. Requires at least one memory
 * range, one CPU and a PSCI node; missing or malformed parts give
 * -ERR_INVAL (or -ERR_NOENT for a missing node) with plat->error saying
 * which node and why.
 */
int platform_from_dtb(struct platform *plat, struct dtb *dt);

/** True when [@base, @base + @size) lies inside one memory range. */
bool platform_is_memory(const struct platform *plat, uint64_t base,
			uint64_t size);

#endif /* FAULTLINE_PLATFORM_H */
