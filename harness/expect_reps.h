/*
 * A scenario's expectations checked on a run of several repetitions
 * (docs/results.md): a scenario describes one repetition, so an
 * expectation about a metric must hold in each measured repetition, on
 * that repetition's own statistics (`expect faults == 4096` holds in a
 * run of 9 repetitions of first-touch, whose faults add up to 36864). A
 * livelock ends the run in the repetition it happens in, so `expect
 * livelock` and `expect progress` are about the whole run.
 */
#ifndef FAULTLINE_HARNESS_EXPECT_REPS_H
#define FAULTLINE_HARNESS_EXPECT_REPS_H

#include <faultline/trace/decode.h>

#include "expect.h"
#include "faultstats.h"

/**
 * Checks the @n expectations at @e (expect_check()'s arguments) on the
 * run whose trace is @td (may be NULL) and whose statistics are @fs:
 * with more than one measured repetition in @fs, each metric expectation
 * on every one of them, its result the first repetition's it failed in
 * (or the first repetition's when it held in all); otherwise, and for
 * livelock and progress, on @fs. Fills @out, sets *@reps to the
 * repetitions checked one by one (0: the run as a whole) and returns how
 * many expectations failed.
 */
unsigned expect_reps_check(const struct expect *e, unsigned n,
			   const struct trace_data *td,
			   const struct faultstats *fs, unsigned backend,
			   bool livelocked, const int64_t *vmid_of,
			   struct expect_result *out, unsigned *reps);

#endif /* FAULTLINE_HARNESS_EXPECT_REPS_H */
