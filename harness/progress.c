/* The progress line of a long run (progress.h). */
#include <stdio.h>
#include <string.h>

#include "progress.h"

/* The console's announcement of a repetition (run_plan.c, sim_run.c). */
static const char progress_rep[] = "faultline: repetition ";

void progress_init(struct progress *p, uint64_t now_ms)
{
	memset(p, 0, sizeof(*p));
	p->start_ms = now_ms;
}

/* A whole console line: a repetition's announcement updates @p. */
static void progress_line(struct progress *p)
{
	unsigned rep, nreps;
	const char *rest;

	p->line[p->len] = '\0';
	rest = strstr(p->line, progress_rep);
	if (rest == NULL ||
	    sscanf(rest + sizeof(progress_rep) - 1, "%u of %u", &rep, &nreps) !=
		    2 ||
	    rep == 0 || rep > nreps) {
		return;
	}
	p->rep = rep;
	p->nreps = nreps;
	p->warmup = strstr(rest, "(warm-up)") != NULL;
}

void progress_feed(struct progress *p, const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = data[i];

		if (c == '\n') {
			if (!p->overlong) {
				progress_line(p);
			}
			p->len = 0;
			p->overlong = false;
		} else if (c != '\r' && !p->overlong) {
			if (p->len + 1 >= sizeof(p->line)) {
				p->overlong = true;
			} else {
				p->line[p->len++] = c;
			}
		}
	}
}

size_t progress_format(const struct progress *p, uint64_t now_ms,
		       uint64_t trace_bytes, char *buf, size_t size)
{
	double s = now_ms >= p->start_ms ? (double)(now_ms - p->start_ms) / 1e3
					 : 0.0;
	/* Records are 64 bytes; the header and schema are noise here. */
	unsigned long long events = (unsigned long long)(trace_bytes / 64);
	int n;

	if (p->rep > 0) {
		n = snprintf(buf, size,
			     "faultline: repetition %u of %u%s, ~%llu events, "
			     "%.1f s",
			     p->rep, p->nreps, p->warmup ? " (warm-up)" : "",
			     events, s);
	} else {
		n = snprintf(buf, size,
			     "faultline: running, ~%llu events, "
			     "%.1f s",
			     events, s);
	}
	if (n < 0) {
		return 0;
	}
	return (size_t)n < size ? (size_t)n : size - 1;
}
