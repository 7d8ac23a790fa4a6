/* The fault-path statistics on the terminal and in JSON (faultstats.h). */
#include <string.h>

#include "faultstats.h"

#define FS_RED "\033[31m"
#define FS_RESET "\033[0m"

/* VMs and failed vCPUs listed by name before "and N more". */
#define FS_LIST_MAX 8

/* @ns as "850 ns", "12.3 us", "4.5 ms" or "1.20 s". */
static const char *fs_dur(uint64_t ns, char *buf, size_t size)
{
	if (ns < 1000) {
		snprintf(buf, size, "%llu ns", (unsigned long long)ns);
	} else if (ns < 1000000) {
		snprintf(buf, size, "%.1f us", (double)ns / 1e3);
	} else if (ns < 1000000000) {
		snprintf(buf, size, "%.1f ms", (double)ns / 1e6);
	} else {
		snprintf(buf, size, "%.2f s", (double)ns / 1e9);
	}
	return buf;
}

/* @bytes as "512 B", "16 KiB" or "4.0 MiB". */
static const char *fs_bytes(uint64_t bytes, char *buf, size_t size)
{
	if (bytes < 1024) {
		snprintf(buf, size, "%llu B", (unsigned long long)bytes);
	} else if (bytes < 1024 * 1024) {
		snprintf(buf, size, "%.1f KiB", (double)bytes / 1024.0);
	} else {
		snprintf(buf, size, "%.1f MiB", (double)bytes / 1048576.0);
	}
	return buf;
}

/* The plural ending for @n things. */
static const char *fs_s(uint64_t n)
{
	return n == 1 ? "" : "s";
}

/* "3.00x", or "31.5x": two decimals only where one would hide the figure. */
static const char *fs_ratio(double r, char *buf, size_t size)
{
	/* Three significant digits, so that 0.002x does not read 0.00x. */
	snprintf(buf, size,
		 r < 0.1    ? "%.3gx"
		 : r < 10.0 ? "%.2fx"
			    : "%.1fx",
		 r);
	return buf;
}

/* Outcomes that mean the guest did not get what it asked for. */
static bool fs_outcome_bad(const char *name)
{
	return strcmp(name, "out_of_memory") == 0 ||
	       strcmp(name, "vm_stopped") == 0 ||
	       strcmp(name, "abort_injected") == 0;
}

/* @s in red when @color and @bad. */
static void fs_put(FILE *out, bool color, bool bad, const char *s)
{
	fprintf(out, "%s%s%s", color && bad ? FS_RED : "", s,
		color && bad ? FS_RESET : "");
}

/* "name n, name n" of @c; outcomes that need attention in red. */
static void fs_print_counts(FILE *out, const struct faultstats_counts *c,
			    bool color, bool outcomes)
{
	for (size_t i = 0; i < c->n; i++) {
		char buf[FAULTSTATS_NAME_LEN + 24];

		snprintf(buf, sizeof(buf), "%s%s %llu", i > 0 ? ", " : "",
			 c->v[i].name, (unsigned long long)c->v[i].n);
		fs_put(out, color, outcomes && fs_outcome_bad(c->v[i].name),
		       buf);
	}
}

/* Starts a part of a line: @head before the first one, @sep before others. */
static void fs_part(FILE *out, bool *started, const char *head, const char *sep)
{
	fputs(*started ? sep : head, out);
	*started = true;
}

static void fs_print_faults(const struct faultstats *fs, FILE *out, bool color)
{
	char buf[64];

	fprintf(out, "faultline: faults: %llu", (unsigned long long)fs->faults);
	if (fs->kinds.n > 0) {
		fprintf(out, " (");
		fs_print_counts(out, &fs->kinds, color, false);
		fprintf(out, ")");
	}
	if (fs->outcomes.n > 0) {
		fprintf(out, ", outcomes: ");
		fs_print_counts(out, &fs->outcomes, color, true);
	}
	fprintf(out, "; %llu BBM, %llu TLBI",
		(unsigned long long)fs->bbm_breaks,
		(unsigned long long)fs->tlbis);
	if (fs->tlbi_ops.n > 0) {
		fprintf(out, " (");
		fs_print_counts(out, &fs->tlbi_ops, color, false);
		fprintf(out, ")");
	}
	snprintf(buf, sizeof(buf), ", %llu abort%s injected",
		 (unsigned long long)fs->aborts_injected,
		 fs_s(fs->aborts_injected));
	fs_put(out, color, fs->aborts_injected > 0, buf);
	if (fs->unmatched_enters + fs->unmatched_exits > 0) {
		fprintf(out, " (%llu enters and %llu exits unmatched)",
			(unsigned long long)fs->unmatched_enters,
			(unsigned long long)fs->unmatched_exits);
	}
	fprintf(out, "\n");
}

/* One line per VM, when there is more than one. */
static void fs_print_vms(const struct faultstats *fs, FILE *out, bool color)
{
	for (size_t i = 0; fs->nvms > 1 && i < fs->nvms; i++) {
		const struct faultstats_vm *vm = &fs->vms[i];

		if (i == FS_LIST_MAX) {
			fprintf(out, "faultline:   and %zu more VMs\n",
				fs->nvms - i);
			break;
		}
		fprintf(out, "faultline:   vm %llu",
			(unsigned long long)vm->vmid);
		if (vm->created) {
			fprintf(out, " (%s, %llu vCPU%s)", vm->policy_name,
				(unsigned long long)vm->nvcpus,
				fs_s(vm->nvcpus));
		}
		fprintf(out, ": %llu fault%s", (unsigned long long)vm->faults,
			fs_s(vm->faults));
		if (vm->outcomes.n > 0) {
			fprintf(out, ", ");
			fs_print_counts(out, &vm->outcomes, color, true);
		}
		fprintf(out, "\n");
	}
}

static void fs_print_latency(const struct faultstats *fs, FILE *out)
{
	const struct faultstats_dist *d = &fs->fault_lat;
	const struct faultstats_dist *m =
		faultstats_dist_of(&fs->fault_lat_by_outcome, "mapped");
	char a[24], b[24], c[24], e[24], f[24];

	if (d->n == 0) {
		return;
	}
	fprintf(out,
		"faultline: fault latency (EL2 entry to exit): p50 %s, p90 %s, "
		"p99 %s, p99.9 %s, max %s (%llu faults",
		fs_dur(d->p50, a, sizeof(a)), fs_dur(d->p90, b, sizeof(b)),
		fs_dur(d->p99, c, sizeof(c)), fs_dur(d->p999, e, sizeof(e)),
		fs_dur(d->max, f, sizeof(f)), (unsigned long long)d->n);
	/* Worth its own figure only when other outcomes are mixed in. */
	if (m != NULL && m->n != d->n) {
		fprintf(out, "; mapped p50 %s, p99 %s",
			fs_dur(m->p50, a, sizeof(a)),
			fs_dur(m->p99, b, sizeof(b)));
	}
	fprintf(out, ")\n");
}

static void fs_print_access(const struct faultstats *fs, FILE *out)
{
	const struct faultstats_dist *d = &fs->access_lat;
	const struct faultstats_dist *h = &fs->hvc_floor;
	char a[24], b[24], c[24];
	bool started = false;

	if (d->n > 0) {
		fs_part(out, &started, "faultline: ", "; ");
		fprintf(out,
			"guest access latency: p50 %s, p99 %s, max %s (%llu "
			"accesses)",
			fs_dur(d->p50, a, sizeof(a)),
			fs_dur(d->p99, b, sizeof(b)),
			fs_dur(d->max, c, sizeof(c)), (unsigned long long)d->n);
	}
	if (fs->faulting_access_lat.n > 0) {
		fs_part(out, &started, "faultline: ", "; ");
		fprintf(out, "faulting accesses p50 %s (%llu)",
			fs_dur(fs->faulting_access_lat.p50, a, sizeof(a)),
			(unsigned long long)fs->faulting_access_lat.n);
	}
	if (h->n > 0) {
		fs_part(out, &started, "faultline: ", "; ");
		fprintf(out, "null hvc floor p50 %s (%llu calls)",
			fs_dur(h->p50, a, sizeof(a)), (unsigned long long)h->n);
	}
	if (fs->faulting_access_hvc_ratio > 0.0) {
		fs_part(out, &started, "faultline: ", "; ");
		fprintf(out, "faulting access p50 / hvc p50 = %s",
			fs_ratio(fs->faulting_access_hvc_ratio, a, sizeof(a)));
	}
	/* EL2 time against a whole round trip: a share, not a cost. */
	if (fs->fault_hvc_ratio > 0.0) {
		fs_part(out, &started, "faultline: ", "; ");
		fprintf(out, "EL2 fault p50 / hvc p50 = %s",
			fs_ratio(fs->fault_hvc_ratio, a, sizeof(a)));
	}
	if (fs->access_hvc_ratio > 0.0) {
		fs_part(out, &started, "faultline: ", "; ");
		fprintf(out, "access p50 / hvc p50 = %s",
			fs_ratio(fs->access_hvc_ratio, a, sizeof(a)));
	}
	if (fs->access_bad > 0) {
		fs_part(out, &started, "faultline: ", "; ");
		fprintf(out, "%llu accesses with t_end before t_start",
			(unsigned long long)fs->access_bad);
	}
	if (started) {
		fprintf(out, "\n");
	}
}

static void fs_print_pages(const struct faultstats *fs, FILE *out, bool color)
{
	const struct faultstats_page *mm = &fs->most_mapped;
	const struct faultstats_page *mb = &fs->most_broken;
	char buf[128];

	if (fs->pages_mapped + fs->pages_remapped + mb->n == 0) {
		return;
	}
	fprintf(out, "faultline: pages: ");
	if (fs->pages_mapped > 0) {
		fprintf(out, "%llu mapped, ",
			(unsigned long long)fs->pages_mapped);
		snprintf(buf, sizeof(buf), "%llu mapped more than once",
			 (unsigned long long)fs->pages_mapped_again);
		fs_put(out, color, fs->pages_mapped_again > 0, buf);
	}
	if (fs->pages_mapped_again > 0) {
		fprintf(out, " (page 0x%llx of vm %llu: %llu times)",
			(unsigned long long)mm->ipa,
			(unsigned long long)mm->vmid,
			(unsigned long long)mm->n);
	}
	if (fs->pages_remapped > 0) {
		fprintf(out, "%s%llu remapped",
			fs->pages_mapped > 0 ? ", " : "",
			(unsigned long long)fs->pages_remapped);
	}
	if (mb->n > 0) {
		fprintf(out,
			"%smost-broken page 0x%llx of vm %llu (%llu BBM%s), "
			"%llu page%s broken more than once",
			fs->pages_mapped + fs->pages_remapped > 0 ? "; " : "",
			(unsigned long long)mb->ipa,
			(unsigned long long)mb->vmid, (unsigned long long)mb->n,
			fs_s(mb->n), (unsigned long long)fs->pages_broken_again,
			fs_s(fs->pages_broken_again));
	}
	fprintf(out, "\n");
}

/* Cache maintenance, dirty logging, pools, back-offs, knobs. */
static void fs_print_other(const struct faultstats *fs, FILE *out, bool color)
{
	const char *head = "faultline: ";
	bool started = false;
	char buf[64];

	for (size_t i = 0; i < fs->cmo_whys.n; i++) {
		fs_part(out, &started, "faultline: cmo ", ", ");
		fprintf(out, "%s %llu (%s)", fs->cmo_whys.v[i].name,
			(unsigned long long)fs->cmo_whys.v[i].n,
			fs_bytes(fs->cmo_whys.v[i].sum, buf, sizeof(buf)));
	}
	if (fs->dirty_marks > 0) {
		fs_part(out, &started, head, "; ");
		fprintf(out, "%llu dirty marks",
			(unsigned long long)fs->dirty_marks);
	}
	if (fs->pool_exhausted > 0) {
		fs_part(out, &started, head, "; ");
		snprintf(buf, sizeof(buf), "page pool exhausted %llu times",
			 (unsigned long long)fs->pool_exhausted);
		fs_put(out, color, true, buf);
	}
	if (fs->pool_recycles > 0) {
		fs_part(out, &started, head, "; ");
		fprintf(out, "%llu pool recycles (%llu pages)",
			(unsigned long long)fs->pool_recycles,
			(unsigned long long)fs->pool_pages_recycled);
	}
	if (fs->backoffs > 0) {
		fs_part(out, &started, head, "; ");
		fprintf(out, "%llu back-offs (",
			(unsigned long long)fs->backoffs);
		fs_print_counts(out, &fs->backoff_whys, color, false);
		fprintf(out, ")");
	}
	if (fs->pte_writes > 0) {
		fs_part(out, &started, head, "; ");
		fprintf(out, "%llu PTE writes",
			(unsigned long long)fs->pte_writes);
	}
	if (fs->trace_drains > 0) {
		fs_part(out, &started, head, "; ");
		fprintf(out,
			"trace written out %llu times during the run (vCPUs "
			"paused %.1f ms in all)",
			(unsigned long long)fs->trace_drains,
			(double)fs->trace_drain_ns / 1e6);
	}
	for (size_t i = 0; i < fs->nknobs; i++) {
		fs_part(out, &started, head, "; ");
		fprintf(out, "knob %s=%llu", fs->knobs[i].name,
			(unsigned long long)fs->knobs[i].value);
	}
	if (started) {
		fprintf(out, "\n");
	}
}

static void fs_print_stops(const struct faultstats *fs, FILE *out, bool color)
{
	unsigned listed = 0;
	char buf[64];

	if (fs->nstops == 0 && fs->vcpus_declared == 0) {
		return;
	}
	fprintf(out, "faultline: vCPUs: %llu done",
		(unsigned long long)fs->vcpus_done);
	if (fs->vcpus_failed > 0) {
		snprintf(buf, sizeof(buf), ", %llu stopped otherwise",
			 (unsigned long long)fs->vcpus_failed);
		fs_put(out, color, true, buf);
	}
	for (size_t i = 0; i < fs->nstops; i++) {
		const struct faultstats_stop *s = &fs->stops[i];

		if (s->done) {
			continue;
		}
		if (listed++ == FS_LIST_MAX) {
			fprintf(out, ", ...");
			break;
		}
		fprintf(out, "%svcpu %llu %s (pc 0x%llx)",
			listed == 1 ? ": " : ", ", (unsigned long long)s->vcpu,
			s->why_name, (unsigned long long)s->pc);
	}
	/* A trace cut short: some vCPUs never reported how they ended. */
	if (fs->vcpus_declared > fs->nstops) {
		snprintf(buf, sizeof(buf), "; %llu never stopped",
			 (unsigned long long)(fs->vcpus_declared - fs->nstops));
		fs_put(out, color, true, buf);
	}
	fprintf(out, "\n");
}

void faultstats_print(const struct faultstats *fs, FILE *out, bool color)
{
	if (!faultstats_any(fs)) {
		return;
	}
	fs_print_faults(fs, out, color);
	fs_print_vms(fs, out, color);
	fs_print_latency(fs, out);
	fs_print_access(fs, out);
	fs_print_pages(fs, out, color);
	fs_print_other(fs, out, color);
	fs_print_stops(fs, out, color);
	faultstats_reps_print(fs, out);
}

static void fs_json_dist(struct json_writer *w, const struct faultstats_dist *d)
{
	if (d->n == 0) {
		json_null(w);
		return;
	}
	json_object_begin(w);
	json_key_u64(w, "n", d->n);
	json_key_u64(w, "min", d->min);
	json_key_u64(w, "p50", d->p50);
	json_key_u64(w, "p90", d->p90);
	json_key_u64(w, "p99", d->p99);
	json_key_u64(w, "p999", d->p999);
	json_key_u64(w, "max", d->max);
	json_key(w, "mean");
	json_fixed(w, d->mean, 1);
	json_object_end(w);
}

static void fs_json_dists(struct json_writer *w,
			  const struct faultstats_dists *d)
{
	json_object_begin(w);
	for (size_t i = 0; i < d->n; i++) {
		json_key(w, d->v[i].name);
		fs_json_dist(w, &d->v[i].d);
	}
	json_object_end(w);
}

/* { name: count } of @c; with @sum_key, { name: { count, sum_key } }. */
static void fs_json_counts(struct json_writer *w,
			   const struct faultstats_counts *c,
			   const char *sum_key)
{
	json_object_begin(w);
	for (size_t i = 0; i < c->n; i++) {
		json_key(w, c->v[i].name);
		if (sum_key == NULL) {
			json_u64(w, c->v[i].n);
			continue;
		}
		json_object_begin(w);
		json_key_u64(w, "count", c->v[i].n);
		json_key_u64(w, sum_key, c->v[i].sum);
		json_object_end(w);
	}
	json_object_end(w);
}

static void fs_json_page(struct json_writer *w, const struct faultstats_page *p)
{
	if (p->n == 0) {
		json_null(w);
		return;
	}
	json_object_begin(w);
	json_key_u64(w, "vmid", p->vmid);
	json_key(w, "ipa");
	json_hex(w, p->ipa);
	json_key_u64(w, "count", p->n);
	json_object_end(w);
}

static void fs_json_ratio(struct json_writer *w, const char *key, double r)
{
	json_key(w, key);
	if (r > 0.0) {
		json_fixed(w, r, 3);
	} else {
		json_null(w);
	}
}

static void fs_json_vm(struct json_writer *w, const struct faultstats_vm *vm)
{
	json_object_begin(w);
	json_key_u64(w, "vmid", vm->vmid);
	json_key(w, "created");
	json_bool(w, vm->created);
	json_key(w, "policy");
	json_string(w, vm->created ? vm->policy_name : NULL);
	json_key(w, "nvcpus");
	json_u64(w, vm->nvcpus);
	json_key(w, "ia_bits");
	json_u64(w, vm->ia_bits);
	json_key(w, "flags");
	json_hex(w, vm->flags);
	json_key_u64(w, "faults", vm->faults);
	json_key(w, "by_kind");
	fs_json_counts(w, &vm->kinds, NULL);
	json_key(w, "by_access");
	fs_json_counts(w, &vm->accesses, NULL);
	json_key(w, "by_outcome");
	fs_json_counts(w, &vm->outcomes, NULL);
	json_key(w, "exit_policies");
	fs_json_counts(w, &vm->policies, NULL);
	json_object_end(w);
}

static void fs_json_latency(const struct faultstats *fs, struct json_writer *w)
{
	json_key(w, "fault_latency_ns");
	fs_json_dist(w, &fs->fault_lat);
	json_key(w, "fault_latency_ns_by_outcome");
	fs_json_dists(w, &fs->fault_lat_by_outcome);
	json_key(w, "access_latency_ns");
	fs_json_dist(w, &fs->access_lat);
	json_key(w, "access_latency_ns_by_kind");
	fs_json_dists(w, &fs->access_lat_by_kind);
	json_key(w, "faulting_access_latency_ns");
	fs_json_dist(w, &fs->faulting_access_lat);
	json_key(w, "hvc_floor_ns");
	fs_json_dist(w, &fs->hvc_floor);
	json_key_u64(w, "accesses_garbled", fs->access_bad);
	fs_json_ratio(w, "fault_p50_over_hvc_p50", fs->fault_hvc_ratio);
	fs_json_ratio(w, "access_p50_over_hvc_p50", fs->access_hvc_ratio);
	fs_json_ratio(w, "faulting_access_p50_over_hvc_p50",
		      fs->faulting_access_hvc_ratio);
}

static void fs_json_maintenance(const struct faultstats *fs,
				struct json_writer *w)
{
	json_key(w, "bbm");
	json_object_begin(w);
	json_key_u64(w, "breaks", fs->bbm_breaks);
	json_key_u64(w, "makes", fs->bbm_makes);
	json_key_u64(w, "pages_broken", fs->pages_broken);
	json_key_u64(w, "pages_broken_more_than_once", fs->pages_broken_again);
	json_key(w, "most_broken");
	fs_json_page(w, &fs->most_broken);
	json_object_end(w);
	json_key(w, "pages");
	json_object_begin(w);
	json_key_u64(w, "mapped", fs->pages_mapped);
	json_key_u64(w, "mapped_more_than_once", fs->pages_mapped_again);
	json_key(w, "most_mapped");
	fs_json_page(w, &fs->most_mapped);
	json_key_u64(w, "remapped", fs->pages_remapped);
	json_object_end(w);
	json_key(w, "tlbi");
	json_object_begin(w);
	json_key_u64(w, "total", fs->tlbis);
	json_key(w, "by_op");
	fs_json_counts(w, &fs->tlbi_ops, NULL);
	json_object_end(w);
	json_key_u64(w, "pte_writes", fs->pte_writes);
	json_key(w, "backoffs");
	json_object_begin(w);
	json_key_u64(w, "total", fs->backoffs);
	json_key(w, "by_why");
	fs_json_counts(w, &fs->backoff_whys, NULL);
	json_object_end(w);
	json_key(w, "cmo");
	json_object_begin(w);
	json_key_u64(w, "total", fs->cmos);
	json_key_u64(w, "bytes", fs->cmo_bytes);
	json_key(w, "by_why");
	fs_json_counts(w, &fs->cmo_whys, "bytes");
	json_object_end(w);
	json_key(w, "pool");
	json_object_begin(w);
	json_key_u64(w, "exhausted", fs->pool_exhausted);
	json_key_u64(w, "recycles", fs->pool_recycles);
	json_key_u64(w, "pages_recycled", fs->pool_pages_recycled);
	json_object_end(w);
	json_key_u64(w, "dirty_marks", fs->dirty_marks);
	json_key(w, "trace_drains");
	json_object_begin(w);
	json_key_u64(w, "count", fs->trace_drains);
	json_key_u64(w, "paused_ns", fs->trace_drain_ns);
	json_object_end(w);
	json_key_u64(w, "aborts_injected", fs->aborts_injected);
}

static void fs_json_vcpus(const struct faultstats *fs, struct json_writer *w)
{
	json_key(w, "vcpus");
	json_object_begin(w);
	json_key_u64(w, "declared", fs->vcpus_declared);
	json_key_u64(w, "stopped", fs->nstops);
	json_key_u64(w, "done", fs->vcpus_done);
	json_key_u64(w, "failed", fs->vcpus_failed);
	json_key(w, "stops");
	json_array_begin(w);
	for (size_t i = 0; i < fs->nstops; i++) {
		const struct faultstats_stop *s = &fs->stops[i];

		json_object_begin(w);
		json_key_u64(w, "vcpu", s->vcpu);
		json_key_u64(w, "vmid", s->vmid);
		json_key(w, "why");
		json_string(w, s->why_name);
		json_key(w, "pc");
		json_hex(w, s->pc);
		json_key(w, "esr");
		json_hex(w, s->esr);
		json_object_end(w);
	}
	json_array_end(w);
	json_object_end(w);
}

void faultstats_json(const struct faultstats *fs, struct json_writer *w)
{
	json_object_begin(w);
	json_key_u64(w, "faults", fs->faults);
	json_key_u64(w, "exits", fs->exits);
	json_key_u64(w, "unmatched_enters", fs->unmatched_enters);
	json_key_u64(w, "unmatched_exits", fs->unmatched_exits);
	json_key(w, "by_kind");
	fs_json_counts(w, &fs->kinds, NULL);
	json_key(w, "by_access");
	fs_json_counts(w, &fs->accesses, NULL);
	json_key(w, "by_outcome");
	fs_json_counts(w, &fs->outcomes, NULL);
	json_key(w, "vms");
	json_array_begin(w);
	for (size_t i = 0; i < fs->nvms; i++) {
		fs_json_vm(w, &fs->vms[i]);
	}
	json_array_end(w);
	fs_json_latency(fs, w);
	fs_json_maintenance(fs, w);
	json_key(w, "knobs");
	json_object_begin(w);
	for (size_t i = 0; i < fs->nknobs; i++) {
		json_key_u64(w, fs->knobs[i].name, fs->knobs[i].value);
	}
	json_object_end(w);
	fs_json_vcpus(fs, w);
	json_object_end(w);
}

void faultstats_reps_json(const struct faultstats *fs, struct json_writer *w)
{
	json_object_begin(w);
	json_key_u64(w, "measured", fs->nreps);
	json_key_u64(w, "warmup", fs->warmup_reps);
	json_key_u64(w, "warmup_records_left_out", fs->warmup_records);
	json_key(w, "per_rep");
	json_array_begin(w);
	for (size_t i = 0; i < fs->nreps; i++) {
		const struct faultstats_rep *r = &fs->reps[i];

		json_object_begin(w);
		json_key_u64(w, "number", r->number);
		json_key(w, "ended");
		json_bool(w, r->ended);
		json_key_u64(w, "duration_ns", r->duration_ns);
		json_key_u64(w, "faults", r->faults);
		json_key_u64(w, "bbm", r->bbm_breaks);
		json_key_u64(w, "tlbi", r->tlbis);
		json_key(w, "fault_latency_ns");
		fs_json_dist(w, &r->fault_lat);
		json_key(w, "access_latency_ns");
		fs_json_dist(w, &r->access_lat);
		json_key(w, "faulting_access_latency_ns");
		fs_json_dist(w, &r->faulting_access_lat);
		json_key(w, "hvc_floor_ns");
		fs_json_dist(w, &r->hvc_floor);
		fs_json_ratio(w, "fault_p50_over_hvc_p50", r->fault_hvc_ratio);
		fs_json_ratio(w, "faulting_access_p50_over_hvc_p50",
			      r->faulting_access_hvc_ratio);
		json_object_end(w);
	}
	json_array_end(w);
	json_object_end(w);
}

/* Measured repetitions listed one per line before "and N more". */
#define FS_REPS_LISTED 10

void faultstats_reps_print(const struct faultstats *fs, FILE *out)
{
	char a[24], b[24], c[24];

	if (fs->nreps + fs->warmup_reps <= 1) {
		return;
	}
	fprintf(out, "faultline: repetitions: %zu measured", fs->nreps);
	if (fs->warmup_reps > 0) {
		fprintf(out,
			", %llu warm-up%s left out of every figure (%llu "
			"records)",
			(unsigned long long)fs->warmup_reps,
			fs_s(fs->warmup_reps),
			(unsigned long long)fs->warmup_records);
	}
	fprintf(out, "\n");
	for (size_t i = 0; fs->nreps > 1 && i < fs->nreps; i++) {
		const struct faultstats_rep *r = &fs->reps[i];

		if (i == FS_REPS_LISTED) {
			fprintf(out,
				"faultline:   and %zu more (summary.json, "
				"repetitions)\n",
				fs->nreps - i);
			break;
		}
		fprintf(out,
			"faultline:   rep %llu: %llu fault%s, %llu BBM, fault "
			"p50 %s, access p50 %s, hvc p50 %s%s\n",
			(unsigned long long)r->number,
			(unsigned long long)r->faults, fs_s(r->faults),
			(unsigned long long)r->bbm_breaks,
			r->fault_lat.n > 0
				? fs_dur(r->fault_lat.p50, a, sizeof(a))
				: "-",
			r->access_lat.n > 0
				? fs_dur(r->access_lat.p50, b, sizeof(b))
				: "-",
			r->hvc_floor.n > 0
				? fs_dur(r->hvc_floor.p50, c, sizeof(c))
				: "-",
			r->ended ? "" : " (cut short)");
	}
}
