/*
 * Deliberate bugs, for research: the boot argument bug=NAME[,NAME...]
 * breaks the fault path on purpose, so that the rule checker
 * (docs/checker.md) can be shown to catch exactly what it claims to. All
 * are off by default. A run with one on says so on the console and in its
 * trace (a `knob` event per bug), so its results cannot pass for a normal
 * run's.
 */
#ifndef FAULTLINE_BUG_H
#define FAULTLINE_BUG_H

#include <faultline/types.h>

/** The deliberate bugs, as bits of a mask. */
enum bug {
	/**
	 * skip_tlbi: break-before-make publishes the new entry without
	 * invalidating the old translation (checker rule 1).
	 */
	BUG_SKIP_TLBI = 1u << 0,
	/**
	 * skip_dsb: the invalidation by IPA issues the stage-1 (combined)
	 * invalidation without waiting for the stage-2 one to complete
	 * (checker rule 2).
	 */
	BUG_SKIP_DSB = 1u << 1,
	/**
	 * no_local_inval: a vCPU that finds its permission fault already
	 * relaxed by another CPU resumes without invalidating its own TLB,
	 * whatever its policy says: the 2023 KVM livelock (checker rule 4).
	 */
	BUG_NO_LOCAL_INVAL = 1u << 2,
};

/** Every bit of enum bug. */
#define BUG_ALL (BUG_SKIP_TLBI | BUG_SKIP_DSB | BUG_NO_LOCAL_INVAL)

/** Turns on the bugs in @mask (enum bug bits) for the rest of the run. */
void bug_enable(unsigned mask);

/** True when bug @b is on: one relaxed load, cheap on the fault path. */
bool bug_on(enum bug b);

/**
 * Parses the @len characters at @s, a comma-separated list of bug names
 * ("skip_tlbi,skip_dsb"), into *@mask. Returns 0, or -ERR_INVAL for an
 * empty list or an unknown name.
 */
int bug_parse(const char *s, size_t len, unsigned *mask);

/** The name of bug @b ("skip_tlbi"), or NULL when @b is not one bug. */
const char *bug_name(enum bug b);

/**
 * Records every bug that is on: a `knob` event each (so the trace says
 * so) and a console line (so the user does).
 */
void bug_announce(void);

#endif /* FAULTLINE_BUG_H */
