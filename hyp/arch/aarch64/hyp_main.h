/*
 * The end of a run at EL2, shared by the normal path and the crash path.
 */
#ifndef FAULTLINE_AARCH64_HYP_MAIN_H
#define FAULTLINE_AARCH64_HYP_MAIN_H

#include <faultline/types.h>

#include "hyp_state.h"

/**
 * Closes the trace file (if it is open and can be locked within a bounded
 * time), prints the run's last line and ends the run with @status.
 * @verdict is a word for the log ("ok", "crash", ...).
 */
NORETURN void hyp_end_run(int status, const char *verdict);

/**
 * Writes what the trace rings hold so far to the trace file, so that a
 * later hang or crash loses nothing recorded before it. Any CPU may call
 * it; callers are serialised.
 */
void hyp_trace_checkpoint(void);

/**
 * Called by a CPU between two runs of its vCPU: when its own trace ring is
 * more than half full, writes every ring to the trace file now (the same
 * as hyp_trace_checkpoint()) and records a trace_drain event with the
 * records written and how long it took, since the vCPU was paused
 * meanwhile. Keeps a long run from losing events when no other CPU is free
 * to drain.
 */
void hyp_trace_relieve(void);

#endif /* FAULTLINE_AARCH64_HYP_MAIN_H */
