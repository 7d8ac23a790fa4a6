/*
 * printf-style formatting without libc. Only what the hypervisor prints is
 * supported; an unknown conversion is copied through literally so a typo
 * shows in the output instead of consuming an argument.
 */
#include <faultline/fmt.h>

/* Output cursor: counts every character, stores those that fit. */
struct fmt_out {
	char *buf;
	size_t size;
	size_t len;
};

static void fmt_putc(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->size) {
		o->buf[o->len] = c;
	}
	o->len++;
}

static void fmt_pad(struct fmt_out *o, char c, int n)
{
	while (n-- > 0) {
		fmt_putc(o, c);
	}
}

static size_t fmt_strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n] != '\0') {
		n++;
	}
	return n;
}

/*
 * Formats @v in @base into @o after @prefix ("", "-" or "0x"), honouring
 * the field width: spaces go before the prefix, zeros after it.
 */
static void fmt_number(struct fmt_out *o, uint64_t v, unsigned base, bool upper,
		       const char *prefix, int width, bool left, bool zero)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0;
	int len;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v != 0);
	len = n + (int)fmt_strnlen(prefix, 2);
	if (!left && !zero) {
		fmt_pad(o, ' ', width - len);
	}
	while (*prefix != '\0') {
		fmt_putc(o, *prefix++);
	}
	if (!left && zero) {
		fmt_pad(o, '0', width - len);
	}
	while (n > 0) {
		fmt_putc(o, tmp[--n]);
	}
	if (left) {
		fmt_pad(o, ' ', width - len);
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmt_out o = {buf, size, 0};

	for (const char *p = fmt; *p != '\0'; p++) {
		const char *start = p;
		bool left = false;
		bool zero = false;
		int width = 0;
		int precision = -1;
		int longs = 0;

		if (*p != '%') {
			fmt_putc(&o, *p);
			continue;
		}
		p++;
		for (;; p++) {
			if (*p == '-') {
				left = true;
			} else if (*p == '0') {
				zero = true;
			} else {
				break;
			}
		}
		if (*p == '*') {
			width = va_arg(ap, int);
			if (width < 0) {
				left = true;
				width = -width;
			}
			p++;
		} else {
			while (*p >= '0' && *p <= '9') {
				width = width * 10 + (*p++ - '0');
			}
		}
		if (*p == '.') {
			p++;
			precision = 0;
			if (*p == '*') {
				precision = va_arg(ap, int);
				if (precision < 0) {
					precision = -1;
				}
				p++;
			}
			while (*p >= '0' && *p <= '9') {
				precision = precision * 10 + (*p++ - '0');
			}
		}
		while (*p == 'l' || *p == 'z') {
			longs += (*p == 'z') ? 2 : 1;
			p++;
		}

		switch (*p) {
		case 'd':
		case 'i': {
			int64_t v =
				longs ? va_arg(ap, int64_t) : va_arg(ap, int);
			uint64_t mag =
				v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

			fmt_number(&o, mag, 10, false, v < 0 ? "-" : "", width,
				   left, zero);
			break;
		}
		case 'u':
		case 'x':
		case 'X': {
			uint64_t v = longs ? va_arg(ap, uint64_t)
					   : va_arg(ap, unsigned);

			fmt_number(&o, v, *p == 'u' ? 10 : 16, *p == 'X', "",
				   width, left, zero);
			break;
		}
		case 'p':
			fmt_number(&o, (uint64_t)(uintptr_t)va_arg(ap, void *),
				   16, false, "0x", width, left, zero);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t n;

			if (s == NULL) {
				s = "(null)";
			}
			n = fmt_strnlen(s, precision < 0 ? SIZE_MAX
							 : (size_t)precision);
			if (!left) {
				fmt_pad(&o, ' ', width - (int)n);
			}
			for (size_t i = 0; i < n; i++) {
				fmt_putc(&o, s[i]);
			}
			if (left) {
				fmt_pad(&o, ' ', width - (int)n);
			}
			break;
		}
		case 'c':
			if (!left) {
				fmt_pad(&o, ' ', width - 1);
			}
			fmt_putc(&o, (char)va_arg(ap, int));
			if (left) {
				fmt_pad(&o, ' ', width - 1);
			}
			break;
		case '%':
			fmt_putc(&o, '%');
			break;
		default:
			/* Unknown or truncated conversion: copy it as text. */
			for (const char *q = start; q <= p && *q != '\0'; q++) {
				fmt_putc(&o, *q);
			}
			if (*p == '\0') {
				p--;
			}
			break;
		}
	}
	if (size > 0) {
		buf[o.len < size ? o.len : size - 1] = '\0';
	}
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
