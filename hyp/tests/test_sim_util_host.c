/* Small plans on the sim backend, for the host-only tests (test_sim_util.h). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <faultline/exit_status.h>

#include "test_sim_util.h"

/* Ring records per CPU for the tests' runs (1 MiB per CPU used). */
#define TSIM_RING_RECORDS (UINT32_C(1) << 14)

struct sim tsim;
struct trace_data tsim_trace;
static char tsim_path[64];

int tsim_run(struct test_ctx *test_ctx, const struct test_plan *t,
	     unsigned ncpus)
{
	size_t size = test_plan_pack(t, test_plan_blob, sizeof(test_plan_blob));
	struct sim_options o = {
		.ncpus = ncpus,
		.trace_path = tsim_path,
		.ring_records = TSIM_RING_RECORDS,
		.verbose = false,
	};
	char err[256] = "";
	int status;
	int fd;

	memset(&tsim_trace, 0, sizeof(tsim_trace));
	strcpy(tsim_path, "/tmp/faultline-sim-test-XXXXXX");
	fd = mkstemp(tsim_path);
	if (fd < 0 || size == 0) {
		test_fail(test_ctx, __FILE__, __LINE__,
			  "no temporary trace file, or the plan does not fit");
		return -1;
	}
	close(fd);
	status = sim_setup(&tsim, test_plan_blob, size, &o, err, sizeof(err));
	if (status == HYP_EXIT_OK) {
		status = sim_run(&tsim);
	}
	sim_finish(&tsim, status);
	if (trace_data_load_file(tsim_path, &tsim_trace) != 0) {
		test_fail(test_ctx, __FILE__, __LINE__,
			  "the sim's trace does not decode: %s (setup: %s)",
			  tsim_trace.error_msg, err);
		return -1;
	}
	return status;
}

void tsim_end(void)
{
	sim_teardown(&tsim);
	trace_data_free(&tsim_trace);
	memset(&tsim_trace, 0, sizeof(tsim_trace));
	if (tsim_path[0] != '\0') {
		unlink(tsim_path);
		tsim_path[0] = '\0';
	}
}

unsigned tsim_count(const char *name, const char *field, uint64_t value)
{
	unsigned n = 0;

	for (size_t i = 0; i < tsim_trace.nrecords; i++) {
		const struct trace_record *r = &tsim_trace.records[i];
		const struct trace_schema_event *ev =
			trace_data_event(&tsim_trace, r->id);
		uint64_t v;

		if (ev == NULL || strcmp(ev->name, name) != 0) {
			continue;
		}
		if (field == NULL ||
		    (trace_data_field(&tsim_trace, r, field, &v) &&
		     v == value)) {
			n++;
		}
	}
	return n;
}

unsigned tsim_page_outcomes(uint64_t ipa, uint64_t outcome)
{
	unsigned n = 0;

	for (size_t i = 0; i < tsim_trace.nrecords; i++) {
		const struct trace_record *r = &tsim_trace.records[i];
		const struct trace_schema_event *ev =
			trace_data_event(&tsim_trace, r->id);
		uint64_t at, out;

		if (ev != NULL && strcmp(ev->name, "s2_fault_exit") == 0 &&
		    trace_data_field(&tsim_trace, r, "ipa", &at) &&
		    trace_data_field(&tsim_trace, r, "outcome", &out) &&
		    ALIGN_DOWN(at, PAGE_SIZE) == ALIGN_DOWN(ipa, PAGE_SIZE) &&
		    out == outcome) {
			n++;
		}
	}
	return n;
}

uint64_t tsim_outcomes(uint64_t outcome)
{
	uint64_t n = 0;

	for (unsigned c = 0; c < vms[0].nvcpus; c++) {
		n += vms[0].vcpus[c].stats.outcomes[outcome];
	}
	return n;
}

struct guest_op *tsim_op(struct test_plan *t, unsigned vcpu, uint16_t code,
			 uint32_t count, uint64_t addr, uint64_t stride,
			 uint64_t arg)
{
	struct guest_op *op;

	t->vcpus[vcpu].nops++;
	test_plan_relayout(t);
	op = &t->ops[t->vcpus[vcpu].first_op + t->vcpus[vcpu].nops - 1];
	*op = (struct guest_op){code, 0, count, addr, stride, arg};
	return op;
}

void tsim_plan(struct test_plan *t, uint32_t policy, uint64_t size,
	       unsigned nvcpus, uint64_t timeout_ms)
{
	test_plan_init(t);
	t->h.timeout_ms = timeout_ms;
	t->vms[0].policy = policy;
	t->vms[0].mem_pool_pages = 64;
	t->vms[0].nvcpus = nvcpus;
	t->regions[0].size = size;
	for (unsigned c = 0; c < nvcpus; c++) {
		t->vcpus[c].pcpu = c;
		t->vcpus[c].nops = 0;
	}
	test_plan_relayout(t);
}
