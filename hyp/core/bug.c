/* The deliberate bugs of bug.h. */
#include <stdatomic.h>

#include <faultline/bug.h>
#include <faultline/console.h>
#include <faultline/err.h>
#include <faultline/trace/ring.h>

static const struct {
	enum bug bug;
	const char *name;
	uint64_t knob;
} bug_table[] = {
	{BUG_SKIP_TLBI, "skip_tlbi", TRACE_KNOB_BUG_SKIP_TLBI},
	{BUG_SKIP_DSB, "skip_dsb", TRACE_KNOB_BUG_SKIP_DSB},
	{BUG_NO_LOCAL_INVAL, "no_local_inval", TRACE_KNOB_BUG_NO_LOCAL_INVAL},
};

static _Atomic unsigned bug_mask;

void bug_enable(unsigned mask)
{
	atomic_fetch_or_explicit(&bug_mask, mask & BUG_ALL,
				 memory_order_relaxed);
}

bool bug_on(enum bug b)
{
	return (atomic_load_explicit(&bug_mask, memory_order_relaxed) & b) != 0;
}

/* True when the @len characters at @s are exactly @name. */
static bool bug_name_is(const char *s, size_t len, const char *name)
{
	size_t i = 0;

	for (; i < len; i++) {
		if (name[i] != s[i]) {
			return false;
		}
	}
	return name[i] == '\0';
}

/*
 * The bug named by the @len characters at @s, or 0. Not from bug_table:
 * the boot arguments are parsed before the MMU is on, where a table of
 * pointers holds addresses that are not mapped yet (see early.c).
 */
static unsigned bug_by_name(const char *s, size_t len)
{
	if (bug_name_is(s, len, "skip_tlbi")) {
		return BUG_SKIP_TLBI;
	}
	if (bug_name_is(s, len, "skip_dsb")) {
		return BUG_SKIP_DSB;
	}
	if (bug_name_is(s, len, "no_local_inval")) {
		return BUG_NO_LOCAL_INVAL;
	}
	return 0;
}

int bug_parse(const char *s, size_t len, unsigned *mask)
{
	size_t start = 0;

	*mask = 0;
	if (len == 0) {
		return -ERR_INVAL;
	}
	while (start <= len) {
		size_t end = start;
		unsigned found;

		while (end < len && s[end] != ',') {
			end++;
		}
		found = bug_by_name(s + start, end - start);
		if (found == 0) {
			return -ERR_INVAL;
		}
		*mask |= found;
		start = end + 1;
	}
	return 0;
}

const char *bug_name(enum bug b)
{
	for (size_t i = 0; i < ARRAY_SIZE(bug_table); i++) {
		if (bug_table[i].bug == b) {
			return bug_table[i].name;
		}
	}
	return NULL;
}

void bug_announce(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(bug_table); i++) {
		if (bug_on(bug_table[i].bug)) {
			trace_knob(bug_table[i].knob, 1);
			console_printf(
				"faultline: knob bug=%s: the fault path is "
				"broken on purpose in this run\n",
				bug_table[i].name);
		}
	}
}
