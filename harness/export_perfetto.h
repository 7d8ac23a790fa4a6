/*
 * Chrome/Perfetto JSON (the Trace Event Format) of a decoded trace, for
 * ui.perfetto.dev and chrome://tracing: a process per VM with a thread
 * per vCPU (its faults as nested durations with their break-before-make
 * and TLB invalidations inside, its guest-timed accesses around them), a
 * "hypervisor" process with a thread per physical CPU (world switches,
 * init, trace drains, everything not done for a fault), flows tying each
 * fault to the BBMs and TLBIs it caused, and counters of the faults in
 * flight and the entries broken. docs/exporters.md says what each part
 * means.
 */
#ifndef FAULTLINE_HARNESS_EXPORT_PERFETTO_H
#define FAULTLINE_HARNESS_EXPORT_PERFETTO_H

#include <stdio.h>

#include <faultline/trace/decode.h>

/** The pid of the "hypervisor" process (the pCPU threads, counters). */
#define EXPORT_PERFETTO_HYP_PID 1

/** A VM's pid is this plus its VMID. */
#define EXPORT_PERFETTO_VM_PID_BASE 100

/** The pid of the VM of vCPUs known only by their id. */
#define EXPORT_PERFETTO_UNKNOWN_VM_PID 99

/** pCPU c is thread (tid) this plus c. */
#define EXPORT_PERFETTO_PCPU_TID_BASE 1000

/** The i-th vCPU (by VMID, then id) is thread this plus i. */
#define EXPORT_PERFETTO_VCPU_TID_BASE 2000

/**
 * Writes @td as Trace Event Format JSON to @out: "ts" and "dur" in
 * microseconds with nanosecond decimals (from the file's counter
 * frequency), slices strictly nested on every thread whatever the input
 * (a slice that would overlap its parent is cut to fit and says so), and
 * a damaged or cut trace exported as far as it goes, with every fault or
 * BBM left open closed at the end and marked. Returns 0, -ERR_NOMEM or
 * -ERR_IO.
 */
int export_perfetto(const struct trace_data *td, FILE *out);

#endif /* FAULTLINE_HARNESS_EXPORT_PERFETTO_H */
