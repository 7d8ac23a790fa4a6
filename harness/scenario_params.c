/*
 * Parameters (`param NAME=VALUE`, $NAME, --set) and expectations
 * (`expect ...`) of the scenario language (scenario.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>

#include "scenario_internal.h"

/* The parameter named by @len bytes at @name, or NULL. */
static const struct scn_param *scn_param_find(const struct scenario *s,
					      const char *name, size_t len)
{
	for (unsigned i = 0; i < s->nparams; i++) {
		if (strlen(s->params[i].name) == len &&
		    memcmp(s->params[i].name, name, len) == 0) {
			return &s->params[i];
		}
	}
	return NULL;
}

static bool scn_name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Appends @n bytes of @src from original column @col (0-based) onwards. */
static bool scn_put(struct scn_parser *p, size_t *at, const char *src, size_t n,
		    unsigned col, bool same_col)
{
	if (*at + n >= SCN_LINE_MAX) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		p->xline[*at + i] = src[i];
		p->xcol[*at + i] = same_col ? col : col + (unsigned)i;
	}
	*at += n;
	return true;
}

int scn_expand(struct scn_parser *p, const char *line, size_t len)
{
	size_t at = 0;
	bool quoted = false, comment = false;

	for (size_t i = 0; i < len;) {
		const struct scn_param *prm;
		size_t start, end;
		bool brace;

		quoted ^= line[i] == '"' && !comment;
		comment |= line[i] == '#' && !quoted;
		if (line[i] != '$' || comment) {
			if (!scn_put(p, &at, line + i, 1, (unsigned)i, false)) {
				goto too_long;
			}
			i++;
			continue;
		}
		/* $NAME or ${NAME}: the value stands at the $'s column. */
		brace = i + 1 < len && line[i + 1] == '{';
		start = i + 1 + brace;
		for (end = start; end < len && scn_name_char(line[end]);
		     end++) {
		}
		prm = scn_param_find(p->s, line + start, end - start);
		if (brace && (end == len || line[end] != '}')) {
			prm = NULL;
		}
		if (prm == NULL) {
			p->nw = 0;
			scn_error_at(p,
				     (struct scn_pos){p->line, (unsigned)i + 1},
				     "unknown parameter '%.*s'",
				     (int)(end - start), line + start);
			scn_hint(p, "declare it first: param %.*s=VALUE",
				 (int)(end - start), line + start);
			return -ERR_INVAL;
		}
		if (!scn_put(p, &at, prm->value, strlen(prm->value),
			     (unsigned)i, true)) {
			goto too_long;
		}
		i = end + brace;
	}
	p->xline[at] = '\0';
	return (int)at;
too_long:
	p->nw = 0;
	return scn_error(p, 0, "the line is longer than %d characters",
			 SCN_LINE_MAX - 1);
}

/* True when @v is a valid parameter value (one word, printable). */
static bool scn_value_ok(const char *v, size_t len)
{
	if (len == 0 || len >= SCN_PARAM_VALUE_MAX) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (!isgraph((unsigned char)v[i]) || v[i] == '#' ||
		    v[i] == '"' || v[i] == '$') {
			return false;
		}
	}
	return true;
}

int scn_stmt_param(struct scn_parser *p)
{
	struct scenario *s = p->s;
	struct scn_param *prm;
	const char *eq;
	size_t nlen;

	if (p->nw != 2 ||
	    (eq = memchr(p->w[1].text, '=', p->w[1].len)) == NULL) {
		scn_error(p, 1, "param takes NAME=VALUE");
		scn_hint(p, "param pages=1024, then use $pages");
		return -ERR_INVAL;
	}
	if (s->nparams == SCN_MAX_PARAMS) {
		return scn_error(p, 0, "more than %d parameters",
				 SCN_MAX_PARAMS);
	}
	prm = &s->params[s->nparams];
	nlen = (size_t)(eq - p->w[1].text);
	*prm = (struct scn_param){.pos = {p->line, p->w[1].col}};
	if (nlen == 0 || nlen >= SCN_NAME_MAX ||
	    !isalpha((unsigned char)p->w[1].text[0])) {
		return scn_error(p, 1, "'%.*s' is not a parameter name",
				 (int)nlen, p->w[1].text);
	}
	for (size_t i = 0; i < nlen; i++) {
		if (!scn_name_char(p->w[1].text[i])) {
			return scn_error(p, 1, "'%.*s' is not a parameter name",
					 (int)nlen, p->w[1].text);
		}
	}
	if (scn_param_find(s, p->w[1].text, nlen) != NULL) {
		return scn_error(p, 1, "parameter '%.*s' is already declared",
				 (int)nlen, p->w[1].text);
	}
	memcpy(prm->name, p->w[1].text, nlen);
	if (!scn_value_ok(eq + 1, p->w[1].len - nlen - 1)) {
		return scn_error(p, 1, "'%s' needs one word as its value",
				 prm->name);
	}
	memcpy(prm->value, eq + 1, p->w[1].len - nlen - 1);
	for (unsigned i = 0; i < p->nsets; i++) {
		if (strcmp(p->sets[i].name, prm->name) == 0) {
			size_t vlen = strlen(p->sets[i].value);

			if (!scn_value_ok(p->sets[i].value, vlen)) {
				return scn_error(p, 1,
						 "--set %s=%s: the value must "
						 "be one word",
						 prm->name, p->sets[i].value);
			}
			memcpy(prm->value, p->sets[i].value, vlen + 1);
			prm->overridden = true;
			p->set_used[i] = true;
		}
	}
	s->nparams++;
	return 0;
}

int scn_check_sets(struct scn_parser *p)
{
	for (unsigned i = 0; i < p->nsets; i++) {
		char known[200] = "";
		size_t n = 0;

		if (p->set_used[i]) {
			continue;
		}
		for (unsigned k = 0; k < p->s->nparams && n < sizeof(known);
		     k++) {
			n += (size_t)snprintf(known + n, sizeof(known) - n,
					      "%s%s", k > 0 ? ", " : "",
					      p->s->params[k].name);
		}
		snprintf(p->d->msg, sizeof(p->d->msg),
			 "%s: --set %s: the scenario has no parameter of that "
			 "name",
			 p->s->path, p->sets[i].name);
		snprintf(p->d->hint, sizeof(p->d->hint), "its parameters: %s",
			 n > 0 ? known : "none");
		return -ERR_INVAL;
	}
	return 0;
}

/* VALUE of an expectation on @metric: a number, a decimal, a duration. */
static int scn_expect_value(struct scn_parser *p, unsigned wi, struct expect *e)
{
	const struct scn_word *w = &p->w[wi];
	char buf[64], *end;
	double v;

	if (w->len >= sizeof(buf) || w->quoted) {
		return scn_error(p, wi, "'%.*s' is not a value", (int)w->len,
				 w->text);
	}
	memcpy(buf, w->text, w->len);
	buf[w->len] = '\0';
	if (expect_metric_is_duration(e->metric)) {
		uint64_t ns;
		int ret = scn_duration(p, wi, w->text, w->len, &ns);

		e->value = (double)ns;
		return ret;
	}
	/* A product (`1024*$vcpus`) is a count: multiply it out. */
	if (strchr(buf, '*') != NULL && strncmp(e->metric, "ratio.", 6) != 0) {
		uint64_t n;
		int ret = scn_number(p, wi, w->text, w->len, UINT64_MAX, &n);

		e->value = (double)n;
		return ret;
	}
	v = strtod(buf, &end);
	if (end == buf || *end != '\0' || !(v >= 0) || buf[0] == '+') {
		scn_error(p, wi, "'%s' is not a number", buf);
		if (*end != '\0' && end != buf) {
			scn_hint(p, "%s is a count%s", e->metric,
				 strncmp(e->metric, "ratio.", 6) == 0
					 ? " (a ratio, 1.5 say)"
					 : ": no unit");
		}
		return -ERR_INVAL;
	}
	e->value = v;
	return 0;
}

/* Options before the metric: vm=NAME, on=qemu|sim, policy=NAME. */
static int scn_expect_options(struct scn_parser *p, unsigned *wi,
			      struct expect *e)
{
	const char *v;
	size_t len;

	for (; *wi < p->nw; (*wi)++) {
		if (scn_key(p, *wi, "vm", &v, &len)) {
			e->vm = -1;
			for (unsigned i = 0; i < p->s->nvms; i++) {
				if (strlen(p->s->vms[i].name) == len &&
				    memcmp(p->s->vms[i].name, v, len) == 0) {
					e->vm = (int)i;
				}
			}
			if (e->vm < 0) {
				return scn_error(p, *wi, "no VM '%.*s' (yet)",
						 (int)len, v);
			}
		} else if (scn_key(p, *wi, "policy", &v, &len)) {
			char name[16];

			snprintf(name, sizeof(name), "%.*s",
				 len < sizeof(name) ? (int)len : 0, v);
			e->policy = scenario_policy_id(name);
			if (e->policy == 0) {
				scn_error(p, *wi, "unknown policy '%.*s'",
					  (int)len, v);
				scn_hint(p, "policy=legacy or policy=prejudge");
				return -ERR_INVAL;
			}
		} else if (scn_key(p, *wi, "on", &v, &len)) {
			e->backends = (len == 4 && memcmp(v, "qemu", 4) == 0)
					      ? EXPECT_ON_QEMU
				      : (len == 3 && memcmp(v, "sim", 3) == 0)
					      ? EXPECT_ON_SIM
					      : 0;
			if (e->backends == 0) {
				scn_error(p, *wi, "unknown backend '%.*s'",
					  (int)len, v);
				scn_hint(p, "on=qemu or on=sim");
				return -ERR_INVAL;
			}
		} else {
			return 0;
		}
	}
	return 0;
}

int scn_stmt_expect(struct scn_parser *p)
{
	struct scenario *s = p->s;
	struct expect *e;
	unsigned wi = 1, last;
	char hint[512];
	int ret;

	if (s->nexpects == SCN_MAX_EXPECTS) {
		return scn_error(p, 0, "more than %d expectations",
				 SCN_MAX_EXPECTS);
	}
	e = &s->expects[s->nexpects];
	*e = (struct expect){.vm = -1, .line = p->line, .col = p->w[0].col};
	ret = scn_expect_options(p, &wi, e);
	if (ret != 0) {
		return ret;
	}
	for (last = wi; last < p->nw && !scn_is(p, last, "because"); last++) {
	}
	if (last < p->nw) {
		size_t n = 0;

		for (unsigned i = last + 1; i < p->nw; i++) {
			if (n + (n > 0) + p->w[i].len >= sizeof(e->reason)) {
				return scn_error(
					p, i,
					"the reason is longer than %zu "
					"characters",
					sizeof(e->reason) - 1);
			}
			n += (size_t)snprintf(e->reason + n,
					      sizeof(e->reason) - n, "%s%.*s",
					      n > 0 ? " " : "",
					      (int)p->w[i].len, p->w[i].text);
		}
	}
	if (last == wi + 1 &&
	    (scn_is(p, wi, "livelock") || scn_is(p, wi, "progress"))) {
		e->kind = scn_is(p, wi, "livelock") ? EXPECT_LIVELOCK
						    : EXPECT_PROGRESS;
		if (e->vm >= 0) {
			return scn_error(p, wi, "%s is about the whole run",
					 scn_is(p, wi, "livelock")
						 ? "livelock"
						 : "progress");
		}
		snprintf(e->text, sizeof(e->text), "%.*s", (int)p->w[wi].len,
			 p->w[wi].text);
	} else {
		if (last != wi + 3) {
			scn_error(p, wi,
				  "expect METRIC OP VALUE, or livelock, "
				  "or progress");
			scn_hint(p, "expect outcome.mapped == 1024 because "
				    "each page maps once");
			return -ERR_INVAL;
		}
		if (p->w[wi].len >= sizeof(e->metric)) {
			return scn_error(p, wi, "no such metric");
		}
		memcpy(e->metric, p->w[wi].text, p->w[wi].len);
		if (expect_metric_valid(e->metric, e->vm >= 0, hint,
					sizeof(hint)) != 0) {
			scn_error(p, wi, "unknown metric '%s'%s", e->metric,
				  e->vm >= 0 ? " for one VM" : "");
			scn_hint(p, "%s", hint);
			return -ERR_INVAL;
		}
		if (expect_op_parse(p->w[wi + 1].text, p->w[wi + 1].len,
				    &e->op) != 0) {
			scn_error(p, wi + 1, "'%.*s' is not a comparison",
				  (int)p->w[wi + 1].len, p->w[wi + 1].text);
			scn_hint(p, "==, !=, <, <=, > or >=");
			return -ERR_INVAL;
		}
		ret = scn_expect_value(p, wi + 2, e);
		if (ret != 0) {
			return ret;
		}
		snprintf(e->text, sizeof(e->text), "%s%s%.*s %s %.*s",
			 e->vm >= 0 ? s->vms[e->vm].name : "",
			 e->vm >= 0 ? ": " : "", (int)p->w[wi].len,
			 p->w[wi].text, expect_op_name(e->op),
			 (int)p->w[wi + 2].len, p->w[wi + 2].text);
	}
	if (e->policy != 0 || e->backends != 0) {
		/* So that a report says when it applies, as the file does. */
		size_t n = strlen(e->text);

		snprintf(e->text + n, sizeof(e->text) - n, " [%s%s%s%s]",
			 e->backends == EXPECT_ON_QEMU  ? "on=qemu"
			 : e->backends == EXPECT_ON_SIM ? "on=sim"
							: "",
			 e->backends != 0 && e->policy != 0 ? " " : "",
			 e->policy != 0 ? "policy=" : "",
			 e->policy != 0 ? scenario_policy_name(e->policy) : "");
	}
	s->nexpects++;
	return 0;
}

int64_t scenario_vmid(const struct scenario *s, unsigned vm)
{
	return (s->vms[vm].flags & PLAN_VM_HOST_S2) ? 0 : (int64_t)vm + 1;
}

void scn_expect_policies(struct scenario *s)
{
	for (unsigned i = 0; i < s->nexpects; i++) {
		struct expect *e = &s->expects[i];

		e->off_policy = false;
		for (unsigned v = 0; e->policy != 0 && v < s->nvms; v++) {
			if ((e->vm < 0 || (unsigned)e->vm == v) &&
			    s->vms[v].policy != e->policy) {
				e->off_policy = true;
			}
		}
	}
}
