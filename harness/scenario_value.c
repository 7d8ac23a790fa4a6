/* Errors and the values of a scenario's words (scenario_internal.h). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <faultline/err.h>

#include "scenario_internal.h"

static int scn_verror(struct scn_parser *p, struct scn_pos pos, const char *fmt,
		      va_list ap)
{
	char what[384];

	vsnprintf(what, sizeof(what), fmt, ap);
	snprintf(p->d->msg, sizeof(p->d->msg), "%s:%u:%u: %s", p->s->path,
		 pos.line, pos.col, what);
	p->d->hint[0] = '\0';
	return -ERR_INVAL;
}

int scn_error(struct scn_parser *p, unsigned wi, const char *fmt, ...)
{
	struct scn_pos pos = {p->line, wi < p->nw ? p->w[wi].col : 1};
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = scn_verror(p, pos, fmt, ap);
	va_end(ap);
	return ret;
}

int scn_error_at(struct scn_parser *p, struct scn_pos pos, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = scn_verror(p, pos, fmt, ap);
	va_end(ap);
	return ret;
}

void scn_hint(struct scn_parser *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->d->hint, sizeof(p->d->hint), fmt, ap);
	va_end(ap);
}

bool scn_is(const struct scn_parser *p, unsigned wi, const char *text)
{
	return wi < p->nw && !p->w[wi].quoted && p->w[wi].len == strlen(text) &&
	       memcmp(p->w[wi].text, text, p->w[wi].len) == 0;
}

bool scn_key(const struct scn_parser *p, unsigned wi, const char *key,
	     const char **val, size_t *len)
{
	size_t kl = strlen(key);

	if (wi >= p->nw || p->w[wi].quoted || p->w[wi].len <= kl ||
	    memcmp(p->w[wi].text, key, kl) != 0 || p->w[wi].text[kl] != '=') {
		return false;
	}
	*val = p->w[wi].text + kl + 1;
	*len = p->w[wi].len - kl - 1;
	return true;
}

/* Reads the digits of a number; *@used is how many characters it took. */
static bool scn_digits(const char *val, size_t len, uint64_t *out, size_t *used)
{
	unsigned base = 10;
	size_t i = 0;
	uint64_t v = 0;

	if (len > 2 && val[0] == '0' && (val[1] == 'x' || val[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == len || !isxdigit((unsigned char)val[i])) {
		return false;
	}
	for (; i < len; i++) {
		unsigned c = (unsigned char)val[i];
		unsigned digit;

		if (c == '_') {
			continue;
		}
		if (isdigit(c)) {
			digit = c - '0';
		} else if (base == 16 && isxdigit(c)) {
			digit = (unsigned)(tolower((int)c) - 'a' + 10);
		} else {
			break;
		}
		if (v > (UINT64_MAX - digit) / base) {
			return false;
		}
		v = v * base + digit;
	}
	*out = v;
	*used = i;
	return true;
}

/*
 * The factors after the first of a product `A*B*C` (parameters make
 * them: `count=1024*$vcpus`), multiplied into *@mult; *@first_len is the
 * length of A. Each factor after the first is a plain number.
 */
static int scn_factors(struct scn_parser *p, unsigned wi, const char *val,
		       size_t len, size_t *first_len, uint64_t *mult)
{
	const char *star = memchr(val, '*', len);

	*mult = 1;
	*first_len = star != NULL ? (size_t)(star - val) : len;
	while (star != NULL) {
		const char *f = star + 1;
		size_t flen, used;
		uint64_t v;

		star = memchr(f, '*', len - (size_t)(f - val));
		flen = star != NULL ? (size_t)(star - f)
				    : len - (size_t)(f - val);
		if (!scn_digits(f, flen, &v, &used) || used != flen) {
			scn_error(p, wi, "'%.*s' is not a number", (int)flen,
				  f);
			scn_hint(p, "a product multiplies plain numbers: "
				    "4K*$vcpus, 1024*4");
			return -ERR_INVAL;
		}
		if (v != 0 && *mult > UINT64_MAX / v) {
			return scn_error(p, wi, "%.*s is too large", (int)len,
					 val);
		}
		*mult *= v;
	}
	return 0;
}

/* @v times @mult into *@out, or false when it does not fit 64 bits. */
static bool scn_times(uint64_t v, uint64_t mult, uint64_t *out)
{
	if (mult != 0 && v > UINT64_MAX / mult) {
		return false;
	}
	*out = v * mult;
	return true;
}

int scn_number(struct scn_parser *p, unsigned wi, const char *val, size_t len,
	       uint64_t max, uint64_t *out)
{
	size_t used, first;
	uint64_t mult;
	int ret = scn_factors(p, wi, val, len, &first, &mult);

	if (ret != 0) {
		return ret;
	}
	if (!scn_digits(val, first, out, &used) || used != first) {
		return scn_error(p, wi, "'%.*s' is not a number", (int)len,
				 val);
	}
	if (!scn_times(*out, mult, out) || *out > max) {
		return scn_error(p, wi, "%.*s is too large (at most %llu)",
				 (int)len, val, (unsigned long long)max);
	}
	return 0;
}

int scn_size(struct scn_parser *p, unsigned wi, const char *val, size_t len,
	     uint64_t *out)
{
	static const struct {
		char suffix;
		unsigned shift;
	} units[] = {{'K', 10}, {'M', 20}, {'G', 30}};
	size_t used, first;
	uint64_t v, mult;
	int ret = scn_factors(p, wi, val, len, &first, &mult);

	if (ret != 0) {
		return ret;
	}
	if (!scn_digits(val, first, &v, &used)) {
		return scn_error(p, wi, "'%.*s' is not a size", (int)len, val);
	}
	if (used == first) {
		if (!scn_times(v, mult, out)) {
			return scn_error(p, wi, "%.*s is too large", (int)len,
					 val);
		}
		return 0;
	}
	for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		if (used + 1 == first &&
		    toupper((unsigned char)val[used]) == units[u].suffix) {
			if (v > (UINT64_MAX >> units[u].shift) ||
			    !scn_times(v << units[u].shift, mult, out)) {
				break;
			}
			return 0;
		}
	}
	scn_error(p, wi, "'%.*s' is not a size", (int)len, val);
	scn_hint(p, "write bytes as a number with an optional K, M or G "
		    "suffix: 4K, 2M, 0x1000, or a product: 16M*$vcpus");
	return -ERR_INVAL;
}

int scn_duration(struct scn_parser *p, unsigned wi, const char *val, size_t len,
		 uint64_t *out)
{
	static const struct {
		const char *unit;
		uint64_t ns;
	} units[] = {
		{"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000}};
	size_t used;
	uint64_t v;

	if (!scn_digits(val, len, &v, &used)) {
		return scn_error(p, wi, "'%.*s' is not a duration", (int)len,
				 val);
	}
	for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		if (len - used == strlen(units[u].unit) &&
		    memcmp(val + used, units[u].unit, len - used) == 0) {
			if (v > UINT64_MAX / units[u].ns) {
				return scn_error(p, wi, "%.*s is too long",
						 (int)len, val);
			}
			*out = v * units[u].ns;
			return 0;
		}
	}
	scn_error(p, wi, "'%.*s' is not a duration", (int)len, val);
	scn_hint(p, "give a unit: ns, us, ms or s (10us, 5s)");
	return -ERR_INVAL;
}

int scn_name(struct scn_parser *p, unsigned wi, char *out)
{
	const struct scn_word *w;

	if (wi >= p->nw) {
		return scn_error(p, wi, "a name is missing");
	}
	w = &p->w[wi];
	if (w->quoted || w->len == 0 || w->len >= SCN_NAME_MAX ||
	    !isalpha((unsigned char)w->text[0])) {
		scn_error(p, wi, "'%.*s' is not a name", (int)w->len, w->text);
		scn_hint(p,
			 "names start with a letter and have at most %d "
			 "letters, digits, '-', '_' or '.'",
			 SCN_NAME_MAX - 1);
		return -ERR_INVAL;
	}
	for (size_t i = 0; i < w->len; i++) {
		unsigned char c = (unsigned char)w->text[i];

		if (!isalnum(c) && c != '-' && c != '_' && c != '.') {
			scn_error(p, wi, "'%.*s' is not a name", (int)w->len,
				  w->text);
			scn_hint(p, "names hold letters, digits, '-', '_' and "
				    "'.' only");
			return -ERR_INVAL;
		}
	}
	memcpy(out, w->text, w->len);
	out[w->len] = '\0';
	return 0;
}
