/*
 * What the CTF export and its replay program share (trace/ctf.c,
 * trace/ctf_clock.c): the replay file, the schema check, the clock UUID
 * and the clock page. Host only (files, mmap).
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <faultline/err.h>
#include <faultline/test.h>
#include <faultline/trace/ctf.h>

#define CTF_TEST_NREC 5

/* A trace_data whose schema is this build's table, with a few records. */
struct ctf_test_trace {
	struct trace_data td;
	struct trace_schema_event events[64];
	struct trace_record records[CTF_TEST_NREC];
};

static void ctf_test_trace_init(struct ctf_test_trace *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < trace_nevents && i < ARRAY_SIZE(t->events);
	     i++) {
		const struct trace_event_desc *ev = &trace_events[i];
		struct trace_schema_event *sev = &t->events[i];

		sev->id = ev->id;
		snprintf(sev->name, sizeof(sev->name), "%s", ev->name);
		sev->nfields = ev->nfields;
		for (unsigned f = 0; f < ev->nfields; f++) {
			snprintf(sev->fields[f].name,
				 sizeof(sev->fields[f].name), "%s",
				 ev->fields[f].name);
			snprintf(sev->fields[f].kind,
				 sizeof(sev->fields[f].kind), "%s",
				 trace_kind_name(ev->fields[f].kind));
		}
		t->td.nevents++;
	}
	for (unsigned i = 0; i < CTF_TEST_NREC; i++) {
		t->records[i].ts = 1000 + 10 * i;
		t->records[i].id = TRACE_EV_tlbi;
		t->records[i].cpu = (uint16_t)(i % 2);
		t->records[i].seq = i / 2;
		t->records[i].f[0] = TRACE_TLBI_OP_VMALLE1;
		t->records[i].f[1] = 0x1000 * i;
	}
	t->td.events = t->events;
	t->td.records = t->records;
	t->td.nrecords = CTF_TEST_NREC;
	t->td.counter_freq = 62500000;
}

static char *ctf_test_tmp(void)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/faultline-ctf-test-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0) {
		return NULL;
	}
	close(fd);
	return path;
}

/** A replay file reads back as the records and frequency written; a damaged one is refused. */
TEST(ctf, replay_file_round_trip)
{
	static struct ctf_test_trace t;
	struct trace_ctf_replay rp;
	char *path = ctf_test_tmp();
	FILE *f;

	ASSERT_TRUE(path != NULL);
	ctf_test_trace_init(&t);
	ASSERT_EQ_INT(trace_ctf_replay_write(&t.td, path), 0);
	ASSERT_EQ_INT(trace_ctf_replay_read(path, &rp), 0);
	EXPECT_EQ(rp.counter_freq, 62500000);
	EXPECT_EQ(rp.nrecords, CTF_TEST_NREC);
	EXPECT_TRUE(memcmp(rp.records, t.records, sizeof(t.records)) == 0);
	trace_ctf_replay_free(&rp);

	/* A record short: the size no longer matches the count. */
	ASSERT_EQ_INT(
		truncate(path, (off_t)(sizeof(struct trace_ctf_replay_header) +
				       (CTF_TEST_NREC - 1) *
					       sizeof(struct trace_record))),
		0);
	EXPECT_EQ_INT(trace_ctf_replay_read(path, &rp), -ERR_INVAL);
	trace_ctf_replay_free(&rp);

	/* Another file altogether. */
	f = fopen(path, "wb");
	ASSERT_TRUE(f != NULL);
	fputs("FLTRACE and then some more bytes than a header holds.........",
	      f);
	fclose(f);
	EXPECT_EQ_INT(trace_ctf_replay_read(path, &rp), -ERR_INVAL);
	trace_ctf_replay_free(&rp);
	unlink(path);
	EXPECT_EQ_INT(trace_ctf_replay_read(path, &rp), -ERR_IO);
}

/** A trace whose schema matches the table passes; a renamed field or event is named in the error. */
TEST(ctf, schema_check_names_the_difference)
{
	static struct ctf_test_trace t;
	struct trace_schema_event *tlbi = NULL;
	char err[256] = "";

	ctf_test_trace_init(&t);
	EXPECT_EQ_INT(trace_ctf_check_schema(&t.td, err, sizeof(err)), 0);
	for (size_t i = 0; i < t.td.nevents; i++) {
		if (t.events[i].id == TRACE_EV_tlbi) {
			tlbi = &t.events[i];
		}
	}
	ASSERT_TRUE(tlbi != NULL);
	snprintf(tlbi->fields[1].name, sizeof(tlbi->fields[1].name), "va");
	EXPECT_EQ_INT(trace_ctf_check_schema(&t.td, err, sizeof(err)),
		      -ERR_INVAL);
	EXPECT_TRUE(strstr(err, "tlbi") != NULL && strstr(err, "va") != NULL);
	snprintf(tlbi->name, sizeof(tlbi->name), "tlbi_old");
	EXPECT_EQ_INT(trace_ctf_check_schema(&t.td, err, sizeof(err)),
		      -ERR_INVAL);
	EXPECT_TRUE(strstr(err, "tlbi_old") != NULL);
}

/** The clock UUID is a version-4 UUID string, the same for the same trace, another for another run. */
TEST(ctf, clock_uuid_per_trace)
{
	static struct ctf_test_trace t;
	char a[TRACE_CTF_UUID_STR_LEN], b[TRACE_CTF_UUID_STR_LEN];

	ctf_test_trace_init(&t);
	trace_ctf_clock_uuid(&t.td, a);
	trace_ctf_clock_uuid(&t.td, b);
	EXPECT_STREQ(a, b);
	EXPECT_EQ(strlen(a), TRACE_CTF_UUID_STR_LEN - 1);
	EXPECT_TRUE(a[8] == '-' && a[13] == '-' && a[18] == '-' &&
		    a[23] == '-');
	EXPECT_TRUE(a[14] == '4');
	EXPECT_TRUE(strchr("89ab", a[19]) != NULL);
	t.records[0].ts++;
	trace_ctf_clock_uuid(&t.td, b);
	EXPECT_TRUE(strcmp(a, b) != 0);
}

/** The CTF timestamp is the counter's ticks in ns since its zero (16 ns per tick at 62.5 MHz). */
TEST(ctf, timestamps_in_ns_since_the_counters_zero)
{
	EXPECT_EQ(trace_ctf_ns(579159, 62500000), UINT64_C(9266544));
	EXPECT_EQ(trace_ctf_ns(UINT64_C(1) << 50, 62500000),
		  (UINT64_C(1) << 50) * 16);
	EXPECT_EQ(trace_ctf_ns(3, 3), UINT64_C(1000000000));
}

/** Two mappings of the clock page are the same memory, stamped with the layout's magic. */
TEST(ctf, clock_page_is_shared)
{
	char *path = ctf_test_tmp();
	struct trace_ctf_clock_page *a, *b;
	char got[256];

	ASSERT_TRUE(path != NULL);
	/* An empty file, as a first export would find. */
	setenv(TRACE_CTF_ENV_CLOCK_FILE, path, 1);
	EXPECT_EQ_INT(trace_ctf_clock_path(got, sizeof(got)), 0);
	EXPECT_STREQ(got, path);
	a = trace_ctf_clock_map();
	b = trace_ctf_clock_map();
	unsetenv(TRACE_CTF_ENV_CLOCK_FILE);
	ASSERT_TRUE(a != NULL && b != NULL);
	EXPECT_EQ(atomic_load(&a->magic), TRACE_CTF_CLOCK_MAGIC);
	atomic_store(&a->now_ns, UINT64_C(123456789));
	atomic_store(&a->cpu, 3);
	EXPECT_EQ(atomic_load(&b->now_ns), UINT64_C(123456789));
	EXPECT_EQ(atomic_load(&b->cpu), 3);
	trace_ctf_clock_unmap(a);
	trace_ctf_clock_unmap(b);
	unlink(path);
}
