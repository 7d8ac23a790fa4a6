/* Echo, colours and log tails on the terminal (term.h). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "term.h"

void term_echo_open(struct term_echo *e, int fd, unsigned max_wait_ms)
{
	struct stat st;
	char path[64];
	int twin;

	*e = (struct term_echo){
		.fd = fd, .max_wait_ms = max_wait_ms, .last = '\n'};
	if (fd < 0) {
		/* No echo wanted: not a stop. */
		return;
	}
	if (fstat(fd, &st) != 0) {
		e->fd = -1;
		e->stopped = true;
		return;
	}
	if (!S_ISFIFO(st.st_mode) && !S_ISCHR(st.st_mode)) {
		return;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	twin = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

	if (twin >= 0) {
		e->fd = twin;
		e->owned = true;
	}
}

static void term_echo_stop(struct term_echo *e)
{
	if (e->owned && e->fd >= 0) {
		close(e->fd);
	}
	e->fd = -1;
	e->owned = false;
	e->stopped = true;
}

bool term_echo_write(struct term_echo *e, const char *data, size_t len)
{
	while (e->fd >= 0 && len > 0) {
		ssize_t n = write(e->fd, data, len);

		if (n > 0) {
			e->last = data[n - 1];
			data += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR) {
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd p = {.fd = e->fd, .events = POLLOUT};

			if (poll(&p, 1, (int)e->max_wait_ms) > 0 &&
			    (p.revents & POLLOUT) != 0) {
				continue;
			}
		}
		term_echo_stop(e);
	}
	return e->fd >= 0;
}

void term_echo_close(struct term_echo *e)
{
	bool stopped = e->stopped;

	term_echo_stop(e);
	e->stopped = stopped;
}

bool term_color(int fd)
{
	const char *term = getenv("TERM");

	return isatty(fd) && getenv("NO_COLOR") == NULL && term != NULL &&
	       strcmp(term, "dumb") != 0;
}

size_t term_show_tail(FILE *out, const char *title, const char *path,
		      size_t max_bytes, unsigned max_lines)
{
	FILE *f = fopen(path, "r");
	char *buf;
	const char *start;
	unsigned lines = 0;
	long size;
	size_t n;

	if (f == NULL) {
		return 0;
	}
	buf = malloc(max_bytes + 1);
	if (buf == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (size = ftell(f)) < 0 ||
	    fseek(f, (size_t)size > max_bytes ? size - (long)max_bytes : 0,
		  SEEK_SET) != 0) {
		free(buf);
		fclose(f);
		return 0;
	}
	n = fread(buf, 1, max_bytes, f);
	fclose(f);
	while (n > 0 && buf[n - 1] == '\n') {
		n--;
	}
	buf[n] = '\0';
	start = buf + n;
	while (start > buf && lines < max_lines) {
		start--;
		if (*start == '\n') {
			lines++;
		}
	}
	if (*start == '\n') {
		start++;
	}
	if (n > 0) {
		fprintf(out, "%s\n%s\n", title, start);
	}
	free(buf);
	return n;
}
