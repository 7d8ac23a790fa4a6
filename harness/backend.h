/*
 * The backends a scenario runs on: QEMU (the hypervisor at EL2, the real
 * thing) and the sim (build/faultline-sim: the portable core on host
 * threads, docs/sim.md). Both take the same plan.bin and boot arguments
 * in the run directory, print the same console lines and end with the
 * same exit statuses, so the harness runs either the same way.
 */
#ifndef FAULTLINE_HARNESS_BACKEND_H
#define FAULTLINE_HARNESS_BACKEND_H

#include "qemu.h"

/** Where a run runs. */
enum backend {
	BACKEND_QEMU,
	BACKEND_SIM,
};

/** The sim program, beside build/faultline. */
#define BACKEND_SIM_BINARY "faultline-sim"

/** "qemu" or "sim". */
const char *backend_name(enum backend b);

/** The backend named @name into *@b: 0, or -ERR_INVAL for another name. */
int backend_parse(const char *name, enum backend *b);

/** The expect_backend bit (expect.h) of @b, for expect_check(). */
unsigned backend_expect_mask(enum backend b);

/**
 * The sim's command line for @c into @cmd: @sim --smp N --append
 * "mode=plan trace=T plan=P EXTRA", the boot arguments QEMU's -append
 * would get (qemu_build_append()), so --append reaches both backends
 * alike. @c->qemu and @c->hyp are not used. Returns 0 or -ERR_RANGE.
 */
int backend_build_sim(const struct qemu_config *c, const char *sim,
		      struct qemu_cmd *cmd);

#endif /* FAULTLINE_HARNESS_BACKEND_H */
