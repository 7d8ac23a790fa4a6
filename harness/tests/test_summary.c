/*
 * The boot summary of hand-made decoded traces: records in order and out
 * of order, missing phases, two boots after a hotplug, crashes, losses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/test.h>
#include <faultline/time.h>
#include <faultline/trace/event.h>

#include "../../trace/tests/schema_fixture.h"
#include "../summary.h"

#define SUM_FREQ 62500000u

/* Fills @td's schema from the compiled event table, as a file has it. */
static void sum_schema(struct trace_data *td, unsigned ncpus)
{
	trace_fixture_schema(td, ncpus, SUM_FREQ);
	/* These tests were written against a version-1, END-less header. */
	td->version = 1;
	td->end_seen = false;
	td->records = calloc(256, sizeof(*td->records));
}

/* Appends a record; seq numbers count per CPU in the order added. */
static void sum_rec(struct trace_data *td, uint64_t ts, unsigned cpu,
		    uint16_t id, uint64_t f0, uint64_t f1)
{
	uint32_t seq = 0;
	struct trace_record *r;

	for (size_t i = 0; i < td->nrecords; i++) {
		seq += td->records[i].cpu == cpu;
	}
	r = &td->records[td->nrecords++];
	memset(r, 0, sizeof(*r));
	r->ts = ts;
	r->cpu = (uint16_t)cpu;
	r->id = id;
	r->seq = seq;
	r->f[0] = f0;
	r->f[1] = f1;
}

/* One complete boot of @cpu starting at @t, cpu_up at @t + @up_ticks. */
static void sum_boot(struct trace_data *td, unsigned cpu, uint64_t t,
		     uint64_t up_ticks)
{
	sum_rec(td, t, cpu, TRACE_EV_boot_tables_on, 0x40666000, 0x30cd183d);
	sum_rec(td, t + 10, cpu, TRACE_EV_trampoline_entered, 0xfffffffff074,
		0x4020e074);
	sum_rec(td, t + 20, cpu, TRACE_EV_runtime_tables_on, 0x40667000, 0);
	sum_rec(td, t + 30, cpu, TRACE_EV_tlbi, TRACE_TLBI_OP_ALLE2, 0);
	sum_rec(td, t + up_ticks, cpu, TRACE_EV_cpu_up, cpu, 1);
}

static bool sum_phases_are(const struct summary_cpu *c,
			   const enum summary_phase *p, size_t n)
{
	if (c->nphases != n) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		if (c->phases[i] != p[i]) {
			return false;
		}
	}
	return true;
}

static const enum summary_phase sum_full[] = {
	SUMMARY_PHASE_BOOT_TABLES_ON,
	SUMMARY_PHASE_TRAMPOLINE_ENTERED,
	SUMMARY_PHASE_RUNTIME_TABLES_ON,
	SUMMARY_PHASE_TLBI,
	SUMMARY_PHASE_CPU_UP,
};

/** Records in order: every CPU booted once, timed with the counter. */
TEST(harness_summary, records_in_order)
{
	struct trace_data td;
	struct summary s;
	uint64_t lo = 0, hi = 0;

	sum_schema(&td, 2);
	sum_boot(&td, 0, 1000, 625);
	sum_rec(&td, 2000, 0, TRACE_EV_hyp_start, 2, 0);
	sum_boot(&td, 1, 3000, 62500);
	ASSERT_EQ_INT(summary_compute(&td, &s), 0);
	EXPECT_EQ(s.ncpus, 2);
	EXPECT_EQ(s.events, td.nrecords);
	EXPECT_EQ(s.lost, 0);
	EXPECT_TRUE(!s.has_crash);
	for (unsigned c = 0; c < 2; c++) {
		EXPECT_EQ(s.cpus[c].boots, 1);
		EXPECT_TRUE(s.cpus[c].seen);
		EXPECT_TRUE(s.cpus[c].has_mpidr);
		EXPECT_EQ(s.cpus[c].mpidr, c);
		EXPECT_TRUE(sum_phases_are(&s.cpus[c], sum_full, 5));
	}
	/* 625 ticks at 62.5 MHz are 10 us; 62500 are 1 ms. */
	EXPECT_EQ(s.cpus[0].boot_ns[0], 10000);
	EXPECT_EQ(s.cpus[1].boot_ns[0], time_ticks_to_ns(62500, SUM_FREQ));
	EXPECT_EQ(summary_cpus_booted(&s), 2);
	EXPECT_TRUE(summary_boot_range(&s, &lo, &hi));
	EXPECT_EQ(lo, 10000);
	EXPECT_EQ(hi, 1000000);
	summary_free(&s);
	trace_data_free(&td);
}

/** Records out of order in the array: phases still come out in time order. */
TEST(harness_summary, records_out_of_order)
{
	struct trace_data td;
	struct summary s;

	sum_schema(&td, 2);
	sum_boot(&td, 1, 5000, 100);
	sum_boot(&td, 0, 1000, 200);
	/* Reverse the whole array. */
	for (size_t i = 0, j = td.nrecords - 1; i < j; i++, j--) {
		struct trace_record t = td.records[i];

		td.records[i] = td.records[j];
		td.records[j] = t;
	}
	ASSERT_EQ_INT(summary_compute(&td, &s), 0);
	for (unsigned c = 0; c < 2; c++) {
		EXPECT_EQ(s.cpus[c].boots, 1);
		EXPECT_TRUE(sum_phases_are(&s.cpus[c], sum_full, 5));
	}
	EXPECT_EQ(s.cpus[0].boot_ns[0], time_ticks_to_ns(200, SUM_FREQ));
	EXPECT_EQ(s.cpus[1].boot_ns[0], time_ticks_to_ns(100, SUM_FREQ));
	summary_free(&s);
	trace_data_free(&td);
}

/** A missing phase means no complete boot; a silent CPU is listed empty. */
TEST(harness_summary, missing_phases)
{
	static const enum summary_phase partial[] = {
		SUMMARY_PHASE_BOOT_TABLES_ON,
		SUMMARY_PHASE_RUNTIME_TABLES_ON,
		SUMMARY_PHASE_TLBI,
		SUMMARY_PHASE_CPU_UP,
	};
	static const enum summary_phase stuck[] = {
		SUMMARY_PHASE_BOOT_TABLES_ON,
		SUMMARY_PHASE_TRAMPOLINE_ENTERED,
	};
	struct trace_data td;
	struct summary s;

	sum_schema(&td, 4);
	sum_boot(&td, 0, 100, 50);
	sum_rec(&td, 1000, 1, TRACE_EV_boot_tables_on, 0, 0);
	sum_rec(&td, 1020, 1, TRACE_EV_runtime_tables_on, 0, 0);
	sum_rec(&td, 1030, 1, TRACE_EV_tlbi, TRACE_TLBI_OP_ALLE2, 0);
	sum_rec(&td, 1040, 1, TRACE_EV_cpu_up, 1, 1);
	sum_rec(&td, 2000, 2, TRACE_EV_boot_tables_on, 0, 0);
	sum_rec(&td, 2010, 2, TRACE_EV_trampoline_entered, 0, 0);
	ASSERT_EQ_INT(summary_compute(&td, &s), 0);
	EXPECT_EQ(s.ncpus, 4);
	EXPECT_EQ(s.cpus[0].boots, 1);
	EXPECT_EQ(s.cpus[1].boots, 0);
	EXPECT_TRUE(sum_phases_are(&s.cpus[1], partial, 4));
	EXPECT_EQ(s.cpus[2].boots, 0);
	EXPECT_TRUE(sum_phases_are(&s.cpus[2], stuck, 2));
	EXPECT_TRUE(!s.cpus[2].has_mpidr);
	EXPECT_EQ(s.cpus[3].boots, 0);
	EXPECT_EQ(s.cpus[3].nphases, 0);
	EXPECT_TRUE(!s.cpus[3].seen);
	EXPECT_EQ(summary_cpus_booted(&s), 1);
	summary_free(&s);
	trace_data_free(&td);
}

/** CPU_OFF then the init again: two boots, each timed on its own. */
TEST(harness_summary, two_boots_after_hotplug)
{
	struct trace_data td;
	struct summary s;

	sum_schema(&td, 2);
	sum_boot(&td, 0, 100, 50);
	sum_boot(&td, 1, 1000, 300);
	sum_rec(&td, 2000, 1, TRACE_EV_cpu_job, 1, 1);
	sum_rec(&td, 3000, 1, TRACE_EV_cpu_off, 1, 1);
	sum_boot(&td, 1, 5000, 700);
	ASSERT_EQ_INT(summary_compute(&td, &s), 0);
	EXPECT_EQ(s.cpus[1].boots, 2);
	ASSERT_EQ(s.cpus[1].nphases, 11);
	EXPECT_EQ(s.cpus[1].phases[5], SUMMARY_PHASE_CPU_OFF);
	EXPECT_TRUE(sum_phases_are(&s.cpus[1], sum_full, 5) == false);
	EXPECT_EQ(s.cpus[1].phases[10], SUMMARY_PHASE_CPU_UP);
	EXPECT_EQ(s.cpus[1].boot_ns[0], time_ticks_to_ns(300, SUM_FREQ));
	EXPECT_EQ(s.cpus[1].boot_ns[1], time_ticks_to_ns(700, SUM_FREQ));
	EXPECT_EQ(s.cpus[0].boots, 1);
	summary_free(&s);
	trace_data_free(&td);
}

/** Phases in the wrong order are listed but do not count as a boot. */
TEST(harness_summary, wrong_order_is_not_a_boot)
{
	struct trace_data td;
	struct summary s;

	sum_schema(&td, 1);
	sum_rec(&td, 100, 0, TRACE_EV_boot_tables_on, 0, 0);
	sum_rec(&td, 110, 0, TRACE_EV_runtime_tables_on, 0, 0);
	sum_rec(&td, 120, 0, TRACE_EV_trampoline_entered, 0, 0);
	sum_rec(&td, 130, 0, TRACE_EV_tlbi, TRACE_TLBI_OP_ALLE2, 0);
	sum_rec(&td, 140, 0, TRACE_EV_cpu_up, 0, 1);
	ASSERT_EQ_INT(summary_compute(&td, &s), 0);
	EXPECT_EQ(s.cpus[0].boots, 0);
	EXPECT_EQ(s.cpus[0].nphases, 5);
	summary_free(&s);
	trace_data_free(&td);
}

/** Fault-path TLBIs (not alle2) are not init phases. */
TEST(harness_summary, other_tlbis_are_not_phases)
{
	struct trace_data td;
	struct summary s;

	sum_schema(&td, 1);
	sum_boot(&td, 0, 100, 50);
	sum_rec(&td, 500, 0, TRACE_EV_tlbi, TRACE_TLBI_OP_IPAS2E1, 0x1000);
	sum_rec(&td, 510, 0, TRACE_EV_tlbi, TRACE_TLBI_OP_VMALLE1, 0);
	ASSERT_EQ_INT(summary_compute(&td, &s), 0);
	EXPECT_EQ(s.cpus[0].boots, 1);
	EXPECT_TRUE(sum_phases_are(&s.cpus[0], sum_full, 5));
	summary_free(&s);
	trace_data_free(&td);
}

/** The first crash in time is reported, with its EC's name. */
TEST(harness_summary, crash)
{
	struct trace_data td;
	struct summary s;

	sum_schema(&td, 2);
	sum_boot(&td, 0, 100, 50);
	sum_boot(&td, 1, 200, 50);
	sum_rec(&td, 900, 0, TRACE_EV_crash, TRACE_EC_PANIC, 0);
	sum_rec(&td, 800, 1, TRACE_EV_crash, TRACE_EC_DABT_CUR, 0x97c08004);
	td.records[td.nrecords - 1].f[2] = 0x40200000;
	td.records[td.nrecords - 1].f[3] = 0x400040206e74;
	ASSERT_EQ_INT(summary_compute(&td, &s), 0);
	ASSERT_TRUE(s.has_crash);
	EXPECT_EQ(s.crash.cpu, 1);
	EXPECT_EQ(s.crash.ec, 0x25);
	EXPECT_STREQ(s.crash.ec_name, "dabt_cur");
	EXPECT_EQ(s.crash.esr, 0x97c08004);
	EXPECT_EQ(s.crash.far, 0x40200000);
	EXPECT_EQ(s.crash.elr, 0x400040206e74);
	summary_free(&s);
	trace_data_free(&td);
}

/** An EC the schema has no name for is shown as a number. */
TEST(harness_summary, crash_with_unknown_ec)
{
	struct trace_data td;
	struct summary s;

	sum_schema(&td, 1);
	sum_rec(&td, 100, 0, TRACE_EV_crash, 0x3e, 0);
	ASSERT_EQ_INT(summary_compute(&td, &s), 0);
	ASSERT_TRUE(s.has_crash);
	EXPECT_STREQ(s.crash.ec_name, "ec 0x3e");
	summary_free(&s);
	trace_data_free(&td);
}

/** An incomplete trace's losses per CPU: the larger of the lost count and the sequence gaps. */
TEST(harness_summary, lost_events)
{
	struct trace_data td;
	struct summary s;

	sum_schema(&td, 3);
	td.complete = false;
	td.lost[1] = 3;
	td.seq_gaps[1] = 5;
	td.lost[2] = 2;
	td.lost_total = 5;
	ASSERT_EQ_INT(summary_compute(&td, &s), 0);
	EXPECT_EQ(s.cpus[0].lost, 0);
	EXPECT_EQ(s.cpus[1].lost, 5);
	EXPECT_EQ(s.cpus[2].lost, 2);
	EXPECT_EQ(s.lost, 7);
	summary_free(&s);
	trace_data_free(&td);
}

/** A complete trace's losses are the hypervisor's counts: other sequence gaps are events read elsewhere. */
TEST(harness_summary, complete_trace_trusts_lost_counts)
{
	struct trace_data td;
	struct summary s;

	sum_schema(&td, 2);
	td.complete = true;
	td.lost[0] = 4;
	td.seq_gaps[0] = 4;
	td.seq_gaps[1] = 30000;
	td.lost_total = 4;
	ASSERT_EQ_INT(summary_compute(&td, &s), 0);
	EXPECT_EQ(s.cpus[0].lost, 4);
	EXPECT_EQ(s.cpus[1].lost, 0);
	EXPECT_EQ(s.lost, 4);
	summary_free(&s);
	trace_data_free(&td);
}

/** An empty trace (header only) gives CPUs with nothing, not an error. */
TEST(harness_summary, empty_trace)
{
	struct trace_data td;
	struct summary s;
	uint64_t lo, hi;

	sum_schema(&td, 2);
	ASSERT_EQ_INT(summary_compute(&td, &s), 0);
	EXPECT_EQ(s.ncpus, 2);
	EXPECT_EQ(summary_cpus_booted(&s), 0);
	EXPECT_TRUE(!summary_boot_range(&s, &lo, &hi));
	summary_free(&s);
	trace_data_free(&td);
}
