# Fuzzing the trace decoder and exporters with libFuzzer (clang 14, with
# ASan and UBSan): `make fuzz` builds $(BUILD)/fuzz/fuzz-trace and runs it
# for FUZZ_TIME seconds over the seed corpus tests/fuzz/corpus/trace/.
# New inputs go to $(BUILD)/fuzz/corpus/, crashes to $(BUILD)/fuzz/, so
# the corpus in git only changes by hand (tests/fuzz/README.md). Not part
# of `make test`: the unit test trace_fuzz_corpus replays the seed corpus
# there, without libFuzzer.

FUZZ_CC ?= clang-14
FUZZ_TIME ?= 60
# Longest input libFuzzer makes: a few records past the 4.3 KiB schema.
FUZZ_MAX_LEN ?= 16384
FUZZ_ARGS ?=

FUZZ_DIR := $(BUILD)/fuzz
FUZZ_SRCS := tests/fuzz/fuzz_trace.c trace/decode.c trace/export_csv.c \
	trace/export_casemate.c hyp/core/time.c
FUZZ_OBJS := $(patsubst %,$(FUZZ_DIR)/%.o,$(FUZZ_SRCS))
FUZZ_CFLAGS := -std=c11 -D_GNU_SOURCE -g -O1 $(WARNINGS) $(INCLUDES) \
	-Ihyp/arch/host -Ihyp/arch/host/include \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -MMD -MP
FUZZ_SEEDS := tests/fuzz/corpus/trace

$(FUZZ_DIR)/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC [fuzz] $<"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c $< -o $@

$(FUZZ_DIR)/fuzz-trace: $(FUZZ_OBJS)
	@echo "  LD        $@"
	$(Q)$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^

.PHONY: fuzz
fuzz:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory $(FUZZ_DIR)/fuzz-trace
	@mkdir -p $(FUZZ_DIR)/corpus
	$(FUZZ_DIR)/fuzz-trace -max_total_time=$(FUZZ_TIME) \
		-max_len=$(FUZZ_MAX_LEN) -print_final_stats=1 \
		-artifact_prefix=$(FUZZ_DIR)/ $(FUZZ_ARGS) \
		$(FUZZ_DIR)/corpus $(FUZZ_SEEDS)

# Minimises what a fuzzing run found into $(FUZZ_DIR)/corpus-min/: the
# inputs worth adding to the seed corpus by hand (tests/fuzz/README.md).
.PHONY: fuzz-merge
fuzz-merge: $(FUZZ_DIR)/fuzz-trace
	@rm -rf $(FUZZ_DIR)/corpus-min
	@mkdir -p $(FUZZ_DIR)/corpus-min
	$(FUZZ_DIR)/fuzz-trace -merge=1 -max_len=$(FUZZ_MAX_LEN) \
		$(FUZZ_DIR)/corpus-min $(FUZZ_SEEDS) $(FUZZ_DIR)/corpus

ALL_DEPS += $(FUZZ_OBJS:.o=.d)
