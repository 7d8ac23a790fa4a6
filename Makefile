# faultline: one non-recursive Makefile (Bao's model). Everything is built
# under $(BUILD)/; the targets users need are listed by `make help`.

BUILD ?= build
PLAT ?= qemu-virt
CROSS ?= aarch64-linux-gnu-
HOST_CC ?= gcc
V ?= 0
# Place the init code across a page boundary in build/hyp.elf too.
HYP_FORCE_BOUNCE ?= 0

ifeq ($(V),0)
Q := @
else
Q :=
endif

.DEFAULT_GOAL := all
.SUFFIXES:
.DELETE_ON_ERROR:

include mk/flags.mk
include mk/sources.mk
include mk/guest.mk
include mk/el2.mk
include mk/host.mk
include mk/tools.mk
include mk/sim.mk
include mk/fuzz.mk
include mk/trace_bench.mk
include mk/bench.mk
include mk/ctf.mk

.PHONY: all
all: $(BUILD)/hyp.elf $(BUILD)/hyp-bounce.elf $(BUILD)/faultline \
	$(BUILD)/host/unit-tests $(BUILD)/tsan/unit-tests \
	$(BUILD)/host/qemu-tests $(BUILD)/faultline-sim \
	$(BUILD)/tsan/faultline-sim

.PHONY: clean
clean:
	rm -rf $(BUILD)

-include $(ALL_DEPS)
