/*
 * `faultline run`: boots the hypervisor under QEMU once, with a deadline,
 * and leaves everything about the run in its own directory: console.log
 * (written as it arrives), qemu-stderr.log, trace.bin (written by the
 * hypervisor through semihosting), events.csv, summary.json and
 * manifest.json. Whatever happens to the run (a crash, a hang, Ctrl-C),
 * what arrived is kept and summarised.
 */
#ifndef FAULTLINE_HARNESS_RUN_H
#define FAULTLINE_HARNESS_RUN_H

/**
 * Runs `faultline run` with faultline's whole command line @argv
 * (@argv[1] is "run"). Returns the process exit status: 0 ok, 1 a failed
 * run, 2 bad usage (or boot arguments the hypervisor rejected).
 */
int run_main(int argc, char *const *argv);

#endif /* FAULTLINE_HARNESS_RUN_H */
