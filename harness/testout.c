/* Parser of the EL2 test runner's output (testout.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>

#include "testout.h"

void testout_init(struct testout *t)
{
	memset(t, 0, sizeof(*t));
}

/* Length of the test name at @s: up to a space or a colon. */
static size_t testout_name_len(const char *s, size_t len)
{
	size_t n = 0;

	while (n < len && s[n] != ' ' && s[n] != ':') {
		n++;
	}
	return n;
}

static void testout_add_failure(struct testout *t, const char *name, size_t len)
{
	char **grown =
		realloc(t->failures, (t->nfailures + 1) * sizeof(*t->failures));
	char *copy = malloc(len + 1);

	if (grown != NULL) {
		t->failures = grown;
	}
	if (grown == NULL || copy == NULL) {
		free(copy);
		t->nomem = true;
		return;
	}
	memcpy(copy, name, len);
	copy[len] = '\0';
	t->failures[t->nfailures++] = copy;
}

/* Parses "N passed, N failed" exactly; false for anything else. */
static bool testout_totals(const char *line, size_t len, unsigned *passed,
			   unsigned *failed)
{
	char buf[96];
	char tail;

	if (len >= sizeof(buf)) {
		return false;
	}
	memcpy(buf, line, len);
	buf[len] = '\0';
	return sscanf(buf, "%u passed, %u failed%c", passed, failed, &tail) ==
		       2 &&
	       buf[0] >= '0' && buf[0] <= '9';
}

void testout_line(struct testout *t, const char *line, size_t len)
{
	size_t name_len;

	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n')) {
		len--;
	}
	if (len > 5 &&
	    (memcmp(line, "PASS ", 5) == 0 || memcmp(line, "FAIL ", 5) == 0 ||
	     memcmp(line, "SKIP ", 5) == 0)) {
		name_len = testout_name_len(line + 5, len - 5);
		/* A test name is suite.name: one dot at least, no blanks. */
		if (name_len == 0 || memchr(line + 5, '.', name_len) == NULL) {
			return;
		}
		switch (line[0]) {
		case 'P':
			t->passed++;
			break;
		case 'F':
			t->failed++;
			testout_add_failure(t, line + 5, name_len);
			break;
		default:
			t->skipped++;
			break;
		}
		return;
	}
	if (testout_totals(line, len, &t->final_passed, &t->final_failed)) {
		t->finished = true;
	}
}

int testout_parse_file(struct testout *t, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (f == NULL) {
		return -ERR_IO;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		testout_line(t, line, (size_t)n);
	}
	free(line);
	fclose(f);
	return 0;
}

void testout_free(struct testout *t)
{
	for (size_t i = 0; i < t->nfailures; i++) {
		free(t->failures[i]);
	}
	free(t->failures);
	testout_init(t);
}
