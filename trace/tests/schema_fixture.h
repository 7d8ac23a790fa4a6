/*
 * The schema of a hand-made decoded trace for host tests: the compiled
 * event table and enums copied into a struct trace_data, as a file this
 * build writes would declare them, so that tests can append records and
 * hand the trace to code that reads everything by name.
 */
#ifndef FAULTLINE_TRACE_TESTS_SCHEMA_FIXTURE_H
#define FAULTLINE_TRACE_TESTS_SCHEMA_FIXTURE_H

#include <faultline/trace/decode.h>

/**
 * Zeroes @td and gives it this build's schema, @ncpus CPUs, counter
 * frequency @freq, the current format version, and the marks of a
 * complete file. Returns 0, or -ERR_NOMEM with @td holding no schema
 * (free it with trace_data_free() in both cases).
 */
int trace_fixture_schema(struct trace_data *td, unsigned ncpus, uint64_t freq);

#endif /* FAULTLINE_TRACE_TESTS_SCHEMA_FIXTURE_H */
