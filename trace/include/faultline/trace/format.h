/*
 * The binary trace file (docs/trace-format.md is the specification). All
 * integers are little-endian.
 *
 *   file header (256 bytes)
 *   chunk*: chunk header (16 bytes) + payload
 *     SCHEMA  the event table as text, so a reader needs no copy of ours
 *     EVENTS  records of one CPU, oldest first
 *     END     the total and lost event counts; present only when the run
 *             finished writing the file
 *
 * The header is written first with TRACE_FLAG_COMPLETE clear and rewritten
 * at the end with the lost counts and the flag set, so a file cut short by a
 * crash or a killed QEMU still decodes up to its last whole chunk.
 */
#ifndef FAULTLINE_TRACE_FORMAT_H
#define FAULTLINE_TRACE_FORMAT_H

#include <faultline/types.h>

/**
 * Version of the file format and of the event table. Bump it, and set
 * TRACE_SCHEMA_HASH to the new trace_schema_hash(), whenever the header,
 * the chunks or trace/events.def change: a test enforces it.
 */
#define TRACE_FORMAT_VERSION 9
/** trace_schema_hash() of the event table this version describes. */
#define TRACE_SCHEMA_HASH UINT64_C(0x561747b0cfe8aa77)

/** The 8 bytes a trace file starts with. */
#define TRACE_MAGIC "FLTRACE\0"
/** Most CPUs a file describes (lost counts are kept for each). */
#define TRACE_FILE_MAX_CPUS 16
/** Bytes of the build id kept (a GNU build-id note is 20 bytes). */
#define TRACE_BUILD_ID_LEN 20

/** Set in the header's flags once the END chunk has been written. */
#define TRACE_FLAG_COMPLETE 1u

/** The file header. */
struct trace_file_header {
	char magic[8];
	uint32_t version;
	uint32_t header_size;
	uint32_t record_size;
	uint32_t ncpus;
	uint64_t counter_freq;
	uint32_t flags;
	uint32_t reserved0;
	uint64_t schema_hash;
	uint8_t build_id[TRACE_BUILD_ID_LEN];
	uint32_t reserved1;
	uint64_t lost[TRACE_FILE_MAX_CPUS];
	uint8_t reserved2[56];
};
_Static_assert(sizeof(struct trace_file_header) == 256, "header layout");

/** Chunk types. */
enum trace_chunk_type {
	TRACE_CHUNK_SCHEMA = 1,
	TRACE_CHUNK_EVENTS = 2,
	TRACE_CHUNK_END = 3,
};

/** The 4 bytes every chunk header starts with ("FLCK"). */
#define TRACE_CHUNK_MAGIC 0x4b434c46u

/** A chunk header; @bytes of payload follow it. */
struct trace_chunk_header {
	uint32_t magic;
	uint16_t type;
	uint16_t cpu;
	uint32_t count;
	uint32_t bytes;
};
_Static_assert(sizeof(struct trace_chunk_header) == 16, "chunk layout");

/** Payload of the END chunk. */
struct trace_end_payload {
	uint64_t total_events;
	uint64_t lost[TRACE_FILE_MAX_CPUS];
};
_Static_assert(sizeof(struct trace_end_payload) == 136, "end layout");

#endif /* FAULTLINE_TRACE_FORMAT_H */
