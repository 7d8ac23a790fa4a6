/*
 * The options of `faultline bench` and `faultline compare`: defaults,
 * every mistake refused with the argument named, and the `faultline run`
 * command line a run is made of.
 */
#include <string.h>

#include <faultline/err.h>
#include <faultline/test.h>

#include "../bench_args.h"

/* Parses the words of @line (space-separated, at most 24) for @cmd. */
static int bat_parse(enum bench_args_cmd cmd, const char *line,
		     struct bench_args *a, char *err, size_t size)
{
	static char buf[512];
	char *argv[25];
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *w = strtok(buf, " "); w != NULL && argc < 24;
	     w = strtok(NULL, " ")) {
		argv[argc++] = w;
	}
	argv[argc] = NULL;
	return bench_args_parse(cmd, argc, argv, a, err, size);
}

/** Defaults: 9 repetitions; a comparison spreads them over 3 runs, or fewer runs when fewer repetitions. */
TEST(bench_args, defaults)
{
	struct bench_args a;
	char err[256];

	ASSERT_EQ_INT(bat_parse(BENCH_ARGS_BENCH, "bench first-touch null-hvc",
				&a, err, sizeof(err)),
		      0);
	EXPECT_EQ(a.nscenarios, 2);
	EXPECT_STREQ(a.scenarios[1], "null-hvc");
	EXPECT_EQ(a.reps, 9);
	EXPECT_EQ_INT(a.backend, BACKEND_QEMU);
	EXPECT_TRUE(a.policy == NULL && !a.warmup_given && a.out == NULL);
	ASSERT_EQ_INT(bat_parse(BENCH_ARGS_COMPARE,
				"compare --policy legacy --vs-policy prejudge "
				"x --backend=sim --reps 2 --set pages=4 "
				"--warmup 0 --out /tmp/c",
				&a, err, sizeof(err)),
		      0);
	EXPECT_EQ(a.reps, 2);
	EXPECT_EQ(a.runs, 2);
	EXPECT_EQ_INT(a.backend, BACKEND_SIM);
	EXPECT_TRUE(a.warmup_given && a.warmup == 0);
	EXPECT_STREQ(a.sets[0], "pages=4");
	EXPECT_STREQ(a.vs_policy, "prejudge");
	EXPECT_STREQ(a.out, "/tmp/c");
	ASSERT_EQ_INT(bat_parse(BENCH_ARGS_COMPARE, "compare --base HEAD~1 x",
				&a, err, sizeof(err)),
		      0);
	EXPECT_EQ(a.reps, 9);
	EXPECT_EQ(a.runs, 3);
	EXPECT_STREQ(a.base, "HEAD~1");
	ASSERT_EQ_INT(bat_parse(BENCH_ARGS_COMPARE,
				"compare --vs-append tracing=off x", &a, err,
				sizeof(err)),
		      0);
	EXPECT_STREQ(a.vs_append, "tracing=off");
	EXPECT_TRUE(a.append == NULL && a.vs_policy == NULL);
	ASSERT_EQ_INT(bat_parse(BENCH_ARGS_BENCH,
				"bench x --append tracing=off", &a, err,
				sizeof(err)),
		      0);
	EXPECT_STREQ(a.append, "tracing=off");
}

/** Every mistake is refused, naming the argument and why. */
TEST(bench_args, mistakes)
{
	static const struct {
		enum bench_args_cmd cmd;
		const char *line;
		const char *err;
	} bad[] = {
		{BENCH_ARGS_BENCH, "bench", "SCENARIO: give at least one"},
		{BENCH_ARGS_BENCH, "bench x --runs 3",
		 "--runs: unknown option"},
		{BENCH_ARGS_BENCH, "bench x --reps 0", "--reps 0: needs 1 to"},
		{BENCH_ARGS_BENCH, "bench x --reps", "--reps: needs a value"},
		{BENCH_ARGS_BENCH, "bench x --policy fast",
		 "--policy fast: must be legacy or prejudge"},
		{BENCH_ARGS_BENCH, "bench x --backend kvm",
		 "--backend kvm: must be qemu or sim"},
		{BENCH_ARGS_BENCH, "bench x --set pages",
		 "--set pages: needs NAME=VALUE"},
		{BENCH_ARGS_BENCH, "bench x --timeout -1",
		 "--timeout -1: needs seconds"},
		{BENCH_ARGS_BENCH, "bench x -q", "-q: unknown option"},
		{BENCH_ARGS_COMPARE, "compare x", "say what to compare"},
		{BENCH_ARGS_COMPARE, "compare x --vs-policy legacy",
		 "--vs-policy: needs --policy"},
		{BENCH_ARGS_COMPARE,
		 "compare x --policy legacy --vs-policy legacy",
		 "the same policy"},
		{BENCH_ARGS_COMPARE,
		 "compare x --base HEAD --policy legacy --vs-policy prejudge",
		 "--vs-policy: compares two policies on this build"},
		{BENCH_ARGS_COMPARE, "compare x --base HEAD --reps 3 --runs 4",
		 "--runs: more runs than --reps"},
		{BENCH_ARGS_COMPARE, "compare x --base HEAD --runs 0",
		 "--runs 0: needs 1 to 100"},
		{BENCH_ARGS_COMPARE, "compare x --base --reps",
		 "--base: needs a git revision"},
		{BENCH_ARGS_COMPARE, "compare x --base HEAD --vs-append a=1",
		 "--vs-append: compares two sets of boot arguments"},
		{BENCH_ARGS_COMPARE, "compare x --append a=1 --vs-append a=1",
		 "--vs-append: is the same as --append"},
		{BENCH_ARGS_BENCH, "bench x --vs-append a=1",
		 "--vs-append: unknown option"},
	};
	struct bench_args a;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = bat_parse(bad[i].cmd, bad[i].line, &a, err,
				    sizeof(err));

		if (!EXPECT_EQ_INT(ret, -ERR_INVAL) ||
		    !EXPECT_TRUE(strstr(err, bad[i].err) != NULL)) {
			fprintf(stderr, "    %s: got \"%s\"\n", bad[i].line,
				err);
		}
	}
}

/** A run is `faultline run` with the options given, and only those. */
TEST(bench_args, run_command_line)
{
	struct bench_run_spec s = {
		.scenario = "/x/pp.scn",
		.policy = "legacy",
		.backend = BACKEND_SIM,
		.reps = 3,
		.warmup = 1,
		.warmup_given = true,
		.sets = {"pages=4"},
		.nsets = 1,
		.append = "tracing=off",
		.dir = "/r/a-1",
	};
	char *argv[32], buf[1024], line[1024] = "";
	int n = bench_run_argv(&s, argv, 32, buf, sizeof(buf));

	ASSERT_TRUE(n > 0);
	for (int i = 0; i < n; i++) {
		strcat(line, argv[i]);
		strcat(line, i + 1 < n ? " " : "");
	}
	EXPECT_TRUE(argv[n] == NULL);
	EXPECT_STREQ(line, "run /x/pp.scn --out /r/a-1 --quiet --no-plots "
			   "--backend sim --policy legacy --reps 3 --warmup 1 "
			   "--append tracing=off --set pages=4");
	/* QEMU, the scenario's policy and repetitions, plots: no options. */
	s = (struct bench_run_spec){
		.scenario = "pp", .dir = "d", .plots = true};
	n = bench_run_argv(&s, argv, 32, buf, sizeof(buf));
	ASSERT_EQ_INT(n, 5);
	EXPECT_STREQ(argv[4], "--quiet");
	/* Too small a buffer is refused, not cut. */
	EXPECT_EQ_INT(bench_run_argv(&s, argv, 32, buf, 8), -ERR_RANGE);
}
