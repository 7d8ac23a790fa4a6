/*
 * Writes rings to a trace file (format.h) through arch host I/O. Only one
 * writer may exist at a time: it is the rings' single consumer and uses a
 * static staging buffer.
 */
#include <faultline/arch/hostio.h>
#include <faultline/err.h>
#include <faultline/fmt.h>
#include <faultline/platform.h>
#include <faultline/trace/ring.h>
#include <faultline/trace/writer.h>

/* Records moved per EVENTS chunk. */
#define WRITER_BATCH 256

static struct trace_record writer_batch[WRITER_BATCH];
static char writer_schema[16384];

static int writer_chunk(struct trace_writer *w, uint16_t type, uint16_t cpu,
			uint32_t count, const void *payload, uint32_t bytes)
{
	struct trace_chunk_header ch = {TRACE_CHUNK_MAGIC, type, cpu, count,
					bytes};
	int ret = arch_hostio_write(w->fd, &ch, sizeof(ch));

	if (ret == 0 && bytes > 0) {
		ret = arch_hostio_write(w->fd, payload, bytes);
	}
	return ret;
}

/* Renders the event table as the SCHEMA chunk's text (format.h). */
static int writer_schema_text(size_t *len)
{
	size_t n = 0;
	size_t cap = sizeof(writer_schema);

#define SCHEMA_APPEND(...)                                                     \
	do {                                                                   \
		int k_ =                                                       \
			fmt_snprintf(writer_schema + n, cap - n, __VA_ARGS__); \
		if (k_ < 0 || (size_t)k_ >= cap - n) {                         \
			return -ERR_NOMEM;                                     \
		}                                                              \
		n += (size_t)k_;                                               \
	} while (0)

	for (unsigned i = 0; i < trace_nenums; i++) {
		const struct trace_enum_desc *e = &trace_enums[i];

		for (unsigned j = 0; j < e->nvalues; j++) {
			SCHEMA_APPEND("enum %s %llu %s\n", e->name,
				      (unsigned long long)e->values[j].value,
				      e->values[j].name);
		}
	}
	for (unsigned i = 0; i < trace_nevents; i++) {
		const struct trace_event_desc *ev = &trace_events[i];

		SCHEMA_APPEND("event %u %s", ev->id, ev->name);
		for (unsigned j = 0; j < ev->nfields; j++) {
			SCHEMA_APPEND(" %s:%s", ev->fields[j].name,
				      trace_kind_name(ev->fields[j].kind));
		}
		SCHEMA_APPEND("\n");
	}
#undef SCHEMA_APPEND
	*len = n;
	return 0;
}

int trace_writer_open(struct trace_writer *w, const char *path, unsigned ncpus,
		      uint64_t counter_freq, const uint8_t *build_id,
		      size_t build_id_len)
{
	struct trace_file_header *h = &w->header;
	const char magic[8] = TRACE_MAGIC;
	size_t schema_len;
	int ret;

	if (ncpus == 0 || ncpus > TRACE_FILE_MAX_CPUS) {
		return -ERR_RANGE;
	}
	/* Zero everything, padding included: the header goes to a file. */
	for (size_t i = 0; i < sizeof(*h); i++) {
		((uint8_t *)h)[i] = 0;
	}
	for (size_t i = 0; i < sizeof(magic); i++) {
		h->magic[i] = magic[i];
	}
	h->version = TRACE_FORMAT_VERSION;
	h->header_size = sizeof(*h);
	h->record_size = sizeof(struct trace_record);
	h->ncpus = ncpus;
	h->counter_freq = counter_freq;
	h->schema_hash = trace_schema_hash();
	for (size_t i = 0;
	     build_id != NULL && i < build_id_len && i < TRACE_BUILD_ID_LEN;
	     i++) {
		h->build_id[i] = build_id[i];
	}
	w->total_events = 0;

	ret = writer_schema_text(&schema_len);
	if (ret != 0) {
		return ret;
	}
	w->fd = arch_hostio_create(path);
	if (w->fd < 0) {
		return w->fd;
	}
	ret = arch_hostio_write(w->fd, h, sizeof(*h));
	if (ret == 0) {
		ret = writer_chunk(w, TRACE_CHUNK_SCHEMA, 0, 0, writer_schema,
				   (uint32_t)schema_len);
	}
	if (ret != 0) {
		arch_hostio_close(w->fd);
		w->fd = -1;
	}
	return ret;
}

int trace_writer_drain(struct trace_writer *w)
{
	for (unsigned cpu = 0; cpu < w->header.ncpus; cpu++) {
		size_t n;

		while ((n = trace_ring_drain(cpu, writer_batch, WRITER_BATCH)) >
		       0) {
			int ret = writer_chunk(
				w, TRACE_CHUNK_EVENTS, (uint16_t)cpu,
				(uint32_t)n, writer_batch,
				(uint32_t)(n * sizeof(struct trace_record)));

			if (ret != 0) {
				return ret;
			}
			w->total_events += n;
		}
	}
	return 0;
}

int trace_writer_close(struct trace_writer *w)
{
	struct trace_end_payload end;
	int ret = trace_writer_drain(w);

	for (size_t i = 0; i < sizeof(end); i++) {
		((uint8_t *)&end)[i] = 0;
	}
	end.total_events = w->total_events;
	for (unsigned cpu = 0; cpu < w->header.ncpus; cpu++) {
		end.lost[cpu] = trace_ring_lost(cpu);
		w->header.lost[cpu] = end.lost[cpu];
	}
	if (ret == 0) {
		ret = writer_chunk(w, TRACE_CHUNK_END, 0, 0, &end, sizeof(end));
	}
	if (ret == 0) {
		w->header.flags |= TRACE_FLAG_COMPLETE;
		ret = arch_hostio_seek(w->fd, 0);
	}
	if (ret == 0) {
		ret = arch_hostio_write(w->fd, &w->header, sizeof(w->header));
	}
	if (arch_hostio_close(w->fd) != 0 && ret == 0) {
		ret = -ERR_IO;
	}
	w->fd = -1;
	return ret;
}
