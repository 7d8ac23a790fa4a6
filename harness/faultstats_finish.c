/*
 * The fault-path statistics once the pass over the records is done
 * (faultstats_internal.h): the latency distributions, overall, per key
 * and per repetition, the ratios to the null-hvc floor, the page sums and
 * the names of the enum values counted.
 */
#include <stdlib.h>

#include <faultline/err.h>
#include <faultline/time.h>

#include "faultstats_internal.h"

/* Which samples a distribution is made of. */
enum fs_pick {
	FS_PICK_ALL,
	FS_PICK_KEY,
	FS_PICK_OTHER_KEYS,
};

/*
 * The distribution of the samples of @s that @pick and @key select into
 * @d, with @tmp (room for every sample) as scratch.
 */
static void fs_samples_dist(const struct fs_samples *s, enum fs_pick pick,
			    uint64_t key, uint64_t *tmp,
			    struct faultstats_dist *d)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (pick == FS_PICK_ALL ||
		    (s->v[i].key == key) == (pick == FS_PICK_KEY)) {
			tmp[n++] = s->v[i].ns;
		}
	}
	faultstats_dist_compute(tmp, n, d);
}

/* The same, of the samples of repetition @rep (index + 1) only. */
static void fs_rep_dist(const struct fs_samples *s, size_t rep,
			enum fs_pick pick, uint64_t key, uint64_t *tmp,
			struct faultstats_dist *d)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].rep == rep &&
		    (pick == FS_PICK_ALL ||
		     (s->v[i].key == key) == (pick == FS_PICK_KEY))) {
			tmp[n++] = s->v[i].ns;
		}
	}
	faultstats_dist_compute(tmp, n, d);
}

/* One distribution per key of @s, named as enum @kind names the keys. */
static int fs_samples_by_key(const struct trace_data *td,
			     const struct fs_samples *s, const char *kind,
			     uint64_t *tmp, struct faultstats_dists *out)
{
	out->v = calloc(s->keys.n > 0 ? s->keys.n : 1, sizeof(*out->v));
	if (out->v == NULL) {
		return -ERR_NOMEM;
	}
	out->n = s->keys.n;
	for (size_t i = 0; i < s->keys.n; i++) {
		struct faultstats_named_dist *nd = &out->v[i];

		nd->value = s->keys.v[i].value;
		faultstats_name(td, kind, nd->value, nd->name);
		fs_samples_dist(s, FS_PICK_KEY, nd->value, tmp, &nd->d);
	}
	return 0;
}

static double fs_ratio(const struct faultstats_dist *a,
		       const struct faultstats_dist *b)
{
	if (a->n == 0 || b->n == 0 || b->p50 == 0) {
		return 0.0;
	}
	return (double)a->p50 / (double)b->p50;
}

/* Each measured repetition's latencies, with @tmp as scratch. */
static void fs_reps_finish(struct fs_ctx *c, uint64_t *tmp)
{
	struct faultstats *fs = c->fs;
	const struct trace_data *td = c->td;

	/* A trace cut inside a repetition: it lasted at least this long. */
	if (c->rep != 0 && td->nrecords > 0) {
		struct faultstats_rep *cut = &fs->reps[c->rep - 1];
		uint64_t last = td->records[td->nrecords - 1].ts;

		cut->duration_ns = time_ticks_to_ns(
			last >= c->rep_start ? last - c->rep_start : 0,
			td->counter_freq);
		cut->count = td->nrecords - cut->first;
	}
	for (size_t i = 0; i < fs->nreps; i++) {
		struct faultstats_rep *rep = &fs->reps[i];

		fs_rep_dist(&c->lat, i + 1, FS_PICK_ALL, 0, tmp,
			    &rep->fault_lat);
		if (c->access_hvc.known) {
			fs_rep_dist(&c->acc, i + 1, FS_PICK_OTHER_KEYS,
				    c->access_hvc.value, tmp, &rep->access_lat);
			fs_rep_dist(&c->acc, i + 1, FS_PICK_KEY,
				    c->access_hvc.value, tmp, &rep->hvc_floor);
		} else {
			fs_rep_dist(&c->acc, i + 1, FS_PICK_ALL, 0, tmp,
				    &rep->access_lat);
		}
		fs_rep_dist(&c->facc, i + 1, FS_PICK_ALL, 0, tmp,
			    &rep->faulting_access_lat);
		rep->fault_hvc_ratio =
			fs_ratio(&rep->fault_lat, &rep->hvc_floor);
		rep->faulting_access_hvc_ratio =
			fs_ratio(&rep->faulting_access_lat, &rep->hvc_floor);
	}
}

/* Everything computed from what the pass collected. */
int faultstats_finish(struct fs_ctx *c)
{
	const struct trace_data *td = c->td;
	const struct fs_bind *b = &c->b;
	struct faultstats *fs = c->fs;
	uint64_t *tmp;
	int ret;

	for (unsigned i = 0; i < TRACE_FILE_MAX_CPUS; i++) {
		fs->unmatched_enters += c->cpus[i].n;
	}
	faultstats_counts_finish(td, &c->lat.keys, NULL);
	faultstats_counts_finish(td, &c->acc.keys, NULL);
	tmp = malloc(MAX(MAX(c->lat.n, c->acc.n), (size_t)1) * sizeof(*tmp));
	if (tmp == NULL) {
		return -ERR_NOMEM;
	}
	fs_samples_dist(&c->lat, FS_PICK_ALL, 0, tmp, &fs->fault_lat);
	ret = fs_samples_by_key(td, &c->lat, b->kind[FS_EXIT][FS_F_OUTCOME],
				tmp, &fs->fault_lat_by_outcome);
	if (ret == 0) {
		ret = fs_samples_by_key(td, &c->acc,
					b->kind[FS_ACCESS][FS_F_ACCESS], tmp,
					&fs->access_lat_by_kind);
	}
	if (c->access_hvc.known) {
		fs_samples_dist(&c->acc, FS_PICK_OTHER_KEYS,
				c->access_hvc.value, tmp, &fs->access_lat);
		fs_samples_dist(&c->acc, FS_PICK_KEY, c->access_hvc.value, tmp,
				&fs->hvc_floor);
	} else {
		fs_samples_dist(&c->acc, FS_PICK_ALL, 0, tmp, &fs->access_lat);
	}
	fs_samples_dist(&c->facc, FS_PICK_ALL, 0, tmp,
			&fs->faulting_access_lat);
	fs_reps_finish(c, tmp);
	free(tmp);
	fs->fault_hvc_ratio = fs_ratio(&fs->fault_lat, &fs->hvc_floor);
	fs->access_hvc_ratio = fs_ratio(&fs->access_lat, &fs->hvc_floor);
	fs->faulting_access_hvc_ratio =
		fs_ratio(&fs->faulting_access_lat, &fs->hvc_floor);

	faultstats_pagemap_sum(&c->broken, &fs->pages_broken,
			       &fs->pages_broken_again, &fs->most_broken);
	faultstats_pagemap_sum(&c->mapped, &fs->pages_mapped,
			       &fs->pages_mapped_again, &fs->most_mapped);
	fs->pages_remapped = c->remapped.used;
	fs->most_broken.vmid &= FS_VMID_MASK;
	fs->most_mapped.vmid &= FS_VMID_MASK;

	faultstats_counts_finish(td, &fs->kinds, b->kind[FS_ENTER][FS_F_KIND]);
	faultstats_counts_finish(td, &fs->accesses,
				 b->kind[FS_ENTER][FS_F_ACCESS]);
	faultstats_counts_finish(td, &fs->outcomes,
				 b->kind[FS_EXIT][FS_F_OUTCOME]);
	faultstats_counts_finish(td, &fs->tlbi_ops, b->kind[FS_TLBI][FS_F_OP]);
	faultstats_counts_finish(td, &fs->backoff_whys,
				 b->kind[FS_BACKOFF][FS_F_WHY]);
	faultstats_counts_finish(td, &fs->cmo_whys, b->kind[FS_CMO][FS_F_WHY]);
	for (size_t i = 0; i < fs->nvms; i++) {
		struct faultstats_vm *vm = &fs->vms[i];

		faultstats_counts_finish(td, &vm->kinds,
					 b->kind[FS_ENTER][FS_F_KIND]);
		faultstats_counts_finish(td, &vm->accesses,
					 b->kind[FS_ENTER][FS_F_ACCESS]);
		faultstats_counts_finish(td, &vm->outcomes,
					 b->kind[FS_EXIT][FS_F_OUTCOME]);
		faultstats_counts_finish(td, &vm->policies,
					 b->kind[FS_EXIT][FS_F_POLICY]);
	}
	return ret;
}
