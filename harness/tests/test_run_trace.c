/*
 * What `faultline run` draws from a trace besides the fault-path figures,
 * on hand-made traces: repetitions (warm-ups left out, per-repetition
 * figures), the livelock's evidence, and the per-sample latency files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/test.h>

#include "../evidence.h"
#include "../expect_reps.h"
#include "../faultstats.h"
#include "../latency_csv.h"
#include "export_fixture.h"

#define RT_PAGE UINT64_C(0x80000000)

/* @f's text (closed here); the caller frees it. */
static char *rt_text(FILE *f, char **buf)
{
	fclose(f);
	return *buf;
}

/*
 * A run of three repetitions, the first a warm-up: in it a fault, a BBM
 * and a timed access; in rep 1 two faults (10 and 30 ticks), a BBM, a
 * timed read (20 ticks) and a null hvc (5); in rep 2 a fault of 50 ticks.
 */
static void rt_reps_trace(struct trace_data *td)
{
	xf_init(td, 2);
	XF_REC(td, 100, 0, rep, 0, 1, TRACE_REP_PHASE_BEGIN);
	xf_fault(td, 1, 110, 120, 1, 1, RT_PAGE, TRACE_OUTCOME_MAPPED);
	XF_REC(td, 130, 1, bbm_break, 0x1000, RT_PAGE, 3, 0x7ff, 1);
	XF_REC(td, 140, 0, guest_access, 0, 1, RT_PAGE, TRACE_ACCESS_READ, 100,
	       900);
	XF_REC(td, 200, 0, rep, 0, 1, TRACE_REP_PHASE_END);
	XF_REC(td, 300, 0, rep, 1, 0, TRACE_REP_PHASE_BEGIN);
	xf_fault(td, 1, 310, 320, 1, 1, RT_PAGE, TRACE_OUTCOME_MAPPED);
	XF_REC(td, 325, 1, bbm_break, 0x1000, RT_PAGE, 3, 0x7ff, 1);
	xf_fault(td, 0, 330, 360, 0, 1, RT_PAGE + 0x1000,
		 TRACE_OUTCOME_SPURIOUS);
	XF_REC(td, 370, 0, guest_access, 0, 1, RT_PAGE, TRACE_ACCESS_READ, 300,
	       320);
	XF_REC(td, 371, 0, guest_access, 0, 2, 0, TRACE_ACCESS_HVC, 300, 305);
	XF_REC(td, 400, 0, rep, 1, 0, TRACE_REP_PHASE_END);
	XF_REC(td, 500, 0, rep, 2, 0, TRACE_REP_PHASE_BEGIN);
	xf_fault(td, 1, 510, 560, 1, 1, RT_PAGE, TRACE_OUTCOME_MAPPED);
	XF_REC(td, 600, 0, rep, 2, 0, TRACE_REP_PHASE_END);
}

/** Warm-up repetitions are left out of every figure; each measured one has its own. */
TEST(harness_reps, warmup_left_out_and_per_rep_figures)
{
	struct trace_data td;
	struct faultstats fs;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	struct json_writer w;

	rt_reps_trace(&td);
	ASSERT_EQ_INT(faultstats_compute(&td, &fs), 0);
	/* The warm-up's fault, BBM and access are not counted. */
	EXPECT_EQ(fs.faults, 3u);
	EXPECT_EQ(fs.bbm_breaks, 1u);
	EXPECT_EQ(fs.access_lat.n, 1u);
	EXPECT_EQ(fs.warmup_reps, 1u);
	EXPECT_EQ(fs.warmup_records, 4u);
	/* Rep 1 and rep 2 each map the page, in VMs of their own. */
	EXPECT_EQ(fs.pages_mapped, 2u);
	EXPECT_EQ(fs.pages_mapped_again, 0u);
	EXPECT_EQ(fs.most_mapped.vmid, 1u);
	ASSERT_EQ(fs.nreps, 2u);
	EXPECT_EQ(fs.reps[0].number, 1u);
	EXPECT_TRUE(fs.reps[0].ended);
	EXPECT_EQ(fs.reps[0].faults, 2u);
	EXPECT_EQ(fs.reps[0].bbm_breaks, 1u);
	/* 16 ns a tick: faults of 160 and 480 ns, p50 the lower. */
	EXPECT_EQ(fs.reps[0].fault_lat.n, 2u);
	EXPECT_EQ(fs.reps[0].fault_lat.p50, 160u);
	EXPECT_EQ(fs.reps[0].access_lat.p50, 320u);
	EXPECT_EQ(fs.reps[0].hvc_floor.p50, 80u);
	EXPECT_EQ(fs.reps[0].duration_ns, 1600u);
	EXPECT_EQ(fs.reps[1].number, 2u);
	EXPECT_EQ(fs.reps[1].faults, 1u);
	EXPECT_EQ(fs.reps[1].fault_lat.p50, 800u);
	EXPECT_EQ(fs.reps[1].access_lat.n, 0u);
	f = open_memstream(&text, &len);
	ASSERT_TRUE(f != NULL);
	json_init(&w, f);
	faultstats_reps_json(&fs, &w);
	EXPECT_EQ_INT(json_finish(&w), 0);
	rt_text(f, &text);
	EXPECT_TRUE(strstr(text, "\"measured\": 2,") != NULL);
	EXPECT_TRUE(strstr(text, "\"warmup\": 1,") != NULL);
	EXPECT_TRUE(strstr(text, "\"number\": 2,") != NULL);
	EXPECT_TRUE(strstr(text, "\"p50\": 800,") != NULL);
	EXPECT_TRUE(xf_json_valid(text));
	free(text);
	text = NULL;
	f = open_memstream(&text, &len);
	ASSERT_TRUE(f != NULL);
	faultstats_reps_print(&fs, f);
	rt_text(f, &text);
	EXPECT_TRUE(strstr(text, "repetitions: 2 measured, 1 warm-up left "
				 "out") != NULL);
	EXPECT_TRUE(strstr(text, "rep 1: 2 faults, 1 BBM, fault p50 160 ns, "
				 "access p50 320 ns, hvc p50 80 ns\n") != NULL);
	free(text);
	faultstats_free(&fs);
	trace_data_free(&td);
}

/** A trace cut inside a repetition: it counts, marked as not ended. */
TEST(harness_reps, cut_inside_a_repetition)
{
	struct trace_data td;
	struct faultstats fs;

	xf_init(&td, 1);
	XF_REC(&td, 100, 0, rep, 0, 0, TRACE_REP_PHASE_BEGIN);
	xf_fault(&td, 0, 110, 150, 0, 1, RT_PAGE, TRACE_OUTCOME_MAPPED);
	ASSERT_EQ_INT(faultstats_compute(&td, &fs), 0);
	ASSERT_EQ(fs.nreps, 1u);
	EXPECT_TRUE(!fs.reps[0].ended);
	EXPECT_EQ(fs.reps[0].duration_ns, 800u);
	EXPECT_EQ(fs.reps[0].faults, 1u);
	faultstats_free(&fs);
	trace_data_free(&td);
}

/*
 * The ping-pong of seed 002 on 0x80000000 of VMID 1: vCPU 0 (cpu 0)
 * writes and breaks the entry, vCPU 1 (cpu 1) reads and breaks it back,
 * four rounds from tick 1000; then the detector's record for vCPU 0
 * (since 1000) and one for vCPU 1. A fault on another page is noise.
 */
static void rt_livelock_trace(struct trace_data *td)
{
	xf_init(td, 2);
	XF_REC(td, 10, 0, vm_create, 1, TRACE_POLICY_LEGACY, 40, 2, 0);
	xf_fault(td, 0, 500, 510, 0, 1, RT_PAGE, TRACE_OUTCOME_MAPPED);
	for (uint64_t t = 1000; t < 1400; t += 100) {
		XF_REC(td, t, 0, s2_fault_enter, 0, 1, RT_PAGE, 0x9200004f,
		       TRACE_FAULT_KIND_PERMISSION, TRACE_ACCESS_WRITE);
		XF_REC(td, t + 10, 0, bbm_break, 0x4000, RT_PAGE, 3, 0x7ff, 1);
		XF_REC(td, t + 20, 0, bbm_make, 0x4000, RT_PAGE, 3, 0x7ff, 1);
		XF_REC(td, t + 30, 0, s2_fault_exit, 0, 1, RT_PAGE,
		       TRACE_OUTCOME_REMAPPED, TRACE_POLICY_LEGACY, 3);
		XF_REC(td, t + 50, 1, s2_fault_enter, 1, 1, RT_PAGE + 8,
		       0x92000007, TRACE_FAULT_KIND_TRANSLATION,
		       TRACE_ACCESS_READ);
		XF_REC(td, t + 60, 1, bbm_break, 0x4000, RT_PAGE, 3, 0x47f, 1);
		XF_REC(td, t + 70, 1, bbm_make, 0x4000, RT_PAGE, 3, 0x47f, 1);
		XF_REC(td, t + 80, 1, s2_fault_exit, 1, 1, RT_PAGE + 8,
		       TRACE_OUTCOME_REMAPPED, TRACE_POLICY_LEGACY, 3);
		xf_fault(td, 1, t + 85, t + 90, 1, 1, RT_PAGE + 0x5000,
			 TRACE_OUTCOME_MAPPED);
	}
	XF_REC(td, 1400, 0, livelock, 0, 1, RT_PAGE, 4, 1000, 7);
	XF_REC(td, 1410, 1, livelock, 1, 1, RT_PAGE, 4, 1050, 9);
}

/** The livelock's evidence: who, where, the window, the vCPUs and BBMs in it, and the cycle. */
TEST(harness_evidence, pingpong_window)
{
	struct trace_data td;
	struct evidence ev;
	char *text = NULL;
	size_t len = 0;
	struct json_writer w;
	FILE *f;

	rt_livelock_trace(&td);
	evidence_compute(&td, &ev);
	EXPECT_EQ(ev.count, 2u);
	EXPECT_EQ(ev.vcpu, 0u);
	EXPECT_EQ(ev.vmid, 1u);
	EXPECT_EQ(ev.ipa, RT_PAGE);
	EXPECT_EQ(ev.faults, 4u);
	EXPECT_EQ(ev.progress, 7u);
	EXPECT_EQ(ev.cpu, 0u);
	/* Since the first record (tick 10): 990 and 1390 ticks. */
	EXPECT_EQ(ev.since_ns, 990u * 16);
	EXPECT_EQ(ev.at_ns, 1390u * 16);
	/* Both vCPUs faulted on the page four times; the other page not. */
	ASSERT_EQ(ev.nvcpus, 2u);
	EXPECT_EQ(ev.vcpus[0].vcpu, 0u);
	EXPECT_EQ(ev.vcpus[0].faults, 4u);
	EXPECT_EQ(ev.vcpus[1].vcpu, 1u);
	EXPECT_EQ(ev.vcpus[1].faults, 4u);
	EXPECT_EQ(ev.bbms, 8u);
	ASSERT_EQ(ev.nbbm_cpus, 2u);
	EXPECT_EQ(ev.bbm_cpus[0].bbms, 4u);
	EXPECT_EQ(ev.bbm_cpus[1].bbms, 4u);
	/* 4 rounds of 8 records on the page, and the livelock record. */
	EXPECT_EQ(ev.page_events, 33u);
	ASSERT_EQ(ev.nexcerpt, (unsigned)EVIDENCE_EXCERPT_ROWS);
	EXPECT_TRUE(strstr(ev.excerpt[EVIDENCE_EXCERPT_ROWS - 1],
			   " cpu 0 livelock vcpu=0 vmid=1 ipa=0x80000000 "
			   "faults=4") != NULL);
	EXPECT_TRUE(strstr(ev.excerpt[EVIDENCE_EXCERPT_ROWS - 2],
			   "s2_fault_exit vcpu=1 vmid=1 ipa=0x80000008 "
			   "outcome=remapped policy=legacy") != NULL);
	ASSERT_EQ(ev.nothers, 1u);
	EXPECT_EQ(ev.others[0].vcpu, 1u);
	f = open_memstream(&text, &len);
	ASSERT_TRUE(f != NULL);
	evidence_print(&ev, f, false);
	rt_text(f, &text);
	EXPECT_TRUE(strstr(text, "faultline: livelock: vcpu 0 of vm 1 (cpu 0) "
				 "made no progress across 4 faults on IPA "
				 "0x80000000, from 15.8 us to 22.2 us (6.4 "
				 "us)\n") != NULL);
	EXPECT_TRUE(strstr(text, "faults on the page by vcpu 0 of vm 1 (4), "
				 "vcpu 1 of vm 1 (4); 8 BBMs of its entry "
				 "(cpu 0: 4, cpu 1: 4)") != NULL);
	EXPECT_TRUE(strstr(text, "also livelocked: vcpu 1 of vm 1 on "
				 "0x80000000") != NULL);
	free(text);
	text = NULL;
	f = open_memstream(&text, &len);
	ASSERT_TRUE(f != NULL);
	json_init(&w, f);
	evidence_json(&ev, &w);
	EXPECT_EQ_INT(json_finish(&w), 0);
	rt_text(f, &text);
	EXPECT_TRUE(xf_json_valid(text));
	EXPECT_TRUE(strstr(text, "\"ipa\": \"0x80000000\",") != NULL);
	EXPECT_TRUE(strstr(text, "\"duration\": 6400") != NULL);
	EXPECT_TRUE(strstr(text, "\"0\": 4,") != NULL);
	free(text);
	trace_data_free(&td);
}

/** No livelock record: no evidence, and null in JSON. */
TEST(harness_evidence, none)
{
	struct trace_data td;
	struct evidence ev;
	char *text = NULL;
	size_t len = 0;
	struct json_writer w;
	FILE *f;

	xf_init(&td, 1);
	xf_fault(&td, 0, 10, 20, 0, 1, RT_PAGE, TRACE_OUTCOME_MAPPED);
	evidence_compute(&td, &ev);
	EXPECT_EQ(ev.count, 0u);
	f = open_memstream(&text, &len);
	ASSERT_TRUE(f != NULL);
	evidence_print(&ev, f, false);
	json_init(&w, f);
	evidence_json(&ev, &w);
	json_finish(&w);
	rt_text(f, &text);
	EXPECT_STREQ(text, "null\n");
	free(text);
	trace_data_free(&td);
}

/** latency.csv has a row per fault and guest_latency.csv one per timed access, with their repetition. */
TEST(harness_latency_csv, rows)
{
	struct trace_data td;
	char *faults = NULL, *guest = NULL;
	size_t fl = 0, gl = 0;
	FILE *ff, *gf;

	rt_reps_trace(&td);
	ff = open_memstream(&faults, &fl);
	gf = open_memstream(&guest, &gl);
	ASSERT_TRUE(ff != NULL && gf != NULL);
	EXPECT_EQ_INT(latency_csv_write(&td, ff, gf), 0);
	rt_text(ff, &faults);
	rt_text(gf, &guest);
	EXPECT_TRUE(strncmp(faults,
			    "cpu,vcpu,vmid,ipa,kind,access,outcome,policy,rep,"
			    "warmup,start_ns,latency_ns\n",
			    70) == 0);
	/* The warm-up's fault is there, marked; times from the first record. */
	EXPECT_TRUE(strstr(faults, "1,1,1,0x80000000,translation,write,mapped,"
				   "prejudge,0,true,160,160\n") != NULL);
	EXPECT_TRUE(strstr(faults,
			   "0,0,1,0x80001000,translation,write,"
			   "spurious,prejudge,1,false,3680,480\n") != NULL);
	EXPECT_TRUE(strstr(faults, ",2,false,6560,800\n") != NULL);
	EXPECT_TRUE(strstr(guest, "vcpu,op,ipa,access,rep,warmup,start_ns,"
				  "latency_ns\n") == guest);
	EXPECT_TRUE(strstr(guest, "0,1,0x80000000,read,1,false,3200,320\n") !=
		    NULL);
	EXPECT_TRUE(strstr(guest, "0,2,0x0,hvc,1,false,3200,80\n") != NULL);
	free(faults);
	free(guest);
	trace_data_free(&td);
}

/* An expectation METRIC OP VALUE about the whole run (all VMs). */
static struct expect rt_expect(const char *metric, enum expect_op op,
			       double value)
{
	struct expect e;

	memset(&e, 0, sizeof(e));
	e.kind = EXPECT_METRIC;
	snprintf(e.metric, sizeof(e.metric), "%s", metric);
	e.op = op;
	e.value = value;
	e.vm = -1;
	return e;
}

/** Metric expectations hold in each measured repetition or fail with the first one they fail in. */
TEST(harness_expect_reps, each_repetition)
{
	struct trace_data td;
	struct faultstats fs;
	struct expect e[4];
	struct expect_result out[4];
	unsigned reps = 9;

	rt_reps_trace(&td);
	ASSERT_EQ_INT(faultstats_compute(&td, &fs), 0);
	e[0] = rt_expect("faults", EXPECT_OP_EQ, 2);
	e[1] = rt_expect("faults", EXPECT_OP_GE, 1);
	e[2] = rt_expect("bbm", EXPECT_OP_LE, 1);
	memset(&e[3], 0, sizeof(e[3]));
	e[3].kind = EXPECT_PROGRESS;
	e[3].vm = -1;
	/* The run has 3 faults; rep 1 has 2, rep 2 has 1. */
	EXPECT_EQ(expect_reps_check(e, 4, &td, &fs, EXPECT_ON_QEMU, false, NULL,
				    out, &reps),
		  1u);
	EXPECT_EQ(reps, 2u);
	EXPECT_TRUE(!out[0].ok);
	EXPECT_TRUE(out[0].observed == 1.0);
	EXPECT_TRUE(out[1].ok && out[1].observed == 2.0);
	EXPECT_TRUE(out[2].ok && out[2].observed == 1.0);
	EXPECT_TRUE(out[3].ok);
	/* Without the trace, the run as a whole: 3 faults; and a livelock. */
	EXPECT_EQ(expect_reps_check(e, 4, NULL, &fs, EXPECT_ON_QEMU, true, NULL,
				    out, &reps),
		  2u);
	EXPECT_EQ(reps, 0u);
	EXPECT_TRUE(out[0].observed == 3.0 && !out[3].ok);
	faultstats_free(&fs);
	trace_data_free(&td);
}
