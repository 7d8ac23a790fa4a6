/*
 * manifest.json: what exactly ran, so a result can be reproduced or
 * compared: the faultline and QEMU command lines, the hypervisor image
 * and its build id, the QEMU version, the git revision of the tree, the
 * host and the date.
 */
#ifndef FAULTLINE_HARNESS_MANIFEST_H
#define FAULTLINE_HARNESS_MANIFEST_H

#include <stddef.h>

#include <faultline/types.h>

/** What goes into manifest.json. */
struct manifest {
	/** faultline's own command line. */
	int argc;
	char *const *argv;
	/** QEMU's command line (NULL-terminated). */
	int qemu_argc;
	char *const *qemu_argv;
	/** The hypervisor image. */
	const char *hyp;
	/** Its build id from the trace header, or NULL when unknown. */
	const uint8_t *build_id;
	size_t build_id_len;
	/** First line of `qemu --version`. */
	const char *qemu_version;
	/** From manifest_git_revision(). */
	const char *git_revision;
	/** The run directory. */
	const char *dir;
};

/**
 * The git revision of the tree at @root into @out: the commit hash, with
 * "-dirty" when `git status --porcelain` lists anything, or "unknown"
 * when git cannot tell. Returns 0 when git answered.
 */
int manifest_git_revision(const char *root, char *out, size_t size);

/**
 * Renders @len bytes at @id as lowercase hex into @out. Returns false (and
 * an empty string) when the id is all zeroes or does not fit.
 */
bool manifest_hex(const uint8_t *id, size_t len, char *out, size_t size);

/** Writes @m as JSON to @path. Returns 0 or -ERR_IO. */
int manifest_write(const struct manifest *m, const char *path);

#endif /* FAULTLINE_HARNESS_MANIFEST_H */
