/*
 * `faultline export --format ctf` on a real run: babeltrace2 reads back
 * one event per record, each stamped with its record's EL2 time to the
 * nanosecond and carrying the record's pCPU, sequence number and fields.
 * Skipped where LTTng, babeltrace2 or build/faultline-ctf are missing.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

#include <faultline/test.h>
#include <faultline/trace/ctf.h>

#include "qemu_util.h"

/* How far (in lines) babeltrace2 may order records of equal time apart. */
#define CTF_TIE_WINDOW 64

/* One event as `babeltrace2 --clock-cycles` prints it. */
struct ctf_line {
	uint64_t ns;
	char name[64];
	unsigned long long pcpu, seq;
	/* The fields after pcpu and seq: "name = value" texts. */
	char *fields[TRACE_MAX_FIELDS];
	unsigned nfields;
};

/*
 * Parses "[NS] (+DELTA) HOST faultline:NAME: { cpu_id = C }, { pcpu = P,
 * seq = S, F = V, ... }" in place. Returns false when it does not match.
 */
static bool ctf_parse_line(char *line, struct ctf_line *l)
{
	char *p, *end;

	memset(l, 0, sizeof(*l));
	if (sscanf(line, "[%" SCNu64 "]", &l->ns) != 1) {
		return false;
	}
	p = strstr(line, " faultline:");
	if (p == NULL || sscanf(p, " faultline:%63[^:]", l->name) != 1) {
		return false;
	}
	p = strstr(p, "{ pcpu = ");
	if (p == NULL ||
	    sscanf(p, "{ pcpu = %llu, seq = %llu", &l->pcpu, &l->seq) != 2) {
		return false;
	}
	end = strrchr(p, '}');
	if (end == NULL) {
		return false;
	}
	while (end > p && end[-1] == ' ') {
		end--;
	}
	*end = '\0';
	/* After "pcpu = P, seq = S" the fields follow, ", "-separated. */
	p = strstr(strstr(p, ", seq = ") + 1, ", ");
	while (p != NULL && l->nfields < TRACE_MAX_FIELDS) {
		*p = '\0';
		p += 2;
		l->fields[l->nfields++] = p;
		p = strstr(p, ", ");
	}
	return true;
}

/*
 * Whether babeltrace2's text for a field (@text: "NAME = VALUE") says what
 * the record's value @v of kind @kind is: decimal for U64, hex for HEX
 * (babeltrace2 prints upper case), `( "LABEL" : container = V )` for the
 * enums and BOOL.
 */
static bool ctf_field_matches(const struct trace_data *td,
			      const struct trace_schema_field *f, uint64_t v,
			      const char *text)
{
	char want[160], label[64];
	size_t n = strlen(f->name);
	const char *value;

	if (strncmp(text, f->name, n) != 0 || strncmp(text + n, " = ", 3)) {
		return false;
	}
	value = text + n + 3;
	if (strcmp(f->kind, "U64") == 0 || strcmp(f->kind, "HEX") == 0) {
		trace_data_format(td, f->kind, v, want, sizeof(want));
		return strcasecmp(value, want) == 0;
	}
	if (strcmp(f->kind, "BOOL") == 0) {
		snprintf(label, sizeof(label), "%s", v ? "true" : "false");
	} else {
		trace_data_format(td, f->kind, v, label, sizeof(label));
	}
	snprintf(want, sizeof(want), "( \"%s\" : container = %llu )", label,
		 (unsigned long long)v);
	return strcmp(value, want) == 0;
}

/* The record of @cpu and @seq near index @i, or NULL. */
static const struct trace_record *ctf_find(const struct trace_data *td,
					   size_t i, unsigned long long cpu,
					   unsigned long long seq)
{
	size_t lo = i > CTF_TIE_WINDOW ? i - CTF_TIE_WINDOW : 0;
	size_t hi = i + CTF_TIE_WINDOW < td->nrecords ? i + CTF_TIE_WINDOW
						      : td->nrecords;

	for (size_t k = lo; k < hi; k++) {
		if (td->records[k].cpu == cpu && td->records[k].seq == seq) {
			return &td->records[k];
		}
	}
	return NULL;
}

/* Whether @prog runs here (in PATH, or a path that exists). */
static bool ctf_have(const char *prog)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "command -v '%s' >/dev/null 2>&1", prog);
	return system(cmd) == 0;
}

/** The CTF export of a two-CPU run: every record an event, at its EL2 time to the ns, with its fields. */
TEST(qemu_export, ctf_has_every_record_at_its_el2_time)
{
	const char *build = getenv("FAULTLINE_BUILD");
	char cmd[1024], replay[512], line[4096];
	struct qemu_run run;
	size_t nlines = 0, bad_time = 0, bad_fields = 0, missing = 0;
	FILE *bt;
	int st;

	if (build == NULL) {
		build = "build";
	}
	snprintf(replay, sizeof(replay), "%s/faultline-ctf", build);
	if (!ctf_have("lttng") || !ctf_have("lttng-sessiond") ||
	    !ctf_have("babeltrace2") || !ctf_have(replay)) {
		TEST_SKIP("LTTng, babeltrace2 or %s missing (make deps && "
			  "make)",
			  replay);
	}
	ASSERT_TRUE(qemu_run(&run, "scenarios/guest-abort.scn --smp 2"));
	ASSERT_EQ_INT(run.trace_status, 0);
	ASSERT_TRUE(run.trace.nrecords > 0);

	snprintf(cmd, sizeof(cmd),
		 "%s/faultline export %s --format ctf -o %s/ctf 2>&1", build,
		 run.dir, run.dir);
	st = system(cmd);
	ASSERT_EQ_INT(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0);

	/* --clock-cycles: the raw clock values, at 1 GHz the ns. */
	snprintf(cmd, sizeof(cmd), "babeltrace2 --clock-cycles %s/ctf",
		 run.dir);
	bt = popen(cmd, "r");
	ASSERT_TRUE(bt != NULL);
	while (fgets(line, sizeof(line), bt) != NULL) {
		struct ctf_line l;
		const struct trace_record *r;
		const struct trace_schema_event *ev;

		line[strcspn(line, "\n")] = '\0';
		if (!EXPECT_TRUE(ctf_parse_line(line, &l))) {
			fprintf(stderr, "unparsed: %s\n", line);
			break;
		}
		r = ctf_find(&run.trace, nlines, l.pcpu, l.seq);
		nlines++;
		if (r == NULL) {
			missing++;
			continue;
		}
		ev = trace_data_event(&run.trace, r->id);
		if (ev == NULL || strcmp(ev->name, l.name) != 0 ||
		    l.nfields != ev->nfields) {
			bad_fields++;
			continue;
		}
		if (l.ns != trace_ctf_ns(r->ts, run.trace.counter_freq)) {
			bad_time++;
		}
		for (unsigned f = 0; f < ev->nfields; f++) {
			if (!ctf_field_matches(&run.trace, &ev->fields[f],
					       r->f[f], l.fields[f])) {
				fprintf(stderr, "%s: %s\n", ev->name,
					l.fields[f]);
				bad_fields++;
				break;
			}
		}
	}
	EXPECT_EQ_INT(pclose(bt), 0);
	EXPECT_EQ(nlines, run.trace.nrecords);
	EXPECT_EQ(missing, 0);
	EXPECT_EQ(bad_time, 0);
	EXPECT_EQ(bad_fields, 0);

	/* A second export into the same directory is refused, not mixed. */
	snprintf(cmd, sizeof(cmd),
		 "%s/faultline export %s --format ctf -o %s/ctf "
		 ">/dev/null 2>&1",
		 build, run.dir, run.dir);
	st = system(cmd);
	EXPECT_EQ_INT(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 1);
	qemu_run_free(&run);
}
