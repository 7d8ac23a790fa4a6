/* manifest.json (manifest.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <faultline/err.h>

#include "json.h"
#include "manifest.h"
#include "proc.h"
#include "shell.h"

/* How long each git command may take. */
#define MANIFEST_GIT_TIMEOUT_MS 10000u

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

static void manifest_argv(struct json_writer *w, const char *key, int argc,
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

int manifest_write(const struct manifest *m, const char *path)
{
	FILE *f = fopen(path, "w");
	struct json_writer w;
	char host[256] = "unknown";
	char date[64] = "unknown";
	char id[2 * 64 + 1];
	time_t now = time(NULL);
	struct tm tm;
	int ret;

	if (f == NULL) {
		return -ERR_IO;
	}
	if (gethostname(host, sizeof(host)) != 0) {
		snprintf(host, sizeof(host), "unknown");
	}
	host[sizeof(host) - 1] = '\0';
	if (localtime_r(&now, &tm) != NULL) {
		strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S%z", &tm);
	}
	json_init(&w, f);
	json_object_begin(&w);
	manifest_argv(&w, "faultline", m->argc, m->argv);
	manifest_argv(&w, "qemu", m->qemu_argc, m->qemu_argv);
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
	json_key(&w, "host");
	json_string(&w, host);
	json_key(&w, "date");
	json_string(&w, date);
	json_key(&w, "dir");
	json_string(&w, m->dir);
	json_object_end(&w);
	ret = json_finish(&w);
	if (fclose(f) != 0 && ret == 0) {
		ret = -ERR_IO;
	}
	return ret;
}
