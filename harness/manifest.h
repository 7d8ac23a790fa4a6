/*
 * manifest.json: what exactly ran, so a result can be reproduced or
 * compared: the faultline and backend (QEMU or sim) command lines, the
 * hypervisor image and its build id, the QEMU version, the git revision
 * of the tree, the scenario (its name and a hash of its text), the
 * backend, policy, CPUs, repetitions and parameter values, the host (name
 * and uname) and the date (docs/results.md).
 */
#ifndef FAULTLINE_HARNESS_MANIFEST_H
#define FAULTLINE_HARNESS_MANIFEST_H

#include <stddef.h>

#include <faultline/types.h>

#include "json.h"
#include "scenario.h"

/** What goes into manifest.json. */
struct manifest {
	/** faultline's own command line. */
	int argc;
	char *const *argv;
	/** The backend's command line: QEMU's or the sim's. */
	int cmd_argc;
	char *const *cmd_argv;
	/** "qemu" or "sim". */
	const char *backend;
	/** The hypervisor image (NULL for the sim). */
	const char *hyp;
	/** Its build id from the trace header, or NULL when unknown. */
	const uint8_t *build_id;
	size_t build_id_len;
	/** First line of `qemu --version` (NULL for the sim). */
	const char *qemu_version;
	/** From manifest_git_revision(). */
	const char *git_revision;
	/** The run directory. */
	const char *dir;
	/** The scenario's name and file, or NULL for a boot or test run. */
	const char *scenario;
	const char *scenario_path;
	/** FNV-1a 64 of the scenario's text (scenario.scn), when @has_hash. */
	uint64_t scenario_hash;
	bool has_hash;
	/** The policy every VM runs with (NULL: each VM its own). */
	const char *policy;
	unsigned smp;
	/** Measured and warm-up repetitions. */
	unsigned reps;
	unsigned warmup;
	/** --set values (and the swept parameter's value of this run). */
	const struct scn_set *sets;
	unsigned nsets;
	/** The sweep this run belongs to (or is), or NULL. */
	const char *sweep_name;
	const char *const *sweep_values;
	unsigned nsweep;
};

/** FNV-1a 64 of @len bytes at @data (a content hash, not a secure one). */
uint64_t manifest_fnv1a64(const void *data, size_t len);

/**
 * FNV-1a 64 of the file at @path into *@hash. Returns 0, or -ERR_IO when
 * it cannot be read.
 */
int manifest_hash_file(const char *path, uint64_t *hash);

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

/**
 * Writes the member "@key": {"argv": [...], "shell": "..."} of command
 * line @argc/@argv into the open object of @w ("shell" quoted to paste).
 */
void manifest_json_command(struct json_writer *w, const char *key, int argc,
			   char *const *argv);

/**
 * Writes the members "host" (the host's name), "uname" ("sysname release
 * machine") and "date" (now, local time, ISO 8601) into the open object
 * of @w.
 */
void manifest_json_machine(struct json_writer *w);

/** Writes @m as JSON to @path. Returns 0 or -ERR_IO. */
int manifest_write(const struct manifest *m, const char *path);

#endif /* FAULTLINE_HARNESS_MANIFEST_H */
