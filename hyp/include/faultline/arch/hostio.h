/*
 * Arch interface: files on the host that runs the hypervisor. At EL2 this
 * is Arm semihosting (QEMU resolves paths against its working directory);
 * on the host it is POSIX file I/O.
 */
#ifndef FAULTLINE_ARCH_HOSTIO_H
#define FAULTLINE_ARCH_HOSTIO_H

#include <faultline/types.h>

/** Creates or truncates the file at @path for writing. Returns a handle >= 0
 * or a negative error. */
int arch_hostio_create(const char *path);

/** Writes all @len bytes of @buf to @fd. Returns 0 or -ERR_IO. */
int arch_hostio_write(int fd, const void *buf, size_t len);

/** Moves the write position of @fd to absolute offset @pos. Returns 0 or
 * -ERR_IO. */
int arch_hostio_seek(int fd, uint64_t pos);

/**
 * Opens the existing file at @path for reading. Returns a handle >= 0 or
 * -ERR_NOENT / -ERR_IO.
 */
int arch_hostio_open_read(const char *path);

/** The size in bytes of the file open as @fd, or a negative error. */
int64_t arch_hostio_size(int fd);

/** Reads exactly @len bytes from @fd into @buf. Returns 0 or -ERR_IO. */
int arch_hostio_read(int fd, void *buf, size_t len);

/** Closes @fd. Returns 0 or -ERR_IO. */
int arch_hostio_close(int fd);

#endif /* FAULTLINE_ARCH_HOSTIO_H */
