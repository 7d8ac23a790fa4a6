/*
 * The host-side trace decoder. Reads a whole trace file into memory,
 * validating as it goes: a wrong magic or version, a corrupt chunk, a
 * record of an unknown event or a truncated file gives an error with the
 * byte offset, and every record before the damage is kept, so a caller
 * can still export what arrived.
 */
#ifndef FAULTLINE_TRACE_DECODE_H
#define FAULTLINE_TRACE_DECODE_H

#include <faultline/trace/event.h>
#include <faultline/trace/format.h>
#include <faultline/types.h>

/** One field of an event, as the file's SCHEMA chunk declares it. */
struct trace_schema_field {
	char name[32];
	/** "U64", "HEX", "BOOL" or the name of an enum kind. */
	char kind[32];
};

/** One event, as the file's SCHEMA chunk declares it. */
struct trace_schema_event {
	uint16_t id;
	char name[48];
	unsigned nfields;
	struct trace_schema_field fields[TRACE_MAX_FIELDS];
};

/** One value of an enum kind, as the file's SCHEMA chunk declares it. */
struct trace_schema_enum {
	char kind[32];
	uint64_t value;
	char name[32];
};

/** A decoded trace file. */
struct trace_data {
	/* From the file header. */
	uint32_t version;
	uint32_t ncpus;
	uint64_t counter_freq;
	uint64_t schema_hash;
	uint8_t build_id[TRACE_BUILD_ID_LEN];
	/**
	 * The run finished writing the file: the header's flag is set, and
	 * the END chunk was read and agrees with it.
	 */
	bool complete;
	/** The END chunk was read. */
	bool end_seen;
	/** Events each CPU dropped (valid when complete). */
	uint64_t lost[TRACE_FILE_MAX_CPUS];
	uint64_t lost_total;

	/* From the SCHEMA chunk. */
	struct trace_schema_event *events;
	size_t nevents;
	struct trace_schema_enum *enums;
	size_t nenums;

	/** Every record, ordered by (timestamp, cpu, sequence number). */
	struct trace_record *records;
	size_t nrecords;
	/** Records @records has room for (it grows geometrically). */
	size_t records_cap;
	/** Sequence-number gaps seen per CPU (events missing in the file). */
	uint64_t seq_gaps[TRACE_FILE_MAX_CPUS];

	/** 0, or the negative error of the first damage found. */
	int error;
	/** Byte offset of that damage in the file. */
	uint64_t error_offset;
	/** What was wrong, for the user ("unknown event id 77"...). */
	char error_msg[256];
};

/**
 * Decodes the file at @path into @td (which the caller frees with
 * trace_data_free() in every case). Returns 0 when the whole file decoded,
 * -ERR_IO when it cannot be read, or the damage's error (-ERR_INVAL,
 * -ERR_TRUNC) with td->error_* set and td holding everything before it.
 * A file without an END chunk is not an error: td->complete is false.
 */
int trace_data_load_file(const char *path, struct trace_data *td);

/** trace_data_load_file() on @len bytes at @buf. */
int trace_data_parse(const void *buf, size_t len, struct trace_data *td);

/** Frees what trace_data_parse() allocated; @td may be zeroed. */
void trace_data_free(struct trace_data *td);

/** The schema entry of event @id, or NULL. */
const struct trace_schema_event *trace_data_event(const struct trace_data *td,
						  uint16_t id);

/**
 * The value of field @name of record @r in *@value. Returns true when the
 * record's event has such a field.
 */
bool trace_data_field(const struct trace_data *td, const struct trace_record *r,
		      const char *name, uint64_t *value);

/** The name of @value in enum @kind, or NULL when the schema has none. */
const char *trace_data_enum_name(const struct trace_data *td, const char *kind,
				 uint64_t value);

/**
 * Renders @value of a field of kind @kind into @buf: decimal for U64,
 * 0x-hex for HEX, true/false for BOOL, the value's name for an enum (or
 * the number when the schema has no name for it). Returns @buf.
 */
char *trace_data_format(const struct trace_data *td, const char *kind,
			uint64_t value, char *buf, size_t size);

/** Nanoseconds since the first record of the trace for timestamp @ts. */
uint64_t trace_data_rel_ns(const struct trace_data *td, uint64_t ts);

#endif /* FAULTLINE_TRACE_DECODE_H */
