/*
 * A small test framework that runs the same test sources on the host and
 * inside the EL2 image. Tests register themselves in the `fl_tests` linker
 * section; a runner walks the section, runs each test and prints one line
 * per test and a final "N passed, N failed" line.
 *
 *   TEST(dtb, finds_memory_node) {
 *           EXPECT_EQ(n, 1);
 *   }
 *
 * EXPECT_* records a failure and continues; ASSERT_* records it and ends
 * the test. Every failure carries the file and line.
 */
#ifndef FAULTLINE_TEST_H
#define FAULTLINE_TEST_H

#include <faultline/types.h>

/** What a test finished as. */
enum test_result {
	TEST_PASSED,
	TEST_FAILED,
	TEST_SKIPPED,
};

/** The state of the running test, handed to every test body. */
struct test_ctx {
	/** Number of failed expectations so far. */
	unsigned failures;
	/** Set by TEST_SKIP(). */
	bool skipped;
	/** Why the test was skipped. */
	char skip_reason[128];
};

/** One registered test. */
struct test_case {
	const char *suite;
	const char *name;
	void (*fn)(struct test_ctx *ctx);
	const char *file;
	int line;
};

/** Defines and registers a test named @suite.@name. */
#define TEST(suite, name)                                                      \
	static void test_##suite##_##name(struct test_ctx *test_ctx);          \
	static const struct test_case test_case_##suite##_##name               \
		__attribute__((used, section("fl_tests"), aligned(8))) = {     \
			#suite, #name, test_##suite##_##name, __FILE__,        \
			__LINE__};                                             \
	static void test_##suite##_##name(struct test_ctx *test_ctx UNUSED)

/**
 * Records a failed expectation at @file:@line with a printf-style message.
 * Used by the EXPECT and ASSERT macros.
 */
void test_fail(struct test_ctx *ctx, const char *file, int line,
	       const char *fmt, ...) PRINTF_LIKE(4, 5);

/** Marks the running test as skipped with a printf-style reason. */
void test_skip(struct test_ctx *ctx, const char *fmt, ...) PRINTF_LIKE(2, 3);

/** Checks @cond; on failure records the expression text and continues. */
#define EXPECT_TRUE(cond)                                                      \
	((cond) ? true                                                         \
		: (test_fail(test_ctx, __FILE__, __LINE__,                     \
			     "expected true: %s", #cond),                      \
		   false))

/** Checks that @a == @b as unsigned 64-bit values; prints both on failure. */
#define EXPECT_EQ(a, b)                                                        \
	test_expect_eq_u64(test_ctx, __FILE__, __LINE__, #a, #b,               \
			   (uint64_t)(a), (uint64_t)(b))

/** Checks that @a != @b as unsigned 64-bit values. */
#define EXPECT_NE(a, b)                                                        \
	test_expect_ne_u64(test_ctx, __FILE__, __LINE__, #a, #b,               \
			   (uint64_t)(a), (uint64_t)(b))

/** Checks that two signed integers are equal (error codes, counts). */
#define EXPECT_EQ_INT(a, b)                                                    \
	test_expect_eq_i64(test_ctx, __FILE__, __LINE__, #a, #b, (int64_t)(a), \
			   (int64_t)(b))

/** Checks that two NUL-terminated strings are equal. */
#define EXPECT_STREQ(a, b)                                                     \
	test_expect_streq(test_ctx, __FILE__, __LINE__, #a, #b, (a), (b))

/** EXPECT_TRUE() that ends the test on failure. */
#define ASSERT_TRUE(cond)                                                      \
	do {                                                                   \
		if (!EXPECT_TRUE(cond)) {                                      \
			return;                                                \
		}                                                              \
	} while (0)

/** EXPECT_EQ() that ends the test on failure. */
#define ASSERT_EQ(a, b)                                                        \
	do {                                                                   \
		if (!EXPECT_EQ(a, b)) {                                        \
			return;                                                \
		}                                                              \
	} while (0)

/** EXPECT_EQ_INT() that ends the test on failure. */
#define ASSERT_EQ_INT(a, b)                                                    \
	do {                                                                   \
		if (!EXPECT_EQ_INT(a, b)) {                                    \
			return;                                                \
		}                                                              \
	} while (0)

/** Skips the rest of the test with a printf-style reason. */
#define TEST_SKIP(...)                                                         \
	do {                                                                   \
		test_skip(test_ctx, __VA_ARGS__);                              \
		return;                                                        \
	} while (0)

/** Implements EXPECT_EQ(); returns whether the values were equal. */
bool test_expect_eq_u64(struct test_ctx *ctx, const char *file, int line,
			const char *a_text, const char *b_text, uint64_t a,
			uint64_t b);

/** Implements EXPECT_NE(); returns whether the values differed. */
bool test_expect_ne_u64(struct test_ctx *ctx, const char *file, int line,
			const char *a_text, const char *b_text, uint64_t a,
			uint64_t b);

/** Implements EXPECT_EQ_INT(); returns whether the values were equal. */
bool test_expect_eq_i64(struct test_ctx *ctx, const char *file, int line,
			const char *a_text, const char *b_text, int64_t a,
			int64_t b);

/** Implements EXPECT_STREQ(); returns whether the strings were equal. */
bool test_expect_streq(struct test_ctx *ctx, const char *file, int line,
		       const char *a_text, const char *b_text, const char *a,
		       const char *b);

/** Totals of one test run. */
struct test_totals {
	unsigned passed;
	unsigned failed;
	unsigned skipped;
};

/**
 * Runs every registered test whose "suite.name" starts with @filter (all
 * when @filter is NULL or empty), printing a line per test, the names of
 * skipped tests, and a final "N passed, N failed" line. Returns the totals.
 */
struct test_totals test_run_all(const char *filter);

#endif /* FAULTLINE_TEST_H */
