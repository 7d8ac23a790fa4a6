# Compiler flags. Warnings are errors everywhere.

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wmissing-declarations -Wundef -Wpointer-arith \
	-Wvla -Wformat=2 -Wno-format-nonliteral -Wimplicit-fallthrough

INCLUDES := -Ihyp/include -Itrace/include -Itrace -Ihyp/plat/$(PLAT)

# EL2: freestanding, no FP/SIMD registers (nothing saves them at EL2), no
# unaligned accesses (memory is Device before the MMU is on), LL/SC atomics
# inline (outline atomics call into libgcc state we do not initialise), and
# no switch-to-table conversion: code that runs at physical addresses must
# not load absolute pointers from tables (see hyp/arch/aarch64/early.c).
EL2_CFLAGS := -std=c11 -ffreestanding -O2 -g $(WARNINGS) $(INCLUDES) \
	-Ihyp/arch/aarch64/include \
	-march=armv8-a -mgeneral-regs-only -mstrict-align -mno-outline-atomics \
	-fno-pic -fno-pie -fno-stack-protector -fno-common \
	-fno-tree-switch-conversion -fno-tree-loop-distribute-patterns \
	-MMD -MP
EL2_ASFLAGS := -D__ASSEMBLER__ -g $(INCLUDES) -Ihyp/arch/aarch64 \
	-Ihyp/arch/aarch64/include -MMD -MP
EL2_LDFLAGS := -nostdlib -static -Wl,--build-id=sha1 -Wl,-z,max-page-size=4096 \
	-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments

# Host: the portable core, the host arch and the tools, with sanitizers for
# the tests. The harness itself is built without them.
HOST_CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -g $(WARNINGS) $(INCLUDES) \
	-Ihyp/arch/host -Ihyp/arch/host/include -pthread -MMD -MP
HOST_SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
HOST_CFLAGS := $(HOST_CFLAGS_BASE) -O1 $(HOST_SAN)
HOST_LDFLAGS := -pthread $(HOST_SAN)
TSAN_CFLAGS := $(HOST_CFLAGS_BASE) -O1 -fsanitize=thread -fno-omit-frame-pointer
TSAN_LDFLAGS := -pthread -fsanitize=thread
TOOL_CFLAGS := $(HOST_CFLAGS_BASE) -O2
TOOL_LDFLAGS := -pthread
# After the objects: the harness's statistics (erfc, sqrt) need libm.
HOST_LIBS := -lm
