/*
 * The fault-path statistics of hand-made decoded traces: percentiles,
 * enter/exit pairing per CPU, pages mapped twice, the most-broken page,
 * the null-hvc floor, vCPU stops, and the JSON and terminal output.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/test.h>
#include <faultline/trace/event.h>

#include "../../trace/tests/schema_fixture.h"
#include "../faultstats.h"

/* 62.5 MHz: 625 ticks are 10 us. */
#define FST_FREQ 62500000u
#define FST_PAGE UINT64_C(0x40000000)

/* Fills @td's schema from the compiled event table, as a file has it. */
static void fst_schema(struct trace_data *td)
{
	trace_fixture_schema(td, 4, FST_FREQ);
	/* Hand-made traces here have no END chunk. */
	td->end_seen = false;
}

/* Appends a record of event @id with fields @f (callers add in ts order). */
static void fst_rec(struct trace_data *td, uint64_t ts, unsigned cpu,
		    uint16_t id, const uint64_t f[TRACE_MAX_FIELDS])
{
	struct trace_record *r;

	r = realloc(td->records, (td->nrecords + 1) * sizeof(*r));
	if (r == NULL) {
		return;
	}
	td->records = r;
	r = &td->records[td->nrecords++];
	memset(r, 0, sizeof(*r));
	r->ts = ts;
	r->cpu = (uint16_t)cpu;
	r->id = id;
	memcpy(r->f, f, sizeof(r->f));
}

static void fst_enter(struct trace_data *td, uint64_t ts, unsigned cpu,
		      uint64_t vcpu, uint64_t vmid, uint64_t ipa)
{
	fst_rec(td, ts, cpu, TRACE_EV_s2_fault_enter,
		(uint64_t[TRACE_MAX_FIELDS]){vcpu, vmid, ipa, 0x92000007,
					     TRACE_FAULT_KIND_TRANSLATION,
					     TRACE_ACCESS_READ});
}

static void fst_exit(struct trace_data *td, uint64_t ts, unsigned cpu,
		     uint64_t vcpu, uint64_t vmid, uint64_t ipa,
		     uint64_t outcome)
{
	fst_rec(td, ts, cpu, TRACE_EV_s2_fault_exit,
		(uint64_t[TRACE_MAX_FIELDS]){vcpu, vmid, ipa, outcome,
					     TRACE_POLICY_LEGACY, 3});
}

/* A fault of @ticks on @cpu from @ts (nothing else in between). */
static void fst_fault(struct trace_data *td, uint64_t ts, unsigned cpu,
		      uint64_t vmid, uint64_t ipa, uint64_t outcome,
		      uint64_t ticks)
{
	fst_enter(td, ts, cpu, cpu, vmid, ipa);
	fst_exit(td, ts + ticks, cpu, cpu, vmid, ipa, outcome);
}

static void fst_access(struct trace_data *td, uint64_t ts, uint64_t access,
		       uint64_t t_start, uint64_t t_end)
{
	fst_rec(td, ts, 0, TRACE_EV_guest_access,
		(uint64_t[TRACE_MAX_FIELDS]){0, 0, FST_PAGE, access, t_start,
					     t_end});
}

static void fst_rec2(struct trace_data *td, uint64_t ts, uint16_t id,
		     uint64_t f0, uint64_t f1, uint64_t f2, uint64_t f3,
		     uint64_t f4)
{
	fst_rec(td, ts, 0, id,
		(uint64_t[TRACE_MAX_FIELDS]){f0, f1, f2, f3, f4});
}

/* A text stream in memory; close it before reading @text. */
struct fst_buf {
	FILE *f;
	char *text;
	size_t len;
};

static const char *fst_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r') {
		p++;
	}
	return p;
}

static const char *fst_string(const char *p)
{
	if (*p++ != '"') {
		return NULL;
	}
	for (; *p != '"'; p++) {
		if (*p == '\0' || (unsigned char)*p < 0x20) {
			return NULL;
		}
		if (*p == '\\' && *++p == '\0') {
			return NULL;
		}
	}
	return p + 1;
}

static const char *fst_number(const char *p)
{
	const char *start;

	p += *p == '-';
	start = p;
	while (isdigit((unsigned char)*p)) {
		p++;
	}
	if (p == start) {
		return NULL;
	}
	if (*p == '.') {
		start = ++p;
		while (isdigit((unsigned char)*p)) {
			p++;
		}
	}
	return p == start ? NULL : p;
}

/* The end of the JSON value at @p, or NULL when it is not one. */
static const char *fst_value(const char *p, unsigned depth)
{
	static const char *const words[] = {"true", "false", "null"};

	p = fst_ws(p);
	if (depth > 32) {
		return NULL;
	}
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';

		p = fst_ws(p + 1);
		if (*p == close) {
			return p + 1;
		}
		for (;;) {
			if (close == '}') {
				p = fst_string(fst_ws(p));
				if (p == NULL || *(p = fst_ws(p)) != ':') {
					return NULL;
				}
				p++;
			}
			p = fst_value(p, depth + 1);
			if (p == NULL) {
				return NULL;
			}
			p = fst_ws(p);
			if (*p != ',') {
				return *p == close ? p + 1 : NULL;
			}
			p++;
		}
	}
	if (*p == '"') {
		return fst_string(p);
	}
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		if (strncmp(p, words[i], strlen(words[i])) == 0) {
			return p + strlen(words[i]);
		}
	}
	return fst_number(p);
}

/* @s is one JSON value and nothing else (a syntax check, no semantics). */
static bool fst_json_valid(const char *s)
{
	const char *end = fst_value(s, 0);

	return end != NULL && *fst_ws(end) == '\0';
}

/* What faultstats_print() writes for @fs. */
static char *fst_printed(const struct faultstats *fs, bool color)
{
	struct fst_buf b = {0};

	b.f = open_memstream(&b.text, &b.len);
	if (b.f == NULL) {
		return NULL;
	}
	faultstats_print(fs, b.f, color);
	fclose(b.f);
	return b.text;
}

/* A run of everything: two VMs, races, BBMs, accesses, stops. */
static void fst_full_trace(struct trace_data *td)
{
	fst_schema(td);
	fst_rec2(td, 10, TRACE_EV_vm_create, 1, TRACE_POLICY_LEGACY, 40, 2, 0);
	fst_rec2(td, 11, TRACE_EV_vm_create, 2, TRACE_POLICY_PREJUDGE, 40, 1,
		 2);
	fst_rec2(td, 12, TRACE_EV_knob, TRACE_KNOB_BBM_DELAY_NS, 5000, 0, 0, 0);
	/* Two vCPUs of VM 1 race on one page: it is mapped twice. */
	fst_enter(td, 100, 0, 0, 1, FST_PAGE + 0x10);
	fst_enter(td, 110, 1, 1, 1, FST_PAGE + 0x20);
	fst_rec2(td, 200, TRACE_EV_bbm_break, 0x1000, FST_PAGE, 3, 0, 1);
	fst_rec2(td, 300, TRACE_EV_tlbi, TRACE_TLBI_OP_IPAS2E1, FST_PAGE, 3,
		 TRACE_SHARE_ISH, 1);
	fst_rec2(td, 301, TRACE_EV_cmo, TRACE_CMO_OP_CIVAC,
		 TRACE_CMO_WHY_FIRST_MAP, 0x80000000, 4096, 1);
	fst_exit(td, 725, 0, 0, 1, FST_PAGE + 0x10, TRACE_OUTCOME_MAPPED);
	fst_exit(td, 735, 1, 1, 1, FST_PAGE + 0x20, TRACE_OUTCOME_MAPPED);
	/* VM 2 cannot get memory: out_of_memory, an abort injected. */
	fst_enter(td, 800, 2, 2, 2, FST_PAGE);
	fst_rec2(td, 900, TRACE_EV_guest_abort_injected, 2, 2, FST_PAGE,
		 0x96000010, 0);
	fst_exit(td, 1425, 2, 2, 2, FST_PAGE, TRACE_OUTCOME_OUT_OF_MEMORY);
	fst_access(td, 2000, TRACE_ACCESS_READ, 10, 10 + 1250);
	fst_access(td, 2001, TRACE_ACCESS_HVC, 20, 20 + 625);
	fst_rec2(td, 3000, TRACE_EV_vcpu_stop, 0, 1, TRACE_VCPU_STOP_DONE,
		 0x1000, 0);
	fst_rec2(td, 3001, TRACE_EV_vcpu_stop, 1, 1, TRACE_VCPU_STOP_DONE,
		 0x1000, 0);
	fst_rec2(td, 3002, TRACE_EV_vcpu_stop, 2, 2, TRACE_VCPU_STOP_VM_STOPPED,
		 0x2040, 0x96000010);
}

/** Nearest rank: p-th percentile of 1..1000 is 10p; n = 3 and 1 too. */
TEST(harness_faultstats, percentiles_nearest_rank)
{
	uint64_t v[1000];
	uint64_t three[3] = {50, 10, 30};
	uint64_t one[1] = {7};
	struct faultstats_dist d;

	/* Reversed, so that only a sort puts them in order. */
	for (unsigned i = 0; i < 1000; i++) {
		v[i] = 1000 - i;
	}
	faultstats_dist_compute(v, 1000, &d);
	EXPECT_EQ(d.n, 1000);
	EXPECT_EQ(d.min, 1);
	EXPECT_EQ(d.max, 1000);
	EXPECT_EQ(d.p50, 500);
	EXPECT_EQ(d.p90, 900);
	EXPECT_EQ(d.p99, 990);
	EXPECT_EQ(d.p999, 999);
	EXPECT_TRUE(d.mean > 500.49 && d.mean < 500.51);
	/* ceil(0.5 * 3) = 2nd, ceil(0.9 * 3) = 3rd. */
	faultstats_dist_compute(three, 3, &d);
	EXPECT_EQ(d.p50, 30);
	EXPECT_EQ(d.p90, 50);
	EXPECT_EQ(d.p999, 50);
	EXPECT_EQ(d.min, 10);
	EXPECT_TRUE(d.mean > 29.99 && d.mean < 30.01);
	faultstats_dist_compute(one, 1, &d);
	EXPECT_EQ(d.p50, 7);
	EXPECT_EQ(d.p999, 7);
	faultstats_dist_compute(one, 0, &d);
	EXPECT_EQ(d.n, 0);
	EXPECT_EQ(d.max, 0);
}

/** Interleaved CPUs: each exit closes the enter of its own CPU. */
TEST(harness_faultstats, pairs_enter_and_exit_per_cpu)
{
	struct trace_data td;
	struct faultstats fs;

	fst_schema(&td);
	/* A single stack over all CPUs would pair 525 and 1350 ticks. */
	fst_enter(&td, 1000, 0, 0, 1, FST_PAGE);
	fst_enter(&td, 1100, 1, 1, 1, FST_PAGE + 0x1000);
	fst_exit(&td, 1625, 0, 0, 1, FST_PAGE, TRACE_OUTCOME_MAPPED);
	fst_exit(&td, 2350, 1, 1, 1, FST_PAGE + 0x1000, TRACE_OUTCOME_MAPPED);
	ASSERT_EQ_INT(faultstats_compute(&td, &fs), 0);
	EXPECT_EQ(fs.faults, 2);
	EXPECT_EQ(fs.exits, 2);
	EXPECT_EQ(fs.fault_lat.n, 2);
	EXPECT_EQ(fs.fault_lat.min, 10000);
	EXPECT_EQ(fs.fault_lat.max, 20000);
	EXPECT_EQ(fs.unmatched_enters, 0);
	EXPECT_EQ(fs.unmatched_exits, 0);
	EXPECT_TRUE(faultstats_any(&fs));
	faultstats_free(&fs);
	trace_data_free(&td);
}

/** An enter cut off by the end of the trace is unmatched, not a sample. */
TEST(harness_faultstats, unmatched_enter_and_exit)
{
	struct trace_data td;
	struct faultstats fs;

	fst_schema(&td);
	fst_exit(&td, 50, 1, 1, 1, FST_PAGE, TRACE_OUTCOME_MAPPED);
	fst_fault(&td, 100, 0, 1, FST_PAGE, TRACE_OUTCOME_MAPPED, 625);
	fst_enter(&td, 1000, 0, 0, 1, FST_PAGE + 0x1000);
	ASSERT_EQ_INT(faultstats_compute(&td, &fs), 0);
	EXPECT_EQ(fs.faults, 2);
	EXPECT_EQ(fs.exits, 2);
	EXPECT_EQ(fs.fault_lat.n, 1);
	EXPECT_EQ(fs.fault_lat.max, 10000);
	EXPECT_EQ(fs.unmatched_enters, 1);
	EXPECT_EQ(fs.unmatched_exits, 1);
	faultstats_free(&fs);
	trace_data_free(&td);
}

/** A lost exit: the next exit closes its own enter, the other is dropped. */
TEST(harness_faultstats, lost_exit_drops_inner_enter)
{
	struct trace_data td;
	struct faultstats fs;

	fst_schema(&td);
	fst_enter(&td, 100, 0, 0, 1, FST_PAGE);
	fst_enter(&td, 200, 0, 0, 1, FST_PAGE + 0x1000);
	fst_exit(&td, 725, 0, 0, 1, FST_PAGE, TRACE_OUTCOME_SPURIOUS);
	ASSERT_EQ_INT(faultstats_compute(&td, &fs), 0);
	EXPECT_EQ(fs.fault_lat.n, 1);
	EXPECT_EQ(fs.fault_lat.p50, 10000);
	EXPECT_EQ(fs.unmatched_enters, 1);
	EXPECT_EQ(fs.unmatched_exits, 0);
	ASSERT_EQ(fs.fault_lat_by_outcome.n, 1);
	EXPECT_STREQ(fs.fault_lat_by_outcome.v[0].name, "spurious");
	faultstats_free(&fs);
	trace_data_free(&td);
}

/** Kinds, outcomes and policies per VM, and latency per outcome. */
TEST(harness_faultstats, counts_per_vm_and_outcome)
{
	struct trace_data td;
	struct faultstats fs;
	const struct faultstats_dist *m;

	fst_full_trace(&td);
	ASSERT_EQ_INT(faultstats_compute(&td, &fs), 0);
	EXPECT_EQ(fs.faults, 3);
	EXPECT_EQ(faultstats_count_of(&fs.kinds, "translation"), 3);
	EXPECT_EQ(faultstats_count_of(&fs.accesses, "read"), 3);
	EXPECT_EQ(faultstats_count_of(&fs.outcomes, "mapped"), 2);
	EXPECT_EQ(faultstats_count_of(&fs.outcomes, "out_of_memory"), 1);
	EXPECT_EQ(faultstats_count_of(&fs.outcomes, "spurious"), 0);
	ASSERT_EQ(fs.nvms, 2);
	EXPECT_EQ(fs.vms[0].vmid, 1);
	EXPECT_TRUE(fs.vms[0].created);
	EXPECT_STREQ(fs.vms[0].policy_name, "legacy");
	EXPECT_EQ(fs.vms[0].nvcpus, 2);
	EXPECT_EQ(fs.vms[0].faults, 2);
	EXPECT_EQ(faultstats_count_of(&fs.vms[0].outcomes, "mapped"), 2);
	EXPECT_EQ(faultstats_count_of(&fs.vms[0].policies, "legacy"), 2);
	EXPECT_STREQ(fs.vms[1].policy_name, "prejudge");
	EXPECT_EQ(fs.vms[1].flags, 2);
	EXPECT_EQ(faultstats_count_of(&fs.vms[1].outcomes, "out_of_memory"), 1);
	/* 625 and 625 ticks mapped, 625 for out_of_memory. */
	m = faultstats_dist_of(&fs.fault_lat_by_outcome, "mapped");
	ASSERT_TRUE(m != NULL);
	EXPECT_EQ(m->n, 2);
	EXPECT_EQ(m->p50, 10000);
	EXPECT_TRUE(faultstats_dist_of(&fs.fault_lat_by_outcome,
				       "out_of_memory") != NULL);
	EXPECT_EQ(fs.fault_lat.n, 3);
	faultstats_free(&fs);
	trace_data_free(&td);
}

/** Two "mapped" exits on one page of a VM: flagged; other VMs apart. */
TEST(harness_faultstats, detects_page_mapped_twice)
{
	struct trace_data td;
	struct faultstats fs;

	fst_schema(&td);
	fst_fault(&td, 100, 0, 1, FST_PAGE + 0x10, TRACE_OUTCOME_MAPPED, 10);
	fst_fault(&td, 200, 1, 1, FST_PAGE + 0xff8, TRACE_OUTCOME_MAPPED, 10);
	fst_fault(&td, 300, 0, 1, FST_PAGE + 0x1000, TRACE_OUTCOME_MAPPED, 10);
	/* The same IPA in another VM is another page. */
	fst_fault(&td, 400, 2, 2, FST_PAGE, TRACE_OUTCOME_MAPPED, 10);
	/* Spurious and remapped exits do not count as maps. */
	fst_fault(&td, 500, 0, 1, FST_PAGE + 0x1000, TRACE_OUTCOME_SPURIOUS,
		  10);
	fst_fault(&td, 600, 0, 1, FST_PAGE + 0x2000, TRACE_OUTCOME_REMAPPED,
		  10);
	ASSERT_EQ_INT(faultstats_compute(&td, &fs), 0);
	EXPECT_EQ(fs.pages_mapped, 3);
	EXPECT_EQ(fs.pages_mapped_again, 1);
	EXPECT_EQ(fs.most_mapped.vmid, 1);
	EXPECT_EQ(fs.most_mapped.ipa, FST_PAGE);
	EXPECT_EQ(fs.most_mapped.n, 2);
	EXPECT_EQ(fs.pages_remapped, 1);
	faultstats_free(&fs);
	trace_data_free(&td);
}

/** The page broken most often, and how many pages were broken again. */
TEST(harness_faultstats, finds_most_broken_page)
{
	static const uint64_t pages[] = {0x3000, 0x5000, 0x5123, 0x3000,
					 0x7000, 0x5fff, 0x3abc};
	struct trace_data td;
	struct faultstats fs;

	fst_schema(&td);
	/* Page 0x3000 and 0x5000 three times each: the lower one wins. */
	for (unsigned i = 0; i < ARRAY_SIZE(pages); i++) {
		fst_rec2(&td, 100 + i, TRACE_EV_bbm_break, 0x1000,
			 FST_PAGE + pages[i], 3, 0x7ff, 1);
		fst_rec2(&td, 100 + i, TRACE_EV_bbm_make, 0x1000,
			 FST_PAGE + pages[i], 3, 0x7ff, 1);
	}
	ASSERT_EQ_INT(faultstats_compute(&td, &fs), 0);
	EXPECT_EQ(fs.bbm_breaks, ARRAY_SIZE(pages));
	EXPECT_EQ(fs.bbm_makes, ARRAY_SIZE(pages));
	EXPECT_EQ(fs.most_broken.ipa, FST_PAGE + 0x3000);
	EXPECT_EQ(fs.most_broken.vmid, 1);
	EXPECT_EQ(fs.most_broken.n, 3);
	EXPECT_EQ(fs.pages_broken, 3);
	EXPECT_EQ(fs.pages_broken_again, 2);
	/* Breaks alone are not a plan run. */
	EXPECT_TRUE(!faultstats_any(&fs));
	faultstats_free(&fs);
	trace_data_free(&td);
}

/** Guest-timed accesses apart from null hvcs, and the ratios to the floor. */
TEST(harness_faultstats, hvc_floor_and_ratios)
{
	struct trace_data td;
	struct faultstats fs;

	fst_schema(&td);
	for (unsigned i = 0; i < 3; i++) {
		fst_fault(&td, 100 + i * 2000, 0, 1, FST_PAGE + i * 0x1000,
			  TRACE_OUTCOME_MAPPED, 1875);
	}
	for (unsigned i = 0; i < 3; i++) {
		fst_access(&td, 10000 + i, TRACE_ACCESS_HVC, 100, 100 + 625);
		fst_access(&td, 10010 + i, TRACE_ACCESS_READ, 200, 200 + 1250);
	}
	fst_access(&td, 10020, TRACE_ACCESS_WRITE, 300, 300 + 2500);
	/* A guest that wrote garbage: counted, not a sample. */
	fst_access(&td, 10030, TRACE_ACCESS_READ, 500, 400);
	ASSERT_EQ_INT(faultstats_compute(&td, &fs), 0);
	EXPECT_EQ(fs.hvc_floor.n, 3);
	EXPECT_EQ(fs.hvc_floor.p50, 10000);
	EXPECT_EQ(fs.access_lat.n, 4);
	EXPECT_EQ(fs.access_lat.p50, 20000);
	EXPECT_EQ(fs.access_lat.max, 40000);
	EXPECT_EQ(fs.access_bad, 1);
	EXPECT_TRUE(fs.fault_hvc_ratio > 2.999 && fs.fault_hvc_ratio < 3.001);
	EXPECT_TRUE(fs.access_hvc_ratio > 1.999 && fs.access_hvc_ratio < 2.001);
	ASSERT_EQ(fs.access_lat_by_kind.n, 3);
	EXPECT_STREQ(fs.access_lat_by_kind.v[0].name, "read");
	EXPECT_STREQ(fs.access_lat_by_kind.v[2].name, "hvc");
	EXPECT_EQ(faultstats_dist_of(&fs.access_lat_by_kind, "write")->p50,
		  40000);
	faultstats_free(&fs);
	trace_data_free(&td);
}

/*
 * An access is a faulting one when its vCPU entered a fault on its page
 * inside its window: not another vCPU's fault, not another page's, not a
 * fault before the access started.
 */
TEST(harness_faultstats, faulting_accesses_matched_by_window)
{
	struct trace_data td;
	struct faultstats fs;
	const uint64_t f0[] = {
		0, 0, FST_PAGE + 0x10, TRACE_ACCESS_WRITE, 1000, 1000 + 3750};

	fst_schema(&td);
	/* vCPU 0 faults on the page at 2000; vCPU 1 on it at 6000. */
	fst_fault(&td, 2000, 0, 1, FST_PAGE, TRACE_OUTCOME_MAPPED, 100);
	fst_fault(&td, 6000, 1, 1, FST_PAGE, TRACE_OUTCOME_MAPPED, 100);
	/* vCPU 0 faults on another page at 9000. */
	fst_fault(&td, 9000, 0, 1, FST_PAGE + 0x1000, TRACE_OUTCOME_MAPPED,
		  100);
	/* vCPU 0, 1000..4750 (3750 ticks, 60 us at 62.5 MHz): faulted. */
	fst_rec(&td, 20000, 0, TRACE_EV_guest_access, f0);
	/* vCPU 0, 5000..8000: only vCPU 1's fault lies in it. */
	fst_access(&td, 20001, TRACE_ACCESS_READ, 5000, 8000);
	/* vCPU 0, 8500..9500 on FST_PAGE: the fault was on another page. */
	fst_access(&td, 20002, TRACE_ACCESS_READ, 8500, 9500);
	/* A null hvc around a fault is never a faulting access. */
	fst_access(&td, 20003, TRACE_ACCESS_HVC, 1500, 2500);
	fst_access(&td, 20004, TRACE_ACCESS_HVC, 10000, 10000 + 1250);
	ASSERT_EQ_INT(faultstats_compute(&td, &fs), 0);
	EXPECT_EQ(fs.access_lat.n, 3);
	EXPECT_EQ(fs.faulting_access_lat.n, 1);
	EXPECT_EQ(fs.faulting_access_lat.p50, 60000);
	EXPECT_EQ(fs.hvc_floor.p50, 16000);
	/* 60 us over a 16 us floor (the nearest-rank p50 of 16 and 20 us). */
	EXPECT_TRUE(fs.faulting_access_hvc_ratio > 3.749 &&
		    fs.faulting_access_hvc_ratio < 3.751);
	faultstats_free(&fs);
	trace_data_free(&td);
}

/** Without null hvcs there is no floor and no ratio. */
TEST(harness_faultstats, no_ratio_without_floor)
{
	struct trace_data td;
	struct faultstats fs;

	fst_schema(&td);
	fst_fault(&td, 100, 0, 1, FST_PAGE, TRACE_OUTCOME_MAPPED, 625);
	fst_access(&td, 1000, TRACE_ACCESS_READ, 0, 625);
	ASSERT_EQ_INT(faultstats_compute(&td, &fs), 0);
	EXPECT_EQ(fs.hvc_floor.n, 0);
	EXPECT_EQ(fs.access_lat.n, 1);
	EXPECT_TRUE(fs.fault_hvc_ratio == 0.0);
	EXPECT_TRUE(fs.access_hvc_ratio == 0.0);
	faultstats_free(&fs);
	trace_data_free(&td);
}

/** Why each vCPU stopped, sorted by vCPU, and the done/other split. */
TEST(harness_faultstats, vcpu_stop_reasons)
{
	struct trace_data td;
	struct faultstats fs;

	fst_schema(&td);
	fst_rec2(&td, 10, TRACE_EV_vm_create, 1, TRACE_POLICY_LEGACY, 40, 4, 0);
	fst_rec2(&td, 100, TRACE_EV_vcpu_stop, 2, 1, TRACE_VCPU_STOP_DONE,
		 0x1000, 0);
	fst_rec2(&td, 101, TRACE_EV_vcpu_stop, 1, 1,
		 TRACE_VCPU_STOP_GUEST_FAILED, 0x1234, 0x5a000000);
	fst_rec2(&td, 102, TRACE_EV_vcpu_stop, 0, 1, TRACE_VCPU_STOP_DONE,
		 0x1000, 0);
	ASSERT_EQ_INT(faultstats_compute(&td, &fs), 0);
	ASSERT_EQ(fs.nstops, 3);
	EXPECT_EQ(fs.vcpus_done, 2);
	EXPECT_EQ(fs.vcpus_failed, 1);
	EXPECT_EQ(fs.vcpus_declared, 4);
	EXPECT_EQ(fs.stops[0].vcpu, 0);
	EXPECT_EQ(fs.stops[1].vcpu, 1);
	EXPECT_STREQ(fs.stops[1].why_name, "guest_failed");
	EXPECT_TRUE(!fs.stops[1].done);
	EXPECT_EQ(fs.stops[1].pc, 0x1234);
	EXPECT_STREQ(fs.stops[2].why_name, "done");
	EXPECT_TRUE(fs.stops[2].done);
	faultstats_free(&fs);
	trace_data_free(&td);
}

/** TLBIs per op, CMO bytes per reason, pools, dirty marks, knobs. */
TEST(harness_faultstats, maintenance_counts)
{
	struct trace_data td;
	struct faultstats fs;

	fst_full_trace(&td);
	fst_rec2(&td, 4000, TRACE_EV_tlbi, TRACE_TLBI_OP_VMALLS12E1, 0, 0,
		 TRACE_SHARE_ISH, 1);
	fst_rec2(&td, 4001, TRACE_EV_cmo, TRACE_CMO_OP_CIVAC,
		 TRACE_CMO_WHY_FIRST_MAP, 0x80001000, 4096, 1);
	fst_rec2(&td, 4002, TRACE_EV_cmo, TRACE_CMO_OP_CIVAC,
		 TRACE_CMO_WHY_MMU_ON, 0x80000000, 0x200000, 1);
	fst_rec2(&td, 4003, TRACE_EV_pool_exhausted, 3, 0, 0, 0, 0);
	fst_rec2(&td, 4004, TRACE_EV_pool_recycle, 3, 16, 0, 0, 0);
	fst_rec2(&td, 4005, TRACE_EV_dirty_mark, 0, 1, FST_PAGE, 0, 0);
	fst_rec2(&td, 4006, TRACE_EV_s2_backoff, FST_PAGE, 3, 0,
		 TRACE_BACKOFF_CAS_LOST, 1);
	fst_rec2(&td, 4007, TRACE_EV_pte_write, 0x1000, FST_PAGE, 3, 0, 0x7ff);
	fst_rec2(&td, 4008, TRACE_EV_knob, TRACE_KNOB_BBM_DELAY_NS, 7000, 0, 0,
		 0);
	ASSERT_EQ_INT(faultstats_compute(&td, &fs), 0);
	EXPECT_EQ(fs.tlbis, 2);
	EXPECT_EQ(faultstats_count_of(&fs.tlbi_ops, "ipas2e1"), 1);
	EXPECT_EQ(faultstats_count_of(&fs.tlbi_ops, "vmalls12e1"), 1);
	EXPECT_EQ(fs.cmos, 3);
	EXPECT_EQ(fs.cmo_bytes, 0x200000 + 8192);
	ASSERT_EQ(fs.cmo_whys.n, 2);
	EXPECT_STREQ(fs.cmo_whys.v[0].name, "first_map");
	EXPECT_EQ(fs.cmo_whys.v[0].n, 2);
	EXPECT_EQ(fs.cmo_whys.v[0].sum, 8192);
	EXPECT_EQ(fs.pool_exhausted, 1);
	EXPECT_EQ(fs.pool_recycles, 1);
	EXPECT_EQ(fs.pool_pages_recycled, 16);
	EXPECT_EQ(fs.dirty_marks, 1);
	EXPECT_EQ(fs.aborts_injected, 1);
	EXPECT_EQ(fs.backoffs, 1);
	EXPECT_EQ(faultstats_count_of(&fs.backoff_whys, "cas_lost"), 1);
	EXPECT_EQ(fs.pte_writes, 1);
	/* The knob was set twice: one entry, the last value. */
	ASSERT_EQ(fs.nknobs, 1);
	EXPECT_STREQ(fs.knobs[0].name, "bbm_delay_ns");
	EXPECT_EQ(fs.knobs[0].value, 7000);
	faultstats_free(&fs);
	trace_data_free(&td);
}

/** Events are found by their schema name, not by the compiled id. */
TEST(harness_faultstats, matches_events_by_name)
{
	struct trace_data td;
	struct faultstats fs;

	fst_schema(&td);
	/* This file numbers s2_fault_enter 200 and has no event 17. */
	for (size_t i = 0; i < td.nevents; i++) {
		if (strcmp(td.events[i].name, "s2_fault_enter") == 0) {
			td.events[i].id = 200;
		}
	}
	fst_enter(&td, 100, 0, 0, 1, FST_PAGE);
	td.records[0].id = 200;
	fst_enter(&td, 200, 1, 1, 1, FST_PAGE);
	ASSERT_EQ_INT(faultstats_compute(&td, &fs), 0);
	EXPECT_EQ(fs.faults, 1);
	EXPECT_EQ(fs.unmatched_enters, 1);
	faultstats_free(&fs);
	trace_data_free(&td);
}

/** A boot trace has no fault path: nothing is printed. */
TEST(harness_faultstats, boot_trace_prints_nothing)
{
	struct trace_data td;
	struct faultstats fs = {0};
	char *text;

	faultstats_free(&fs);
	fst_schema(&td);
	fst_rec2(&td, 100, TRACE_EV_tlbi, TRACE_TLBI_OP_ALLE2, 0, 0,
		 TRACE_SHARE_NSH, 0);
	fst_rec2(&td, 200, TRACE_EV_cpu_up, 0, 1, 0, 0, 0);
	ASSERT_EQ_INT(faultstats_compute(&td, &fs), 0);
	EXPECT_TRUE(!faultstats_any(&fs));
	EXPECT_EQ(fs.tlbis, 1);
	text = fst_printed(&fs, true);
	ASSERT_TRUE(text != NULL);
	EXPECT_STREQ(text, "");
	free(text);
	faultstats_free(&fs);
	trace_data_free(&td);
}

/** The JSON is one valid value with the figures under their keys. */
TEST(harness_faultstats, json_parses_and_has_figures)
{
	struct trace_data td;
	struct faultstats fs;
	struct fst_buf b = {0};
	struct json_writer w;

	/* The checker itself rejects what is not JSON. */
	EXPECT_TRUE(!fst_json_valid("{\"a\": 1,}"));
	EXPECT_TRUE(!fst_json_valid("{\"a\": 1} x"));
	EXPECT_TRUE(fst_json_valid("{\"a\": [1.5, null, \"\\\"\"]}"));
	fst_full_trace(&td);
	ASSERT_EQ_INT(faultstats_compute(&td, &fs), 0);
	b.f = open_memstream(&b.text, &b.len);
	ASSERT_TRUE(b.f != NULL);
	json_init(&w, b.f);
	json_object_begin(&w);
	json_key(&w, "fault_path");
	faultstats_json(&fs, &w);
	json_object_end(&w);
	EXPECT_EQ_INT(json_finish(&w), 0);
	fclose(b.f);
	ASSERT_TRUE(b.text != NULL);
	EXPECT_TRUE(fst_json_valid(b.text));
	EXPECT_TRUE(strstr(b.text, "\"faults\": 3") != NULL);
	EXPECT_TRUE(strstr(b.text, "\"translation\": 3") != NULL);
	EXPECT_TRUE(strstr(b.text, "\"out_of_memory\": 1") != NULL);
	EXPECT_TRUE(strstr(b.text, "\"mapped_more_than_once\": 1") != NULL);
	EXPECT_TRUE(strstr(b.text, "\"ipa\": \"0x40000000\"") != NULL);
	EXPECT_TRUE(strstr(b.text, "\"p50\": 10000") != NULL);
	EXPECT_TRUE(strstr(b.text, "\"fault_p50_over_hvc_p50\": 1.000") !=
		    NULL);
	EXPECT_TRUE(strstr(b.text, "\"bbm_delay_ns\": 5000") != NULL);
	EXPECT_TRUE(strstr(b.text, "\"why\": \"vm_stopped\"") != NULL);
	EXPECT_TRUE(strstr(b.text, "\"policy\": \"prejudge\"") != NULL);
	free(b.text);
	faultstats_free(&fs);
	trace_data_free(&td);
}

/** The terminal lines carry the figures; colour marks what went wrong. */
TEST(harness_faultstats, print_has_figures_and_colour)
{
	struct trace_data td;
	struct faultstats fs;
	char *text;

	fst_full_trace(&td);
	ASSERT_EQ_INT(faultstats_compute(&td, &fs), 0);
	text = fst_printed(&fs, false);
	ASSERT_TRUE(text != NULL);
	EXPECT_TRUE(strstr(text,
			   "faultline: faults: 3 (translation 3), "
			   "outcomes: mapped 2, out_of_memory 1; 1 BBM, "
			   "1 TLBI (ipas2e1 1), 1 abort injected\n") != NULL);
	EXPECT_TRUE(strstr(text, "vm 2 (prejudge, 1 vCPU): 1 fault, "
				 "out_of_memory 1\n") != NULL);
	EXPECT_TRUE(strstr(text, "(EL2 entry to exit): p50 10.0 us") != NULL);
	EXPECT_TRUE(strstr(text, "null hvc floor p50 10.0 us") != NULL);
	EXPECT_TRUE(strstr(text, "fault p50 / hvc p50 = 1.00x") != NULL);
	EXPECT_TRUE(strstr(text, "access p50 / hvc p50 = 2.00x") != NULL);
	EXPECT_TRUE(strstr(text, "pages: 1 mapped, 1 mapped more than once "
				 "(page 0x40000000 of vm 1: 2 times)") != NULL);
	EXPECT_TRUE(strstr(text,
			   "most-broken page 0x40000000 of vm 1 (1 "
			   "BBM), 0 pages broken more than once") != NULL);
	EXPECT_TRUE(strstr(text, "cmo first_map 1 (4.0 KiB)") != NULL);
	EXPECT_TRUE(strstr(text, "knob bbm_delay_ns=5000") != NULL);
	EXPECT_TRUE(strstr(text, "vCPUs: 2 done, 1 stopped otherwise: vcpu 2 "
				 "vm_stopped") != NULL);
	EXPECT_TRUE(strstr(text, "\033[") == NULL);
	free(text);
	text = fst_printed(&fs, true);
	ASSERT_TRUE(text != NULL);
	EXPECT_TRUE(strstr(text, "\033[31mout_of_memory 1\033[0m") != NULL);
	EXPECT_TRUE(strstr(text, "\033[31m, 1 abort injected\033[0m") != NULL);
	EXPECT_TRUE(strstr(text, "\033[31m1 mapped more than once") != NULL);
	free(text);
	faultstats_free(&fs);
	trace_data_free(&td);
}
