# The commands users run: deps, test, run, debug, format, lint, help.

QEMU ?= qemu-system-aarch64
RUN_ARGS ?= same-gpa-race
C_SOURCES = $(shell git ls-files '*.c' '*.h' 2>/dev/null || \
	find hyp trace harness tests bench -name '*.[ch]')

.PHONY: help
help:
	@echo "faultline make targets:"
	@echo "  make deps     install missing Debian packages (quick when present)"
	@echo "  make          build build/hyp.elf, build/faultline and the tests"
	@echo "  make test     deps + build + every test; ends with 'N passed, N failed'"
	@echo "  make run      run a scenario under QEMU and summarise (RUN_ARGS=same-gpa-race)"
	@echo "  make debug    QEMU stopped at the first instruction, gdb stub on :1234"
	@echo "  make format   clang-format every C file in place"
	@echo "  make lint     clang-format check + cppcheck"
	@echo "  make fuzz     fuzz the trace decoder for FUZZ_TIME=60 s (tests/fuzz/)"
	@echo "  make trace-bench  build/trace-throughput (docs/performance.md)"
	@echo "  make bench    host microbenchmarks -> build/bench/micro.json (BENCH=regex),"
	@echo "                then scenario benchmarks under QEMU -> build/bench/scenarios.json"
	@echo "  make bench-micro, make bench-scenarios   one half of make bench"
	@echo "  make bench-compare BASE=old.json   compare.py against build/bench/micro.json"
	@echo "  make perf-record BENCH=regex  perf profile -> build/bench/perf-<BENCH>.txt"
	@echo "  make clean    remove build/"
	@echo "Variables: BUILD=$(BUILD) PLAT=$(PLAT) CROSS=$(CROSS) HYP_FORCE_BOUNCE=$(HYP_FORCE_BOUNCE) V=1"

.PHONY: deps
deps:
	@mk/deps.sh

# deps first, alone: without it there may be no compiler to build with.
.PHONY: test
test:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory all
	@tests/run-all.sh $(BUILD)

.PHONY: run
run:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory $(BUILD)/hyp.elf $(BUILD)/faultline
	@$(BUILD)/faultline run $(RUN_ARGS)

# gdb sees the image's symbols at their runtime VAs; debug.gdb also loads
# them at the load PAs so code that runs before the MMU is on can be
# stepped with source.
.PHONY: debug
debug: $(BUILD)/hyp.elf
	@printf '%s\n' "target remote :1234" \
		"add-symbol-file $(BUILD)/hyp.elf -o -0x400000000000" \
		"echo faultline: stopped at reset; 'continue' to boot\n" \
		> $(BUILD)/debug.gdb
	@echo "faultline: QEMU waits for gdb. In another terminal:"
	@echo "    gdb-multiarch $(BUILD)/hyp.elf -x $(BUILD)/debug.gdb"
	@echo "faultline: QEMU's log (-d int,mmu,guest_errors,unimp) goes to $(BUILD)/qemu-debug.log"
	$(QEMU) -M virt,virtualization=on,gic-version=3 -cpu max,pauth=off \
		-smp $(or $(SMP),4) -m 512M -display none -serial stdio \
		-monitor none -nic none \
		-semihosting-config enable=on,target=native \
		-d int,mmu,guest_errors,unimp -D $(BUILD)/qemu-debug.log \
		-gdb tcp::1234 -S -kernel $(BUILD)/hyp.elf \
		-append "$(or $(APPEND),mode=boot trace=$(BUILD)/debug-trace.bin)"

.PHONY: format
format:
	@clang-format -i $(C_SOURCES)

CPPCHECK_FLAGS := --enable=warning,portability,performance --std=c11 \
	--error-exitcode=1 --inline-suppr --quiet \
	--suppress=missingIncludeSystem -D__GNUC__ $(INCLUDES) -Ihyp/arch/host \
	-Ihyp/arch/host/include \
	--suppress=unusedStructMember --library=mk/cppcheck.cfg

.PHONY: lint
lint:
	@echo "lint: clang-format"
	@clang-format --dry-run --Werror $(C_SOURCES)
	@echo "lint: cppcheck"
	@cppcheck $(CPPCHECK_FLAGS) $(filter %.c,$(C_SOURCES))
	@echo "lint: ok"
