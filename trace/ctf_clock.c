/*
 * The clock page of the CTF export (ctf.h). Kept free of the rest of
 * faultline: the clock plugin, a shared object loaded into LTTng's
 * daemons, is built from this file too.
 */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <faultline/err.h>
#include <faultline/trace/ctf.h>

int trace_ctf_clock_path(char *out, size_t size)
{
	const char *env = getenv(TRACE_CTF_ENV_CLOCK_FILE);
	struct stat st;
	int n;

	if (env != NULL && env[0] != '\0') {
		n = snprintf(out, size, "%s", env);
	} else {
		/* Per user: the daemons run as the user who traces. */
		bool shm = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode);

		n = snprintf(out, size, "%s/faultline-ctf-clock-%lu",
			     shm ? "/dev/shm" : "/tmp",
			     (unsigned long)geteuid());
	}
	return n > 0 && (size_t)n < size ? 0 : -ERR_RANGE;
}

struct trace_ctf_clock_page *trace_ctf_clock_map(void)
{
	char path[4096];
	struct trace_ctf_clock_page *page;
	uint64_t zero = 0;
	struct stat st;
	int fd;

	if (trace_ctf_clock_path(path, sizeof(path)) != 0) {
		return NULL;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		return NULL;
	}
	/* Two processes may both grow it: to the same size, harmlessly. */
	if (fstat(fd, &st) != 0 || ((size_t)st.st_size < sizeof(*page) &&
				    ftruncate(fd, (off_t)sizeof(*page)) != 0)) {
		close(fd);
		return NULL;
	}
	page = mmap(NULL, sizeof(*page), PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    0);
	close(fd);
	if (page == MAP_FAILED) {
		return NULL;
	}
	/* A new file is zero: the first mapper stamps the layout. */
	atomic_compare_exchange_strong(&page->magic, &zero,
				       TRACE_CTF_CLOCK_MAGIC);
	if (atomic_load(&page->magic) != TRACE_CTF_CLOCK_MAGIC) {
		munmap(page, sizeof(*page));
		return NULL;
	}
	return page;
}

void trace_ctf_clock_unmap(struct trace_ctf_clock_page *page)
{
	if (page != NULL) {
		munmap(page, sizeof(*page));
	}
}
