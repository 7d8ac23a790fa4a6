/*
 * Trace rings and the event table: portable tests, run on the host and
 * inside the EL2 image.
 */
#include <faultline/arch/cpu.h>
#include <faultline/test.h>
#include <faultline/trace/format.h>
#include <faultline/trace/ring.h>

static struct trace_record ring_out[TRACE_RING_RECORDS + 8];

/** Emitted events come back from the ring in order, with their fields, CPU and sequence numbers. */
TEST(trace_ring, emit_then_drain_in_order)
{
	unsigned cpu = arch_cpu_index();
	size_t n;

	trace_rings_reset();
	trace_tlbi_at(100, TRACE_TLBI_OP_IPAS2E1, 0x1234000, 3, TRACE_SHARE_ISH,
		      7);
	trace_cpu_up_at(200, 0x81000102, 2);
	n = trace_ring_drain(cpu, ring_out, ARRAY_SIZE(ring_out));
	ASSERT_EQ(n, 2);
	EXPECT_EQ(ring_out[0].ts, 100);
	EXPECT_EQ(ring_out[0].id, TRACE_EV_tlbi);
	EXPECT_EQ(ring_out[0].cpu, cpu);
	EXPECT_EQ(ring_out[0].f[0], TRACE_TLBI_OP_IPAS2E1);
	EXPECT_EQ(ring_out[0].f[1], 0x1234000);
	EXPECT_EQ(ring_out[0].f[2], 3);
	EXPECT_EQ(ring_out[0].f[3], TRACE_SHARE_ISH);
	EXPECT_EQ(ring_out[0].f[4], 7);
	EXPECT_EQ(ring_out[0].f[5], 0);
	EXPECT_EQ(ring_out[1].id, TRACE_EV_cpu_up);
	EXPECT_EQ(ring_out[1].f[0], 0x81000102);
	EXPECT_EQ(ring_out[1].seq, ring_out[0].seq + 1);
	EXPECT_EQ(trace_ring_drain(cpu, ring_out, ARRAY_SIZE(ring_out)), 0);
}

/** A full ring drops new events, counts them as lost, and consumes their sequence numbers. */
TEST(trace_ring, full_ring_counts_lost_events)
{
	unsigned cpu = arch_cpu_index();
	uint32_t last_seq;
	size_t n;

	trace_rings_reset();
	for (unsigned i = 0; i < TRACE_RING_RECORDS + 5; i++) {
		trace_cpu_job_at(i, i, 0);
	}
	EXPECT_EQ(trace_ring_lost(cpu), 5);
	n = trace_ring_drain(cpu, ring_out, ARRAY_SIZE(ring_out));
	ASSERT_EQ(n, TRACE_RING_RECORDS);
	/* The oldest events are kept: the newest were dropped. */
	EXPECT_EQ(ring_out[0].f[0], 0);
	EXPECT_EQ(ring_out[n - 1].f[0], TRACE_RING_RECORDS - 1);
	last_seq = ring_out[n - 1].seq;
	/* After draining, the next event shows the gap of 5. */
	trace_cpu_job_at(1, 99, 0);
	ASSERT_EQ(trace_ring_drain(cpu, ring_out, 1), 1);
	EXPECT_EQ(ring_out[0].seq, last_seq + 1 + 5);
	EXPECT_EQ(ring_out[0].f[0], 99);
	trace_rings_reset();
	EXPECT_EQ(trace_ring_lost(cpu), 0);
}

/** Lean tracing drops the fault-path events without a gap in the sequence, and keeps what the report needs. */
TEST(trace_ring, lean_tracing_drops_fault_path_events)
{
	unsigned cpu = arch_cpu_index();
	size_t n;

	trace_rings_reset();
	trace_set_lean(true);
	EXPECT_TRUE(trace_is_lean());
	trace_tlbi_at(10, TRACE_TLBI_OP_IPAS2E1, 0x1000, 3, TRACE_SHARE_ISH, 1);
	trace_guest_access_at(20, 0, 1, 0x1000, TRACE_ACCESS_WRITE, 5, 9);
	trace_s2_fault_enter_at(30, 0, 1, 0x1000, 0,
				TRACE_FAULT_KIND_TRANSLATION,
				TRACE_ACCESS_WRITE);
	trace_vcpu_stop_at(40, 0, 1, TRACE_VCPU_STOP_DONE, 0, 0);
	trace_set_lean(false);
	EXPECT_TRUE(!trace_is_lean());
	trace_tlbi_at(50, TRACE_TLBI_OP_IPAS2E1, 0x2000, 3, TRACE_SHARE_ISH, 1);
	n = trace_ring_drain(cpu, ring_out, ARRAY_SIZE(ring_out));
	ASSERT_EQ(n, 3);
	EXPECT_EQ(ring_out[0].id, TRACE_EV_guest_access);
	EXPECT_EQ(ring_out[1].id, TRACE_EV_vcpu_stop);
	EXPECT_EQ(ring_out[2].id, TRACE_EV_tlbi);
	/* Dropped on purpose, not lost: no gap, nothing counted. */
	EXPECT_EQ(ring_out[1].seq, ring_out[0].seq + 1);
	EXPECT_EQ(ring_out[2].seq, ring_out[1].seq + 1);
	EXPECT_EQ(trace_ring_lost(cpu), 0);
}

/** A partial drain leaves the rest for the next drain. */
TEST(trace_ring, partial_drain)
{
	unsigned cpu = arch_cpu_index();

	trace_rings_reset();
	for (unsigned i = 0; i < 10; i++) {
		trace_cpu_job_at(i, i, 0);
	}
	ASSERT_EQ(trace_ring_drain(cpu, ring_out, 4), 4);
	EXPECT_EQ(ring_out[3].f[0], 3);
	ASSERT_EQ(trace_ring_drain(cpu, ring_out, 100), 6);
	EXPECT_EQ(ring_out[0].f[0], 4);
	EXPECT_EQ(ring_out[5].f[0], 9);
}

/**
 * The event table matches the format version: changing trace/events.def
 * without bumping TRACE_FORMAT_VERSION and TRACE_SCHEMA_HASH fails here.
 */
TEST(trace_schema, table_change_needs_version_bump)
{
	uint64_t h = trace_schema_hash();

	if (!EXPECT_EQ(h, TRACE_SCHEMA_HASH)) {
		test_fail(test_ctx, __FILE__, __LINE__,
			  "trace/events.def changed: bump TRACE_FORMAT_VERSION "
			  "(now %d) and set TRACE_SCHEMA_HASH to 0x%llx in "
			  "trace/include/faultline/trace/format.h",
			  TRACE_FORMAT_VERSION, (unsigned long long)h);
	}
}

/** Event ids and names are unique, every event has 1 to 6 fields, and every field kind is known. */
TEST(trace_schema, ids_names_and_kinds_are_consistent)
{
	for (unsigned i = 0; i < trace_nevents; i++) {
		const struct trace_event_desc *a = &trace_events[i];

		EXPECT_TRUE(a->nfields >= 1 && a->nfields <= TRACE_MAX_FIELDS);
		EXPECT_TRUE(trace_event_by_id(a->id) == a);
		for (unsigned j = 0; j < a->nfields; j++) {
			EXPECT_TRUE(a->fields[j].kind < TRACE_KIND_COUNT);
		}
		for (unsigned j = i + 1; j < trace_nevents; j++) {
			const struct trace_event_desc *b = &trace_events[j];
			const char *x = a->name;
			const char *y = b->name;

			EXPECT_NE(a->id, b->id);
			while (*x != '\0' && *x == *y) {
				x++;
				y++;
			}
			EXPECT_TRUE(*x != *y);
		}
	}
	EXPECT_STREQ(trace_enum_name(TRACE_KIND_TLBI_OP, TRACE_TLBI_OP_ALLE2),
		     "alle2");
	EXPECT_STREQ(trace_enum_name(TRACE_KIND_EC, 0x25), "dabt_cur");
	EXPECT_TRUE(trace_enum_name(TRACE_KIND_EC, 0x3f) == NULL);
	EXPECT_TRUE(trace_enum_name(TRACE_KIND_HEX, 1) == NULL);
	EXPECT_STREQ(trace_kind_name(TRACE_KIND_SHARE), "SHARE");
}
