/*
 * Running small plans on the sim backend for the host-only tests
 * (test_sim*_host.c): a plan written with test_plan_util.h goes through
 * sim_setup(), sim_run() and sim_finish() as build/faultline-sim runs
 * one, its trace goes to a temporary file and is decoded back, and the
 * VMs stay in vms[] for the test to look at until tsim_end().
 */
#ifndef FAULTLINE_TESTS_TEST_SIM_UTIL_H
#define FAULTLINE_TESTS_TEST_SIM_UTIL_H

#include <faultline/trace/decode.h>

#include "sim/sim.h"
#include "test_plan_util.h"

/** The run of the last tsim_run(). */
extern struct sim tsim;
/** Its trace, decoded. */
extern struct trace_data tsim_trace;

/**
 * Runs @t on the sim with @ncpus CPUs (0: as the plan needs) and decodes
 * its trace into tsim_trace. Returns the run's exit status (exit_status.h),
 * or -1 with a failure recorded when the trace cannot be decoded. Call
 * tsim_end() afterwards in every case.
 */
int tsim_run(struct test_ctx *test_ctx, const struct test_plan *t,
	     unsigned ncpus);

/** Ends the run of tsim_run(): VMs, memory and the trace file go. */
void tsim_end(void);

/**
 * Records of event @name in tsim_trace whose field @field is @value (any
 * value when @field is NULL).
 */
unsigned tsim_count(const char *name, const char *field, uint64_t value);

/**
 * How many s2_fault_exit records of tsim_trace say @outcome (a
 * TRACE_OUTCOME_* value) for the page of @ipa.
 */
unsigned tsim_page_outcomes(uint64_t ipa, uint64_t outcome);

/** Sum of @v's vCPU stats outcome @outcome over every vCPU of vms[0]. */
uint64_t tsim_outcomes(uint64_t outcome);

/**
 * Appends op @code to vCPU @vcpu's program in @t (the vCPUs' programs are
 * laid out by test_plan_relayout(), so add them vCPU by vCPU in order).
 * Returns the op.
 */
struct guest_op *tsim_op(struct test_plan *t, unsigned vcpu, uint16_t code,
			 uint32_t count, uint64_t addr, uint64_t stride,
			 uint64_t arg);

/**
 * Starts @t as one VM with @policy, one read-write region of @size bytes
 * at TEST_PLAN_IPA and @nvcpus vCPUs on CPUs 0, 1, ..., with empty
 * programs (tsim_op() fills them), a deadline of @timeout_ms.
 */
void tsim_plan(struct test_plan *t, uint32_t policy, uint64_t size,
	       unsigned nvcpus, uint64_t timeout_ms);

#endif /* FAULTLINE_TESTS_TEST_SIM_UTIL_H */
