/*
 * Semihosting calls. QEMU reads the parameter blocks through the current
 * translation regime, so runtime VAs work once the MMU is on. File calls
 * are serialised: a call is a trap into QEMU that is not reentrant-safe
 * for one file from two CPUs.
 */
#include <faultline/arch/hostio.h>
#include <faultline/err.h>
#include <faultline/spinlock.h>

#include "semihosting.h"

#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_WRITE 0x05
#define SYS_READ 0x06
#define SYS_SEEK 0x0a
#define SYS_FLEN 0x0c
/* SYS_OPEN mode "rb". */
#define OPEN_MODE_RB 1
#define SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026
/* SYS_OPEN mode "wb". */
#define OPEN_MODE_WB 5

static struct spinlock semihosting_lock = SPINLOCK_INIT;

static int64_t semihosting_call(uint64_t op, const void *arg)
{
	register uint64_t x0 __asm__("x0") = op;
	register const void *x1 __asm__("x1") = arg;

	__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
	return (int64_t)x0;
}

static int64_t semihosting_locked(uint64_t op, const void *arg)
{
	int64_t ret;

	spinlock_lock(&semihosting_lock);
	ret = semihosting_call(op, arg);
	spinlock_unlock(&semihosting_lock);
	return ret;
}

NORETURN void semihosting_exit(int status)
{
	const uint64_t block[2] = {ADP_STOPPED_APPLICATION_EXIT,
				   (uint64_t)(unsigned)status};

	for (;;) {
		semihosting_call(SYS_EXIT, block);
	}
}

/* SYS_OPEN of @path with @mode: the host's handle, or negative. */
static int64_t semihosting_open(const char *path, uint64_t mode)
{
	uint64_t len = 0;
	uint64_t block[3];

	while (path[len] != '\0') {
		len++;
	}
	block[0] = (uint64_t)(uintptr_t)path;
	block[1] = mode;
	block[2] = len;
	return semihosting_locked(SYS_OPEN, block);
}

int arch_hostio_create(const char *path)
{
	int64_t fd = semihosting_open(path, OPEN_MODE_WB);

	return fd < 0 ? -ERR_IO : (int)fd;
}

int arch_hostio_open_read(const char *path)
{
	int64_t fd = semihosting_open(path, OPEN_MODE_RB);

	/* Semihosting does not say why an open failed: assume missing. */
	return fd < 0 ? -ERR_NOENT : (int)fd;
}

int64_t arch_hostio_size(int fd)
{
	const uint64_t block[1] = {(uint64_t)fd};
	int64_t n = semihosting_locked(SYS_FLEN, block);

	return n < 0 ? -ERR_IO : n;
}

int arch_hostio_read(int fd, void *buf, size_t len)
{
	const uint64_t block[3] = {(uint64_t)fd, (uint64_t)(uintptr_t)buf, len};

	/* SYS_READ returns the number of bytes not read. */
	return semihosting_locked(SYS_READ, block) == 0 ? 0 : -ERR_IO;
}

int arch_hostio_write(int fd, const void *buf, size_t len)
{
	const uint64_t block[3] = {(uint64_t)fd, (uint64_t)(uintptr_t)buf, len};

	/* SYS_WRITE returns the number of bytes not written. */
	return semihosting_locked(SYS_WRITE, block) == 0 ? 0 : -ERR_IO;
}

int arch_hostio_seek(int fd, uint64_t pos)
{
	const uint64_t block[2] = {(uint64_t)fd, pos};

	return semihosting_locked(SYS_SEEK, block) == 0 ? 0 : -ERR_IO;
}

int arch_hostio_close(int fd)
{
	const uint64_t block[1] = {(uint64_t)fd};

	return semihosting_locked(SYS_CLOSE, block) == 0 ? 0 : -ERR_IO;
}
