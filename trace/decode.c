/*
 * Trace file decoder (format.h, docs/trace-format.md). The whole file is
 * read into memory and walked chunk by chunk. The first damage stops the
 * walk: its offset and reason are recorded, everything decoded before it
 * is kept and sorted, so a damaged file still exports what it holds.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>
#include <faultline/time.h>
#include <faultline/trace/decode.h>

/* Reads a little-endian integer of @n bytes at @p. */
static uint64_t le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++) {
		v |= (uint64_t)p[i] << (8 * i);
	}
	return v;
}

static int decode_fail(struct trace_data *td, int err, uint64_t offset,
		       const char *fmt, ...)
{
	va_list ap;

	td->error = err;
	td->error_offset = offset;
	va_start(ap, fmt);
	vsnprintf(td->error_msg, sizeof(td->error_msg), fmt, ap);
	va_end(ap);
	return err;
}

/*
 * Copies up to @n bytes of @src into @dst as printable ASCII, '?' for any
 * other byte: text from a damaged file goes into error messages that end
 * up on a terminal, and must not carry control sequences there.
 */
static const char *decode_printable(char *dst, size_t size, const char *src,
				    size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 1 < size; i++) {
		dst[i] = src[i] >= ' ' && src[i] <= '~' ? src[i] : '?';
	}
	dst[i] = '\0';
	return dst;
}

/* Copies the whitespace-delimited word at *@p into @dst; advances *@p. */
static bool schema_word(const char **p, const char *end, char *dst, size_t size)
{
	size_t n = 0;

	while (*p < end && **p == ' ') {
		(*p)++;
	}
	while (*p < end && **p != ' ' && **p != '\n') {
		if (n + 1 >= size) {
			return false;
		}
		dst[n++] = *(*p)++;
	}
	dst[n] = '\0';
	return n > 0;
}

static bool schema_number(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0' && *s != '\0';
}

static int schema_add_event(struct trace_data *td, const char *line,
			    const char *end, uint64_t off)
{
	struct trace_schema_event ev;
	char word[64];
	uint64_t id;
	void *grown;

	memset(&ev, 0, sizeof(ev));
	if (!schema_word(&line, end, word, sizeof(word)) ||
	    !schema_number(word, &id) || id > UINT16_MAX ||
	    !schema_word(&line, end, ev.name, sizeof(ev.name))) {
		return decode_fail(td, -ERR_INVAL, off,
				   "schema: malformed event line");
	}
	ev.id = (uint16_t)id;
	while (schema_word(&line, end, word, sizeof(word))) {
		char *colon = strchr(word, ':');
		struct trace_schema_field *f;
		char shown_word[sizeof(word)];
		char shown_name[sizeof(ev.name)];

		if (ev.nfields == TRACE_MAX_FIELDS || colon == NULL ||
		    colon == word || colon[1] == '\0' ||
		    (size_t)(colon - word) >= sizeof(f->name) ||
		    strlen(colon + 1) >= sizeof(f->kind)) {
			return decode_fail(
				td, -ERR_INVAL, off,
				"schema: bad field \"%s\" of event %s",
				decode_printable(shown_word, sizeof(shown_word),
						 word, strlen(word)),
				decode_printable(shown_name, sizeof(shown_name),
						 ev.name, strlen(ev.name)));
		}
		f = &ev.fields[ev.nfields++];
		memcpy(f->name, word, (size_t)(colon - word));
		strcpy(f->kind, colon + 1);
	}
	if (trace_data_event(td, ev.id) != NULL) {
		return decode_fail(td, -ERR_INVAL, off,
				   "schema: event id %u declared twice", ev.id);
	}
	grown = realloc(td->events, (td->nevents + 1) * sizeof(ev));
	if (grown == NULL) {
		return decode_fail(td, -ERR_NOMEM, off, "out of memory");
	}
	td->events = grown;
	td->events[td->nevents++] = ev;
	return 0;
}

static int schema_add_enum(struct trace_data *td, const char *line,
			   const char *end, uint64_t off)
{
	struct trace_schema_enum e;
	char word[64];
	void *grown;

	memset(&e, 0, sizeof(e));
	if (!schema_word(&line, end, e.kind, sizeof(e.kind)) ||
	    !schema_word(&line, end, word, sizeof(word)) ||
	    !schema_number(word, &e.value) ||
	    !schema_word(&line, end, e.name, sizeof(e.name))) {
		return decode_fail(td, -ERR_INVAL, off,
				   "schema: malformed enum line");
	}
	grown = realloc(td->enums, (td->nenums + 1) * sizeof(e));
	if (grown == NULL) {
		return decode_fail(td, -ERR_NOMEM, off, "out of memory");
	}
	td->enums = grown;
	td->enums[td->nenums++] = e;
	return 0;
}

/* Parses the SCHEMA chunk's text: "enum K V NAME" and "event ID NAME f:K". */
static int decode_schema(struct trace_data *td, const uint8_t *p,
			 uint32_t bytes, uint64_t off)
{
	const char *s = (const char *)p;
	const char *end = s + bytes;

	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *eol = nl != NULL ? nl : end;
		uint64_t line_off = off + (uint64_t)(s - (const char *)p);
		char shown[41];
		int ret = 0;

		if ((size_t)(eol - s) > 6 && memcmp(s, "event ", 6) == 0) {
			ret = schema_add_event(td, s + 6, eol, line_off);
		} else if ((size_t)(eol - s) > 5 &&
			   memcmp(s, "enum ", 5) == 0) {
			ret = schema_add_enum(td, s + 5, eol, line_off);
		} else if (eol != s) {
			ret = decode_fail(td, -ERR_INVAL, line_off,
					  "schema: unknown line \"%s\"",
					  decode_printable(shown, sizeof(shown),
							   s,
							   (size_t)(eol - s)));
		}
		if (ret != 0) {
			return ret;
		}
		s = eol + 1;
	}
	return 0;
}

static int decode_header(struct trace_data *td, const uint8_t *buf, size_t len)
{
	const struct trace_file_header *h;

	if (len < sizeof(struct trace_file_header)) {
		return decode_fail(
			td, -ERR_TRUNC, 0,
			"file is %zu bytes, shorter than the %zu-byte header",
			len, sizeof(struct trace_file_header));
	}
	h = (const void *)buf;
	if (memcmp(h->magic, TRACE_MAGIC, sizeof(h->magic)) != 0) {
		return decode_fail(td, -ERR_INVAL, 0,
				   "not a faultline trace (bad magic)");
	}
	td->version = (uint32_t)le(buf + 8, 4);
	if (td->version != TRACE_FORMAT_VERSION) {
		return decode_fail(td, -ERR_INVAL, 8,
				   "format version %u, this decoder reads %u",
				   td->version, TRACE_FORMAT_VERSION);
	}
	if (le(buf + 12, 4) != sizeof(struct trace_file_header)) {
		return decode_fail(td, -ERR_INVAL, 12,
				   "header size %u, expected %zu",
				   (unsigned)le(buf + 12, 4),
				   sizeof(struct trace_file_header));
	}
	if (le(buf + 16, 4) != sizeof(struct trace_record)) {
		return decode_fail(
			td, -ERR_INVAL, 16, "record size %u, expected %zu",
			(unsigned)le(buf + 16, 4), sizeof(struct trace_record));
	}
	td->ncpus = (uint32_t)le(buf + 20, 4);
	if (td->ncpus == 0 || td->ncpus > TRACE_FILE_MAX_CPUS) {
		return decode_fail(td, -ERR_INVAL, 20, "bad CPU count %u",
				   td->ncpus);
	}
	td->counter_freq = le(buf + 24, 8);
	if (td->counter_freq == 0) {
		return decode_fail(td, -ERR_INVAL, 24,
				   "counter frequency is 0");
	}
	td->complete = (le(buf + 32, 4) & TRACE_FLAG_COMPLETE) != 0;
	td->schema_hash = le(buf + 40, 8);
	memcpy(td->build_id, h->build_id, sizeof(td->build_id));
	for (unsigned i = 0; i < TRACE_FILE_MAX_CPUS; i++) {
		td->lost[i] = h->lost[i];
		td->lost_total += h->lost[i];
	}
	return 0;
}

/* Appends the @count records of an EVENTS chunk for @cpu at @p. */
static int decode_events(struct trace_data *td, const uint8_t *p,
			 uint32_t count, uint16_t cpu, uint64_t off,
			 uint32_t *next_seq, bool *seen)
{
	if (td->nrecords + count > td->records_cap) {
		/* Doubling: a trace of n records costs O(n) copies, not O(n^2). */
		size_t cap = td->records_cap > 0 ? td->records_cap : 1024;
		void *grown;

		while (cap < td->nrecords + count) {
			cap *= 2;
		}
		grown = realloc(td->records, cap * sizeof(struct trace_record));
		if (grown == NULL) {
			return decode_fail(td, -ERR_NOMEM, off,
					   "out of memory");
		}
		td->records = grown;
		td->records_cap = cap;
	}
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *r = p + (size_t)i * sizeof(struct trace_record);
		uint64_t roff = off + (uint64_t)i * sizeof(struct trace_record);
		struct trace_record rec;

		rec.ts = le(r, 8);
		rec.id = (uint16_t)le(r + 8, 2);
		rec.cpu = (uint16_t)le(r + 10, 2);
		rec.seq = (uint32_t)le(r + 12, 4);
		for (unsigned f = 0; f < TRACE_MAX_FIELDS; f++) {
			rec.f[f] = le(r + 16 + 8 * f, 8);
		}
		if (rec.cpu != cpu) {
			return decode_fail(
				td, -ERR_INVAL, roff + 10,
				"record says cpu %u inside a chunk of cpu %u",
				rec.cpu, cpu);
		}
		if (trace_data_event(td, rec.id) == NULL) {
			return decode_fail(td, -ERR_INVAL, roff + 8,
					   "unknown event id %u", rec.id);
		}
		if (seen[cpu] && rec.seq != next_seq[cpu]) {
			if ((uint32_t)(rec.seq - next_seq[cpu]) >
			    UINT32_MAX / 2) {
				return decode_fail(td, -ERR_INVAL, roff + 12,
						   "sequence number goes back "
						   "on cpu %u (%u after %u)",
						   cpu, rec.seq,
						   next_seq[cpu] - 1);
			}
			td->seq_gaps[cpu] += rec.seq - next_seq[cpu];
		}
		seen[cpu] = true;
		next_seq[cpu] = rec.seq + 1;
		td->records[td->nrecords++] = rec;
	}
	return 0;
}

static int record_order(const void *a, const void *b)
{
	const struct trace_record *x = a;
	const struct trace_record *y = b;

	if (x->ts != y->ts) {
		return x->ts < y->ts ? -1 : 1;
	}
	if (x->cpu != y->cpu) {
		return x->cpu < y->cpu ? -1 : 1;
	}
	return x->seq < y->seq ? -1 : (x->seq > y->seq);
}

static int decode_chunks(struct trace_data *td, const uint8_t *buf, size_t len)
{
	uint32_t next_seq[TRACE_FILE_MAX_CPUS] = {0};
	bool seen[TRACE_FILE_MAX_CPUS] = {false};
	bool have_schema = false;
	bool have_end = false;
	size_t off = sizeof(struct trace_file_header);

	while (off < len) {
		const uint8_t *c = buf + off;
		uint32_t magic, count, bytes;
		uint16_t type, cpu;
		int ret = 0;

		if (len - off < sizeof(struct trace_chunk_header)) {
			return decode_fail(td, -ERR_TRUNC, off,
					   "file ends inside a chunk header");
		}
		magic = (uint32_t)le(c, 4);
		type = (uint16_t)le(c + 4, 2);
		cpu = (uint16_t)le(c + 6, 2);
		count = (uint32_t)le(c + 8, 4);
		bytes = (uint32_t)le(c + 12, 4);
		if (magic != TRACE_CHUNK_MAGIC) {
			return decode_fail(td, -ERR_INVAL, off,
					   "bad chunk magic 0x%08x", magic);
		}
		if (have_end) {
			return decode_fail(td, -ERR_INVAL, off,
					   "chunk after the END chunk");
		}
		off += sizeof(struct trace_chunk_header);
		if (type == TRACE_CHUNK_EVENTS) {
			uint32_t whole = (uint32_t)MIN(
				(uint64_t)count,
				(len - off) / sizeof(struct trace_record));

			if (!have_schema) {
				return decode_fail(td, -ERR_INVAL, off - 16,
						   "events before the schema");
			}
			if (cpu >= td->ncpus) {
				return decode_fail(
					td, -ERR_INVAL, off - 10,
					"chunk for cpu %u, file has %u", cpu,
					td->ncpus);
			}
			if ((uint64_t)count * sizeof(struct trace_record) !=
			    bytes) {
				return decode_fail(
					td, -ERR_INVAL, off - 4,
					"chunk of %u records claims %u bytes",
					count, bytes);
			}
			/* Keep the whole records of a truncated chunk. */
			ret = decode_events(td, c + 16, whole, cpu, off,
					    next_seq, seen);
			if (ret == 0 && whole < count) {
				return decode_fail(
					td, -ERR_TRUNC,
					off + (uint64_t)whole *
							sizeof(struct
							       trace_record),
					"file ends inside an events chunk (%u "
					"of %u records)",
					whole, count);
			}
		} else if (bytes > len - off) {
			return decode_fail(
				td, -ERR_TRUNC, off,
				"file ends inside a chunk of %u bytes", bytes);
		} else if (type == TRACE_CHUNK_SCHEMA) {
			if (have_schema) {
				return decode_fail(td, -ERR_INVAL, off - 16,
						   "second schema chunk");
			}
			have_schema = true;
			ret = decode_schema(td, c + 16, bytes, off);
		} else if (type == TRACE_CHUNK_END) {
			if (bytes != sizeof(struct trace_end_payload)) {
				return decode_fail(td, -ERR_INVAL, off - 4,
						   "END chunk of %u bytes",
						   bytes);
			}
			have_end = true;
			td->end_seen = true;
		} else {
			return decode_fail(td, -ERR_INVAL, off - 12,
					   "unknown chunk type %u", type);
		}
		if (ret != 0) {
			return ret;
		}
		off += bytes;
	}
	if (!have_schema) {
		return decode_fail(td, -ERR_TRUNC, off, "no schema chunk");
	}
	/* The header's flag and the END chunk must agree. */
	if (td->complete != have_end) {
		td->complete = false;
		return decode_fail(td, -ERR_INVAL, 32,
				   "header %s complete but the END chunk is %s",
				   have_end ? "is not marked" : "is marked",
				   have_end ? "present" : "missing");
	}
	return 0;
}

int trace_data_parse(const void *buf, size_t len, struct trace_data *td)
{
	int ret;

	memset(td, 0, sizeof(*td));
	ret = decode_header(td, buf, len);
	if (ret == 0) {
		ret = decode_chunks(td, buf, len);
	}
	/*
	 * "Complete" means the END chunk was read and agreed with the header:
	 * damage found before it (a file cut short despite its flag) means
	 * the reader cannot vouch for completeness.
	 */
	if (ret != 0 && !td->end_seen) {
		td->complete = false;
	}
	if (td->nrecords > 1) {
		qsort(td->records, td->nrecords, sizeof(td->records[0]),
		      record_order);
	}
	return ret;
}

int trace_data_load_file(const char *path, struct trace_data *td)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0;
	size_t cap = 0;
	int ret;

	memset(td, 0, sizeof(*td));
	if (f == NULL) {
		return decode_fail(td, -ERR_IO, 0, "cannot open %s: %s", path,
				   strerror(errno));
	}
	for (;;) {
		size_t n;

		if (len == cap) {
			uint8_t *grown;

			cap = cap == 0 ? 65536 : cap * 2;
			grown = realloc(buf, cap);
			if (grown == NULL) {
				free(buf);
				fclose(f);
				return decode_fail(td, -ERR_NOMEM, len,
						   "out of memory");
			}
			buf = grown;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			break;
		}
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return decode_fail(td, -ERR_IO, len, "cannot read %s", path);
	}
	fclose(f);
	ret = trace_data_parse(buf, len, td);
	free(buf);
	return ret;
}

void trace_data_free(struct trace_data *td)
{
	free(td->events);
	free(td->enums);
	free(td->records);
	td->events = NULL;
	td->enums = NULL;
	td->records = NULL;
	td->nevents = 0;
	td->nenums = 0;
	td->nrecords = 0;
	td->records_cap = 0;
}

const struct trace_schema_event *trace_data_event(const struct trace_data *td,
						  uint16_t id)
{
	for (size_t i = 0; i < td->nevents; i++) {
		if (td->events[i].id == id) {
			return &td->events[i];
		}
	}
	return NULL;
}

bool trace_data_field(const struct trace_data *td, const struct trace_record *r,
		      const char *name, uint64_t *value)
{
	const struct trace_schema_event *ev = trace_data_event(td, r->id);

	for (unsigned i = 0; ev != NULL && i < ev->nfields; i++) {
		if (strcmp(ev->fields[i].name, name) == 0) {
			*value = r->f[i];
			return true;
		}
	}
	return false;
}

const char *trace_data_enum_name(const struct trace_data *td, const char *kind,
				 uint64_t value)
{
	for (size_t i = 0; i < td->nenums; i++) {
		if (td->enums[i].value == value &&
		    strcmp(td->enums[i].kind, kind) == 0) {
			return td->enums[i].name;
		}
	}
	return NULL;
}

char *trace_data_format(const struct trace_data *td, const char *kind,
			uint64_t value, char *buf, size_t size)
{
	const char *name;

	if (strcmp(kind, "U64") == 0) {
		snprintf(buf, size, "%llu", (unsigned long long)value);
	} else if (strcmp(kind, "HEX") == 0) {
		snprintf(buf, size, "0x%llx", (unsigned long long)value);
	} else if (strcmp(kind, "BOOL") == 0) {
		snprintf(buf, size, "%s", value ? "true" : "false");
	} else if ((name = trace_data_enum_name(td, kind, value)) != NULL) {
		snprintf(buf, size, "%s", name);
	} else {
		snprintf(buf, size, "%llu", (unsigned long long)value);
	}
	return buf;
}

uint64_t trace_data_rel_ns(const struct trace_data *td, uint64_t ts)
{
	uint64_t first = td->nrecords > 0 ? td->records[0].ts : ts;

	return ts < first ? 0 : time_ticks_to_ns(ts - first, td->counter_freq);
}
