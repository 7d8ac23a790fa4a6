/*
 * libFuzzer target: any bytes as a trace file. The decoder must never
 * crash, read out of bounds or hang on them, and whatever it kept (a
 * damaged file keeps what precedes the damage) must export: the CSV and
 * Casemate exporters see damaged input too. Built and run by `make fuzz`
 * (mk/fuzz.mk); the seed corpus is tests/fuzz/corpus/trace/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <faultline/trace/decode.h>
#include <faultline/trace/export.h>
#include <faultline/trace/export_casemate.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Opened once: formatting is what is under test, not the sink. */
	static FILE *sink;
	struct trace_data td;
	int ret;

	if (sink == NULL) {
		sink = fopen("/dev/null", "w");
		if (sink == NULL) {
			abort();
		}
	}
	ret = trace_data_parse(data, size, &td);
	/* A failed parse must say where and why. */
	if (ret != 0 && (td.error != ret || td.error_msg[0] == '\0' ||
			 td.error_offset > size)) {
		abort();
	}
	if (trace_export_csv(&td, sink) != 0 ||
	    trace_export_casemate(&td, sink) != 0) {
		abort();
	}
	trace_data_free(&td);
	return 0;
}
