/* err_name(): every code has its own name, whatever its sign. */
#include <faultline/err.h>
#include <faultline/test.h>

static bool err_test_streq(const char *a, const char *b)
{
	while (*a != '\0' && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/** Every error code has the documented short name, for e and -e alike. */
TEST(err, names)
{
	static const struct {
		int code;
		const char *name;
	} names[] = {
		{ERR_OK, "ok"},
		{ERR_INVAL, "invalid"},
		{ERR_NOMEM, "out of memory"},
		{ERR_RANGE, "out of range"},
		{ERR_AGAIN, "retry"},
		{ERR_EXIST, "already exists"},
		{ERR_NOENT, "not found"},
		{ERR_TIMEDOUT, "timed out"},
		{ERR_IO, "I/O error"},
		{ERR_NOTSUP, "not supported"},
		{ERR_TRUNC, "truncated"},
		{ERR_PERM, "permissions only"},
	};

	for (unsigned i = 0; i < ARRAY_SIZE(names); i++) {
		EXPECT_STREQ(err_name(names[i].code), names[i].name);
		EXPECT_STREQ(err_name(-names[i].code), names[i].name);
	}
}

/** Codes outside the enum are "unknown error", never NULL. */
TEST(err, unknown_codes)
{
	EXPECT_STREQ(err_name(ERR_PERM + 1), "unknown error");
	EXPECT_STREQ(err_name(-(ERR_PERM + 1)), "unknown error");
	EXPECT_STREQ(err_name(1000), "unknown error");
	EXPECT_STREQ(err_name(-2147483647), "unknown error");
}

/** No two codes share a name, so a message always tells them apart. */
TEST(err, names_are_distinct)
{
	for (int a = ERR_OK; a <= ERR_PERM; a++) {
		for (int b = a + 1; b <= ERR_PERM; b++) {
			EXPECT_TRUE(!err_test_streq(err_name(a), err_name(b)));
		}
	}
}
