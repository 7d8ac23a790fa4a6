/* Run directories and the latest link (results.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <faultline/err.h>

#include "paths.h"
#include "results.h"

/* How many suffixes to try before giving up on a unique directory. */
#define RESULTS_TRIES 64

int results_run_id(char *out, size_t size, time_t when, unsigned suffix)
{
	struct tm tm;
	int n;

	if (localtime_r(&when, &tm) == NULL) {
		return -ERR_RANGE;
	}
	n = snprintf(out, size, "%04d%02d%02d-%02d%02d%02d-%04x",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec, suffix & 0xffffu);
	return n != RESULTS_RUN_ID_LEN || (size_t)n >= size ? -ERR_RANGE : 0;
}

unsigned results_random_suffix(void)
{
	uint16_t r;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == (ssize_t)sizeof(r)) {
		return r;
	}
	return ((unsigned)getpid() * 2654435761u ^ (unsigned)time(NULL)) &
	       0xffffu;
}

bool results_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > 64 || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0 || strcmp(name, "latest") == 0) {
		return false;
	}
	for (const char *p = name; *p != '\0'; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') ||
			  (*p >= 'A' && *p <= 'Z') ||
			  (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
			  *p == '.';

		if (!ok) {
			return false;
		}
	}
	return true;
}

int results_create_run_dir(const char *results_dir, const char *name, char *out,
			   size_t size)
{
	char parent[PATHS_MAX];
	char id[RESULTS_RUN_ID_LEN + 1];
	int ret = paths_join(results_dir, name, parent, sizeof(parent));

	if (ret != 0) {
		return ret;
	}
	ret = paths_mkdir_p(parent);
	if (ret != 0) {
		return ret;
	}
	for (unsigned i = 0; i < RESULTS_TRIES; i++) {
		ret = results_run_id(id, sizeof(id), time(NULL),
				     results_random_suffix());
		if (ret == 0) {
			ret = paths_join(parent, id, out, size);
		}
		if (ret != 0) {
			return ret;
		}
		if (mkdir(out, 0777) == 0) {
			return 0;
		}
		if (errno != EEXIST) {
			return -ERR_IO;
		}
	}
	return -ERR_IO;
}

int results_update_latest(const char *results_dir, const char *run_dir)
{
	size_t len = strlen(results_dir);
	char link[PATHS_MAX];
	char tmp[PATHS_MAX];
	const char *rel;
	int n;

	while (len > 1 && results_dir[len - 1] == '/') {
		len--;
	}
	if (strncmp(run_dir, results_dir, len) != 0 || run_dir[len] != '/') {
		return -ERR_INVAL;
	}
	rel = run_dir + len + 1;
	if (paths_join(results_dir, "latest", link, sizeof(link)) != 0) {
		return -ERR_RANGE;
	}
	n = snprintf(tmp, sizeof(tmp), "%s.tmp.%ld.%04x", link, (long)getpid(),
		     results_random_suffix());
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		return -ERR_RANGE;
	}
	if (symlink(rel, tmp) != 0) {
		return -ERR_IO;
	}
	if (rename(tmp, link) != 0) {
		int saved = errno;

		unlink(tmp);
		errno = saved;
		return -ERR_IO;
	}
	return 0;
}
