/* Repository root and path helpers (paths.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <faultline/err.h>

#include "paths.h"

int paths_root_from_exe(const char *exe, char *out, size_t size)
{
	size_t len = strlen(exe);

	/* Strip two components: the binary's name, then its directory. */
	for (unsigned strip = 0; strip < 2; strip++) {
		while (len > 0 && exe[len - 1] == '/') {
			len--;
		}
		while (len > 0 && exe[len - 1] != '/') {
			len--;
		}
		if (len == 0) {
			return -ERR_RANGE;
		}
	}
	while (len > 1 && exe[len - 1] == '/') {
		len--;
	}
	if (len + 1 > size) {
		return -ERR_RANGE;
	}
	memcpy(out, exe, len);
	out[len] = '\0';
	return 0;
}

int paths_repo_root(char *out, size_t size)
{
	char exe[PATHS_MAX];
	char makefile[PATHS_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n > 0) {
		exe[n] = '\0';
		if (paths_root_from_exe(exe, out, size) == 0 &&
		    paths_join(out, "Makefile", makefile, sizeof(makefile)) ==
			    0 &&
		    paths_is_file(makefile)) {
			return 0;
		}
	}
	if (getcwd(out, size) == NULL) {
		return -ERR_RANGE;
	}
	return 0;
}

int paths_exe_dir(char *out, size_t size)
{
	char exe[PATHS_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0) {
		return -ERR_NOENT;
	}
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (slash == NULL || (size_t)(slash - exe) + 1 > size) {
		return -ERR_NOENT;
	}
	*slash = '\0';
	snprintf(out, size, "%s", slash == exe ? "/" : exe);
	return 0;
}

int paths_join(const char *dir, const char *name, char *out, size_t size)
{
	int n;

	if (name[0] == '/' || dir[0] == '\0') {
		n = snprintf(out, size, "%s", name);
	} else if (dir[strlen(dir) - 1] == '/') {
		n = snprintf(out, size, "%s%s", dir, name);
	} else {
		n = snprintf(out, size, "%s/%s", dir, name);
	}
	return n < 0 || (size_t)n >= size ? -ERR_RANGE : 0;
}

bool paths_is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool paths_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool paths_executable(const char *path)
{
	return paths_is_file(path) && access(path, X_OK) == 0;
}

bool paths_find_program(const char *prog, char *out, size_t size)
{
	const char *path = getenv("PATH");
	char buf[PATHS_MAX];

	if (strchr(prog, '/') != NULL) {
		if (!paths_executable(prog)) {
			return false;
		}
		if (out != NULL) {
			snprintf(out, size, "%s", prog);
		}
		return true;
	}
	if (path == NULL) {
		path = "/usr/local/bin:/usr/bin:/bin";
	}
	while (*path != '\0') {
		size_t len = strcspn(path, ":");
		int n = snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, path,
				 prog);

		if (len > 0 && n > 0 && (size_t)n < sizeof(buf) &&
		    paths_executable(buf)) {
			if (out != NULL) {
				snprintf(out, size, "%s", buf);
			}
			return true;
		}
		path += len;
		if (*path == ':') {
			path++;
		}
	}
	return false;
}

int paths_mkdir_p(const char *path)
{
	char buf[PATHS_MAX];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -ERR_IO;
	}
	memcpy(buf, path, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0') {
			continue;
		}
		buf[i] = '\0';
		if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
			return -ERR_IO;
		}
		if (i < len) {
			buf[i] = '/';
		}
	}
	if (!paths_is_dir(path)) {
		errno = ENOTDIR;
		return -ERR_IO;
	}
	return 0;
}
