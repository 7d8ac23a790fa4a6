/* One row per fault and per guest-timed access (latency_csv.h). */
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>
#include <faultline/time.h>

#include "latency_csv.h"

/* The events read, and their fields, resolved once from the schema. */
enum lc_ev {
	LC_ENTER,
	LC_EXIT,
	LC_ACCESS,
	LC_REP,
	LC_NEV
};

static const char *const lc_ev_names[LC_NEV] = {
	"s2_fault_enter", "s2_fault_exit", "guest_access", "rep"};

/* Fields, by the event that has them. */
enum lc_field {
	LC_F_VCPU,
	LC_F_VMID,
	LC_F_IPA,
	LC_F_KIND,
	LC_F_ACCESS,
	LC_F_OUTCOME,
	LC_F_POLICY,
	LC_F_OP,
	LC_F_T_START,
	LC_F_T_END,
	LC_F_NUMBER,
	LC_F_WARMUP,
	LC_F_PHASE,
	LC_NF
};

static const char *const lc_field_names[LC_NF] = {
	"vcpu", "vmid",    "ipa",   "kind",   "access", "outcome", "policy",
	"op",   "t_start", "t_end", "number", "warmup", "phase"};

/* Names of the values of one enum field, looked up once each. */
#define LC_CACHE 64

struct lc_names {
	const char *kind;
	const char *name[LC_CACHE];
	char buf[LC_CACHE][24];
};

/* A fault entered on a CPU and not yet exited: its enter record. */
struct lc_stack {
	const struct trace_record **v;
	size_t n;
	size_t cap;
};

struct lc_ctx {
	const struct trace_data *td;
	uint16_t id[LC_NEV];
	bool has[LC_NEV];
	int idx[LC_NEV][LC_NF];
	const char *kind[LC_NEV][LC_NF];
	struct lc_names names[LC_NF];
	struct lc_stack cpus[TRACE_FILE_MAX_CPUS];
	bool in_rep;
	uint64_t rep;
	bool warmup;
	uint64_t rep_begin;
	bool rep_begin_known;
};

static void lc_bind(struct lc_ctx *c)
{
	memset(c->idx, -1, sizeof(c->idx));
	for (size_t i = 0; i < c->td->nevents; i++) {
		const struct trace_schema_event *e = &c->td->events[i];

		for (unsigned k = 0; k < LC_NEV; k++) {
			if (strcmp(e->name, lc_ev_names[k]) != 0) {
				continue;
			}
			c->has[k] = true;
			c->id[k] = e->id;
			for (unsigned f = 0; f < e->nfields; f++) {
				for (unsigned n = 0; n < LC_NF; n++) {
					if (strcmp(e->fields[f].name,
						   lc_field_names[n]) == 0) {
						c->idx[k][n] = (int)f;
						c->kind[k][n] =
							e->fields[f].kind;
					}
				}
			}
		}
	}
	for (size_t i = 0; i < c->td->nenums; i++) {
		if (strcmp(c->td->enums[i].name, "begin") == 0 &&
		    c->kind[LC_REP][LC_F_PHASE] != NULL &&
		    strcmp(c->td->enums[i].kind, c->kind[LC_REP][LC_F_PHASE]) ==
			    0) {
			c->rep_begin = c->td->enums[i].value;
			c->rep_begin_known = true;
		}
	}
}

static uint64_t lc_get(const struct lc_ctx *c, const struct trace_record *r,
		       enum lc_ev e, enum lc_field f)
{
	int i = c->idx[e][f];

	return i >= 0 ? r->f[i] : 0;
}

/* Field @f of @r (event @e) as text: an enum value's name, or a number. */
static const char *lc_text(struct lc_ctx *c, const struct trace_record *r,
			   enum lc_ev e, enum lc_field f, char *buf,
			   size_t size)
{
	uint64_t v = lc_get(c, r, e, f);
	const char *kind = c->kind[e][f];
	struct lc_names *nm = &c->names[f];

	if (kind == NULL) {
		return "";
	}
	if (v >= LC_CACHE || (nm->kind != NULL && strcmp(nm->kind, kind))) {
		return trace_data_format(c->td, kind, v, buf, size);
	}
	nm->kind = kind;
	if (nm->name[v] == NULL) {
		nm->name[v] = trace_data_format(c->td, kind, v, nm->buf[v],
						sizeof(nm->buf[v]));
	}
	return nm->name[v];
}

/* The rep and warmup columns. */
static void lc_rep(const struct lc_ctx *c, char *buf, size_t size)
{
	if (c->in_rep) {
		snprintf(buf, size, "%llu,%s", (unsigned long long)c->rep,
			 c->warmup ? "true" : "false");
	} else {
		snprintf(buf, size, ",");
	}
}

static int lc_enter(struct lc_ctx *c, const struct trace_record *r)
{
	struct lc_stack *st = &c->cpus[r->cpu];

	if (st->n == st->cap) {
		size_t cap = st->cap > 0 ? st->cap * 2 : 8;
		const struct trace_record **v =
			realloc(st->v, cap * sizeof(*v));

		if (v == NULL) {
			return -ERR_NOMEM;
		}
		st->v = v;
		st->cap = cap;
	}
	st->v[st->n++] = r;
	return 0;
}

/* Closes the innermost fault @r exits on its CPU and writes its row. */
static void lc_exit(struct lc_ctx *c, const struct trace_record *r, FILE *out)
{
	struct lc_stack *st = &c->cpus[r->cpu];
	const struct trace_record *in = NULL;
	char b[6][32], rep[40];
	size_t k;

	for (k = st->n; k > 0; k--) {
		in = st->v[k - 1];
		if (lc_get(c, in, LC_ENTER, LC_F_VCPU) ==
			    lc_get(c, r, LC_EXIT, LC_F_VCPU) &&
		    lc_get(c, in, LC_ENTER, LC_F_VMID) ==
			    lc_get(c, r, LC_EXIT, LC_F_VMID) &&
		    lc_get(c, in, LC_ENTER, LC_F_IPA) ==
			    lc_get(c, r, LC_EXIT, LC_F_IPA)) {
			break;
		}
	}
	if (k == 0) {
		return;
	}
	/* Enters above it lost their exits: they have no latency. */
	st->n = k - 1;
	lc_rep(c, rep, sizeof(rep));
	fprintf(out, "%u,%llu,%llu,0x%llx,%s,%s,%s,%s,%s,%llu,%llu\n", r->cpu,
		(unsigned long long)lc_get(c, in, LC_ENTER, LC_F_VCPU),
		(unsigned long long)lc_get(c, in, LC_ENTER, LC_F_VMID),
		(unsigned long long)lc_get(c, in, LC_ENTER, LC_F_IPA),
		lc_text(c, in, LC_ENTER, LC_F_KIND, b[0], sizeof(b[0])),
		lc_text(c, in, LC_ENTER, LC_F_ACCESS, b[1], sizeof(b[1])),
		lc_text(c, r, LC_EXIT, LC_F_OUTCOME, b[2], sizeof(b[2])),
		lc_text(c, r, LC_EXIT, LC_F_POLICY, b[3], sizeof(b[3])), rep,
		(unsigned long long)trace_data_rel_ns(c->td, in->ts),
		(unsigned long long)time_ticks_to_ns(
			r->ts >= in->ts ? r->ts - in->ts : 0,
			c->td->counter_freq));
}

static void lc_access(struct lc_ctx *c, const struct trace_record *r, FILE *out)
{
	uint64_t t0 = lc_get(c, r, LC_ACCESS, LC_F_T_START);
	uint64_t t1 = lc_get(c, r, LC_ACCESS, LC_F_T_END);
	char b[32], rep[40];

	/* The guest wrote these: a garbled pair has no latency. */
	if (t1 < t0) {
		return;
	}
	lc_rep(c, rep, sizeof(rep));
	fprintf(out, "%llu,%llu,0x%llx,%s,%s,%llu,%llu\n",
		(unsigned long long)lc_get(c, r, LC_ACCESS, LC_F_VCPU),
		(unsigned long long)lc_get(c, r, LC_ACCESS, LC_F_OP),
		(unsigned long long)lc_get(c, r, LC_ACCESS, LC_F_IPA),
		lc_text(c, r, LC_ACCESS, LC_F_ACCESS, b, sizeof(b)), rep,
		(unsigned long long)trace_data_rel_ns(c->td, t0),
		(unsigned long long)time_ticks_to_ns(t1 - t0,
						     c->td->counter_freq));
}

int latency_csv_write(const struct trace_data *td, FILE *faults, FILE *guest)
{
	struct lc_ctx *c = calloc(1, sizeof(*c));
	int ret = 0;

	if (c == NULL) {
		return -ERR_NOMEM;
	}
	c->td = td;
	lc_bind(c);
	if (faults != NULL) {
		fputs("cpu,vcpu,vmid,ipa,kind,access,outcome,policy,rep,warmup,"
		      "start_ns,latency_ns\n",
		      faults);
	}
	if (guest != NULL) {
		fputs("vcpu,op,ipa,access,rep,warmup,start_ns,latency_ns\n",
		      guest);
	}
	for (size_t i = 0; ret == 0 && i < td->nrecords; i++) {
		const struct trace_record *r = &td->records[i];

		if (c->has[LC_REP] && r->id == c->id[LC_REP]) {
			c->in_rep = c->rep_begin_known &&
				    lc_get(c, r, LC_REP, LC_F_PHASE) ==
					    c->rep_begin;
			c->rep = lc_get(c, r, LC_REP, LC_F_NUMBER);
			c->warmup = lc_get(c, r, LC_REP, LC_F_WARMUP) != 0;
		} else if (r->cpu >= TRACE_FILE_MAX_CPUS) {
			continue;
		} else if (faults != NULL && c->has[LC_ENTER] &&
			   r->id == c->id[LC_ENTER]) {
			ret = lc_enter(c, r);
		} else if (faults != NULL && c->has[LC_EXIT] &&
			   r->id == c->id[LC_EXIT]) {
			lc_exit(c, r, faults);
		} else if (guest != NULL && c->has[LC_ACCESS] &&
			   r->id == c->id[LC_ACCESS]) {
			lc_access(c, r, guest);
		}
	}
	for (unsigned i = 0; i < TRACE_FILE_MAX_CPUS; i++) {
		free(c->cpus[i].v);
	}
	free(c);
	if (ret == 0 && ((faults != NULL && ferror(faults)) ||
			 (guest != NULL && ferror(guest)))) {
		ret = -ERR_IO;
	}
	return ret;
}
