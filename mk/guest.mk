# The guest executor (hyp/guest/): an EL1 program embedded in hyp.elf.
# It must be position independent: it is linked at two bases and the two
# flat images must be identical, or the build fails.

GUEST_DIR := $(BUILD)/guest
GUEST_SRCS := $(wildcard hyp/guest/*.S hyp/guest/*.c)
GUEST_OBJS := $(patsubst %,$(GUEST_DIR)/%.o,$(GUEST_SRCS))
# x18 is reserved: the vector trampoline does not save it.
GUEST_CFLAGS := -std=c11 -ffreestanding -O2 -g $(WARNINGS) -Ihyp/include \
	-march=armv8-a -mgeneral-regs-only -mstrict-align -mno-outline-atomics \
	-fno-pic -fno-pie -fno-stack-protector -fno-common -fno-jump-tables \
	-fno-tree-switch-conversion -fno-tree-loop-distribute-patterns \
	-ffixed-x18 -MMD -MP
GUEST_LDFLAGS := -nostdlib -static -Wl,-T,hyp/guest/guest.ld \
	-Wl,-z,max-page-size=4096 -Wl,--build-id=none

$(GUEST_DIR)/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC [gst]  $<"
	$(Q)$(CROSS)gcc $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_DIR)/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS [gst]  $<"
	$(Q)$(CROSS)gcc -D__ASSEMBLER__ -Ihyp/include -c $< -o $@

$(GUEST_DIR)/guest-%.elf: $(GUEST_OBJS) hyp/guest/guest.ld
	$(Q)$(CROSS)gcc $(GUEST_LDFLAGS) -Wl,-Ttext=$(if $(filter a,$*),0x0,0x10000000) \
		-o $@ $(GUEST_OBJS)

$(GUEST_DIR)/guest-%.bin: $(GUEST_DIR)/guest-%.elf
	$(Q)$(CROSS)objcopy -O binary $< $@

$(GUEST_DIR)/guest.bin: $(GUEST_DIR)/guest-a.bin $(GUEST_DIR)/guest-b.bin
	@echo "  GUEST     $@"
	$(Q)cmp -s $^ || { echo "the guest executor is not position independent:" \
		"its images linked at 0x0 and 0x10000000 differ" >&2; exit 1; }
	$(Q)cp $< $@
	$(Q)$(CROSS)objdump -d -S $(GUEST_DIR)/guest-b.elf > $(GUEST_DIR)/guest.asm

ALL_DEPS += $(GUEST_OBJS:.o=.d)
.SECONDARY: $(GUEST_OBJS) $(GUEST_DIR)/guest-a.elf $(GUEST_DIR)/guest-b.elf $(GUEST_DIR)/guest-a.bin $(GUEST_DIR)/guest-b.bin
