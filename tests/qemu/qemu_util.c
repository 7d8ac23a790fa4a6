/* Helpers for the QEMU integration tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "qemu_util.h"

char *qemu_slurp_file(const char *path)
{
	FILE *f;
	char *buf = NULL;
	size_t len = 0, cap = 0;

	f = fopen(path, "rb");
	if (f != NULL) {
		char chunk[4096];
		size_t n;

		while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
			if (len + n + 1 > cap) {
				/* Doubling: events.csv can be tens of MiB. */
				size_t want = cap > 0 ? cap * 2 : 65536;
				char *grown;

				while (want < len + n + 1) {
					want *= 2;
				}
				grown = realloc(buf, want);
				if (grown == NULL) {
					break;
				}
				buf = grown;
				cap = want;
			}
			memcpy(buf + len, chunk, n);
			len += n;
		}
		fclose(f);
	}
	if (buf == NULL) {
		buf = calloc(1, 1);
	} else {
		buf[len] = '\0';
	}
	return buf;
}

static char *qemu_slurp(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return qemu_slurp_file(path);
}

void qemu_faultline_path(char *out, size_t size)
{
	const char *build = getenv("FAULTLINE_BUILD");

	snprintf(out, size, "%s/faultline", build != NULL ? build : "build");
}

int qemu_faultline(const char *args, char **out, char **err)
{
	char prog[256], cmd[2048];
	char o[] = "/tmp/faultline-out-XXXXXX";
	char e[] = "/tmp/faultline-err-XXXXXX";
	int fo = mkstemp(o), fe = mkstemp(e);
	int st;

	if (fo < 0 || fe < 0) {
		return -1;
	}
	close(fo);
	close(fe);
	qemu_faultline_path(prog, sizeof(prog));
	snprintf(cmd, sizeof(cmd), "%s %s >%s 2>%s", prog, args, o, e);
	st = system(cmd);
	if (out != NULL) {
		*out = qemu_slurp_file(o);
	}
	if (err != NULL) {
		*err = qemu_slurp_file(e);
	}
	unlink(o);
	unlink(e);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

bool qemu_temp_file(const char *text, const char *suffix, char *path,
		    size_t size)
{
	char dir[] = "/tmp/faultline-file-XXXXXX";
	FILE *f;
	bool ok;

	if (mkdtemp(dir) == NULL ||
	    (size_t)snprintf(path, size, "%s/%s", dir, suffix) >= size) {
		return false;
	}
	f = fopen(path, "w");
	if (f == NULL) {
		return false;
	}
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok;
}

void qemu_temp_free(const char *path)
{
	char dir[512];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	unlink(path);
	if (slash != NULL) {
		*slash = '\0';
		rmdir(dir);
	}
}

static bool qemu_run_with(struct qemu_run *run, const char *opts,
			  const char *args)
{
	char cmd[1024];
	char path[512];

	memset(run, 0, sizeof(*run));
	snprintf(run->dir, sizeof(run->dir), "/tmp/faultline-qemu-test-XXXXXX");
	if (mkdtemp(run->dir) == NULL) {
		return false;
	}
	snprintf(cmd, sizeof(cmd), "run --quiet %s--out %s %s", opts, run->dir,
		 args);
	run->status = qemu_faultline(cmd, &run->out, &run->err);
	/* What faultline said on stderr belongs in the test's log. */
	fputs(run->err, stderr);
	run->console = qemu_slurp(run->dir, "console.log");
	run->summary = qemu_slurp(run->dir, "summary.json");
	run->csv = qemu_slurp(run->dir, "events.csv");
	snprintf(path, sizeof(path), "%s/trace.bin", run->dir);
	run->trace_status = trace_data_load_file(path, &run->trace);
	return true;
}

bool qemu_run(struct qemu_run *run, const char *args)
{
	return qemu_run_with(run, "--no-plots ", args);
}

bool qemu_run_plots(struct qemu_run *run, const char *args)
{
	return qemu_run_with(run, "", args);
}

uint64_t qemu_rule_check(const struct qemu_run *run, struct check_result *res)
{
	if (check_run(&run->trace, NULL, res) != 0) {
		fprintf(stderr, "    rule check: out of memory\n");
		return UINT64_MAX;
	}
	if (res->total > 0) {
		check_report(&run->trace, res, run->dir, 8, stderr);
	}
	return res->total;
}

bool qemu_rules_hold(const struct qemu_run *run)
{
	struct check_result res;
	char *txt = qemu_slurp(run->dir, "check.txt");
	bool ok = qemu_rule_check(run, &res) == 0 && res.nrecords > 0 &&
		  strstr(txt, "\nfaultline check: clean (8 rules") != NULL;

	check_result_free(&res);
	free(txt);
	return ok;
}

void qemu_run_free(struct qemu_run *run)
{
	char cmd[512];

	free(run->console);
	free(run->summary);
	free(run->csv);
	free(run->out);
	free(run->err);
	trace_data_free(&run->trace);
	if (run->dir[0] != '\0' && getenv("FAULTLINE_KEEP") == NULL) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", run->dir);
		if (system(cmd) != 0) {
			fprintf(stderr, "could not remove %s\n", run->dir);
		}
	}
}

const char *qemu_event_name(const struct trace_data *td,
			    const struct trace_record *r)
{
	const struct trace_schema_event *ev = trace_data_event(td, r->id);

	return ev != NULL ? ev->name : "?";
}

size_t qemu_cpu_events(const struct trace_data *td, unsigned cpu,
		       const char *name, const struct trace_record **out,
		       size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < td->nrecords; i++) {
		const struct trace_record *r = &td->records[i];

		if (r->cpu == cpu &&
		    strcmp(qemu_event_name(td, r), name) == 0) {
			if (n < max) {
				out[n] = r;
			}
			n++;
		}
	}
	return n;
}

const struct trace_record *qemu_first_event(const struct trace_data *td,
					    const char *name)
{
	for (size_t i = 0; i < td->nrecords; i++) {
		if (strcmp(qemu_event_name(td, &td->records[i]), name) == 0) {
			return &td->records[i];
		}
	}
	return NULL;
}

uint64_t qemu_field(const struct trace_data *td, const struct trace_record *r,
		    const char *field)
{
	uint64_t v = 0;

	if (!trace_data_field(td, r, field, &v)) {
		fprintf(stderr, "    event %s has no field %s\n",
			qemu_event_name(td, r), field);
		return UINT64_MAX;
	}
	return v;
}

unsigned qemu_count_boots(const struct trace_data *td, unsigned cpu)
{
	static const char *const steps[] = {
		"boot_tables_on", "trampoline_entered", "runtime_tables_on",
		"tlbi", "cpu_up"};
	unsigned boots = 0;
	size_t step = 0;

	for (size_t i = 0; i < td->nrecords; i++) {
		const struct trace_record *r = &td->records[i];
		const char *name = qemu_event_name(td, r);
		size_t which = ARRAY_SIZE(steps);

		if (r->cpu != cpu) {
			continue;
		}
		for (size_t s = 0; s < ARRAY_SIZE(steps); s++) {
			if (strcmp(name, steps[s]) == 0) {
				which = s;
			}
		}
		if (which == ARRAY_SIZE(steps)) {
			continue;
		}
		if (which == 3 &&
		    (qemu_field(td, r, "op") != TRACE_TLBI_OP_ALLE2 ||
		     qemu_field(td, r, "share") != TRACE_SHARE_NSH)) {
			step = 0;
			continue;
		}
		if (which == step) {
			step++;
			if (step == ARRAY_SIZE(steps)) {
				boots++;
				step = 0;
			}
		} else {
			/* Out of order: start again (it may begin a boot). */
			step = which == 0 ? 1 : 0;
		}
	}
	return boots;
}

size_t qemu_count_events(const struct trace_data *td, const char *name,
			 const char *field, uint64_t value)
{
	size_t n = 0;

	for (size_t i = 0; i < td->nrecords; i++) {
		const struct trace_record *r = &td->records[i];
		uint64_t v;

		if (strcmp(qemu_event_name(td, r), name) != 0) {
			continue;
		}
		if (field == NULL ||
		    (trace_data_field(td, r, field, &v) && v == value)) {
			n++;
		}
	}
	return n;
}

bool qemu_all_done(const struct qemu_run *run, unsigned n)
{
	return qemu_count_events(&run->trace, "vcpu_stop", NULL, 0) == n &&
	       qemu_count_events(&run->trace, "vcpu_stop", "why",
				 TRACE_VCPU_STOP_DONE) == n;
}
