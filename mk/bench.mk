# Microbenchmarks of the portable core on the host (docs/performance.md,
# "Microbenchmarks (host)"): $(BUILD)/faultline-bench, Google Benchmark
# driven from C through bench/gbench_shim.cc (the only C++ in the tree).
# The core, the host arch and the trace core are the objects of
# $(BUILD)/faultline-sim (-O2, no sanitizers; mk/sim.mk); the decoder and
# the exporters are the tool's.
#
#   make bench                  every benchmark; JSON in $(BUILD)/bench/micro.json
#   make bench BENCH=fault_     those whose name matches the regex
#   make bench-compare BASE=old.json   compare.py: BASE against micro.json
#   make perf-record BENCH=fault_fresh  perf record -g, report in
#                               $(BUILD)/bench/perf-<BENCH>.txt
#
# Later: scenario benchmarks (`faultline bench SCENARIO...`, QEMU runs
# written as Google Benchmark JSON, one benchmark per scenario and metric)
# go to $(BUILD)/bench/scenarios.json, so that the same compare.py
# targets work on them; BENCH_SCENARIO_JSON names that file already.

BENCH_DIR := $(BUILD)/bench
HOST_CXX ?= g++
BENCH ?=
BENCH_MIN_TIME ?= 0.05
BENCH_REPS ?= 9
BENCH_ARGS ?=
BENCH_JSON := $(BENCH_DIR)/micro.json
BENCH_SCENARIO_JSON := $(BENCH_DIR)/scenarios.json
BENCH_RUN_ARGS = $(strip --benchmark_min_time=$(BENCH_MIN_TIME) \
	--benchmark_repetitions=$(BENCH_REPS) \
	$(if $(filter-out 1,$(BENCH_REPS)),--benchmark_display_aggregates_only=true) \
	$(if $(BENCH),--benchmark_filter='$(BENCH)') \
	--benchmark_out=$(BENCH_JSON) --benchmark_out_format=json $(BENCH_ARGS))

BENCH_C_SRCS := $(filter-out bench/trace_throughput.c,$(wildcard bench/*.c))
BENCH_SHIM := bench/gbench_shim.cc
# The exporters that live in the harness, with what they need (by
# pattern: an exporter split into more files is still picked up).
BENCH_HARNESS_SRCS := $(wildcard harness/export_perfetto*.c \
	harness/export_gnuplot*.c) harness/json.c harness/export_model.c \
	harness/paths.c
BENCH_CORE_OBJS := $(patsubst %,$(SIM_DIR)/%.o,\
	$(filter-out hyp/core/test.c,$(CORE_SRCS)) $(TRACE_CORE_SRCS) \
	$(HOST_ARCH_SRCS))
BENCH_TOOL_OBJS := $(patsubst %,$(TOOL_DIR)/%.o,trace/decode.c \
	trace/export_csv.c trace/export_casemate.c $(BENCH_HARNESS_SRCS))
BENCH_OBJS := $(patsubst %,$(BENCH_DIR)/obj/%.o,$(BENCH_C_SRCS) $(BENCH_SHIM))

BENCH_CFLAGS := $(TOOL_CFLAGS) -Ibench -Iharness
BENCH_CXXFLAGS := -std=c++17 -O2 -g -DNDEBUG -Wall -Wextra -Werror -pthread \
	-MMD -MP

$(BENCH_DIR)/obj/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC [bench] $<"
	$(Q)$(HOST_CC) $(BENCH_CFLAGS) -c $< -o $@

$(BENCH_DIR)/obj/%.cc.o: %.cc
	@mkdir -p $(dir $@)
	@echo "  CXX [bench] $<"
	$(Q)$(HOST_CXX) $(BENCH_CXXFLAGS) -c $< -o $@

$(BUILD)/faultline-bench: $(BENCH_OBJS) $(BENCH_CORE_OBJS) $(BENCH_TOOL_OBJS)
	@echo "  LD        $@"
	$(Q)$(HOST_CXX) -pthread -o $@ $^ -lbenchmark

# Built with everything else, so that `make test` can run its smoke test.
all: $(BUILD)/faultline-bench

# Runs the benchmarks, BENCH_REPS times each (nine, as DESIGN.md asks for
# a comparison; about a minute in all). The console shows the mean,
# median, standard deviation and coefficient of variation of each; the
# JSON keeps every repetition, which compare.py's U test needs. CPU time
# is what to compare: wall time is noisy here (qemu-facts.md).
.PHONY: bench
bench: $(BUILD)/faultline-bench
	@mkdir -p $(BENCH_DIR)
	$(BUILD)/faultline-bench $(BENCH_RUN_ARGS)
	@echo "bench: results in $(BENCH_JSON)"

# compare.py's U test needs the repetitions of both runs (BENCH_REPS).
.PHONY: bench-compare
bench-compare:
	@test -n "$(BASE)" || { echo "bench-compare: BASE=old.json needed" >&2; exit 2; }
	/usr/bin/python3 /usr/share/benchmark/compare.py benchmarks $(BASE) \
		$(or $(NEW),$(BENCH_JSON))

.PHONY: perf-record
perf-record: $(BUILD)/faultline-bench
	@bench/perf-record.sh $(BUILD)/faultline-bench $(BENCH_DIR) '$(BENCH)' \
		$(BENCH_MIN_TIME)

ALL_DEPS += $(BENCH_OBJS:.o=.d)
