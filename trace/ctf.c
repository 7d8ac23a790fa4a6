/* What the CTF export and its replay program share (ctf.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <faultline/err.h>
#include <faultline/time.h>
#include <faultline/trace/ctf.h>

/* Whether schema event @sev declares what the table's @ev declares. */
static bool ctf_same_event(const struct trace_schema_event *sev,
			   const struct trace_event_desc *ev, char *err,
			   size_t err_size)
{
	if (strcmp(sev->name, ev->name) != 0 || sev->nfields != ev->nfields) {
		snprintf(err, err_size,
			 "event id %u is %s with %u fields in the trace but %s "
			 "with %u fields in this build's table",
			 ev->id, sev->name, sev->nfields, ev->name,
			 ev->nfields);
		return false;
	}
	for (unsigned f = 0; f < ev->nfields; f++) {
		const char *kind = trace_kind_name(ev->fields[f].kind);

		if (strcmp(sev->fields[f].name, ev->fields[f].name) != 0 ||
		    strcmp(sev->fields[f].kind, kind) != 0) {
			snprintf(err, err_size,
				 "event %s: field %u is %s:%s in the trace but "
				 "%s:%s in this build's table",
				 ev->name, f, sev->fields[f].name,
				 sev->fields[f].kind, ev->fields[f].name, kind);
			return false;
		}
	}
	return true;
}

int trace_ctf_check_schema(const struct trace_data *td, char *err,
			   size_t err_size)
{
	/* One bit per possible event id: check each used event once. */
	uint8_t seen[65536 / 8] = {0};

	for (size_t i = 0; i < td->nrecords; i++) {
		uint16_t id = td->records[i].id;
		const struct trace_schema_event *sev;
		const struct trace_event_desc *ev;

		if (seen[id / 8] & (1u << (id % 8))) {
			continue;
		}
		seen[id / 8] |= (uint8_t)(1u << (id % 8));
		sev = trace_data_event(td, id);
		ev = trace_event_by_id(id);
		if (sev == NULL || ev == NULL) {
			snprintf(err, err_size,
				 "event id %u (%s) is not in this build's "
				 "table",
				 id, sev != NULL ? sev->name : "?");
			return -ERR_INVAL;
		}
		if (!ctf_same_event(sev, ev, err, err_size)) {
			return -ERR_INVAL;
		}
	}
	return 0;
}

int trace_ctf_replay_write(const struct trace_data *td, const char *path)
{
	struct trace_ctf_replay_header h;
	FILE *f = fopen(path, "wb");
	bool ok;

	if (f == NULL) {
		return -ERR_IO;
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, TRACE_CTF_REPLAY_MAGIC, sizeof(h.magic));
	h.schema_hash = trace_schema_hash();
	h.counter_freq = td->counter_freq;
	h.nrecords = td->nrecords;
	ok = fwrite(&h, sizeof(h), 1, f) == 1 &&
	     (td->nrecords == 0 || fwrite(td->records, sizeof(td->records[0]),
					  td->nrecords, f) == td->nrecords);
	if (fclose(f) != 0) {
		ok = false;
	}
	return ok ? 0 : -ERR_IO;
}

int trace_ctf_replay_read(const char *path, struct trace_ctf_replay *rp)
{
	struct trace_ctf_replay_header h;
	struct stat st;
	FILE *f = fopen(path, "rb");
	int ret = -ERR_INVAL;

	memset(rp, 0, sizeof(*rp));
	if (f == NULL) {
		return -ERR_IO;
	}
	if (fstat(fileno(f), &st) != 0 || fread(&h, sizeof(h), 1, f) != 1) {
		fclose(f);
		return -ERR_IO;
	}
	/* The size check keeps a damaged count from driving the malloc. */
	if (memcmp(h.magic, TRACE_CTF_REPLAY_MAGIC, sizeof(h.magic)) == 0 &&
	    h.schema_hash == trace_schema_hash() && h.counter_freq != 0 &&
	    (uint64_t)st.st_size ==
		    sizeof(h) + h.nrecords * sizeof(struct trace_record)) {
		rp->counter_freq = h.counter_freq;
		rp->nrecords = (size_t)h.nrecords;
		rp->records = malloc((rp->nrecords > 0 ? rp->nrecords : 1) *
				     sizeof(struct trace_record));
		if (rp->records == NULL) {
			ret = -ERR_NOMEM;
		} else if (fread(rp->records, sizeof(struct trace_record),
				 rp->nrecords, f) == rp->nrecords) {
			ret = 0;
		} else {
			ret = -ERR_IO;
		}
	}
	fclose(f);
	return ret;
}

void trace_ctf_replay_free(struct trace_ctf_replay *rp)
{
	free(rp->records);
	memset(rp, 0, sizeof(*rp));
}

uint64_t trace_ctf_ns(uint64_t ts, uint64_t freq)
{
	return time_ticks_to_ns(ts, freq);
}

/* FNV-1a 64 over @n bytes at @p, from @h. */
static uint64_t ctf_fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h = (h ^ b[i]) * UINT64_C(0x100000001b3);
	}
	return h;
}

void trace_ctf_clock_uuid(const struct trace_data *td,
			  char out[TRACE_CTF_UUID_STR_LEN])
{
	uint64_t first = td->nrecords > 0 ? td->records[0].ts : 0;
	uint64_t nrec = td->nrecords;
	uint8_t u[16];
	uint64_t h[2];

	/* Two different offset bases give two independent halves. */
	h[0] = UINT64_C(0xcbf29ce484222325);
	h[1] = UINT64_C(0x84222325cbf29ce4);
	for (int i = 0; i < 2; i++) {
		h[i] = ctf_fnv(h[i], td->build_id, sizeof(td->build_id));
		h[i] = ctf_fnv(h[i], &td->counter_freq,
			       sizeof(td->counter_freq));
		h[i] = ctf_fnv(h[i], &first, sizeof(first));
		h[i] = ctf_fnv(h[i], &nrec, sizeof(nrec));
		for (int b = 0; b < 8; b++) {
			u[8 * i + b] = (uint8_t)(h[i] >> (8 * b));
		}
	}
	/* RFC 4122: version 4 (random-like), variant 10. */
	u[6] = (uint8_t)((u[6] & 0x0f) | 0x40);
	u[8] = (uint8_t)((u[8] & 0x3f) | 0x80);
	snprintf(out, TRACE_CTF_UUID_STR_LEN,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}
