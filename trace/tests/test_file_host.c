/*
 * The trace file: written by the portable writer through the host arch's
 * file I/O, read back by the decoder; and the decoder's behaviour on
 * damaged files. Host only (files, malloc).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <faultline/arch/cpu.h>
#include <faultline/err.h>
#include <faultline/test.h>
#include <faultline/trace/decode.h>
#include <faultline/trace/export.h>
#include <faultline/trace/ring.h>
#include <faultline/trace/writer.h>

#include "host_arch.h"

static const uint8_t test_build_id[TRACE_BUILD_ID_LEN] = {
	0xde, 0xad, 0xbe, 0xef, 1,  2,  3,  4,  5,  6,
	7,    8,    9,    10,   11, 12, 13, 14, 15, 16};

/* Writes a trace of @n events per CPU on 2 CPUs; returns the file's path. */
static char *write_trace(unsigned n, bool close_it)
{
	static char path[64];
	struct trace_writer w;
	int fd;

	snprintf(path, sizeof(path), "/tmp/faultline-test-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0) {
		return NULL;
	}
	close(fd);
	trace_rings_reset();
	for (unsigned cpu = 0; cpu < 2; cpu++) {
		host_set_cpu_index(cpu);
		for (unsigned i = 0; i < n; i++) {
			trace_tlbi_at(1000 + 10 * i + cpu,
				      TRACE_TLBI_OP_VMALLE1, i, cpu,
				      TRACE_SHARE_NSH, 42);
		}
	}
	host_set_cpu_index(0);
	if (trace_writer_open(&w, path, 2, 62500000, test_build_id,
			      sizeof(test_build_id)) != 0 ||
	    trace_writer_drain(&w) != 0) {
		return NULL;
	}
	if (close_it && trace_writer_close(&w) != 0) {
		return NULL;
	}
	if (!close_it) {
		close(w.fd);
	}
	return path;
}

static uint8_t *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (f == NULL) {
		return NULL;
	}
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/** What the writer writes, the decoder reads back: header, schema, every record in time order. */
TEST(trace_file, round_trip)
{
	struct trace_data td;
	char *path = write_trace(50, true);
	int ret;

	ASSERT_TRUE(path != NULL);
	ret = trace_data_load_file(path, &td);
	EXPECT_EQ_INT(ret, 0);
	EXPECT_TRUE(td.complete);
	EXPECT_EQ(td.version, TRACE_FORMAT_VERSION);
	EXPECT_EQ(td.ncpus, 2);
	EXPECT_EQ(td.counter_freq, 62500000);
	EXPECT_EQ(td.schema_hash, trace_schema_hash());
	EXPECT_TRUE(memcmp(td.build_id, test_build_id, sizeof(test_build_id)) ==
		    0);
	EXPECT_EQ(td.nevents, trace_nevents);
	EXPECT_EQ(td.lost_total, 0);
	ASSERT_EQ(td.nrecords, 100);
	for (size_t i = 0; i < td.nrecords; i++) {
		const struct trace_record *r = &td.records[i];
		uint64_t v;

		/* Sorted by time: cpu 0 and 1 interleave. */
		EXPECT_EQ(r->ts, 1000 + 10 * (i / 2) + (i % 2));
		EXPECT_EQ(r->cpu, i % 2);
		EXPECT_EQ(r->id, TRACE_EV_tlbi);
		EXPECT_TRUE(trace_data_field(&td, r, "addr", &v));
		EXPECT_EQ(v, i / 2);
		EXPECT_TRUE(trace_data_field(&td, r, "vmid", &v));
		EXPECT_EQ(v, 42);
		EXPECT_TRUE(!trace_data_field(&td, r, "nonexistent", &v));
	}
	trace_data_free(&td);
	unlink(path);
}

/** Events dropped by a full ring are reported in the header's lost counts. */
TEST(trace_file, lost_events_reach_the_header)
{
	struct trace_data td;
	char *path = write_trace(TRACE_RING_RECORDS + 7, true);

	ASSERT_TRUE(path != NULL);
	EXPECT_EQ_INT(trace_data_load_file(path, &td), 0);
	EXPECT_EQ(td.lost[0], 7);
	EXPECT_EQ(td.lost[1], 7);
	EXPECT_EQ(td.lost_total, 14);
	EXPECT_EQ(td.nrecords, 2 * TRACE_RING_RECORDS);
	trace_data_free(&td);
	unlink(path);
}

/** A file whose writer never closed it decodes fully but is marked incomplete. */
TEST(trace_file, unfinished_file_is_incomplete_not_damaged)
{
	struct trace_data td;
	char *path = write_trace(3, false);

	ASSERT_TRUE(path != NULL);
	EXPECT_EQ_INT(trace_data_load_file(path, &td), 0);
	EXPECT_TRUE(!td.complete);
	EXPECT_EQ(td.nrecords, 6);
	trace_data_free(&td);
	unlink(path);
}

/** Every truncation of a good file decodes without crashing, keeps whole records, and says where it ends. */
TEST(trace_file, every_truncation_is_reported)
{
	char *path = write_trace(4, true);
	size_t len;
	uint8_t *buf;
	size_t last_records = 0;

	ASSERT_TRUE(path != NULL);
	buf = read_all(path, &len);
	ASSERT_TRUE(buf != NULL);
	for (size_t cut = 0; cut < len; cut++) {
		struct trace_data td;
		int ret = trace_data_parse(buf, cut, &td);

		if (!EXPECT_TRUE(ret < 0)) {
			test_fail(test_ctx, __FILE__, __LINE__,
				  "truncation at %zu decoded as whole", cut);
		}
		EXPECT_TRUE(td.error_offset <= cut);
		EXPECT_TRUE(td.error_msg[0] != '\0');
		/* Never more records from a shorter prefix. */
		EXPECT_TRUE(td.nrecords >= last_records ||
			    cut <= sizeof(struct trace_file_header));
		last_records = td.nrecords;
		trace_data_free(&td);
	}
	free(buf);
	unlink(path);
}

/* Finds the byte offset of the first EVENTS chunk's first record. */
static size_t first_record_offset(const uint8_t *buf, size_t len)
{
	size_t off = sizeof(struct trace_file_header);

	while (off + 16 <= len) {
		uint16_t type = (uint16_t)(buf[off + 4] | buf[off + 5] << 8);
		uint32_t bytes;

		memcpy(&bytes, buf + off + 12, 4);
		if (type == TRACE_CHUNK_EVENTS) {
			return off + 16;
		}
		off += 16 + bytes;
	}
	return 0;
}

/** An unknown event id stops decoding at that record's id field, keeping the records before it. */
TEST(trace_file, unknown_event_id_has_offset)
{
	char *path = write_trace(5, true);
	struct trace_data td;
	size_t len, rec;
	uint8_t *buf;

	ASSERT_TRUE(path != NULL);
	buf = read_all(path, &len);
	ASSERT_TRUE(buf != NULL);
	rec = first_record_offset(buf, len);
	ASSERT_TRUE(rec != 0);
	/* Third record of cpu 0: id 0x7777. */
	buf[rec + 2 * 64 + 8] = 0x77;
	buf[rec + 2 * 64 + 9] = 0x77;
	EXPECT_EQ_INT(trace_data_parse(buf, len, &td), -ERR_INVAL);
	EXPECT_EQ(td.error_offset, rec + 2 * 64 + 8);
	EXPECT_TRUE(strstr(td.error_msg, "unknown event id 30583") != NULL);
	EXPECT_EQ(td.nrecords, 2);
	trace_data_free(&td);
	free(buf);
	unlink(path);
}

/** A wrong magic, version or chunk magic each give -ERR_INVAL at the right offset. */
TEST(trace_file, corrupt_header_and_chunk)
{
	char *path = write_trace(2, true);
	struct trace_data td;
	size_t len;
	uint8_t *buf;

	ASSERT_TRUE(path != NULL);
	buf = read_all(path, &len);
	ASSERT_TRUE(buf != NULL);

	buf[0] = 'X';
	EXPECT_EQ_INT(trace_data_parse(buf, len, &td), -ERR_INVAL);
	EXPECT_EQ(td.error_offset, 0);
	trace_data_free(&td);
	buf[0] = 'F';

	buf[8] = TRACE_FORMAT_VERSION + 1;
	EXPECT_EQ_INT(trace_data_parse(buf, len, &td), -ERR_INVAL);
	EXPECT_EQ(td.error_offset, 8);
	EXPECT_TRUE(strstr(td.error_msg, "version") != NULL);
	trace_data_free(&td);
	buf[8] = TRACE_FORMAT_VERSION;

	buf[sizeof(struct trace_file_header)] ^= 0xff;
	EXPECT_EQ_INT(trace_data_parse(buf, len, &td), -ERR_INVAL);
	EXPECT_EQ(td.error_offset, sizeof(struct trace_file_header));
	EXPECT_TRUE(strstr(td.error_msg, "chunk magic") != NULL);
	trace_data_free(&td);

	free(buf);
	unlink(path);
}

/** The CSV export names every field in its header and renders enums, hex and booleans. */
TEST(trace_file, csv_export)
{
	char *path = write_trace(1, true);
	struct trace_data td;
	char *text = NULL;
	size_t size = 0;
	FILE *out;

	ASSERT_TRUE(path != NULL);
	ASSERT_EQ_INT(trace_data_load_file(path, &td), 0);
	out = open_memstream(&text, &size);
	ASSERT_TRUE(out != NULL);
	EXPECT_EQ_INT(trace_export_csv(&td, out), 0);
	fclose(out);
	EXPECT_TRUE(strncmp(text, "index,time_ns,ticks,cpu,seq,event,", 34) ==
		    0);
	for (unsigned i = 0; i < trace_nevents; i++) {
		for (unsigned j = 0; j < trace_events[i].nfields; j++) {
			char col[40];

			snprintf(col, sizeof(col), ",%s",
				 trace_events[i].fields[j].name);
			EXPECT_TRUE(strstr(text, col) != NULL);
		}
	}
	/* cpu 1's event, 1 tick after cpu 0's: 16 ns at 62.5 MHz. */
	EXPECT_TRUE(strstr(text, "\n1,16,1001,1,") != NULL);
	EXPECT_TRUE(strstr(text, ",tlbi,") != NULL);
	EXPECT_TRUE(strstr(text, ",vmalle1,0x0,0,nsh,42") != NULL);
	free(text);
	trace_data_free(&td);
	unlink(path);
}

/** A file whose header says complete but which was cut short is not complete. */
TEST(trace_file, cut_short_despite_complete_flag)
{
	char *path = write_trace(4, true);
	struct trace_data td;
	size_t len;
	uint8_t *buf;

	ASSERT_TRUE(path != NULL);
	buf = read_all(path, &len);
	ASSERT_TRUE(buf != NULL);
	/* Cut inside the last events chunk, before the END chunk. */
	EXPECT_EQ_INT(trace_data_parse(buf, len - 200, &td), -ERR_TRUNC);
	EXPECT_TRUE(!td.complete);
	EXPECT_TRUE(!td.end_seen);
	EXPECT_TRUE(td.nrecords > 0);
	trace_data_free(&td);
	EXPECT_EQ_INT(trace_data_parse(buf, len, &td), 0);
	EXPECT_TRUE(td.complete);
	trace_data_free(&td);
	free(buf);
	unlink(path);
}
