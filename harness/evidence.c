/* The evidence of a livelock (evidence.h). */
#include <string.h>

#include <faultline/types.h>

#include "evidence.h"

#define EV_RED "\033[31m"
#define EV_RESET "\033[0m"

/* The schema id of event @name into *@id; false when the file has none. */
static bool ev_id(const struct trace_data *td, const char *name, uint16_t *id)
{
	for (size_t i = 0; i < td->nevents; i++) {
		if (strcmp(td->events[i].name, name) == 0) {
			*id = td->events[i].id;
			return true;
		}
	}
	return false;
}

/* Field @name of @r, or 0 when its event has none. */
static uint64_t ev_field(const struct trace_data *td,
			 const struct trace_record *r, const char *name)
{
	uint64_t v = 0;

	return trace_data_field(td, r, name, &v) ? v : 0;
}

/* True when @r is about (@vmid, @page): its ipa there, its vmid if any. */
static bool ev_on_page(const struct trace_data *td,
		       const struct trace_record *r, uint64_t vmid,
		       uint64_t page)
{
	uint64_t ipa, v;

	if (!trace_data_field(td, r, "ipa", &ipa) ||
	    (ipa & PAGE_MASK) != page) {
		return false;
	}
	return !trace_data_field(td, r, "vmid", &v) || v == vmid;
}

/* The first record at or after @ts (records are in time order). */
static size_t ev_first_at(const struct trace_data *td, uint64_t ts)
{
	size_t lo = 0, hi = td->nrecords;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (td->records[mid].ts < ts) {
			lo = mid + 1;
		} else {
			hi = mid;
		}
	}
	return lo;
}

static void ev_add_vcpu(struct evidence *ev, uint64_t vmid, uint64_t vcpu)
{
	for (unsigned i = 0; i < ev->nvcpus; i++) {
		if (ev->vcpus[i].vmid == vmid && ev->vcpus[i].vcpu == vcpu) {
			ev->vcpus[i].faults++;
			return;
		}
	}
	if (ev->nvcpus < EVIDENCE_MAX_VCPUS) {
		ev->vcpus[ev->nvcpus++] = (struct evidence_vcpu){vmid, vcpu, 1};
	}
}

static void ev_add_bbm(struct evidence *ev, unsigned cpu)
{
	ev->bbms++;
	for (unsigned i = 0; i < ev->nbbm_cpus; i++) {
		if (ev->bbm_cpus[i].cpu == cpu) {
			ev->bbm_cpus[i].bbms++;
			return;
		}
	}
	if (ev->nbbm_cpus < EVIDENCE_MAX_VCPUS) {
		ev->bbm_cpus[ev->nbbm_cpus++] = (struct evidence_cpu){cpu, 1};
	}
}

/* Record @i as a row: "#index time_ns ns cpu N event field=value ...". */
static void ev_row(const struct trace_data *td, size_t i, char *out,
		   size_t size)
{
	const struct trace_record *r = &td->records[i];
	const struct trace_schema_event *e = trace_data_event(td, r->id);
	int n = snprintf(out, size, "#%zu %llu ns cpu %u %s", i,
			 (unsigned long long)trace_data_rel_ns(td, r->ts),
			 r->cpu, e != NULL ? e->name : "?");
	size_t len = n > 0 ? (size_t)n : 0;

	for (unsigned f = 0;
	     e != NULL && f < e->nfields && f < TRACE_MAX_FIELDS; f++) {
		char v[48];

		if (len >= size) {
			break;
		}
		trace_data_format(td, e->fields[f].kind, r->f[f], v, sizeof(v));
		n = snprintf(out + len, size - len, " %s=%s", e->fields[f].name,
			     v);
		len += n > 0 ? (size_t)n : 0;
	}
}

/* The page's records and faults from the streak's start to record @at. */
static void ev_window(const struct trace_data *td, struct evidence *ev,
		      size_t from, size_t at)
{
	uint16_t enter = 0, brk = 0;
	bool has_enter = ev_id(td, "s2_fault_enter", &enter);
	bool has_brk = ev_id(td, "bbm_break", &brk);
	size_t ring[EVIDENCE_EXCERPT_ROWS];
	size_t nring = 0;

	for (size_t i = from; i <= at && i < td->nrecords; i++) {
		const struct trace_record *r = &td->records[i];

		if (!ev_on_page(td, r, ev->vmid, ev->ipa)) {
			continue;
		}
		ev->page_events++;
		ring[nring++ % EVIDENCE_EXCERPT_ROWS] = i;
		if (has_enter && r->id == enter) {
			ev_add_vcpu(ev, ev_field(td, r, "vmid"),
				    ev_field(td, r, "vcpu"));
		} else if (has_brk && r->id == brk) {
			ev_add_bbm(ev, r->cpu);
		}
	}
	ev->nexcerpt = nring < EVIDENCE_EXCERPT_ROWS ? (unsigned)nring
						     : EVIDENCE_EXCERPT_ROWS;
	for (unsigned k = 0; k < ev->nexcerpt; k++) {
		size_t slot =
			(nring - ev->nexcerpt + k) % EVIDENCE_EXCERPT_ROWS;

		ev_row(td, ring[slot], ev->excerpt[k], EVIDENCE_ROW_MAX);
	}
}

void evidence_compute(const struct trace_data *td, struct evidence *ev)
{
	const struct trace_record *r;
	size_t first = 0;
	uint16_t id;
	uint64_t since;

	memset(ev, 0, sizeof(*ev));
	if (!ev_id(td, "livelock", &id)) {
		return;
	}
	for (size_t i = 0; i < td->nrecords; i++) {
		r = &td->records[i];
		if (r->id != id) {
			continue;
		}
		if (ev->count++ == 0) {
			first = i;
		} else if (ev->nothers < EVIDENCE_MAX_OTHERS) {
			ev->others[ev->nothers++] = (struct evidence_other){
				ev_field(td, r, "vcpu"),
				ev_field(td, r, "vmid"), ev_field(td, r, "ipa"),
				ev_field(td, r, "faults"),
				trace_data_rel_ns(td, r->ts)};
		}
	}
	if (ev->count == 0) {
		return;
	}
	r = &td->records[first];
	ev->index = first;
	ev->cpu = r->cpu;
	ev->vcpu = ev_field(td, r, "vcpu");
	ev->vmid = ev_field(td, r, "vmid");
	ev->ipa = ev_field(td, r, "ipa") & PAGE_MASK;
	ev->faults = ev_field(td, r, "faults");
	ev->progress = ev_field(td, r, "progress");
	/* The hypervisor's counter: trust it only inside the trace. */
	since = ev_field(td, r, "since");
	if (since > r->ts) {
		since = r->ts;
	}
	if (since < td->records[0].ts) {
		since = td->records[0].ts;
	}
	ev->since_ns = trace_data_rel_ns(td, since);
	ev->at_ns = trace_data_rel_ns(td, r->ts);
	ev_window(td, ev, ev_first_at(td, since), first);
}

/* @ns as "850 ns", "12.3 us", "4.5 ms" or "1.20 s". */
static const char *ev_dur(uint64_t ns, char *buf, size_t size)
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

void evidence_print(const struct evidence *ev, FILE *out, bool color)
{
	char a[24], b[24], c[24];

	if (ev->count == 0) {
		return;
	}
	fprintf(out,
		"faultline: %slivelock%s: vcpu %llu of vm %llu (cpu %u) made "
		"no "
		"progress across %llu faults on IPA 0x%llx, from %s to %s "
		"(%s)\n",
		color ? EV_RED : "", color ? EV_RESET : "",
		(unsigned long long)ev->vcpu, (unsigned long long)ev->vmid,
		ev->cpu, (unsigned long long)ev->faults,
		(unsigned long long)ev->ipa, ev_dur(ev->since_ns, a, sizeof(a)),
		ev_dur(ev->at_ns, b, sizeof(b)),
		ev_dur(ev->at_ns - ev->since_ns, c, sizeof(c)));
	fprintf(out, "faultline:   in that window: faults on the page by");
	for (unsigned i = 0; i < ev->nvcpus; i++) {
		fprintf(out, "%s vcpu %llu of vm %llu (%llu)", i > 0 ? "," : "",
			(unsigned long long)ev->vcpus[i].vcpu,
			(unsigned long long)ev->vcpus[i].vmid,
			(unsigned long long)ev->vcpus[i].faults);
	}
	if (ev->nvcpus == 0) {
		fprintf(out, " none recorded");
	}
	fprintf(out, "; %llu BBM%s of its entry", (unsigned long long)ev->bbms,
		ev->bbms == 1 ? "" : "s");
	for (unsigned i = 0; i < ev->nbbm_cpus; i++) {
		fprintf(out, "%scpu %u: %llu", i == 0 ? " (" : ", ",
			ev->bbm_cpus[i].cpu,
			(unsigned long long)ev->bbm_cpus[i].bbms);
	}
	fprintf(out, "%s\n", ev->nbbm_cpus > 0 ? ")" : "");
	if (ev->nexcerpt > 0) {
		fprintf(out,
			"faultline:   the cycle: the last %u of %llu events on "
			"the page (index and time_ns as in events.csv):\n",
			ev->nexcerpt, (unsigned long long)ev->page_events);
	}
	for (unsigned i = 0; i < ev->nexcerpt; i++) {
		fprintf(out, "faultline:     %s\n", ev->excerpt[i]);
	}
	for (unsigned i = 0; i < ev->nothers; i++) {
		fprintf(out,
			"faultline:   also livelocked: vcpu %llu of vm %llu on "
			"0x%llx (%llu faults) at %s\n",
			(unsigned long long)ev->others[i].vcpu,
			(unsigned long long)ev->others[i].vmid,
			(unsigned long long)ev->others[i].ipa,
			(unsigned long long)ev->others[i].faults,
			ev_dur(ev->others[i].at_ns, a, sizeof(a)));
	}
	if (ev->count > ev->nothers + 1) {
		fprintf(out, "faultline:   and %u more livelock records\n",
			ev->count - ev->nothers - 1);
	}
}

void evidence_json(const struct evidence *ev, struct json_writer *w)
{
	if (ev == NULL || ev->count == 0) {
		json_null(w);
		return;
	}
	json_object_begin(w);
	json_key_u64(w, "records", ev->count);
	json_key_u64(w, "index", ev->index);
	json_key_u64(w, "cpu", ev->cpu);
	json_key_u64(w, "vcpu", ev->vcpu);
	json_key_u64(w, "vmid", ev->vmid);
	json_key_hex(w, "ipa", ev->ipa);
	json_key_u64(w, "faults", ev->faults);
	json_key_u64(w, "progress", ev->progress);
	json_key(w, "window_ns");
	json_object_begin(w);
	json_key_u64(w, "since", ev->since_ns);
	json_key_u64(w, "at", ev->at_ns);
	json_key_u64(w, "duration", ev->at_ns - ev->since_ns);
	json_object_end(w);
	json_key(w, "vcpus_faulting");
	json_array_begin(w);
	for (unsigned i = 0; i < ev->nvcpus; i++) {
		json_object_begin(w);
		json_key_u64(w, "vmid", ev->vcpus[i].vmid);
		json_key_u64(w, "vcpu", ev->vcpus[i].vcpu);
		json_key_u64(w, "faults", ev->vcpus[i].faults);
		json_object_end(w);
	}
	json_array_end(w);
	json_key(w, "bbm");
	json_object_begin(w);
	json_key_u64(w, "count", ev->bbms);
	json_key(w, "by_cpu");
	json_object_begin(w);
	for (unsigned i = 0; i < ev->nbbm_cpus; i++) {
		char cpu[16];

		snprintf(cpu, sizeof(cpu), "%u", ev->bbm_cpus[i].cpu);
		json_key_u64(w, cpu, ev->bbm_cpus[i].bbms);
	}
	json_object_end(w);
	json_object_end(w);
	json_key_u64(w, "page_events", ev->page_events);
	json_key(w, "excerpt");
	json_array_begin(w);
	for (unsigned i = 0; i < ev->nexcerpt; i++) {
		json_string(w, ev->excerpt[i]);
	}
	json_array_end(w);
	json_key(w, "others");
	json_array_begin(w);
	for (unsigned i = 0; i < ev->nothers; i++) {
		json_object_begin(w);
		json_key_u64(w, "vcpu", ev->others[i].vcpu);
		json_key_u64(w, "vmid", ev->others[i].vmid);
		json_key_hex(w, "ipa", ev->others[i].ipa);
		json_key_u64(w, "faults", ev->others[i].faults);
		json_key_u64(w, "at_ns", ev->others[i].at_ns);
		json_object_end(w);
	}
	json_array_end(w);
	json_object_end(w);
}
