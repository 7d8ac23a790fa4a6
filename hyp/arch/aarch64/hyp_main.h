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

#endif /* FAULTLINE_AARCH64_HYP_MAIN_H */
