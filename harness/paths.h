/*
 * Where things are: the repository root (found from the binary's own
 * location, so `build/faultline` works from any directory), and small
 * path helpers.
 */
#ifndef FAULTLINE_HARNESS_PATHS_H
#define FAULTLINE_HARNESS_PATHS_H

#include <stddef.h>

#include <faultline/types.h>

/** Longest path the harness handles. */
#define PATHS_MAX 4096

/**
 * The repository root from the path of the running binary @exe
 * (ROOT/build/faultline gives ROOT: the parent of the binary's directory)
 * into @out. Returns 0, or -ERR_RANGE when @exe has too few components or
 * the result does not fit.
 */
int paths_root_from_exe(const char *exe, char *out, size_t size);

/**
 * The repository root of this process into @out: from /proc/self/exe when
 * the directory found holds a Makefile, otherwise the current directory.
 * Returns 0 or a negative error.
 */
int paths_repo_root(char *out, size_t size);

/**
 * The directory of the running binary (build/ for build/faultline) into
 * @out. Returns 0, or -ERR_NOENT when /proc/self/exe cannot be read.
 */
int paths_exe_dir(char *out, size_t size);

/**
 * @dir joined with @name into @out ("dir/name"; @name alone when it is
 * absolute). Returns 0, or -ERR_RANGE when it does not fit.
 */
int paths_join(const char *dir, const char *name, char *out, size_t size);

/** True when @path exists and is a regular file. */
bool paths_is_file(const char *path);

/** True when @path exists and is a directory. */
bool paths_is_dir(const char *path);

/**
 * Whether @prog can be executed: a path with a '/' is checked directly,
 * a bare name is searched in $PATH. The full path found goes into @out
 * (may be NULL). Returns true when found and executable.
 */
bool paths_find_program(const char *prog, char *out, size_t size);

/**
 * Creates directory @path and its missing parents (mode 0777 & umask).
 * Returns 0, or -ERR_IO (errno set) when a component cannot be created.
 */
int paths_mkdir_p(const char *path);

#endif /* FAULTLINE_HARNESS_PATHS_H */
