/* Shell quoting of command lines (shell.h). */
#include <string.h>

#include <faultline/err.h>

#include "shell.h"

static bool shell_plain(const char *w)
{
	if (*w == '\0') {
		return false;
	}
	for (; *w != '\0'; w++) {
		if (strchr("-_./=:,+@%", *w) == NULL &&
		    !(*w >= 'a' && *w <= 'z') && !(*w >= 'A' && *w <= 'Z') &&
		    !(*w >= '0' && *w <= '9')) {
			return false;
		}
	}
	return true;
}

/* Appends @s to @out at *@len; false when it does not fit. */
static bool shell_put(char *out, size_t size, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len + n + 1 > size) {
		return false;
	}
	memcpy(out + *len, s, n + 1);
	*len += n;
	return true;
}

int shell_join(int argc, char *const *argv, char *out, size_t size)
{
	size_t len = 0;
	bool ok = size > 0;

	if (ok) {
		out[0] = '\0';
	}
	for (int i = 0; ok && i < argc; i++) {
		const char *w = argv[i];

		if (i > 0) {
			ok = shell_put(out, size, &len, " ");
		}
		if (ok && shell_plain(w)) {
			ok = shell_put(out, size, &len, w);
			continue;
		}
		/* 'it'\''s': close the quote, an escaped quote, reopen. */
		ok = ok && shell_put(out, size, &len, "'");
		for (const char *p = w; ok && *p != '\0'; p++) {
			char c[2] = {*p, '\0'};

			ok = shell_put(out, size, &len,
				       *p == '\'' ? "'\\''" : c);
		}
		ok = ok && shell_put(out, size, &len, "'");
	}
	return ok ? 0 : -ERR_RANGE;
}
