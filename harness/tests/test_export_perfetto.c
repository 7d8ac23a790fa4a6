/*
 * The Perfetto export of hand-made traces: the processes and threads,
 * faults paired and nested with their BBMs and TLBIs, flows, world-switch
 * slices, counters, guest accesses, escaping, and what damaged or cut
 * input turns into. Every output is checked as JSON and replayed as the
 * viewers import it (no slice overlapping its parent partly, flows bound
 * to the right slices).
 */
#include <stdlib.h>
#include <string.h>

#include <faultline/test.h>

#include "export_fixture.h"

/* The exported events of @td, with the JSON and replay checks done. */
static struct xf_event *pft_export(struct test_ctx *test_ctx,
				   const struct trace_data *td, size_t *n,
				   struct xf_replay *rp)
{
	char *json = xf_perfetto(td);
	struct xf_event *ev;

	EXPECT_TRUE(json != NULL);
	EXPECT_TRUE(xf_json_valid(json));
	ev = xf_events(json, n);
	free(json);
	*rp = xf_replay(ev, *n);
	EXPECT_EQ(rp->overlaps, 0);
	EXPECT_EQ(rp->unordered, 0);
	EXPECT_EQ(rp->misbound, 0);
	EXPECT_EQ(rp->unpaired, 0);
	return ev;
}

/** A process per VM named by vm_create, a thread per vCPU and per pCPU. */
TEST(export_perfetto, processes_and_threads)
{
	struct trace_data td;
	struct xf_replay rp;
	struct xf_event *ev;
	size_t n;

	xf_init(&td, 3);
	XF_REC(&td, 100, 0, vm_create, 1, TRACE_POLICY_LEGACY, 40, 2, 0);
	XF_REC(&td, 110, 0, vm_create, 2, TRACE_POLICY_PREJUDGE, 40, 1, 0);
	XF_REC(&td, 120, 0, vcpu_run, 0, 1, 0x10000000);
	XF_REC(&td, 121, 1, vcpu_run, 1, 1, 0x10000000);
	XF_REC(&td, 122, 2, vcpu_run, 2, 2, 0x10000000);
	ev = pft_export(test_ctx, &td, &n, &rp);
	EXPECT_TRUE(strstr(ev[0].line, "\"hypervisor (pCPUs)\"") != NULL);
	EXPECT_EQ(xf_count(ev, n, 'M', NULL, "process_name"), 3);
	EXPECT_EQ(xf_count(ev, n, 'M', NULL, "thread_name"), 6);
	for (size_t i = 0; i < n; i++) {
		const char *l = ev[i].line;

		if (ev[i].ph != 'M' || strcmp(ev[i].name, "thread_name") != 0) {
			continue;
		}
		if (strstr(l, "\"pCPU ") != NULL) {
			EXPECT_EQ(ev[i].pid, 1);
		} else if (strstr(l, "\"vCPU 2\"") != NULL) {
			EXPECT_EQ(ev[i].pid, 102);
		} else {
			EXPECT_TRUE(strstr(l, "\"vCPU 0\"") != NULL ||
				    strstr(l, "\"vCPU 1\"") != NULL);
			EXPECT_EQ(ev[i].pid, 101);
		}
	}
	EXPECT_EQ(xf_count(ev, n, 'M', NULL, "process_sort_index"), 3);
	EXPECT_EQ(xf_count(ev, n, 'M', NULL, "thread_sort_index"), 6);
	for (size_t i = 0; i < n; i++) {
		if (strstr(ev[i].line, "\"VM 1 (legacy)\"") != NULL) {
			EXPECT_EQ(ev[i].pid, 101);
		}
		if (strstr(ev[i].line, "\"VM 2 (prejudge)\"") != NULL) {
			EXPECT_EQ(ev[i].pid, 102);
		}
	}
	/* vcpu_run names a vCPU: it goes on that vCPU's thread. */
	EXPECT_EQ(xf_find(ev, n, 'i', NULL, "vcpu_run")->pid, 101);
	free(ev);
	trace_data_free(&td);
}

/** A fault is one slice on its vCPU with its BBM, TLBIs and flows inside. */
TEST(export_perfetto, fault_nests_bbm_and_tlbis_with_flows)
{
	struct trace_data td;
	struct xf_replay rp;
	struct xf_event *ev;
	const struct xf_event *f, *b;
	size_t n;

	xf_init(&td, 1);
	XF_REC(&td, 1000, 0, s2_fault_enter, 0, 1, 0x80000000, 0x93c2804f,
	       TRACE_FAULT_KIND_PERMISSION, TRACE_ACCESS_WRITE);
	XF_REC(&td, 1010, 0, bbm_break, 0x42898000, 0x80000000, 3, 0x77f, 1);
	XF_REC(&td, 1011, 0, dsb, TRACE_SHARE_ISHST);
	XF_REC(&td, 1020, 0, tlbi, TRACE_TLBI_OP_IPAS2E1, 0x80000000, 3,
	       TRACE_SHARE_ISH, 1);
	XF_REC(&td, 1030, 0, tlbi, TRACE_TLBI_OP_VMALLE1, 0, 0, TRACE_SHARE_ISH,
	       1);
	XF_REC(&td, 1040, 0, bbm_make, 0x42898000, 0x80000000, 3, 0x7ff, 1);
	XF_REC(&td, 1050, 0, s2_fault_exit, 0, 1, 0x80000000,
	       TRACE_OUTCOME_REMAPPED, TRACE_POLICY_LEGACY, 3);
	ev = pft_export(test_ctx, &td, &n, &rp);
	f = xf_find(ev, n, 'X', "fault", NULL);
	ASSERT_TRUE(f != NULL);
	EXPECT_STREQ(f->name, "fault remapped");
	EXPECT_EQ(f->pid, 101);
	EXPECT_EQ(f->ts, 0);
	EXPECT_EQ(f->dur, 50 * 16);
	/* Args of both ends: the enter's decoding, the exit's verdict. */
	EXPECT_TRUE(strstr(f->line, "\"ipa\":\"0x80000000\"") != NULL);
	EXPECT_TRUE(strstr(f->line, "\"kind\":\"permission\"") != NULL);
	EXPECT_TRUE(strstr(f->line, "\"access\":\"write\"") != NULL);
	EXPECT_TRUE(strstr(f->line, "\"outcome\":\"remapped\"") != NULL);
	EXPECT_TRUE(strstr(f->line, "\"policy\":\"legacy\"") != NULL);
	EXPECT_TRUE(strstr(f->line, "\"level\":3") != NULL);
	b = xf_find(ev, n, 'X', "bbm", "bbm");
	ASSERT_TRUE(b != NULL);
	EXPECT_EQ(b->tid, f->tid);
	EXPECT_EQ(b->ts, 10 * 16);
	EXPECT_EQ(b->dur, 30 * 16);
	EXPECT_TRUE(strstr(b->line, "\"old\":\"0x77f\"") != NULL);
	EXPECT_TRUE(strstr(b->line, "\"new\":\"0x7ff\"") != NULL);
	EXPECT_EQ(xf_count(ev, n, 'X', "tlbi", "tlbi ipas2e1"), 1);
	EXPECT_EQ(xf_count(ev, n, 'X', "tlbi", "tlbi vmalle1"), 1);
	EXPECT_EQ(xf_find(ev, n, 'X', "tlbi", NULL)->dur, 0);
	EXPECT_EQ(xf_count(ev, n, 'i', "event", "dsb"), 1);
	EXPECT_EQ(xf_find(ev, n, 'i', "event", "dsb")->tid, f->tid);
	/* One flow from the fault to the BBM and to each TLBI. */
	EXPECT_EQ(rp.flows, 3);
	EXPECT_EQ(xf_count(ev, n, 's', "fault", "caused"), 3);
	EXPECT_EQ(xf_count(ev, n, 'f', "fault", "caused"), 3);
	free(ev);
	trace_data_free(&td);
}

/** The eight phases of a world switch become slices on the pCPU. */
TEST(export_perfetto, world_switch_slices)
{
	static const char *const steps[] = {"enter_begin", "guest_s1_loaded",
					    "traps_on",    "exit",
					    "traps_off",   "host_restored"};
	struct trace_data td;
	struct xf_replay rp;
	struct xf_event *ev;
	const struct xf_event *e;
	size_t n;

	xf_init(&td, 2);
	XF_REC(&td, 1000, 1, world_switch, 1, 3, 1);
	XF_REC(&td, 1001, 1, spe_drain, 0, 0, 3);
	for (uint64_t p = 2; p <= 8; p++) {
		XF_REC(&td, 1000 + (p - 1) * 10, 1, world_switch, p, 3, 1);
	}
	ev = pft_export(test_ctx, &td, &n, &rp);
	e = xf_find(ev, n, 'X', "switch", "switch to guest");
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->pid, 1);
	EXPECT_EQ(e->tid, 1001);
	EXPECT_EQ(e->dur, 30 * 16);
	e = xf_find(ev, n, 'X', "switch", "in guest");
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->ts, 30 * 16);
	EXPECT_EQ(e->dur, 10 * 16);
	e = xf_find(ev, n, 'X', "switch", "switch to host");
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->ts, 40 * 16);
	EXPECT_EQ(e->dur, 30 * 16);
	for (size_t k = 0; k < 6; k++) {
		e = xf_find(ev, n, 'X', "switch", steps[k]);
		ASSERT_TRUE(e != NULL);
		EXPECT_EQ(e->dur, 10 * 16);
	}
	/* The drain happens inside the first step, on the pCPU. */
	EXPECT_EQ(xf_find(ev, n, 'i', NULL, "spe_drain")->tid, 1001);
	EXPECT_EQ(xf_count(ev, n, 'X', "switch", NULL), 9);
	free(ev);
	trace_data_free(&td);
}

/* The values of counter @name in file order. */
static size_t pft_counter(const struct xf_event *ev, size_t n, const char *name,
			  const char *key, long *v, size_t max)
{
	char pat[32];
	size_t k = 0;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	for (size_t i = 0; i < n; i++) {
		const char *p = strstr(ev[i].line, pat);

		if (ev[i].ph == 'C' && strcmp(ev[i].name, name) == 0 &&
		    p != NULL && k < max) {
			v[k++] = atol(p + strlen(pat));
		}
	}
	return k;
}

/** Faults in flight and broken entries are counted across CPUs. */
TEST(export_perfetto, counters)
{
	static const long faults[] = {0, 1, 2, 1, 0};
	static const long bbm[] = {0, 1, 0};
	struct trace_data td;
	struct xf_replay rp;
	struct xf_event *ev;
	long v[8];
	size_t n;

	xf_init(&td, 2);
	XF_REC(&td, 100, 0, s2_fault_enter, 0, 1, 0x1000, 0, 1, 2);
	XF_REC(&td, 110, 1, s2_fault_enter, 1, 1, 0x2000, 0, 1, 2);
	XF_REC(&td, 115, 1, bbm_break, 0x500, 0x2000, 3, 0x7ff, 1);
	XF_REC(&td, 118, 1, bbm_make, 0x500, 0x2000, 3, 0x7ff, 1);
	XF_REC(&td, 120, 0, s2_fault_exit, 0, 1, 0x1000, TRACE_OUTCOME_MAPPED,
	       TRACE_POLICY_LEGACY, 3);
	XF_REC(&td, 130, 1, s2_fault_exit, 1, 1, 0x2000, TRACE_OUTCOME_REMAPPED,
	       TRACE_POLICY_LEGACY, 3);
	ev = pft_export(test_ctx, &td, &n, &rp);
	ASSERT_EQ(pft_counter(ev, n, "faults", "in_flight", v, 8), 5);
	for (size_t k = 0; k < 5; k++) {
		EXPECT_EQ(v[k], faults[k]);
	}
	ASSERT_EQ(pft_counter(ev, n, "bbm", "broken", v, 8), 3);
	for (size_t k = 0; k < 3; k++) {
		EXPECT_EQ(v[k], bbm[k]);
	}
	EXPECT_EQ(xf_find(ev, n, 'C', NULL, "faults")->pid, 1);
	free(ev);
	trace_data_free(&td);
}

/** Each pool's free pages are a series of the "pool free pages" counter. */
TEST(export_perfetto, pool_free_pages_counter)
{
	struct trace_data td;
	struct xf_replay rp;
	struct xf_event *ev;
	long v[8];
	size_t n;

	xf_init(&td, 1);
	XF_REC(&td, 100, 0, pool_level, 0, TRACE_POOL_OP_ALLOC, 1, 1023);
	XF_REC(&td, 110, 0, pool_level, 1, TRACE_POOL_OP_ALLOC, 1, 15);
	XF_REC(&td, 120, 0, pool_level, 0, TRACE_POOL_OP_FREE, 1, 1024);
	ev = pft_export(test_ctx, &td, &n, &rp);
	ASSERT_EQ(pft_counter(ev, n, "pool free pages", "pool 0", v, 8), 2);
	EXPECT_EQ(v[0], 1023);
	EXPECT_EQ(v[1], 1024);
	ASSERT_EQ(pft_counter(ev, n, "pool free pages", "pool 1", v, 8), 1);
	EXPECT_EQ(v[0], 15);
	free(ev);
	trace_data_free(&td);
}

/** Guest accesses are slices around their faults; bad ones are instants. */
TEST(export_perfetto, guest_accesses)
{
	struct trace_data td;
	struct xf_replay rp;
	struct xf_event *ev;
	const struct xf_event *a;
	size_t n;

	xf_init(&td, 1);
	XF_REC(&td, 100, 0, vcpu_run, 0, 1, 0x10000000);
	xf_fault(&td, 0, 210, 240, 0, 1, 0x80000000, TRACE_OUTCOME_MAPPED);
	xf_fault(&td, 0, 400, 440, 0, 1, 0x80001000, TRACE_OUTCOME_MAPPED);
	/* Emitted at the end of the run, timed in the past. */
	XF_REC(&td, 900, 0, guest_access, 0, 1, 0x80000000, TRACE_ACCESS_WRITE,
	       200, 250);
	XF_REC(&td, 901, 0, guest_access, 0, 1, 0x80001000, TRACE_ACCESS_READ,
	       420, 500);
	XF_REC(&td, 902, 0, guest_access, 0, 1, 0x80002000, TRACE_ACCESS_READ,
	       700, 600);
	ev = pft_export(test_ctx, &td, &n, &rp);
	a = xf_find(ev, n, 'X', "guest", "guest write");
	ASSERT_TRUE(a != NULL);
	EXPECT_EQ(a->ts, 100 * 16);
	EXPECT_EQ(a->dur, 50 * 16);
	EXPECT_EQ(a->tid, xf_find(ev, n, 'X', "fault", NULL)->tid);
	EXPECT_TRUE(strstr(a->line, "\"latency_ns\":800") != NULL);
	/* Starts inside the second fault, ends after it. */
	a = xf_find(ev, n, 'i', "guest", "guest read");
	ASSERT_TRUE(a != NULL);
	EXPECT_TRUE(strstr(a->line, "\"not_nested\"") != NULL);
	EXPECT_EQ(xf_count(ev, n, 0, "guest", "guest read"), 2);
	EXPECT_EQ(xf_count(ev, n, 'i', "guest", NULL), 2);
	for (size_t i = 0; i < n; i++) {
		if (strstr(ev[i].line, "\"bad_times\"") != NULL) {
			EXPECT_EQ(ev[i].ph, 'i');
		}
	}
	free(ev);
	trace_data_free(&td);
}

/** Names from the file's schema are escaped: the JSON stays valid. */
TEST(export_perfetto, escaping)
{
	struct trace_data td;
	struct xf_replay rp;
	struct xf_event *ev;
	char *json;
	size_t n;

	xf_init(&td, 1);
	for (size_t i = 0; i < td.nevents; i++) {
		if (td.events[i].id == TRACE_EV_knob) {
			snprintf(td.events[i].name, sizeof(td.events[i].name),
				 "kn\"ob\\\n\t\x01");
			snprintf(td.events[i].fields[1].name,
				 sizeof(td.events[i].fields[1].name), "va\"l");
		}
	}
	for (size_t i = 0; i < td.nenums; i++) {
		if (strcmp(td.enums[i].kind, "KNOB") == 0) {
			snprintf(td.enums[i].name, sizeof(td.enums[i].name),
				 "a\"b\\c");
		}
	}
	XF_REC(&td, 100, 0, knob, TRACE_KNOB_BBM_DELAY_NS, 50000);
	json = xf_perfetto(&td);
	ASSERT_TRUE(json != NULL);
	EXPECT_TRUE(xf_json_valid(json));
	EXPECT_TRUE(strstr(json, "\"kn\\\"ob\\\\\\n\\t\\u0001\"") != NULL);
	EXPECT_TRUE(strstr(json, "\"va\\\"l\":50000") != NULL);
	EXPECT_TRUE(strstr(json, "\"a\\\"b\\\\c\"") != NULL);
	free(json);
	ev = pft_export(test_ctx, &td, &n, &rp);
	free(ev);
	trace_data_free(&td);
}

/** Unterminated faults and BBMs close somewhere, and say why. */
TEST(export_perfetto, damaged_input)
{
	struct trace_data td;
	struct xf_replay rp;
	struct xf_event *ev;
	const struct xf_event *e;
	size_t n;

	xf_init(&td, 2);
	td.complete = false;
	/* CPU 0: A's exit comes while B (entered inside A) never exited. */
	XF_REC(&td, 100, 0, s2_fault_enter, 0, 1, 0xa000, 0, 1, 1);
	XF_REC(&td, 110, 0, s2_fault_enter, 0, 1, 0xb000, 0, 1, 1);
	XF_REC(&td, 115, 0, bbm_break, 0x900, 0xb000, 3, 0x7ff, 1);
	XF_REC(&td, 120, 0, s2_fault_exit, 0, 1, 0xa000, TRACE_OUTCOME_MAPPED,
	       TRACE_POLICY_PREJUDGE, 3);
	/* An exit nobody entered; then a fault the trace cuts. */
	XF_REC(&td, 130, 0, s2_fault_exit, 0, 1, 0xc000, TRACE_OUTCOME_MAPPED,
	       TRACE_POLICY_PREJUDGE, 3);
	XF_REC(&td, 140, 1, s2_fault_enter, 1, 1, 0xd000, 0, 1, 1);
	XF_REC(&td, 150, 1, dsb, TRACE_SHARE_ISH);
	/* CPU 1 lost 5 events here. */
	xf_rec6(&td, 160, 1, TRACE_EV_dsb, (const uint64_t[6]){0});
	td.records[td.nrecords - 1].seq += 5;
	ev = pft_export(test_ctx, &td, &n, &rp);
	EXPECT_EQ(xf_count(ev, n, 'X', "fault", NULL), 3);
	e = xf_find(ev, n, 'X', "fault", "fault mapped");
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->dur, 20 * 16);
	EXPECT_EQ(xf_count(ev, n, 'X', "fault", "fault (no exit)"), 2);
	for (size_t i = 0; i < n; i++) {
		e = &ev[i];
		if (e->ph == 'X' && strcmp(e->name, "fault (no exit)") == 0) {
			EXPECT_TRUE(strstr(e->line, "\"unterminated\"") !=
				    NULL);
			/* B ends with A; CPU 1's with the trace. */
			EXPECT_EQ(e->ts + e->dur,
				  e->ts == 10 * 16 ? 20 * 16 : 60 * 16);
		}
	}
	e = xf_find(ev, n, 'X', "bbm", "bbm");
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->ts + e->dur, 20 * 16);
	EXPECT_TRUE(strstr(e->line, "\"unterminated\"") != NULL);
	EXPECT_EQ(xf_count(ev, n, 'i', "fault", "s2_fault_exit (no enter)"), 1);
	e = xf_find(ev, n, 'i', "trace", "events lost");
	ASSERT_TRUE(e != NULL);
	EXPECT_TRUE(strstr(e->line, "\"events\":5") != NULL);
	e = xf_find(ev, n, 'i', "trace", "trace incomplete");
	ASSERT_TRUE(e != NULL);
	EXPECT_TRUE(strstr(e->line, "\"s\":\"g\"") != NULL);
	free(ev);
	trace_data_free(&td);
}

/** A decoder error is named in otherData and at the end of the timeline. */
TEST(export_perfetto, decode_error_reported)
{
	struct trace_data td;
	char *json;

	xf_init(&td, 1);
	td.complete = false;
	td.error = -1;
	td.error_offset = 4242;
	snprintf(td.error_msg, sizeof(td.error_msg), "bad \"chunk\" magic");
	XF_REC(&td, 100, 0, dsb, TRACE_SHARE_ISH);
	json = xf_perfetto(&td);
	ASSERT_TRUE(json != NULL);
	EXPECT_TRUE(xf_json_valid(json));
	EXPECT_TRUE(strstr(json, "\"damage\":\"bad \\\"chunk\\\" magic\"") !=
		    NULL);
	EXPECT_TRUE(strstr(json, "\"name\":\"trace damaged\"") != NULL);
	EXPECT_TRUE(strstr(json, "\"damage_offset\":4242") != NULL);
	free(json);
	trace_data_free(&td);
}

/** A slice that would overlap its parent is cut to fit and says so. */
TEST(export_perfetto, overlap_is_cut_to_fit)
{
	struct trace_data td;
	struct xf_replay rp;
	struct xf_event *ev;
	const struct xf_event *e;
	size_t n;

	xf_init(&td, 1);
	/* A drain from 50 to 200 around a whole switch (100 to 170). */
	XF_REC(&td, 0, 0, dsb, TRACE_SHARE_ISH);
	xf_switch(&td, 0, 100, 10, 0, 1);
	XF_REC(&td, 200, 0, trace_drain, 4096, 150);
	ev = pft_export(test_ctx, &td, &n, &rp);
	e = xf_find(ev, n, 'X', "trace", "trace drain");
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->ts, 50 * 16);
	EXPECT_EQ(e->dur, 150 * 16);
	EXPECT_TRUE(strstr(e->line, "truncated") == NULL);
	free(ev);
	trace_data_free(&td);
	/* From 110 to 190: starts inside the switch to guest, ends after. */
	xf_init(&td, 1);
	xf_switch(&td, 0, 100, 10, 0, 1);
	XF_REC(&td, 190, 0, trace_drain, 4096, 80);
	ev = pft_export(test_ctx, &td, &n, &rp);
	e = xf_find(ev, n, 'X', "trace", "trace drain");
	ASSERT_TRUE(e != NULL);
	EXPECT_EQ(e->ts + e->dur, 30 * 16);
	EXPECT_TRUE(strstr(e->line, "\"truncated_from_ns\":1280") != NULL);
	free(ev);
	trace_data_free(&td);
}

/** A trace without records is still a valid, loadable document. */
TEST(export_perfetto, empty_trace)
{
	struct trace_data td;
	struct xf_replay rp;
	struct xf_event *ev;
	size_t n;

	xf_init(&td, 2);
	ev = pft_export(test_ctx, &td, &n, &rp);
	EXPECT_EQ(xf_count(ev, n, 'M', NULL, "process_name"), 1);
	EXPECT_EQ(xf_count(ev, n, 'X', NULL, NULL), 0);
	free(ev);
	trace_data_free(&td);
}

/** Ties at one timestamp are ordered as Perfetto sorts them; flows bind. */
TEST(export_perfetto, same_instant_ties)
{
	struct trace_data td;
	struct xf_replay rp;
	struct xf_event *ev;
	char *json;
	size_t n;

	xf_init(&td, 1);
	/* A TLBI on the tick the fault entered: the flow still binds. */
	XF_REC(&td, 100, 0, s2_fault_enter, 0, 1, 0x1000, 0, 1, 2);
	XF_REC(&td, 100, 0, tlbi, TRACE_TLBI_OP_VMALLE1, 0, 0, 1, 1);
	XF_REC(&td, 100, 0, dsb, TRACE_SHARE_ISH);
	XF_REC(&td, 120, 0, s2_fault_exit, 0, 1, 0x1000, TRACE_OUTCOME_MAPPED,
	       TRACE_POLICY_LEGACY, 3);
	/* A BBM on the tick its fault entered: its flows are left out. */
	XF_REC(&td, 200, 0, s2_fault_enter, 0, 1, 0x2000, 0, 1, 2);
	XF_REC(&td, 200, 0, bbm_break, 0x10, 0x2000, 3, 0x7ff, 1);
	XF_REC(&td, 205, 0, tlbi, TRACE_TLBI_OP_IPAS2E1, 0x2000, 3, 1, 1);
	XF_REC(&td, 210, 0, bbm_make, 0x10, 0x2000, 3, 0x7ff, 1);
	XF_REC(&td, 220, 0, s2_fault_exit, 0, 1, 0x2000, TRACE_OUTCOME_REMAPPED,
	       TRACE_POLICY_LEGACY, 3);
	ev = pft_export(test_ctx, &td, &n, &rp);
	EXPECT_EQ(rp.flows, 1);
	free(ev);
	json = xf_perfetto(&td);
	ASSERT_TRUE(json != NULL);
	EXPECT_TRUE(strstr(json, "\"flows_left_out\":2") != NULL);
	free(json);
	trace_data_free(&td);
}

/** A vCPU that only guest_access names gets a VM of its own, unknown. */
TEST(export_perfetto, vcpu_known_by_id_only)
{
	struct trace_data td;
	struct xf_replay rp;
	struct xf_event *ev;
	const struct xf_event *a;
	size_t n;

	xf_init(&td, 1);
	XF_REC(&td, 100, 0, dsb, TRACE_SHARE_ISH);
	XF_REC(&td, 300, 0, guest_access, 7, 1, 0x1000, TRACE_ACCESS_READ, 150,
	       250);
	ev = pft_export(test_ctx, &td, &n, &rp);
	a = xf_find(ev, n, 'X', "guest", "guest read");
	ASSERT_TRUE(a != NULL);
	EXPECT_EQ(a->pid, 99);
	EXPECT_EQ(xf_count(ev, n, 'M', NULL, "process_name"), 2);
	EXPECT_TRUE(strstr(ev[0].line, "hypervisor") != NULL);
	for (size_t i = 0; i < n; i++) {
		if (ev[i].ph == 'M' && ev[i].pid == 99 &&
		    strcmp(ev[i].name, "process_name") == 0) {
			EXPECT_TRUE(strstr(ev[i].line, "\"VM ? (vCPUs known by "
						       "id only)\"") != NULL);
		}
		if (ev[i].ph == 'M' && ev[i].pid == 99 &&
		    strcmp(ev[i].name, "thread_name") == 0) {
			EXPECT_TRUE(strstr(ev[i].line, "\"vCPU 7\"") != NULL);
		}
	}
	free(ev);
	trace_data_free(&td);
}
