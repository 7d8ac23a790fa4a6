/*
 * The latencies of a run, one row per sample, for tools that want more
 * than the percentiles of summary.json (docs/results.md):
 *
 *   latency.csv        one row per stage-2 fault, from its s2_fault_enter
 *                      to the s2_fault_exit that closes it on its CPU (EL2
 *                      entry to exit): cpu, vcpu, vmid, ipa, kind, access,
 *                      outcome, policy, rep, warmup, start_ns, latency_ns
 *   guest_latency.csv  one row per guest-timed access (guest_access: the
 *                      guest's own t_start to t_end, faults included):
 *                      vcpu, op, ipa, access, rep, warmup, start_ns,
 *                      latency_ns
 *
 * start_ns counts from the first record of the trace (events.csv's
 * time_ns); rep is the `rep` record's number of the repetition the sample
 * is in (empty outside any), warmup says whether that one is a warm-up
 * (its samples are kept here, but left out of summary.json's figures).
 */
#ifndef FAULTLINE_HARNESS_LATENCY_CSV_H
#define FAULTLINE_HARNESS_LATENCY_CSV_H

#include <stdio.h>

#include <faultline/trace/decode.h>

/**
 * Writes the fault rows of @td to @faults and the guest access rows to
 * @guest (either may be NULL). Returns 0, -ERR_NOMEM, or -ERR_IO when a
 * write failed.
 */
int latency_csv_write(const struct trace_data *td, FILE *faults, FILE *guest);

#endif /* FAULTLINE_HARNESS_LATENCY_CSV_H */
