# Fuzzing with libFuzzer (clang 14, with ASan and UBSan). `make fuzz`
# builds and runs two targets for FUZZ_TIME seconds each:
#  - $(BUILD)/fuzz/fuzz-trace: the trace decoder and exporters, over the
#    seed corpus tests/fuzz/corpus/trace/;
#  - $(BUILD)/fuzz/fuzz-scenario: the scenario parser and the plan it
#    compiles, over the shipped scenarios (scenarios/,
#    tests/fixtures/scenarios/) and tests/fuzz/corpus/scenario/.
# New inputs go to $(BUILD)/fuzz/corpus*/, crashes to $(BUILD)/fuzz/, so
# the corpora in git only change by hand (tests/fuzz/README.md). Not part
# of `make test`: the unit tests trace_fuzz_corpus and
# harness_scenario_fuzz_corpus replay the seeds there, without libFuzzer.

FUZZ_CC ?= clang-14
FUZZ_TIME ?= 60
# Longest input libFuzzer makes: a few records past the 4.3 KiB schema.
FUZZ_MAX_LEN ?= 16384
# Longest scenario: longer than any that ships (about 3 KiB).
FUZZ_SCN_MAX_LEN ?= 8192
FUZZ_ARGS ?=

FUZZ_DIR := $(BUILD)/fuzz
FUZZ_SRCS := tests/fuzz/fuzz_trace.c trace/decode.c trace/export_csv.c \
	trace/export_casemate.c hyp/core/time.c
FUZZ_OBJS := $(patsubst %,$(FUZZ_DIR)/%.o,$(FUZZ_SRCS))
# The parser, what its expectations name (expect.c and the statistics
# it reads), and the hypervisor's plan validator.
FUZZ_SCN_SRCS := tests/fuzz/fuzz_scenario.c \
	harness/tests/scenario_fuzz_check.c \
	$(wildcard harness/scenario_*.c) harness/expect.c \
	$(wildcard harness/faultstats*.c) harness/json.c harness/term.c \
	trace/decode.c trace/event.c hyp/core/time.c hyp/core/err.c \
	hyp/core/plan.c hyp/core/fmt.c
FUZZ_SCN_OBJS := $(patsubst %,$(FUZZ_DIR)/%.o,$(sort $(FUZZ_SCN_SRCS)))
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 $(WARNINGS) $(INCLUDES) \
	-Ihyp/arch/host -Ihyp/arch/host/include \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -MMD -MP
FUZZ_SEEDS := tests/fuzz/corpus/trace
FUZZ_SCN_SEEDS := tests/fuzz/corpus/scenario scenarios tests/fixtures/scenarios

$(FUZZ_DIR)/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC [fuzz] $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/fuzz-trace: $(FUZZ_OBJS)
	@echo "  LD        $@"
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^

$(FUZZ_DIR)/fuzz-scenario: $(FUZZ_SCN_OBJS)
	@echo "  LD        $@"
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^

.PHONY: fuzz
fuzz:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory $(FUZZ_DIR)/fuzz-trace \
		$(FUZZ_DIR)/fuzz-scenario
	@mkdir -p $(FUZZ_DIR)/corpus $(FUZZ_DIR)/corpus-scenario
	$(FUZZ_DIR)/fuzz-trace -max_total_time=$(FUZZ_TIME) \
		-max_len=$(FUZZ_MAX_LEN) -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_ARGS) \
		$(FUZZ_DIR)/corpus $(FUZZ_SEEDS)
	$(FUZZ_DIR)/fuzz-scenario -max_total_time=$(FUZZ_TIME) \
		-max_len=$(FUZZ_SCN_MAX_LEN) -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_DIR)/scenario- $(FUZZ_ARGS) \
		$(FUZZ_DIR)/corpus-scenario $(FUZZ_SCN_SEEDS)

# Minimises what a fuzzing run found into $(FUZZ_DIR)/corpus-min*/: the
# inputs worth adding to the seed corpora by hand (tests/fuzz/README.md).
.PHONY: fuzz-merge
fuzz-merge: $(FUZZ_DIR)/fuzz-trace $(FUZZ_DIR)/fuzz-scenario
	@rm -rf $(FUZZ_DIR)/corpus-min $(FUZZ_DIR)/corpus-min-scenario
	@mkdir -p $(FUZZ_DIR)/corpus-min $(FUZZ_DIR)/corpus-min-scenario
	$(FUZZ_DIR)/fuzz-trace -merge=1 -max_len=$(FUZZ_MAX_LEN) \
		$(FUZZ_DIR)/corpus-min $(FUZZ_SEEDS) $(FUZZ_DIR)/corpus
	$(FUZZ_DIR)/fuzz-scenario -merge=1 -max_len=$(FUZZ_SCN_MAX_LEN) \
		$(FUZZ_DIR)/corpus-min-scenario $(FUZZ_SCN_SEEDS) \
		$(FUZZ_DIR)/corpus-scenario

ALL_DEPS += $(FUZZ_OBJS:.o=.d) $(FUZZ_SCN_OBJS:.o=.d)
