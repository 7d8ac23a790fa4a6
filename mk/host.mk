# Host builds: the unit tests (portable core + host arch, sanitizers), the
# QEMU integration tests, and the faultline tool.

HOST_DIR := $(BUILD)/host
TOOL_DIR := $(BUILD)/tool

UNIT_SRCS := $(CORE_SRCS) $(TRACE_CORE_SRCS) $(TRACE_HOST_SRCS) \
	$(HOST_ARCH_SRCS) $(PORTABLE_TESTS) $(HOST_ONLY_TESTS) \
	tests/fixtures/fixtures.S tests/unit_main.c \
	$(filter-out harness/main.c,$(HARNESS_SRCS))
UNIT_OBJS := $(patsubst %,$(HOST_DIR)/%.o,$(UNIT_SRCS))

# The same tests under ThreadSanitizer: the concurrency tests race host
# threads on one table, and TSan checks the C11 atomics really order them.
TSAN_DIR := $(BUILD)/tsan
TSAN_OBJS := $(patsubst %,$(TSAN_DIR)/%.o,$(UNIT_SRCS))

QEMU_TEST_ALL := $(QEMU_TEST_SRCS) hyp/core/test.c hyp/core/fmt.c \
	hyp/core/time.c hyp/core/console.c hyp/core/spinlock.c hyp/core/err.c \
	hyp/arch/host/cpu.c hyp/arch/host/console.c hyp/arch/host/panic.c \
	$(TRACE_HOST_SRCS) trace/event.c tests/qemu_main.c harness/json_read.c
QEMU_TEST_OBJS := $(patsubst %,$(HOST_DIR)/%.o,$(QEMU_TEST_ALL))

TOOL_SRCS := $(HARNESS_SRCS) $(TRACE_HOST_SRCS) trace/event.c \
	hyp/core/time.c hyp/core/err.c hyp/core/plan.c hyp/core/fmt.c
TOOL_OBJS := $(patsubst %,$(TOOL_DIR)/%.o,$(TOOL_SRCS))

$(HOST_DIR)/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC [host] $<"
	$(Q)$(HOST_CC) $(HOST_CFLAGS) -c $< -o $@

$(HOST_DIR)/%.S.o: %.S $(FIXTURE_DTB)
	@mkdir -p $(dir $@)
	@echo "  AS [host] $<"
	$(Q)$(HOST_CC) -D__ASSEMBLER__ -Wa,-I$(BUILD)/fixtures -c $< -o $@

$(TSAN_DIR)/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC [tsan] $<"
	$(Q)$(HOST_CC) $(TSAN_CFLAGS) -c $< -o $@

$(TSAN_DIR)/%.S.o: %.S $(FIXTURE_DTB)
	@mkdir -p $(dir $@)
	@echo "  AS [tsan] $<"
	$(Q)$(HOST_CC) -D__ASSEMBLER__ -Wa,-I$(BUILD)/fixtures -c $< -o $@

$(TSAN_DIR)/unit-tests: $(TSAN_OBJS)
	@echo "  LD        $@"
	$(Q)$(HOST_CC) $(TSAN_LDFLAGS) -o $@ $^ $(HOST_LIBS)

$(TOOL_DIR)/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC [tool] $<"
	$(Q)$(HOST_CC) $(TOOL_CFLAGS) -c $< -o $@

$(HOST_DIR)/unit-tests: $(UNIT_OBJS)
	@echo "  LD        $@"
	$(Q)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^ $(HOST_LIBS)

$(HOST_DIR)/qemu-tests: $(sort $(QEMU_TEST_OBJS))
	@echo "  LD        $@"
	$(Q)$(HOST_CC) $(HOST_LDFLAGS) -o $@ $^ $(HOST_LIBS)

$(BUILD)/faultline: $(TOOL_OBJS)
	@echo "  LD        $@"
	$(Q)$(HOST_CC) $(TOOL_LDFLAGS) -o $@ $^ $(HOST_LIBS)

ALL_DEPS += $(TSAN_OBJS:.o=.d) $(UNIT_OBJS:.o=.d) $(QEMU_TEST_OBJS:.o=.d) $(TOOL_OBJS:.o=.d)
