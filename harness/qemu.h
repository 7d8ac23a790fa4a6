/*
 * The QEMU command line of a run, exactly as qemu-facts.md describes it:
 * the virt machine with EL2 (virtualization=on) and GICv3, -cpu max with
 * pointer authentication off, the serial port on stdio, semihosting on
 * (the trace file), and the hypervisor's boot arguments in -append.
 */
#ifndef FAULTLINE_HARNESS_QEMU_H
#define FAULTLINE_HARNESS_QEMU_H

#include <stdbool.h>
#include <stddef.h>

/** The QEMU binary used when none is given. */
#define QEMU_DEFAULT_BINARY "qemu-system-aarch64"
/** Guest RAM of every run. */
#define QEMU_MEMORY "512M"
/** Most words of a QEMU command line. */
#define QEMU_MAX_ARGS 40
/** Longest -append string. */
#define QEMU_APPEND_MAX 1024

/** What a run asks QEMU for. */
struct qemu_config {
	/** The QEMU binary (a path, or a name searched in PATH). */
	const char *qemu;
	/** The hypervisor ELF (-kernel); absolute, since QEMU's cwd differs. */
	const char *hyp;
	/** Number of CPUs (-smp). */
	unsigned smp;
	/** mode= of the boot arguments ("boot", "test", "hotplug"). */
	const char *mode;
	/** test= of the boot arguments, or NULL. */
	const char *test;
	/** plan= of the boot arguments (mode=plan), or NULL. */
	const char *plan;
	/** Extra boot arguments, appended as given, or NULL. */
	const char *append;
	/** Trace file, relative to QEMU's working directory. */
	const char *trace;
	/**
	 * Allocate and touch the guest RAM before booting (-mem-prealloc):
	 * a scenario's `run prealloc=on`, so that no measured fault pays a
	 * cold host page (milliseconds per 2 MiB, qemu-facts.md).
	 */
	bool prealloc;
};

/** A built command line. */
struct qemu_cmd {
	int argc;
	/** NULL-terminated; points into the strings below and the config. */
	char *argv[QEMU_MAX_ARGS + 1];
	char smp[16];
	char append[QEMU_APPEND_MAX];
};

/**
 * The -append string of @c into @out:
 * "mode=M trace=T[ test=P][ plan=F][ EXTRA]".
 * Returns 0, or -ERR_RANGE when it does not fit.
 */
int qemu_build_append(const struct qemu_config *c, char *out, size_t size);

/**
 * Builds the whole command line of @c into @cmd. The config's strings
 * must outlive @cmd. Returns 0 or -ERR_RANGE.
 */
int qemu_build(const struct qemu_config *c, struct qemu_cmd *cmd);

/**
 * The first line of `QEMU --version` into @out ("QEMU emulator version
 * 7.2.22 ..."), or "unknown" when it cannot be run. Returns 0 when found.
 */
int qemu_version(const char *qemu, char *out, size_t size);

#endif /* FAULTLINE_HARNESS_QEMU_H */
