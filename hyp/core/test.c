/*
 * The test runner, shared by the host test binaries and the EL2 image.
 * Tests live in the `fl_tests` section; the linker provides its bounds
 * (GNU ld on the host, hyp.ld at EL2).
 */
#include <stdarg.h>

#include <faultline/arch/cpu.h>
#include <faultline/console.h>
#include <faultline/fmt.h>
#include <faultline/test.h>
#include <faultline/time.h>

extern const struct test_case __start_fl_tests[];
extern const struct test_case __stop_fl_tests[];

void test_fail(struct test_ctx *ctx, const char *file, int line,
	       const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ctx->failures++;
	console_printf("    %s:%d: %s\n", file, line, msg);
}

void test_skip(struct test_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(ctx->skip_reason, sizeof(ctx->skip_reason), fmt, ap);
	va_end(ap);
	ctx->skipped = true;
}

bool test_expect_eq_u64(struct test_ctx *ctx, const char *file, int line,
			const char *a_text, const char *b_text, uint64_t a,
			uint64_t b)
{
	if (a == b) {
		return true;
	}
	test_fail(ctx, file, line,
		  "expected %s == %s, got 0x%llx (%llu) vs 0x%llx (%llu)",
		  a_text, b_text, (unsigned long long)a, (unsigned long long)a,
		  (unsigned long long)b, (unsigned long long)b);
	return false;
}

bool test_expect_ne_u64(struct test_ctx *ctx, const char *file, int line,
			const char *a_text, const char *b_text, uint64_t a,
			uint64_t b)
{
	if (a != b) {
		return true;
	}
	test_fail(ctx, file, line, "expected %s != %s, both are 0x%llx", a_text,
		  b_text, (unsigned long long)a);
	return false;
}

bool test_expect_eq_i64(struct test_ctx *ctx, const char *file, int line,
			const char *a_text, const char *b_text, int64_t a,
			int64_t b)
{
	if (a == b) {
		return true;
	}
	test_fail(ctx, file, line, "expected %s == %s, got %lld vs %lld",
		  a_text, b_text, (long long)a, (long long)b);
	return false;
}

static bool test_str_equal(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

bool test_expect_streq(struct test_ctx *ctx, const char *file, int line,
		       const char *a_text, const char *b_text, const char *a,
		       const char *b)
{
	if (a != NULL && b != NULL && test_str_equal(a, b)) {
		return true;
	}
	test_fail(ctx, file, line, "expected %s == %s, got \"%s\" vs \"%s\"",
		  a_text, b_text, a, b);
	return false;
}

/* True when "suite.name" starts with @filter. */
static bool test_matches(const struct test_case *tc, const char *filter)
{
	const char *f = filter;
	const char *s = tc->suite;

	if (f == NULL || *f == '\0') {
		return true;
	}
	for (; *s != '\0' && *f != '\0'; s++, f++) {
		if (*s != *f) {
			return false;
		}
	}
	if (*f == '\0') {
		return true;
	}
	if (*f++ != '.') {
		return false;
	}
	for (s = tc->name; *s != '\0' && *f != '\0'; s++, f++) {
		if (*s != *f) {
			return false;
		}
	}
	return *f == '\0';
}

/* Most tests one binary can hold; more are run unsorted. */
#define TEST_MAX_SORTED 2048

static int test_strcmp(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

static bool test_before(const struct test_case *a, const struct test_case *b)
{
	int c = test_strcmp(a->file, b->file);

	return c < 0 || (c == 0 && a->line < b->line);
}

/* Number of tests in the section (its bounds are distinct symbols). */
static size_t test_count(void)
{
	return ((uintptr_t)__stop_fl_tests - (uintptr_t)__start_fl_tests) /
	       sizeof(struct test_case);
}

/*
 * The linker does not keep the section in source order: sort by file and
 * line so tests run in the order they are written.
 */
static size_t test_sorted(const struct test_case **out)
{
	size_t total = test_count();
	size_t n = 0;

	for (size_t k = 0; k < total && n < TEST_MAX_SORTED; k++) {
		const struct test_case *tc = &__start_fl_tests[k];
		size_t i = n++;

		while (i > 0 && test_before(tc, out[i - 1])) {
			out[i] = out[i - 1];
			i--;
		}
		out[i] = tc;
	}
	return n;
}

struct test_totals test_run_all(const char *filter)
{
	static const struct test_case *order[TEST_MAX_SORTED];
	struct test_totals t = {0, 0, 0};
	uint64_t freq = arch_counter_freq();
	size_t n = test_sorted(order);

	if (test_count() > TEST_MAX_SORTED) {
		console_printf("warning: more than %d tests, only the first "
			       "%d run\n",
			       TEST_MAX_SORTED, TEST_MAX_SORTED);
	}
	for (size_t k = 0; k < n; k++) {
		const struct test_case *tc = order[k];
		struct test_ctx ctx = {0, false, {0}};
		uint64_t start;
		uint64_t us;

		if (!test_matches(tc, filter)) {
			continue;
		}
		start = arch_counter_now();
		tc->fn(&ctx);
		us = time_ticks_to_ns(arch_counter_now() - start, freq) / 1000;
		if (ctx.failures > 0) {
			t.failed++;
			console_printf("FAIL %s.%s (%s:%d)\n", tc->suite,
				       tc->name, tc->file, tc->line);
		} else if (ctx.skipped) {
			t.skipped++;
			console_printf("SKIP %s.%s: %s\n", tc->suite, tc->name,
				       ctx.skip_reason);
		} else {
			t.passed++;
			console_printf("PASS %s.%s (%llu us)\n", tc->suite,
				       tc->name, (unsigned long long)us);
		}
	}
	if (t.passed + t.failed + t.skipped == 0 && filter != NULL &&
	    *filter != '\0') {
		console_printf("no test matches \"%s\"\n", filter);
	}
	if (t.skipped > 0) {
		console_printf("%u skipped (named above with SKIP)\n",
			       t.skipped);
	}
	console_printf("%u passed, %u failed\n", t.passed, t.failed);
	return t;
}
