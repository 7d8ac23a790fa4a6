/*
 * Exporters of decoded traces to the formats other tools read.
 */
#ifndef FAULTLINE_TRACE_EXPORT_H
#define FAULTLINE_TRACE_EXPORT_H

#include <stdio.h>

#include <faultline/trace/decode.h>

/**
 * Writes @td as CSV: one row per record in time order, with the columns
 * index, time_ns (since the first record), ticks, cpu, seq, event, then
 * one column per distinct field name of the schema (in schema order).
 * A record leaves the columns of fields it does not have empty. Returns 0
 * or -ERR_IO.
 */
int trace_export_csv(const struct trace_data *td, FILE *out);

#endif /* FAULTLINE_TRACE_EXPORT_H */
