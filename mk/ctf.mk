# CTF through LTTng-UST (docs/ctf.md): the provider generated from the event
# table, the replay program build/faultline-ctf that fires it, and the clock
# plugin build/libfaultline-clock.so. Built when LTTng-UST's development
# files are installed (`make deps`); without them `faultline export
# --format ctf` says so and every other target still builds.

CTF_DIR := $(BUILD)/ctf
# The provider body, generated from trace/events.def by gen-provider.
CTF_EVENTS_H := $(CTF_DIR)/faultline_tp_events.h
CTF_GEN := $(CTF_DIR)/gen-provider
CTF_REPLAY := $(BUILD)/faultline-ctf
CTF_PLUGIN := $(BUILD)/libfaultline-clock.so
CTF_HAVE_UST := $(shell pkg-config --exists lttng-ust 2>/dev/null && echo yes)

CTF_CFLAGS := $(TOOL_CFLAGS) -Itrace/ctf -I$(CTF_DIR)
# The table and the decoder, as the faultline tool builds them.
CTF_TABLE_OBJS := $(TOOL_DIR)/trace/event.c.o
CTF_REPLAY_OBJS := $(CTF_DIR)/trace/ctf/replay.c.o \
	$(CTF_DIR)/trace/ctf/provider.c.o $(CTF_TABLE_OBJS) \
	$(TOOL_DIR)/trace/ctf.c.o $(TOOL_DIR)/trace/ctf_clock.c.o \
	$(TOOL_DIR)/trace/decode.c.o \
	$(TOOL_DIR)/hyp/core/time.c.o $(TOOL_DIR)/hyp/core/err.c.o
CTF_UST_LIBS := -llttng-ust -llttng-ust-common -ldl

$(CTF_DIR)/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC [ctf]  $<"
	$(Q)$(HOST_CC) $(CTF_CFLAGS) -c $< -o $@

$(CTF_GEN): $(CTF_DIR)/trace/ctf/gen_provider.c.o $(CTF_TABLE_OBJS)
	@echo "  LD        $@"
	$(Q)$(HOST_CC) $(TOOL_LDFLAGS) -o $@ $^

$(CTF_EVENTS_H): $(CTF_GEN)
	@echo "  GEN       $@"
	$(Q)$(CTF_GEN) $@

# Everything that includes the provider waits for its generated body.
$(CTF_DIR)/trace/ctf/replay.c.o $(CTF_DIR)/trace/ctf/provider.c.o: \
	$(CTF_EVENTS_H)

$(CTF_REPLAY): $(CTF_REPLAY_OBJS)
	@echo "  LD        $@"
	$(Q)$(HOST_CC) $(TOOL_LDFLAGS) -o $@ $^ \
		$(CTF_UST_LIBS)

# A shared object: its own position-independent build of the clock page.
CTF_PIC_DIR := $(CTF_DIR)/pic
CTF_PLUGIN_OBJS := $(CTF_PIC_DIR)/trace/ctf/clock_plugin.c.o \
	$(CTF_PIC_DIR)/trace/ctf_clock.c.o

$(CTF_PIC_DIR)/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC [pic]  $<"
	$(Q)$(HOST_CC) $(CTF_CFLAGS) -fPIC -c $< -o $@

$(CTF_PLUGIN): $(CTF_PLUGIN_OBJS)
	@echo "  LD        $@"
	$(Q)$(HOST_CC) -shared -o $@ $^ -llttng-ust-common

# The unit test of the provider reads the generated body (no LTTng needed).
CTF_TEST := trace/tests/test_ctf_provider_host.c
$(HOST_DIR)/$(CTF_TEST).o: HOST_CFLAGS += -I$(CTF_DIR)
$(TSAN_DIR)/$(CTF_TEST).o: TSAN_CFLAGS += -I$(CTF_DIR)
$(HOST_DIR)/$(CTF_TEST).o $(TSAN_DIR)/$(CTF_TEST).o: $(CTF_EVENTS_H)

.PHONY: ctf
ctf: $(CTF_REPLAY) $(CTF_PLUGIN)

ifeq ($(CTF_HAVE_UST),yes)
all: ctf
endif

ALL_DEPS += $(CTF_DIR)/trace/ctf/gen_provider.c.d \
	$(CTF_DIR)/trace/ctf/replay.c.d $(CTF_DIR)/trace/ctf/provider.c.d \
	$(CTF_PLUGIN_OBJS:.o=.d)
