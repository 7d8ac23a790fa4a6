/* arch/hostio.h on the host: POSIX files. */
#include <fcntl.h>
#include <unistd.h>

#include <faultline/arch/hostio.h>
#include <faultline/err.h>

int arch_hostio_create(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	return fd < 0 ? -ERR_IO : fd;
}

int arch_hostio_open_read(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	return fd < 0 ? -ERR_NOENT : fd;
}

int64_t arch_hostio_size(int fd)
{
	off_t end = lseek(fd, 0, SEEK_END);

	if (end < 0 || lseek(fd, 0, SEEK_SET) != 0) {
		return -ERR_IO;
	}
	return end;
}

int arch_hostio_read(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n <= 0) {
			return -ERR_IO;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int arch_hostio_write(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n <= 0) {
			return -ERR_IO;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int arch_hostio_seek(int fd, uint64_t pos)
{
	return lseek(fd, (off_t)pos, SEEK_SET) == (off_t)pos ? 0 : -ERR_IO;
}

int arch_hostio_close(int fd)
{
	return close(fd) == 0 ? 0 : -ERR_IO;
}
