/*
 * The base build of `faultline compare --base GIT-REV`: the revision
 * checked out as a git worktree in BUILD/compare-base/SHA/ (BUILD is the
 * directory of the running faultline) and built there with its own
 * Makefile (its hyp.elf, faultline and, for the sim, faultline-sim). The
 * worktree is kept: the next comparison against the same revision finds
 * it built and make has nothing to do. The build's output goes to
 * BUILD/compare-base/SHA.log, and its end is shown when it fails.
 */
#ifndef FAULTLINE_HARNESS_COMPARE_BASE_H
#define FAULTLINE_HARNESS_COMPARE_BASE_H

#include "backend.h"
#include "paths.h"

/** How long the base's build may take, in seconds. */
#define COMPARE_BASE_BUILD_TIMEOUT_S 1800

/** A base build, ready to run. */
struct compare_base {
	/** The revision as given, and the commit it names. */
	char rev[128];
	char sha[48];
	/** The worktree, its build log, and its faultline. */
	char dir[PATHS_MAX];
	char log[PATHS_MAX];
	char faultline[PATHS_MAX];
};

/**
 * Resolves @rev in the repository at @root, checks it out into
 * @build_dir/compare-base/SHA/ unless it is there already, and builds it
 * for @backend, saying what it does on stdout. Returns 0 with @b filled
 * in, or a negative error with the reason, naming the revision, on stderr:
 * -ERR_NOENT (not a commit), -ERR_IO (the worktree cannot be made),
 * -ERR_INVAL (the build failed or made no faultline).
 */
int compare_base_prepare(const char *root, const char *build_dir,
			 const char *rev, enum backend backend,
			 struct compare_base *b);

#endif /* FAULTLINE_HARNESS_COMPARE_BASE_H */
