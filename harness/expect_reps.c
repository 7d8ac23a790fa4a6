/* Expectations checked repetition by repetition (expect_reps.h). */
#include <stdlib.h>
#include <string.h>

#include "expect_reps.h"

/* Folds @rep's results into @out: a failure wins over a success. */
static void expect_reps_merge(const struct expect *e, unsigned n,
			      const struct expect_result *rep, bool first,
			      struct expect_result *out)
{
	for (unsigned i = 0; i < n; i++) {
		/*
		 * Whether an expectation applies is the whole run's to say:
		 * a repetition's records lack the knob records (tracing=off)
		 * that come before the first.
		 */
		if (e[i].kind != EXPECT_METRIC || !out[i].applies) {
			continue;
		}
		if (first || (out[i].ok && !rep[i].ok)) {
			out[i] = rep[i];
		}
	}
}

unsigned expect_reps_check(const struct expect *e, unsigned n,
			   const struct trace_data *td,
			   const struct faultstats *fs, unsigned backend,
			   bool livelocked, const int64_t *vmid_of,
			   struct expect_result *out, unsigned *reps)
{
	struct expect_result *tmp;
	unsigned failed;

	*reps = 0;
	/* Livelock and progress, and everything when there is one rep. */
	failed = expect_check(e, n, fs, backend, livelocked, vmid_of, out);
	if (td == NULL || fs->nreps < 2 || n == 0 ||
	    (tmp = calloc(n, sizeof(*tmp))) == NULL) {
		return failed;
	}
	for (size_t r = 0; r < fs->nreps; r++) {
		const struct faultstats_rep *rep = &fs->reps[r];
		struct trace_data view = *td;
		struct faultstats rfs;

		if (rep->first + rep->count > td->nrecords) {
			continue;
		}
		/* The repetition's records alone, as a trace of their own. */
		view.records = td->records + rep->first;
		view.nrecords = rep->count;
		if (faultstats_compute(&view, &rfs) == 0) {
			expect_check(e, n, &rfs, backend, livelocked, vmid_of,
				     tmp);
			expect_reps_merge(e, n, tmp, *reps == 0, out);
			(*reps)++;
		}
		faultstats_free(&rfs);
	}
	free(tmp);
	failed = 0;
	for (unsigned i = 0; i < n; i++) {
		failed += out[i].applies && !out[i].ok;
	}
	return failed;
}
