# The trace pipeline's throughput benchmark (docs/performance.md): a host
# program that times the decoder and the exporters on a trace file.
# Built by `make trace-bench`; not part of `make all` or `make test`.

TRACE_BENCH_SRCS := bench/trace_throughput.c trace/decode.c trace/export_csv.c \
	trace/export_casemate.c hyp/core/time.c hyp/core/err.c
TRACE_BENCH_OBJS := $(patsubst %,$(TOOL_DIR)/%.o,$(TRACE_BENCH_SRCS))

$(BUILD)/trace-throughput: $(TRACE_BENCH_OBJS)
	@echo "  LD        $@"
	$(Q)$(HOST_CC) $(TOOL_LDFLAGS) -o $@ $^

.PHONY: trace-bench
trace-bench: $(BUILD)/trace-throughput

ALL_DEPS += $(TRACE_BENCH_OBJS:.o=.d)
