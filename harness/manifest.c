/* manifest.json (manifest.h). */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <faultline/err.h>

#include "json.h"
#include "manifest.h"
#include "proc.h"
#include "shell.h"

/* How long each git command may take. */
#define MANIFEST_GIT_TIMEOUT_MS 10000u
/* The FNV-1a 64 offset basis and prime. */
#define MANIFEST_FNV_BASIS UINT64_C(0xcbf29ce484222325)
#define MANIFEST_FNV_PRIME UINT64_C(0x100000001b3)

/* FNV-1a 64 of @len bytes at @data, continuing from @h. */
static uint64_t manifest_fnv_step(uint64_t h, const unsigned char *data,
				  size_t len)
{
	for (size_t i = 0; i < len; i++) {
		h = (h ^ data[i]) * MANIFEST_FNV_PRIME;
	}
	return h;
}

uint64_t manifest_fnv1a64(const void *data, size_t len)
{
	return manifest_fnv_step(MANIFEST_FNV_BASIS, data, len);
}

int manifest_hash_file(const char *path, uint64_t *hash)
{
	FILE *f = fopen(path, "rb");
	unsigned char buf[4096];
	uint64_t h = MANIFEST_FNV_BASIS;
	size_t n;
	bool ok;

	if (f == NULL) {
		return -ERR_IO;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		h = manifest_fnv_step(h, buf, n);
	}
	ok = !ferror(f);
	fclose(f);
	if (!ok) {
		return -ERR_IO;
	}
	*hash = h;
	return 0;
}

int manifest_git_revision(const char *root, char *out, size_t size)
{
	char rev[128];
	char status[16];
	char *rev_argv[] = {(char *)"git",       (char *)"-C",   (char *)root,
			    (char *)"rev-parse", (char *)"HEAD", NULL};
	char *status_argv[] = {(char *)"git",         (char *)"-C",
			       (char *)root,          (char *)"status",
			       (char *)"--porcelain", NULL};
	bool dirty;

	if (proc_capture(rev_argv, NULL, MANIFEST_GIT_TIMEOUT_MS, rev,
			 sizeof(rev)) != 0) {
		snprintf(out, size, "unknown");
		return -ERR_NOENT;
	}
	rev[strcspn(rev, "\r\n")] = '\0';
	if (rev[0] == '\0') {
		snprintf(out, size, "unknown");
		return -ERR_NOENT;
	}
	/* The start of the list is enough: any entry means dirty. */
	dirty = proc_capture(status_argv, NULL, MANIFEST_GIT_TIMEOUT_MS, status,
			     sizeof(status)) == 0 &&
		status[0] != '\0';
	snprintf(out, size, "%s%s", rev, dirty ? "-dirty" : "");
	return 0;
}

bool manifest_hex(const uint8_t *id, size_t len, char *out, size_t size)
{
	bool nonzero = false;

	if (size == 0) {
		return false;
	}
	out[0] = '\0';
	if (id == NULL || 2 * len + 1 > size) {
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		snprintf(out + 2 * i, 3, "%02x", id[i]);
		nonzero |= id[i] != 0;
	}
	if (!nonzero) {
		out[0] = '\0';
	}
	return nonzero;
}

void manifest_json_command(struct json_writer *w, const char *key, int argc,
			   char *const *argv)
{
	char line[8192];

	json_key(w, key);
	json_object_begin(w);
	json_key(w, "argv");
	json_array_begin_flat(w);
	for (int i = 0; i < argc; i++) {
		json_string(w, argv[i]);
	}
	json_array_end(w);
	json_key(w, "shell");
	shell_join(argc, argv, line, sizeof(line));
	json_string(w, line);
	json_object_end(w);
}

/* "name": {"hash_fnv1a64", "path"} of the scenario, and the run's setup. */
static void manifest_setup(struct json_writer *w, const struct manifest *m)
{
	char hash[24];

	json_key(w, "scenario");
	if (m->scenario == NULL) {
		json_null(w);
	} else {
		json_object_begin(w);
		json_key(w, "name");
		json_string(w, m->scenario);
		json_key(w, "path");
		json_string(w, m->scenario_path);
		json_key(w, "hash_fnv1a64");
		snprintf(hash, sizeof(hash), "%016llx",
			 (unsigned long long)m->scenario_hash);
		json_string(w, m->has_hash ? hash : NULL);
		json_object_end(w);
	}
	json_key(w, "backend");
	json_string(w, m->backend);
	json_key(w, "policy");
	json_string(w, m->policy);
	json_key(w, "smp");
	json_u64(w, m->smp);
	json_key(w, "reps");
	json_u64(w, m->reps);
	json_key(w, "warmup");
	json_u64(w, m->warmup);
	json_key(w, "sets");
	json_object_begin(w);
	for (unsigned i = 0; i < m->nsets; i++) {
		json_key(w, m->sets[i].name);
		json_string(w, m->sets[i].value);
	}
	json_object_end(w);
	json_key(w, "sweep");
	if (m->sweep_name == NULL) {
		json_null(w);
	} else {
		json_object_begin(w);
		json_key(w, "param");
		json_string(w, m->sweep_name);
		json_key(w, "values");
		json_array_begin_flat(w);
		for (unsigned i = 0; i < m->nsweep; i++) {
			json_string(w, m->sweep_values[i]);
		}
		json_array_end(w);
		json_object_end(w);
	}
}

void manifest_json_machine(struct json_writer *w)
{
	char host[256] = "unknown";
	char un[3 * sizeof(((struct utsname *)0)->release) + 8] = "unknown";
	char date[64] = "unknown";
	time_t now = time(NULL);
	struct utsname u;
	struct tm tm;

	if (gethostname(host, sizeof(host) - 1) != 0) {
		snprintf(host, sizeof(host), "unknown");
	}
	if (uname(&u) == 0) {
		snprintf(un, sizeof(un), "%.64s %.64s %.64s", u.sysname,
			 u.release, u.machine);
	}
	if (localtime_r(&now, &tm) != NULL) {
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S%z", &tm);
	}
	json_key(w, "host");
	json_string(w, host);
	json_key(w, "uname");
	json_string(w, un);
	json_key(w, "date");
	json_string(w, date);
}

int manifest_write(const struct manifest *m, const char *path)
{
	struct json_writer w;
	char id[2 * 64 + 1];
	int ret;

	if (json_file_open(&w, path) != 0) {
		return -ERR_IO;
	}
	json_object_begin(&w);
	manifest_json_command(&w, "faultline", m->argc, m->argv);
	manifest_setup(&w, m);
	manifest_json_command(&w, "command", m->cmd_argc, m->cmd_argv);
	json_key(&w, "hyp");
	json_string(&w, m->hyp);
	json_key(&w, "build_id");
	json_string(&w,
		    manifest_hex(m->build_id, m->build_id_len, id, sizeof(id))
			    ? id
			    : NULL);
	json_key(&w, "qemu_version");
	json_string(&w, m->qemu_version);
	json_key(&w, "git_revision");
	json_string(&w, m->git_revision);
	manifest_json_machine(&w);
	json_key(&w, "dir");
	json_string(&w, m->dir);
	json_object_end(&w);
	ret = json_file_close(&w);
	return ret;
}
