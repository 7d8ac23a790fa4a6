/*
 * The Casemate export (export_casemate.h) on hand-made traces: events
 * emitted through the real emitters at chosen times, written and decoded,
 * then exported; each mapped record kind is compared with its exact text.
 * Host only (files, open_memstream).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <faultline/err.h>
#include <faultline/test.h>
#include <faultline/trace/decode.h>
#include <faultline/trace/export_casemate.h>
#include <faultline/trace/ring.h>
#include <faultline/trace/writer.h>

#include "host_arch.h"

/* Writes what the rings hold to a file and decodes it into @td. */
static int cm_test_load(struct trace_data *td)
{
	static const uint8_t id[4] = {1, 2, 3, 4};
	char path[] = "/tmp/faultline-casemate-XXXXXX";
	struct trace_writer w;
	int fd = mkstemp(path);
	int ret;

	if (fd < 0) {
		return -ERR_IO;
	}
	close(fd);
	host_set_cpu_index(0);
	ret = trace_writer_open(&w, path, 2, 62500000, id, sizeof(id));
	if (ret == 0) {
		ret = trace_writer_drain(&w);
	}
	if (ret == 0) {
		ret = trace_writer_close(&w);
	}
	if (ret == 0) {
		ret = trace_data_load_file(path, td);
	}
	unlink(path);
	return ret;
}

/* Exports @td; returns the text (freed by the caller) and the counts. */
static char *cm_test_export(const struct trace_data *td,
			    struct trace_casemate_stats *st, int *ret)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	if (out == NULL) {
		*ret = -ERR_NOMEM;
		return NULL;
	}
	*ret = trace_export_casemate_stats(td, out, st);
	fclose(out);
	return text;
}

/** A table descriptor written into a fresh page declares both pages first; a leaf in the new table needs nothing more. */
TEST(trace_casemate, pte_write_declares_tables)
{
	struct trace_casemate_stats st;
	struct trace_data td;
	char *text;
	int ret;

	trace_rings_reset();
	host_set_cpu_index(1);
	trace_pte_write_at(100, 0x44890000, 0, 1, 0, 0x4488f003, 1);
	trace_pte_write_at(101, 0x4488f008, 0x40000000, 3, 0, 0x4024477f, 1);
	ASSERT_EQ_INT(cm_test_load(&td), 0);
	text = cm_test_export(&td, &st, &ret);
	ASSERT_TRUE(text != NULL);
	EXPECT_EQ_INT(ret, 0);
	EXPECT_STREQ(text,
		     "(mem-init (id 0) (tid 1) (address 0x44890000) (size "
		     "0x1000) (src \"init:0\"))\n"
		     "(mem-init (id 1) (tid 1) (address 0x4488f000) (size "
		     "0x1000) (src \"init:0\"))\n"
		     "(mem-write (id 2) (tid 1) (mem-order release) (address "
		     "0x44890000) (value 0x4488f003) (src \"pte_write:0\"))\n"
		     "(mem-write (id 3) (tid 1) (mem-order release) (address "
		     "0x4488f008) (value 0x4024477f) (src \"pte_write:1\"))\n");
	EXPECT_EQ(st.records, 4);
	EXPECT_EQ(st.mem_inits, 2);
	EXPECT_EQ(st.skipped, 0);
	free(text);
	trace_data_free(&td);
}

/** Break-before-make is two writes: faultline's locked invalid entry, then the new one. */
TEST(trace_casemate, bbm_break_and_make)
{
	struct trace_casemate_stats st;
	struct trace_data td;
	char *text;
	int ret;

	trace_rings_reset();
	host_set_cpu_index(0);
	trace_bbm_break_at(100, 0x42898000, 0x80000000, 3, 0x40000042e007ff, 1);
	trace_bbm_make_at(101, 0x42898000, 0x80000000, 3, 0x40000042e0077f, 1);
	ASSERT_EQ_INT(cm_test_load(&td), 0);
	text = cm_test_export(&td, &st, &ret);
	ASSERT_TRUE(text != NULL);
	EXPECT_EQ_INT(ret, 0);
	EXPECT_STREQ(text,
		     "(mem-init (id 0) (tid 0) (address 0x42898000) (size "
		     "0x1000) (src \"init:0\"))\n"
		     "(mem-write (id 1) (tid 0) (mem-order release) (address "
		     "0x42898000) (value 0x200000000000000) (src "
		     "\"bbm_break:0\"))\n"
		     "(mem-write (id 2) (tid 0) (mem-order release) (address "
		     "0x42898000) (value 0x40000042e0077f) (src "
		     "\"bbm_make:1\"))\n");
	free(text);
	trace_data_free(&td);
}

/** DSBs keep their domain (a wider one becomes ish); NSHST, weaker than anything Casemate names, is left out and counted; ISB is a barrier. */
TEST(trace_casemate, barriers)
{
	struct trace_casemate_stats st;
	struct trace_data td;
	char *text;
	int ret;

	trace_rings_reset();
	host_set_cpu_index(0);
	trace_dsb_at(100, TRACE_SHARE_NSH);
	trace_dsb_at(101, TRACE_SHARE_ISH);
	trace_dsb_at(102, TRACE_SHARE_ISHST);
	trace_dsb_at(103, TRACE_SHARE_OSH);
	trace_dsb_at(104, TRACE_SHARE_SY);
	trace_dsb_at(105, TRACE_SHARE_NSHST);
	trace_isb_at(106, TRACE_ISB_SITE_TLBI);
	ASSERT_EQ_INT(cm_test_load(&td), 0);
	text = cm_test_export(&td, &st, &ret);
	ASSERT_TRUE(text != NULL);
	EXPECT_EQ_INT(ret, 0);
	EXPECT_STREQ(
		text,
		"(barrier (id 0) (tid 0) dsb (kind nsh) (src \"dsb:0\"))\n"
		"(barrier (id 1) (tid 0) dsb (kind ish) (src \"dsb:1\"))\n"
		"(barrier (id 2) (tid 0) dsb (kind ishst) (src \"dsb:2\"))\n"
		"(barrier (id 3) (tid 0) dsb (kind ish) (src \"dsb:3\"))\n"
		"(barrier (id 4) (tid 0) dsb (kind ish) (src \"dsb:4\"))\n"
		"(barrier (id 5) (tid 0) isb (src \"isb:6\"))\n");
	EXPECT_EQ(st.unsupported, 1);
	EXPECT_EQ(st.unsupported_dsb, 1);
	free(text);
	trace_data_free(&td);
}

/** TLBIs take Casemate's names with "is" for inner shareable; the by-IPA one carries IPA[47:12] as its operand; what Casemate cannot name is counted. */
TEST(trace_casemate, tlbis)
{
	struct trace_casemate_stats st;
	struct trace_data td;
	char *text;
	int ret;

	trace_rings_reset();
	host_set_cpu_index(1);
	trace_tlbi_at(100, TRACE_TLBI_OP_IPAS2E1, 0x80001000, 3,
		      TRACE_SHARE_ISH, 1);
	trace_tlbi_at(101, TRACE_TLBI_OP_VMALLE1, 0, 0, TRACE_SHARE_ISH, 1);
	trace_tlbi_at(102, TRACE_TLBI_OP_VMALLE1, 0, 0, TRACE_SHARE_NSH, 1);
	trace_tlbi_at(103, TRACE_TLBI_OP_VMALLS12E1, 0, 0, TRACE_SHARE_ISH, 1);
	trace_tlbi_at(104, TRACE_TLBI_OP_VMALLS12E1, 0, 0, TRACE_SHARE_NSH, 1);
	/* EL2 stage 1: not Casemate's business here. */
	trace_tlbi_at(105, TRACE_TLBI_OP_ALLE2, 0, 0, TRACE_SHARE_NSH, 0);
	/* No Casemate name: local by-IPA, last-level by-IPA, outer. */
	trace_tlbi_at(106, TRACE_TLBI_OP_IPAS2E1, 0x80001000, 3,
		      TRACE_SHARE_NSH, 1);
	trace_tlbi_at(107, TRACE_TLBI_OP_IPAS2LE1, 0x80001000, 3,
		      TRACE_SHARE_ISH, 1);
	trace_tlbi_at(108, TRACE_TLBI_OP_VMALLE1, 0, 0, TRACE_SHARE_OSH, 1);
	ASSERT_EQ_INT(cm_test_load(&td), 0);
	text = cm_test_export(&td, &st, &ret);
	ASSERT_TRUE(text != NULL);
	EXPECT_EQ_INT(ret, 0);
	EXPECT_STREQ(text,
		     "(tlbi (id 0) (tid 1) ipas2e1is (value 0x80001) (src "
		     "\"tlbi:0\"))\n"
		     "(tlbi (id 1) (tid 1) vmalle1is (src \"tlbi:1\"))\n"
		     "(tlbi (id 2) (tid 1) vmalle1 (src \"tlbi:2\"))\n"
		     "(tlbi (id 3) (tid 1) vmalls12e1is (src \"tlbi:3\"))\n"
		     "(tlbi (id 4) (tid 1) vmalls12e1 (src \"tlbi:4\"))\n");
	EXPECT_EQ(st.skipped, 1);
	EXPECT_EQ(st.unsupported, 3);
	EXPECT_EQ(st.unsupported_tlbi, 3);
	free(text);
	trace_data_free(&td);
}

/** A VTTBR_EL2 write declares its root first, as many pages as the CPU's last VTCR_EL2 concatenates; other registers and an empty VTTBR are left out. */
TEST(trace_casemate, sysreg_writes)
{
	struct trace_casemate_stats st;
	struct trace_data td;
	char *text;
	int ret;

	trace_rings_reset();
	host_set_cpu_index(0);
	/* 40-bit IPA, start level 1: two concatenated tables. */
	trace_sysreg_write_at(100, TRACE_SYSREG_VTCR_EL2, 0x800d3558);
	trace_sysreg_write_at(101, TRACE_SYSREG_VTTBR_EL2, 0x1000044890000);
	trace_sysreg_write_at(102, TRACE_SYSREG_HCR_EL2, 0x8448003b);
	trace_sysreg_write_at(103, TRACE_SYSREG_VTTBR_EL2, 0);
	trace_s2_fault_enter_at(104, 0, 1, 0x80000000, 0x93c08007,
				TRACE_FAULT_KIND_TRANSLATION,
				TRACE_ACCESS_WRITE);
	ASSERT_EQ_INT(cm_test_load(&td), 0);
	text = cm_test_export(&td, &st, &ret);
	ASSERT_TRUE(text != NULL);
	EXPECT_EQ_INT(ret, 0);
	EXPECT_STREQ(text,
		     "(sysreg-write (id 0) (tid 0) (sysreg vtcr_el2) (value "
		     "0x800d3558) (src \"sysreg_write:0\"))\n"
		     "(mem-init (id 1) (tid 0) (address 0x44890000) (size "
		     "0x1000) (src \"init:1\"))\n"
		     "(mem-init (id 2) (tid 0) (address 0x44891000) (size "
		     "0x1000) (src \"init:1\"))\n"
		     "(sysreg-write (id 3) (tid 0) (sysreg vttbr_el2) (value "
		     "0x1000044890000) (src \"sysreg_write:1\"))\n");
	EXPECT_EQ(st.skipped, 3);
	EXPECT_EQ(st.unsupported, 0);
	free(text);
	trace_data_free(&td);
}

/** Records of several CPUs come out in time order, each with its CPU as the thread and its own CSV index as the source. */
TEST(trace_casemate, cpus_interleave_in_time_order)
{
	struct trace_data td;
	char *text;
	int ret;

	trace_rings_reset();
	host_set_cpu_index(0);
	trace_isb_at(100, TRACE_ISB_SITE_TLBI);
	trace_isb_at(300, TRACE_ISB_SITE_TLBI);
	host_set_cpu_index(1);
	trace_dsb_at(200, TRACE_SHARE_ISH);
	ASSERT_EQ_INT(cm_test_load(&td), 0);
	text = cm_test_export(&td, NULL, &ret);
	ASSERT_TRUE(text != NULL);
	EXPECT_EQ_INT(ret, 0);
	EXPECT_STREQ(text,
		     "(barrier (id 0) (tid 0) isb (src \"isb:0\"))\n"
		     "(barrier (id 1) (tid 1) dsb (kind ish) (src \"dsb:1\"))\n"
		     "(barrier (id 2) (tid 0) isb (src \"isb:2\"))\n");
	free(text);
	trace_data_free(&td);
}

/* A trace of another event table, made by hand: only the schema names. */
static void cm_test_custom(struct trace_data *td, struct trace_schema_event *ev,
			   size_t nev, struct trace_record *rec, size_t nrec)
{
	static struct trace_schema_enum sides[2] = {
		{"LOCK_SIDE", 1, "read"},
		{"LOCK_SIDE", 2, "write"},
	};

	memset(td, 0, sizeof(*td));
	td->version = TRACE_FORMAT_VERSION;
	td->ncpus = 2;
	td->counter_freq = 62500000;
	td->events = ev;
	td->nevents = nev;
	td->enums = sides;
	td->nenums = 2;
	td->records = rec;
	td->nrecords = nrec;
}

/** A write-side lock is Casemate's lock, tied to its root by a hint the first time; a read-side (shared) lock has no Casemate form and is counted. */
TEST(trace_casemate, locks)
{
	struct trace_schema_event ev[2] = {
		{.id = 35,
		 .name = "lock",
		 .nfields = 4,
		 .fields = {{"lock", "HEX"},
			    {"side", "LOCK_SIDE"},
			    {"vmid", "U64"},
			    {"wait", "U64"}}},
		{.id = 36,
		 .name = "unlock",
		 .nfields = 3,
		 .fields = {{"lock", "HEX"},
			    {"side", "LOCK_SIDE"},
			    {"vmid", "U64"}}},
	};
	struct trace_record rec[6] = {
		{.ts = 1, .id = 35, .cpu = 1, .f = {0x44890000, 2, 1, 7}},
		{.ts = 2, .id = 36, .cpu = 1, .f = {0x44890000, 2, 1}},
		{.ts = 3, .id = 35, .cpu = 0, .f = {0x44890000, 2, 1, 0}},
		{.ts = 4, .id = 36, .cpu = 0, .f = {0x44890000, 2, 1}},
		{.ts = 5, .id = 35, .cpu = 0, .f = {0x44890000, 1, 1, 0}},
		{.ts = 6, .id = 36, .cpu = 0, .f = {0x44890000, 1, 1}},
	};
	struct trace_casemate_stats st;
	struct trace_data td;
	char *text;
	int ret;

	cm_test_custom(&td, ev, 2, rec, 6);
	text = cm_test_export(&td, &st, &ret);
	ASSERT_TRUE(text != NULL);
	EXPECT_EQ_INT(ret, 0);
	EXPECT_STREQ(text,
		     "(hint (id 0) (tid 1) (kind set_root_lock) (location "
		     "0x44890000) (value 0x44890000) (src \"lock:0\"))\n"
		     "(lock (id 1) (tid 1) (address 0x44890000) (src "
		     "\"lock:0\"))\n"
		     "(unlock (id 2) (tid 1) (address 0x44890000) (src "
		     "\"unlock:1\"))\n"
		     "(lock (id 3) (tid 0) (address 0x44890000) (src "
		     "\"lock:2\"))\n"
		     "(unlock (id 4) (tid 0) (address 0x44890000) (src "
		     "\"unlock:3\"))\n");
	EXPECT_EQ(st.unsupported, 2);
	EXPECT_EQ(st.unsupported_lock, 2);
	free(text);
}

/** Events are found by name and fields by name, whatever their ids and order in the table; a lock without a side is exclusive. */
TEST(trace_casemate, other_tables)
{
	struct trace_schema_event ev[2] = {
		{.id = 200,
		 .name = "lock",
		 .nfields = 2,
		 .fields = {{"vmid", "U64"}, {"addr", "HEX"}}},
		{.id = 7,
		 .name = "pte_write",
		 .nfields = 3,
		 .fields = {{"new", "HEX"},
			    {"level", "U64"},
			    {"entry", "HEX"}}},
	};
	struct trace_record rec[2] = {
		{.ts = 1, .id = 7, .f = {0x4024477f, 3, 0x4488f008}},
		{.ts = 2, .id = 200, .f = {1, 0x40001000}},
	};
	struct trace_data td;
	char *text;
	int ret;

	cm_test_custom(&td, ev, 2, rec, 2);
	text = cm_test_export(&td, NULL, &ret);
	ASSERT_TRUE(text != NULL);
	EXPECT_EQ_INT(ret, 0);
	EXPECT_STREQ(text,
		     "(mem-init (id 0) (tid 0) (address 0x4488f000) (size "
		     "0x1000) (src \"init:0\"))\n"
		     "(mem-write (id 1) (tid 0) (mem-order release) (address "
		     "0x4488f008) (value 0x4024477f) (src \"pte_write:0\"))\n"
		     "(hint (id 2) (tid 0) (kind set_root_lock) (location "
		     "0x40001000) (value 0x40001000) (src \"lock:1\"))\n"
		     "(lock (id 3) (tid 0) (address 0x40001000) (src "
		     "\"lock:1\"))\n");
	free(text);
}

/** Events whose schema lacks the fields the export needs, and enum values the schema does not name, are left out, never guessed. */
TEST(trace_casemate, missing_fields_are_left_out)
{
	struct trace_schema_event ev[4] = {
		{.id = 1,
		 .name = "pte_write",
		 .nfields = 1,
		 .fields = {{"entry", "HEX"}}},
		{.id = 2, .name = "dsb", .nfields = 0},
		{.id = 3,
		 .name = "tlbi",
		 .nfields = 1,
		 .fields = {{"op", "TLBI_OP"}}},
		{.id = 4,
		 .name = "lock",
		 .nfields = 1,
		 .fields = {{"n", "U64"}}},
	};
	struct trace_record rec[4] = {
		{.ts = 1, .id = 1, .f = {0x1000}},
		{.ts = 2, .id = 2},
		{.ts = 3, .id = 3, .f = {3}},
		{.ts = 4, .id = 4, .f = {5}},
	};
	struct trace_casemate_stats st;
	struct trace_data td;
	char *text;
	int ret;

	cm_test_custom(&td, ev, 4, rec, 4);
	text = cm_test_export(&td, &st, &ret);
	ASSERT_TRUE(text != NULL);
	EXPECT_EQ_INT(ret, 0);
	EXPECT_STREQ(text, "");
	EXPECT_EQ(st.records, 0);
	EXPECT_EQ(st.skipped, 1);
	EXPECT_EQ(st.unsupported, 3);
	free(text);
}

/** Thousands of page-table pages are each declared exactly once, however the set of declared pages grows. */
TEST(trace_casemate, many_pages_declared_once)
{
	enum {
		N = 3000
	};
	struct trace_schema_event ev[1] = {
		{.id = 10,
		 .name = "pte_write",
		 .nfields = 3,
		 .fields = {{"entry", "HEX"},
			    {"level", "U64"},
			    {"new", "HEX"}}},
	};
	struct trace_record *rec = calloc(2 * N, sizeof(*rec));
	struct trace_casemate_stats st;
	struct trace_data td;
	FILE *out;
	int ret;

	ASSERT_TRUE(rec != NULL);
	for (unsigned i = 0; i < 2 * N; i++) {
		/* Every page twice, the second time at another entry. */
		rec[i].ts = i;
		rec[i].id = 10;
		rec[i].f[0] =
			0x40000000 + (uint64_t)(i % N) * 0x1000 + 8 * (i / N);
		rec[i].f[1] = 3;
		rec[i].f[2] = 0x7ff;
	}
	cm_test_custom(&td, ev, 1, rec, 2 * N);
	out = fopen("/dev/null", "w");
	ASSERT_TRUE(out != NULL);
	ret = trace_export_casemate_stats(&td, out, &st);
	fclose(out);
	EXPECT_EQ_INT(ret, 0);
	EXPECT_EQ(st.mem_inits, N);
	EXPECT_EQ(st.records, 3 * N);
	free(rec);
}
