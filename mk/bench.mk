# Benchmarks (docs/performance.md, docs/compare.md). Two halves:
#
# Microbenchmarks of the portable core on the host ("Microbenchmarks
# (host)"): $(BUILD)/faultline-bench, Google Benchmark driven from C
# through bench/gbench_shim.cc (the only C++ in the tree). The core, the
# host arch and the trace core are the objects of $(BUILD)/faultline-sim
# (-O2, no sanitizers; mk/sim.mk); the decoder and the exporters are the
# tool's.
#
# Scenario benchmarks under QEMU: `faultline bench` runs each scenario of
# BENCH_SCENARIOS once, with BENCH_SCENARIO_REPS measured repetitions
# after a warm-up, and writes every repetition's figures (fault latency
# p50 and p99, guest access p50, null-hvc floor p50) as Google Benchmark
# JSON, one benchmark per scenario, policy and metric
# (first-touch/prejudge/fault_p50), so that the same compare.py reads
# them; the runs themselves go to results/bench/RUN-ID/.
#
#   make bench                  both halves, one after the other (a few
#                               minutes): micro.json and scenarios.json
#   make bench-micro BENCH=fault_     the microbenchmarks matching a regex
#   make bench-scenarios BENCH_SCENARIOS=first-touch BENCH_SCENARIO_REPS=9
#   make bench-compare BASE=old.json  compare.py: BASE against micro.json
#   make bench-compare BASE=old-scenarios.json NEW=$(BUILD)/bench/scenarios.json
#   make perf-record BENCH=fault_fresh  perf record -g, report in
#                               $(BUILD)/bench/perf-<BENCH>.txt
#
# Two policies or two builds on the same scenarios, with a U test per
# metric: `faultline compare` (docs/compare.md).

BENCH_DIR := $(BUILD)/bench
HOST_CXX ?= g++
BENCH ?=
BENCH_MIN_TIME ?= 0.05
BENCH_REPS ?= 9
BENCH_ARGS ?=
BENCH_JSON := $(BENCH_DIR)/micro.json
BENCH_SCENARIO_JSON := $(BENCH_DIR)/scenarios.json
# The scenario set: short (about a minute under QEMU on 2 cores), all
# under prejudge: rw-ro-pingpong's own policy, legacy, livelocks by
# design, and a livelocked run is a failed benchmark.
BENCH_SCENARIOS ?= first-touch same-gpa-race null-hvc rw-ro-pingpong
BENCH_SCENARIO_REPS ?= 5
BENCH_SCENARIO_ARGS ?= --policy prejudge --warmup 1
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

# Runs the microbenchmarks, BENCH_REPS times each (nine, as DESIGN.md
# asks for a comparison; about a minute in all). The console shows the
# mean, median, standard deviation and coefficient of variation of each;
# the JSON keeps every repetition, which compare.py's U test needs. CPU
# time is what to compare: wall time is noisy here (qemu-facts.md).
.PHONY: bench-micro
bench-micro: $(BUILD)/faultline-bench
	@mkdir -p $(BENCH_DIR)
	$(BUILD)/faultline-bench $(BENCH_RUN_ARGS)
	@echo "bench: results in $(BENCH_JSON)"

# Runs the scenario set under QEMU. A run that fails (a livelock, a crash,
# a failed expectation) still leaves its entries, with error_occurred, and
# fails the target.
.PHONY: bench-scenarios
bench-scenarios: $(BUILD)/faultline $(BUILD)/hyp.elf
	@mkdir -p $(BENCH_DIR)
	$(BUILD)/faultline bench $(BENCH_SCENARIOS) \
		--reps $(BENCH_SCENARIO_REPS) $(BENCH_SCENARIO_ARGS) \
		--out $(BENCH_SCENARIO_JSON)
	@echo "bench: results in $(BENCH_SCENARIO_JSON)"

# One half after the other, never both at once (even under make -j): each
# would disturb what the other measures.
.PHONY: bench
bench:
	@$(MAKE) --no-print-directory bench-micro
	@$(MAKE) --no-print-directory bench-scenarios

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
