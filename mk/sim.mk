# The sim backend (docs/sim.md). $(BUILD)/faultline-sim runs a run plan
# with the portable core on host threads and writes what the hypervisor
# writes; it is a tool, like $(BUILD)/faultline: -O2, no sanitizers.
# $(TSAN_DIR)/faultline-sim is the same program under ThreadSanitizer, for
# the scenario checks (tests/sim/check-scenarios.sh). The interpreter's
# files (all but sim_main.c) also go into the unit tests, which run small
# plans through them (hyp/tests/test_sim*_host.c).

SIM_DIR := $(BUILD)/sim
SIM_MAIN := hyp/arch/host/sim/sim_main.c
SIM_LIB_SRCS := $(filter-out $(SIM_MAIN),$(wildcard hyp/arch/host/sim/*.c))
# Without tests, the test runner's section bounds would not link.
SIM_TOOL_SRCS := $(filter-out hyp/core/test.c,$(CORE_SRCS)) \
	$(TRACE_CORE_SRCS) $(HOST_ARCH_SRCS) $(SIM_LIB_SRCS) $(SIM_MAIN)
SIM_OBJS := $(patsubst %,$(SIM_DIR)/%.o,$(SIM_TOOL_SRCS))
SIM_TSAN_OBJS := $(patsubst %,$(TSAN_DIR)/%.o,$(SIM_TOOL_SRCS))
SIM_UNIT_OBJS := $(patsubst %,$(HOST_DIR)/%.o,$(SIM_LIB_SRCS))
SIM_UNIT_TSAN_OBJS := $(patsubst %,$(TSAN_DIR)/%.o,$(SIM_LIB_SRCS))

$(SIM_DIR)/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC [sim]  $<"
	$(Q)$(HOST_CC) $(TOOL_CFLAGS) -c $< -o $@

# A build id in the ELF: the sim puts it in every trace it writes.
$(BUILD)/faultline-sim: $(SIM_OBJS)
	@echo "  LD        $@"
	$(Q)$(HOST_CC) $(TOOL_LDFLAGS) -Wl,--build-id=sha1 -o $@ $^

$(TSAN_DIR)/faultline-sim: $(SIM_TSAN_OBJS)
	@echo "  LD        $@"
	$(Q)$(HOST_CC) $(TSAN_LDFLAGS) -Wl,--build-id=sha1 -o $@ $^

# Prerequisites only: host.mk's recipes link $^, these included.
$(HOST_DIR)/unit-tests: $(SIM_UNIT_OBJS)
$(TSAN_DIR)/unit-tests: $(SIM_UNIT_TSAN_OBJS)

ALL_DEPS += $(SIM_OBJS:.o=.d) $(SIM_TSAN_OBJS:.o=.d) $(SIM_UNIT_OBJS:.o=.d)
