/* Hand-made traces and a Perfetto JSON reader for the tests. */
#include <stdlib.h>
#include <string.h>

#include "../../trace/tests/schema_fixture.h"
#include "../export_perfetto.h"
#include "export_fixture.h"

void xf_init(struct trace_data *td, unsigned ncpus)
{
	trace_fixture_schema(td, ncpus, XF_FREQ);
}

void xf_rec6(struct trace_data *td, uint64_t ts, unsigned cpu, uint16_t id,
	     const uint64_t f[6])
{
	uint32_t seq = 0;
	struct trace_record *r;

	for (size_t i = 0; i < td->nrecords; i++) {
		seq += td->records[i].cpu == cpu;
	}
	if (td->nrecords == td->records_cap) {
		size_t want = td->records_cap > 0 ? td->records_cap * 2 : 64;
		void *np = realloc(td->records, want * sizeof(*td->records));

		if (np == NULL) {
			return;
		}
		td->records = np;
		td->records_cap = want;
	}
	r = &td->records[td->nrecords++];
	memset(r, 0, sizeof(*r));
	r->ts = ts;
	r->cpu = (uint16_t)cpu;
	r->id = id;
	r->seq = seq;
	memcpy(r->f, f, 6 * sizeof(*f));
}

void xf_fault(struct trace_data *td, unsigned cpu, uint64_t t0, uint64_t t1,
	      uint64_t vcpu, uint64_t vmid, uint64_t ipa, uint64_t outcome)
{
	XF_REC(td, t0, cpu, s2_fault_enter, vcpu, vmid, ipa, 0x93c28047,
	       TRACE_FAULT_KIND_TRANSLATION, TRACE_ACCESS_WRITE);
	XF_REC(td, t1, cpu, s2_fault_exit, vcpu, vmid, ipa, outcome,
	       TRACE_POLICY_PREJUDGE, 3);
}

void xf_switch(struct trace_data *td, unsigned cpu, uint64_t t0, uint64_t step,
	       uint64_t vcpu, uint64_t vmid)
{
	for (uint64_t p = 1; p <= 8; p++) {
		XF_REC(td, t0 + (p - 1) * step, cpu, world_switch, p, vcpu,
		       vmid);
	}
}

char *xf_perfetto(const struct trace_data *td)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret;

	if (f == NULL) {
		return NULL;
	}
	ret = export_perfetto(td, f);
	fclose(f);
	if (ret != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* A small recursive-descent JSON parser that only says yes or no. */
static const char *xf_ws(const char *s)
{
	while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t') {
		s++;
	}
	return s;
}

static const char *xf_value(const char *s, unsigned depth);

static const char *xf_string(const char *s)
{
	if (*s++ != '"') {
		return NULL;
	}
	while (*s != '"') {
		if ((unsigned char)*s < 0x20) {
			return NULL;
		}
		if (*s == '\\') {
			s++;
			if (*s == 'u') {
				for (int i = 1; i <= 4; i++) {
					if (strchr("0123456789abcdefABCDEF",
						   s[i]) == NULL ||
					    s[i] == '\0') {
						return NULL;
					}
				}
				s += 4;
			} else if (*s == '\0' ||
				   strchr("\"\\/bfnrt", *s) == NULL) {
				return NULL;
			}
		}
		s++;
	}
	return s + 1;
}

static const char *xf_number(const char *s)
{
	const char *start;

	if (*s == '-') {
		s++;
	}
	start = s;
	while (*s >= '0' && *s <= '9') {
		s++;
	}
	if (s == start || (*start == '0' && s - start > 1)) {
		return NULL;
	}
	if (*s == '.') {
		start = ++s;
		while (*s >= '0' && *s <= '9') {
			s++;
		}
		if (s == start) {
			return NULL;
		}
	}
	return s;
}

static const char *xf_container(const char *s, unsigned depth, char close)
{
	s = xf_ws(s + 1);
	if (*s == close) {
		return s + 1;
	}
	for (;;) {
		if (close == '}') {
			s = xf_string(xf_ws(s));
			if (s == NULL || *(s = xf_ws(s)) != ':') {
				return NULL;
			}
			s++;
		}
		s = xf_value(s, depth + 1);
		if (s == NULL) {
			return NULL;
		}
		s = xf_ws(s);
		if (*s == close) {
			return s + 1;
		}
		if (*s++ != ',') {
			return NULL;
		}
	}
}

static const char *xf_value(const char *s, unsigned depth)
{
	s = xf_ws(s);
	if (depth > 64) {
		return NULL;
	}
	switch (*s) {
	case '{':
		return xf_container(s, depth, '}');
	case '[':
		return xf_container(s, depth, ']');
	case '"':
		return xf_string(s);
	case 't':
		return strncmp(s, "true", 4) == 0 ? s + 4 : NULL;
	case 'f':
		return strncmp(s, "false", 5) == 0 ? s + 5 : NULL;
	case 'n':
		return strncmp(s, "null", 4) == 0 ? s + 4 : NULL;
	default:
		return xf_number(s);
	}
}

bool xf_json_valid(const char *s)
{
	s = s != NULL ? xf_value(s, 0) : NULL;
	return s != NULL && *xf_ws(s) == '\0';
}

/* The text after "@key": in @line (before its args), or NULL. */
static const char *xf_key(const char *line, const char *key)
{
	char pat[32];
	const char *args = strstr(line, ",\"args\":");
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(line, pat);
	return p != NULL && (args == NULL || p < args) ? p + strlen(pat) : NULL;
}

static uint64_t xf_ns(const char *p)
{
	uint64_t us = strtoull(p, (char **)&p, 10), frac = 0;

	if (*p == '.') {
		for (int i = 1; i <= 3; i++) {
			frac = frac * 10 +
			       (p[i] >= '0' && p[i] <= '9' ? p[i] - '0' : 0);
		}
	}
	return us * 1000 + frac;
}

static void xf_str(const char *p, char *out, size_t size)
{
	size_t n = 0;

	if (p != NULL && *p == '"') {
		for (p++; *p != '"' && *p != '\0' && n + 1 < size; p++) {
			if (*p == '\\' && p[1] != '\0') {
				p++;
			}
			out[n++] = *p;
		}
	}
	out[n] = '\0';
}

struct xf_event *xf_events(const char *json, size_t *n)
{
	struct xf_event *ev = NULL;
	size_t cap = 0;

	*n = 0;
	for (const char *l = json; l != NULL && *l != '\0';) {
		const char *end = strchr(l, '\n');
		size_t len = end != NULL ? (size_t)(end - l) : strlen(l);
		struct xf_event *e;
		const char *p;

		if (strncmp(l, "{\"ph\":\"", 7) == 0) {
			if (*n == cap) {
				struct xf_event *np;

				cap = cap > 0 ? cap * 2 : 64;
				np = realloc(ev, cap * sizeof(*ev));
				if (np == NULL) {
					free(ev);
					return NULL;
				}
				ev = np;
			}
			e = &ev[(*n)++];
			memset(e, 0, sizeof(*e));
			snprintf(e->line, sizeof(e->line), "%.*s", (int)len, l);
			e->ph = l[7];
			xf_str(xf_key(e->line, "name"), e->name,
			       sizeof(e->name));
			xf_str(xf_key(e->line, "cat"), e->cat, sizeof(e->cat));
			e->pid = (p = xf_key(e->line, "pid")) ? atol(p) : -1;
			e->tid = (p = xf_key(e->line, "tid")) ? atol(p) : -1;
			e->ts = (p = xf_key(e->line, "ts")) ? xf_ns(p) : 0;
			e->dur = (p = xf_key(e->line, "dur")) ? xf_ns(p) : 0;
			e->id = (p = xf_key(e->line, "id")) ? atol(p) : -1;
		}
		l = end != NULL ? end + 1 : NULL;
	}
	return ev;
}

static bool xf_match(const struct xf_event *e, char ph, const char *cat,
		     const char *name)
{
	return (ph == 0 || e->ph == ph) &&
	       (cat == NULL || strcmp(e->cat, cat) == 0) &&
	       (name == NULL || strcmp(e->name, name) == 0);
}

size_t xf_count(const struct xf_event *ev, size_t n, char ph, const char *cat,
		const char *name)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		k += xf_match(&ev[i], ph, cat, name);
	}
	return k;
}

const struct xf_event *xf_find(const struct xf_event *ev, size_t n, char ph,
			       const char *cat, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (xf_match(&ev[i], ph, cat, name)) {
			return &ev[i];
		}
	}
	return NULL;
}

/* One thread's open slices while replaying. */
struct xf_open {
	uint64_t end;
	bool zero;
	const char *cat;
};

struct xf_stack {
	long pid;
	long tid;
	struct xf_open v[64];
	size_t n;
};

/* Perfetto's order at one time: "X" longest first, then file order. */
static int xf_cmp_import(const void *a, const void *b)
{
	const struct xf_event *const *x = a, *const *y = b;
	uint64_t dx = (*x)->ph == 'X' ? (*x)->dur : 0;
	uint64_t dy = (*y)->ph == 'X' ? (*y)->dur : 0;

	if ((*x)->ts != (*y)->ts) {
		return (*x)->ts < (*y)->ts ? -1 : 1;
	}
	if (dx != dy) {
		return dx > dy ? -1 : 1;
	}
	return *x < *y ? -1 : *x > *y;
}

static struct xf_stack *xf_stack_of(struct xf_stack *st, size_t *nst,
				    const struct xf_event *e)
{
	for (size_t k = 0; k < *nst; k++) {
		if (st[k].pid == e->pid && st[k].tid == e->tid) {
			return &st[k];
		}
	}
	if (*nst == 64) {
		return NULL;
	}
	memset(&st[*nst], 0, sizeof(st[*nst]));
	st[*nst].pid = e->pid;
	st[*nst].tid = e->tid;
	return &st[(*nst)++];
}

struct xf_replay xf_replay(const struct xf_event *ev, size_t n)
{
	static struct xf_stack st[64];
	long flow_s[256] = {0}, flow_f[256] = {0};
	const struct xf_event **order = calloc(n + 1, sizeof(*order));
	struct xf_replay r = {0};
	size_t nst = 0, m = 0;

	if (order == NULL) {
		r.unordered = 1;
		return r;
	}
	for (size_t i = 0; i < n; i++) {
		if (ev[i].ph != 'M') {
			order[m++] = &ev[i];
		}
	}
	/* The file must already be in the order the importer reads it. */
	for (size_t i = 1; i < m; i++) {
		r.unordered += xf_cmp_import(&order[i - 1], &order[i]) > 0;
	}
	qsort(order, m, sizeof(*order), xf_cmp_import);
	for (size_t i = 0; i < m; i++) {
		const struct xf_event *e = order[i];
		struct xf_stack *s = xf_stack_of(st, &nst, e);

		if (s == NULL) {
			continue;
		}
		if (e->ph == 'X' ||
		    (e->ph == 'i' && strstr(e->line, "\"s\":\"g\"") == NULL)) {
			uint64_t dur = e->ph == 'X' ? e->dur : 0;

			while (s->n > 0 &&
			       (s->v[s->n - 1].end < e->ts ||
				(s->v[s->n - 1].end == e->ts &&
				 !(s->v[s->n - 1].zero && dur == 0)))) {
				s->n--;
			}
			r.overlaps +=
				s->n > 0 && e->ts + dur > s->v[s->n - 1].end;
			if (s->n < 64) {
				s->v[s->n++] = (struct xf_open){
					e->ts + dur, dur == 0, e->cat};
			}
		} else if (e->ph == 's' || e->ph == 'f') {
			const char *top = s->n > 0 ? s->v[s->n - 1].cat : "";

			r.misbound +=
				e->ph == 's' ? strcmp(top, "fault") != 0
					     : strcmp(top, "bbm") != 0 &&
						       strcmp(top, "tlbi") != 0;
			if (e->id >= 0 && e->id < 256) {
				(e->ph == 's' ? flow_s : flow_f)[e->id]++;
			}
		}
	}
	free(order);
	for (size_t id = 0; id < 256; id++) {
		r.flows += flow_s[id] > 0 || flow_f[id] > 0;
		r.unpaired += (flow_s[id] > 0 || flow_f[id] > 0) &&
			      (flow_s[id] != 1 || flow_f[id] != 1);
	}
	return r;
}
