/*
 * The decoder on files damaged in one known way each, built byte by byte
 * in memory so every offset is known: each damage is reported with its
 * error and byte offset, and every record before it is kept
 * (docs/trace-format.md "Reading robustly"). test_file_host.c covers the
 * files the writer makes; tests/fuzz/ fuzzes the rest. Host only.
 */
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>
#include <faultline/test.h>
#include <faultline/trace/decode.h>

#define DM_SCHEMA "enum OP 1 one\nevent 5 ev op:OP n:U64\n"
/* Where a line appended to DM_SCHEMA starts. */
#define DM_NEXT (sizeof(DM_SCHEMA) - 1)
#define DM_CAP 4096

/* A file being assembled; @chunk_at[i] is where chunk i starts. */
struct dm_file {
	uint8_t b[DM_CAP];
	size_t len;
	size_t chunk_at[8];
	unsigned nchunks;
};

static void dm_put(struct dm_file *f, size_t off, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		f->b[off + i] = (uint8_t)(v >> (8 * i));
	}
}

static void dm_chunk(struct dm_file *f, unsigned type, unsigned cpu,
		     uint32_t count, const void *payload, uint32_t bytes)
{
	f->chunk_at[f->nchunks++] = f->len;
	dm_put(f, f->len, TRACE_CHUNK_MAGIC, 4);
	dm_put(f, f->len + 4, type, 2);
	dm_put(f, f->len + 6, cpu, 2);
	dm_put(f, f->len + 8, count, 4);
	dm_put(f, f->len + 12, bytes, 4);
	memcpy(f->b + f->len + 16, payload, bytes);
	f->len += 16 + bytes;
}

/* An EVENTS chunk of @n records of event 5 on @cpu, seq from @seq. */
static void dm_events(struct dm_file *f, unsigned cpu, unsigned n, uint32_t seq)
{
	uint8_t rec[4 * 64] = {0};

	for (unsigned i = 0; i < n; i++) {
		uint8_t *r = rec + 64 * i;

		uint64_t ts = 100 + 10 * (uint64_t)(seq + i) + cpu;

		for (unsigned k = 0; k < 8; k++) {
			r[k] = (uint8_t)(ts >> (8 * k));
		}
		r[8] = 5;
		r[10] = (uint8_t)cpu;
		r[12] = (uint8_t)(seq + i);
		r[16] = 1;
		r[24] = (uint8_t)i;
	}
	dm_chunk(f, TRACE_CHUNK_EVENTS, cpu, n, rec, 64 * n);
}

/*
 * A complete file of 2 CPUs: SCHEMA, EVENTS cpu 0 (2 records), EVENTS
 * cpu 1 (2), EVENTS cpu 0 (1), END. Chunk i starts at f->chunk_at[i].
 */
static void dm_build(struct dm_file *f, const char *schema)
{
	uint8_t end[136] = {5};

	memset(f, 0, sizeof(*f));
	memcpy(f->b, TRACE_MAGIC, 8);
	dm_put(f, 8, TRACE_FORMAT_VERSION, 4);
	dm_put(f, 12, 256, 4);
	dm_put(f, 16, 64, 4);
	dm_put(f, 20, 2, 4);
	dm_put(f, 24, 62500000, 8);
	dm_put(f, 32, TRACE_FLAG_COMPLETE, 4);
	f->len = 256;
	dm_chunk(f, TRACE_CHUNK_SCHEMA, 0, 0, schema, (uint32_t)strlen(schema));
	dm_events(f, 0, 2, 0);
	dm_events(f, 1, 2, 0);
	dm_events(f, 0, 1, 2);
	dm_chunk(f, TRACE_CHUNK_END, 0, 0, end, sizeof(end));
}

/* Decodes @f; the caller checks and frees @td. */
static int dm_parse(const struct dm_file *f, size_t len, struct trace_data *td)
{
	return trace_data_parse(f->b, len, td);
}

/** The file the tests damage decodes whole, so each damage below is the only one. */
TEST(trace_damage, undamaged_file_decodes)
{
	struct dm_file f;
	struct trace_data td;

	dm_build(&f, DM_SCHEMA);
	EXPECT_EQ_INT(dm_parse(&f, f.len, &td), 0);
	EXPECT_TRUE(td.complete);
	EXPECT_EQ(td.nrecords, 5);
	trace_data_free(&td);
}

/** A file cut at any byte is a truncation (or, cut between chunks, a complete flag without END, at 32), keeping exactly the whole records before the cut. */
TEST(trace_damage, every_cut_keeps_exactly_the_whole_records)
{
	struct dm_file f;

	dm_build(&f, DM_SCHEMA);
	for (size_t cut = 0; cut < f.len; cut++) {
		struct trace_data td;
		int ret = dm_parse(&f, cut, &td);
		size_t whole = 0;
		bool boundary = false;

		/* Records of EVENTS chunks 1-3 wholly before the cut. */
		for (unsigned c = 1; c <= 3; c++) {
			size_t first = f.chunk_at[c] + 16;
			unsigned n = c == 3 ? 1 : 2;

			for (unsigned i = 0; i < n; i++) {
				whole += first + 64 * (i + 1) <= cut;
			}
		}
		for (unsigned c = 1; c < f.nchunks; c++) {
			boundary |= cut == f.chunk_at[c];
		}
		if (boundary) {
			EXPECT_EQ_INT(ret, -ERR_INVAL);
			EXPECT_EQ(td.error_offset, 32);
		} else if (!EXPECT_EQ_INT(ret, -ERR_TRUNC)) {
			test_fail(test_ctx, __FILE__, __LINE__,
				  "cut at %zu: %s", cut, td.error_msg);
		}
		EXPECT_TRUE(td.error_offset <= cut);
		if (!EXPECT_EQ(td.nrecords, whole)) {
			test_fail(test_ctx, __FILE__, __LINE__,
				  "cut at %zu kept %zu records", cut,
				  td.nrecords);
		}
		EXPECT_TRUE(!td.complete);
		trace_data_free(&td);
	}
}

/** Each header field that is wrong is named at its own offset, record size included. */
TEST(trace_damage, header_fields_at_their_offsets)
{
	static const struct {
		size_t off;
		unsigned n;
		uint64_t value;
		const char *msg;
	} cases[] = {
		{12, 4, 128, "header size 128"}, {16, 4, 32, "record size 32"},
		{20, 4, 0, "CPU count 0"},       {20, 4, 17, "CPU count 17"},
		{24, 8, 0, "frequency is 0"},    {8, 4, 1, "format version 1"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct dm_file f;
		struct trace_data td;

		dm_build(&f, DM_SCHEMA);
		dm_put(&f, cases[i].off, cases[i].value, cases[i].n);
		EXPECT_EQ_INT(dm_parse(&f, f.len, &td), -ERR_INVAL);
		EXPECT_EQ(td.error_offset, cases[i].off);
		if (!EXPECT_TRUE(strstr(td.error_msg, cases[i].msg) != NULL)) {
			test_fail(test_ctx, __FILE__, __LINE__, "got \"%s\"",
				  td.error_msg);
		}
		EXPECT_EQ(td.nrecords, 0);
		trace_data_free(&td);
	}
}

/** A huge record count is bounded by the bytes actually there: no allocation beyond them, and the records before are kept; a count that disagrees with the size is invalid at the size field. */
TEST(trace_damage, huge_counts_in_chunk_headers)
{
	struct dm_file f;
	struct trace_data td;
	size_t third;

	dm_build(&f, DM_SCHEMA);
	third = f.chunk_at[3];
	/* 0x03ffffff records of 64 bytes: 0xffffffc0, consistent. */
	dm_put(&f, third + 8, 0x03ffffff, 4);
	dm_put(&f, third + 12, 0xffffffc0, 4);
	EXPECT_TRUE(dm_parse(&f, f.len, &td) < 0);
	/* The first two chunks' records, then whatever the bytes hold. */
	EXPECT_TRUE(td.nrecords >= 4);
	EXPECT_TRUE(td.records_cap <= 2048);
	trace_data_free(&td);

	dm_build(&f, DM_SCHEMA);
	dm_put(&f, third + 8, 0xffffffff, 4);
	EXPECT_EQ_INT(dm_parse(&f, f.len, &td), -ERR_INVAL);
	EXPECT_EQ(td.error_offset, third + 12);
	EXPECT_EQ(td.nrecords, 4);
	trace_data_free(&td);

	/* A schema chunk claiming 4 GiB: the file ends inside it. */
	dm_build(&f, DM_SCHEMA);
	dm_put(&f, f.chunk_at[0] + 12, 0xfffffff0, 4);
	EXPECT_EQ_INT(dm_parse(&f, f.len, &td), -ERR_TRUNC);
	EXPECT_EQ(td.error_offset, f.chunk_at[0] + 16);
	trace_data_free(&td);
}

/** An empty EVENTS chunk is no damage. */
TEST(trace_damage, empty_events_chunk_is_fine)
{
	struct dm_file f;
	struct trace_data td;

	dm_build(&f, DM_SCHEMA);
	dm_put(&f, f.chunk_at[2] + 8, 0, 4);
	dm_put(&f, f.chunk_at[2] + 12, 0, 4);
	/* Its two records' bytes now read as a chunk header: cut them out. */
	memmove(f.b + f.chunk_at[2] + 16, f.b + f.chunk_at[3],
		f.len - f.chunk_at[3]);
	f.len -= 128;
	EXPECT_EQ_INT(dm_parse(&f, f.len, &td), 0);
	EXPECT_EQ(td.nrecords, 3);
	trace_data_free(&td);
}

/** A corrupt record stops decoding at its damaged field and keeps the records before it. */
TEST(trace_damage, corrupt_records_keep_what_precedes)
{
	struct dm_file f;
	struct trace_data td;
	size_t rec;

	dm_build(&f, DM_SCHEMA);
	/* cpu 1's second record says it is cpu 0's. */
	rec = f.chunk_at[2] + 16 + 64;
	dm_put(&f, rec + 10, 0, 2);
	EXPECT_EQ_INT(dm_parse(&f, f.len, &td), -ERR_INVAL);
	EXPECT_EQ(td.error_offset, rec + 10);
	EXPECT_EQ(td.nrecords, 3);
	trace_data_free(&td);

	/* cpu 0's third record (second chunk) goes back to seq 1. */
	dm_build(&f, DM_SCHEMA);
	rec = f.chunk_at[3] + 16;
	dm_put(&f, rec + 12, 1, 4);
	EXPECT_EQ_INT(dm_parse(&f, f.len, &td), -ERR_INVAL);
	EXPECT_EQ(td.error_offset, rec + 12);
	EXPECT_TRUE(strstr(td.error_msg, "goes back") != NULL);
	EXPECT_EQ(td.nrecords, 4);
	trace_data_free(&td);

	/* A gap is no damage: counted. */
	dm_build(&f, DM_SCHEMA);
	dm_put(&f, rec + 12, 9, 4);
	EXPECT_EQ_INT(dm_parse(&f, f.len, &td), 0);
	EXPECT_EQ(td.seq_gaps[0], 7);
	trace_data_free(&td);
}

/** Garbage in the schema chunk is reported at the line it starts, and what it quotes is printable whatever the bytes were. */
TEST(trace_damage, schema_garbage_at_its_line)
{
	static const struct {
		const char *text;
		size_t line;
		const char *msg;
	} cases[] = {
		{DM_SCHEMA "event 5 again op:OP\n", DM_NEXT, "declared twice"},
		{DM_SCHEMA "event 65536 big n:U64\n", DM_NEXT,
		 "malformed event"},
		{"enum OP x one\n" DM_SCHEMA, 0, "malformed enum"},
		{"enum OP 1\n" DM_SCHEMA, 0, "malformed enum"},
		{DM_SCHEMA "event 6 e a:U64 b:U64 c:U64 d:U64 e:U64 f:U64 "
			   "g:U64\n",
		 DM_NEXT, "bad field \"g:U64\""},
		{DM_SCHEMA "event 6 e nokind\n", DM_NEXT,
		 "bad field \"nokind\""},
		{DM_SCHEMA "event 6 e :U64\n", DM_NEXT, "bad field"},
		{DM_SCHEMA "event 6 e a:\n", DM_NEXT, "bad field"},
		{DM_SCHEMA
		 "event 6 e a:KKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKKK\n",
		 DM_NEXT, "bad field"},
		{DM_SCHEMA "\x1b]0;pwned\x07\n", DM_NEXT,
		 "unknown line \"?]0;pwned?\""},
		{DM_SCHEMA "event 6 e\x1b[2J a\x01:\n", DM_NEXT,
		 "bad field \"a?:\" of event e?[2J"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct dm_file f;
		struct trace_data td;

		dm_build(&f, cases[i].text);
		EXPECT_EQ_INT(dm_parse(&f, f.len, &td), -ERR_INVAL);
		EXPECT_EQ(td.error_offset, 256 + 16 + cases[i].line);
		if (!EXPECT_TRUE(strstr(td.error_msg, cases[i].msg) != NULL)) {
			test_fail(test_ctx, __FILE__, __LINE__,
				  "case %zu: got \"%s\"", i, td.error_msg);
		}
		for (const char *p = td.error_msg; *p != '\0'; p++) {
			EXPECT_TRUE(*p >= ' ' && *p <= '~');
		}
		EXPECT_EQ(td.nrecords, 0);
		trace_data_free(&td);
	}
}
