/*
 * Benchmarks of the trace: one event emitted into this CPU's ring (what
 * each trace point of the fault path costs on the host), and the host
 * side of the pipeline per event: trace_data_parse() of a whole trace
 * file held in memory, and each exporter writing the decoded trace (CSV,
 * Casemate and Perfetto to /dev/null through stdio, as `faultline export`
 * writes a file; gnuplot into a scratch directory, its data files and
 * scripts as `faultline plot` leaves them).
 *
 * The trace is the file given with --trace, or, by default, one made
 * when the benchmarks are registered: the fault handler run on a benchmark VM
 * (bench_vm.h) under both policies, with two CPUs taking fresh, spurious
 * and permission faults in rounds, written by the trace writer
 * (trace/writer.c) as the hypervisor writes one.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <faultline/arch/cpu.h>
#include <faultline/plan.h>
#include <faultline/trace/decode.h>
#include <faultline/trace/export.h>
#include <faultline/trace/export_casemate.h>
#include <faultline/trace/writer.h>

#include "bench_util.h"
#include "bench_vm.h"
#include "export_gnuplot.h"
#include "export_perfetto.h"
#include "host_arch.h"

/* Events emitted per bench_running_batch() turn of the emit benchmarks. */
#define BT_BATCH 64
/* The generated trace: rounds per policy, pages per round. */
#define BT_GEN_ROUNDS 4u
#define BT_GEN_PAGES 128u

/* --trace, or NULL for a generated trace. */
static const char *bt_path;
/* The trace file in memory, and decoded once for the exporters. */
static unsigned char *bt_buf;
static size_t bt_len;
static struct trace_data bt_td;
static char bt_err[320];

/* Reads @path whole into bt_buf. Returns 0 or -1 with bt_err set. */
static int bt_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n = -1;

	if (f != NULL && fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		bt_buf = malloc((size_t)n);
		if (bt_buf != NULL &&
		    fread(bt_buf, 1, (size_t)n, f) == (size_t)n) {
			bt_len = (size_t)n;
		}
	}
	if (f != NULL) {
		fclose(f);
	}
	if (bt_len == 0) {
		snprintf(bt_err, sizeof(bt_err), "cannot read trace %s", path);
		free(bt_buf);
		bt_buf = NULL;
		return -1;
	}
	return 0;
}

/* Faults @npages pages of @v's VM from CPU @cpu, as @kind and @access. */
static void bt_faults(struct vcpu *v, unsigned cpu, enum fault_kind kind,
		      enum fault_access access)
{
	host_set_cpu_index(cpu);
	for (unsigned i = 0; i < BT_GEN_PAGES; i++) {
		bench_vm_fault(v, BENCH_VM_IPA + (uint64_t)i * PAGE_SIZE, kind,
			       access);
	}
	host_set_cpu_index(0);
}

/*
 * Writes the generated trace to @path. Each step emits less than a ring
 * holds (about 10 events a fault) and the writer drains the rings after
 * each, so nothing is lost.
 */
static int bt_generate(const char *path)
{
	static const unsigned policies[] = {PLAN_POLICY_LEGACY,
					    PLAN_POLICY_PREJUDGE};
	struct trace_writer w;
	int ret;

	host_set_cpu_index(0);
	trace_rings_reset();
	ret = trace_writer_open(&w, path, 2, arch_counter_freq(), NULL, 0);
	for (unsigned p = 0; ret == 0 && p < ARRAY_SIZE(policies); p++) {
		struct vm *vm =
			bench_vm_build(policies[p], 2, bt_err, sizeof(bt_err));

		if (vm == NULL) {
			ret = -1;
			break;
		}
		for (unsigned r = 0; ret == 0 && r < BT_GEN_ROUNDS; r++) {
			bt_faults(&vm->vcpus[0], 0, FAULT_TRANSLATION,
				  FAULT_READ);
			ret = trace_writer_drain(&w);
			/* CPU 1 finds them mapped: spurious or remapped. */
			bt_faults(&vm->vcpus[1], 1, FAULT_TRANSLATION,
				  FAULT_READ);
			ret = ret ? ret : trace_writer_drain(&w);
			ret = ret ? ret : bench_vm_wrprotect_all(vm);
			bt_faults(&vm->vcpus[1], 1, FAULT_PERMISSION,
				  FAULT_WRITE);
			ret = ret ? ret : trace_writer_drain(&w);
			ret = ret ? ret : bench_vm_unmap_all(vm);
			ret = ret ? ret : trace_writer_drain(&w);
		}
	}
	if (trace_writer_close(&w) != 0 && ret == 0) {
		ret = -1;
	}
	if (ret != 0 && bt_err[0] == '\0') {
		snprintf(bt_err, sizeof(bt_err), "writing trace %s: %d", path,
			 ret);
	}
	return ret;
}

/*
 * Loads (and by default generates) the trace, and says which in the
 * benchmark context. Returns 0 or -1 with bt_err set.
 */
static int bt_load(void)
{
	char tmp[] = "/tmp/faultline-bench-trace-XXXXXX";
	char what[300];
	int ret;

	if (bt_path != NULL) {
		ret = bt_read(bt_path);
	} else {
		int fd = mkstemp(tmp);

		if (fd < 0) {
			snprintf(bt_err, sizeof(bt_err), "mkstemp failed");
			return -1;
		}
		close(fd);
		ret = bt_generate(tmp);
		ret = ret ? ret : bt_read(tmp);
		unlink(tmp);
	}
	if (ret == 0 && trace_data_parse(bt_buf, bt_len, &bt_td) != 0) {
		snprintf(bt_err, sizeof(bt_err), "decoding: offset %llu: %s",
			 (unsigned long long)bt_td.error_offset,
			 bt_td.error_msg);
		ret = -1;
	}
	if (ret == 0 && bt_td.lost_total != 0) {
		snprintf(bt_err, sizeof(bt_err), "the trace lost %llu events",
			 (unsigned long long)bt_td.lost_total);
		ret = -1;
	}
	if (ret != 0) {
		free(bt_buf);
		bt_buf = NULL;
		gbench_add_context("trace", bt_err);
		return -1;
	}
	snprintf(what, sizeof(what), "%s: %zu events, %zu bytes",
		 bt_path != NULL ? bt_path : "generated", bt_td.nrecords,
		 bt_len);
	gbench_add_context("trace", what);
	return 0;
}

/*
 * One event into this CPU's ring, chosen by its number of fields (@arg
 * non-NULL: with lean tracing on, which drops it).
 */
static void bm_trace_emit(struct gbench_state *st, void *arg)
{
	bool lean = arg != NULL;
	int64_t fields = gbench_range_arg(st, 0);
	struct bench b;

	bench_begin(&b, st);
	if (fields != 1 && fields != 6) {
		bench_fail(&b, "no event of %lld fields here",
			   (long long)fields);
	}
	/*
	 * Lean tracing drops these events at its one test, unrecorded. One
	 * switch for all CPUs, set by thread 0 before the start barrier.
	 */
	if (b.cpu == 0) {
		trace_set_lean(lean);
	}
	while (bench_running_batch(&b, BT_BATCH)) {
		for (unsigned i = 0; i < BT_BATCH; i++) {
			if (fields == 1) {
				trace_dsb(TRACE_SHARE_ISH);
			} else {
				trace_s2_fault_enter(1, 2, 0x80000000 + i,
						     0x93c08007, 0, 0);
			}
		}
		bench_trace_room(&b);
	}
	if (b.cpu == 0) {
		trace_set_lean(false);
	}
	gbench_set_items_processed(st, gbench_iterations(st));
	bench_end(&b);
}

/* The time stamp every event reads (arch_counter_now() on the host). */
static void bm_trace_clock(struct gbench_state *st, void *arg UNUSED)
{
	uint64_t sum = 0;
	struct bench b;

	bench_begin(&b, st);
	while (bench_running_batch(&b, BT_BATCH)) {
		for (unsigned i = 0; i < BT_BATCH; i++) {
			sum += arch_counter_now();
		}
	}
	GBENCH_DO_NOT_OPTIMIZE(&sum);
	bench_end(&b);
}

/* Reports the events handled per second and the CPU time per event. */
static void bt_per_event(struct gbench_state *st)
{
	int64_t events = gbench_iterations(st) * (int64_t)bt_td.nrecords;

	gbench_set_items_processed(st, events);
	gbench_counter(st, "s_per_event", (double)events,
		       GBENCH_COUNTER_RATE | GBENCH_COUNTER_INVERT);
}

static void bm_trace_decode(struct gbench_state *st, void *arg UNUSED)
{
	struct bench b;

	bench_begin(&b, st);
	if (bt_buf == NULL) {
		bench_fail(&b, "%s", bt_err);
	}
	while (bench_running(&b)) {
		struct trace_data td;

		if (trace_data_parse(bt_buf, bt_len, &td) != 0) {
			bench_fail(&b, "decoding failed");
		}
		trace_data_free(&td);
	}
	bt_per_event(st);
	gbench_set_bytes_processed(st, gbench_iterations(st) * (int64_t)bt_len);
	bench_end(&b);
}

/* Removes the files of scratch directory @dir, then @dir. */
static void bt_rmdir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	while (d != NULL && (e = readdir(d)) != NULL) {
		if (e->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	}
	if (d != NULL) {
		closedir(d);
	}
	rmdir(dir);
}

static int bt_export_gnuplot(const struct trace_data *td, const char *dir)
{
	char err[200];

	return export_gnuplot(td, dir, err, sizeof(err));
}

/* An exporter: to a stdio stream, or (@to_dir) into a directory. */
struct bt_exporter {
	int (*to_file)(const struct trace_data *td, FILE *out);
	int (*to_dir)(const struct trace_data *td, const char *dir);
};

static void bm_trace_export(struct gbench_state *st, void *arg)
{
	const struct bt_exporter *x = arg;
	char dir[] = "/tmp/faultline-bench-export-XXXXXX";
	FILE *out = NULL;
	struct bench b;

	bench_begin(&b, st);
	if (bt_buf == NULL) {
		bench_fail(&b, "%s", bt_err);
	} else if (x->to_file != NULL &&
		   (out = fopen("/dev/null", "w")) == NULL) {
		bench_fail(&b, "cannot open /dev/null");
	} else if (x->to_dir != NULL && mkdtemp(dir) == NULL) {
		bench_fail(&b, "cannot make a scratch directory");
	}
	while (bench_running(&b)) {
		int ret = x->to_file != NULL ? x->to_file(&bt_td, out)
					     : x->to_dir(&bt_td, dir);

		if (ret != 0) {
			bench_fail(&b, "export failed: %d", ret);
		}
	}
	bt_per_event(st);
	bench_end(&b);
	if (out != NULL) {
		fclose(out);
	}
	if (x->to_dir != NULL && strstr(dir, "XXXXXX") == NULL) {
		bt_rmdir(dir);
	}
}

void bench_trace_register(const char *trace_path)
{
	static const struct {
		const char *name;
		struct bt_exporter x;
	} exporters[] = {
		{"trace_export/csv", {trace_export_csv, NULL}},
		{"trace_export/casemate", {trace_export_casemate, NULL}},
		{"trace_export/perfetto", {export_perfetto, NULL}},
		{"trace_export/gnuplot", {NULL, bt_export_gnuplot}},
	};
	struct gbench *g;

	bt_path = trace_path;
	/* Now: the context is printed before the first benchmark runs. */
	(void)bt_load();
	g = gbench_register("trace_emit", bm_trace_emit, NULL);
	gbench_arg(gbench_arg(gbench_arg_name(g, "fields"), 1), 6);
	g = gbench_register("trace_emit_lean", bm_trace_emit, (void *)1);
	gbench_arg(gbench_arg_name(g, "fields"), 6);
	/* Each CPU its own ring: nothing shared, it should not slow down. */
	g = gbench_register("trace_emit_cpus", bm_trace_emit, NULL);
	gbench_arg(gbench_arg_name(g, "fields"), 6);
	for (int n = 1; n <= 4; n *= 2) {
		gbench_threads(g, n);
	}
	gbench_register("trace_clock", bm_trace_clock, NULL);
	gbench_unit(gbench_register("trace_decode", bm_trace_decode, NULL),
		    GBENCH_US);
	for (unsigned i = 0; i < ARRAY_SIZE(exporters); i++) {
		gbench_unit(gbench_register(exporters[i].name, bm_trace_export,
					    (void *)&exporters[i].x),
			    GBENCH_US);
	}
}
