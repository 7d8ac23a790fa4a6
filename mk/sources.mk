# Which sources go into which build. A folder adds files by pattern, so a
# new file is picked up without editing this list.

# Portable core: built for EL2 and for the host.
CORE_SRCS := $(wildcard hyp/core/*.c)
TRACE_CORE_SRCS := trace/event.c trace/ring.c trace/writer.c

# The EL2 arch, the board's drivers, and EL2-only tests.
EL2_ARCH_SRCS := $(wildcard hyp/arch/aarch64/*.c hyp/arch/aarch64/*.S) \
	hyp/drivers/pl011.c $(wildcard hyp/arch/aarch64/tests/*.c)

# The host arch: host threads as CPUs, files, a recording cache model.
HOST_ARCH_SRCS := $(wildcard hyp/arch/host/*.c)

# Tests: files under */tests/ run on both builds unless named *_host.c.
ALL_UNIT_TESTS := $(wildcard hyp/tests/*.c trace/tests/*.c)
HOST_ONLY_TESTS := $(filter %_host.c,$(ALL_UNIT_TESTS)) \
	$(wildcard harness/tests/*.c)
PORTABLE_TESTS := $(filter-out %_host.c,$(ALL_UNIT_TESTS))

# Host-only trace library: decoder and exporters.
TRACE_HOST_SRCS := $(filter-out $(TRACE_CORE_SRCS),$(wildcard trace/*.c))

# The faultline command-line tool.
HARNESS_SRCS := $(wildcard harness/*.c)

# Test fixtures: device trees compiled from source, embedded in both builds.
FIXTURE_DTS := $(wildcard tests/fixtures/*.dts)
FIXTURE_DTB := $(patsubst tests/fixtures/%.dts,$(BUILD)/fixtures/%.dtb,$(FIXTURE_DTS))

QEMU_TEST_SRCS := $(wildcard tests/qemu/*.c)
