# The EL2 image: build/hyp.elf, and build/hyp-bounce.elf whose init code is
# placed across a page boundary to exercise the bounce page.

EL2_DIR := $(BUILD)/el2
EL2_SRCS := $(CORE_SRCS) $(TRACE_CORE_SRCS) $(EL2_ARCH_SRCS) \
	$(PORTABLE_TESTS) tests/fixtures/fixtures.S
EL2_OBJS := $(patsubst %,$(EL2_DIR)/%.o,$(EL2_SRCS))
EL2_LD_DEFS := $(if $(filter 1,$(HYP_FORCE_BOUNCE)),-DHYP_FORCE_BOUNCE)

$(EL2_DIR)/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC [el2]  $<"
	$(Q)$(CROSS)gcc $(EL2_CFLAGS) -c $< -o $@

$(EL2_DIR)/%.S.o: %.S $(FIXTURE_DTB) $(GUEST_DIR)/guest.bin
	@mkdir -p $(dir $@)
	@echo "  AS [el2]  $<"
	$(Q)$(CROSS)gcc $(EL2_ASFLAGS) -Wa,-I$(BUILD)/fixtures \
		-Wa,-I$(GUEST_DIR) -c $< -o $@

$(EL2_DIR)/hyp.ld: hyp/arch/aarch64/hyp.ld.in $(MAKEFILE_LIST)
	@mkdir -p $(dir $@)
	$(Q)$(CROSS)gcc -E -P -undef -x c -DLINKER_SCRIPT $(EL2_LD_DEFS) \
		$(INCLUDES) $< -o $@

$(EL2_DIR)/hyp-bounce.ld: hyp/arch/aarch64/hyp.ld.in $(MAKEFILE_LIST)
	@mkdir -p $(dir $@)
	$(Q)$(CROSS)gcc -E -P -undef -x c -DLINKER_SCRIPT -DHYP_FORCE_BOUNCE \
		$(INCLUDES) $< -o $@

# Beside each ELF: a disassembly and a readelf dump, for debugging.
define el2_link
	@echo "  LD        $@"
	$(Q)$(CROSS)gcc $(EL2_LDFLAGS) -Wl,-T,$(1) -o $@ $(EL2_OBJS) -lgcc
	$(Q)$(CROSS)objdump -d -S $@ > $(basename $@).asm
	$(Q)$(CROSS)readelf -a -W $@ > $(basename $@).readelf
endef

$(BUILD)/hyp.elf: $(EL2_OBJS) $(EL2_DIR)/hyp.ld
	$(call el2_link,$(EL2_DIR)/hyp.ld)

$(BUILD)/hyp-bounce.elf: $(EL2_OBJS) $(EL2_DIR)/hyp-bounce.ld
	$(call el2_link,$(EL2_DIR)/hyp-bounce.ld)

$(BUILD)/fixtures/%.dtb: tests/fixtures/%.dts
	@mkdir -p $(dir $@)
	@echo "  DTC       $<"
	$(Q)dtc -q -I dts -O dtb -o $@ $<

ALL_DEPS += $(EL2_OBJS:.o=.d)
.SECONDARY: $(FIXTURE_DTB)
