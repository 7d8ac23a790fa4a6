/*
 * `faultline bench` and `faultline compare` end to end (docs/compare.md):
 * the Google Benchmark JSON read back and by compare.py, a failed run's
 * entries, a comparison of the two policies on the sim and under QEMU,
 * and a comparison against a base revision built in a throwaway clone.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <faultline/test.h>

#include "../../harness/json_read.h"
#include "qemu_util.h"

/* Google Benchmark's comparison tool (libbenchmark-tools). */
#define BC_COMPARE_PY "/usr/share/benchmark/compare.py"

/* One vCPU writes $pages fresh pages, after timing 8 null hypercalls. */
static const char bc_pages_scn[] = "scenario pages\n"
				   "param pages=16\n"
				   "run timeout=20s\n"
				   "vm guest\n"
				   "region data ipa=0x80000000 size=1M\n"
				   "vcpu\n"
				   "  mmu on\n"
				   "  loop 8\n"
				   "    hvc null timed\n"
				   "  end\n"
				   "  loop $pages\n"
				   "    write data step=4K timed\n"
				   "  end\n"
				   "end\n"
				   "expect faults == $pages\n";

/* The same, with an expectation that cannot hold: a failed run. */
static const char bc_wrong_scn[] = "scenario wrong\n"
				   "run timeout=20s\n"
				   "vm guest\n"
				   "region data ipa=0x80000000 size=1M\n"
				   "vcpu\n"
				   "  mmu on\n"
				   "  write data count=4 stride=4K timed\n"
				   "end\n"
				   "expect faults == 5 because it is wrong\n";

/*
 * A writes one dirty-logged page each round, B harvests the log between
 * rounds: from the second round A's write takes a permission fault,
 * which legacy remaps with a break-before-make and prejudge relaxes in
 * place. 3 BBMs a repetition against 0, on both backends.
 */
static const char bc_dirty_scn[] = "scenario dirtyround\n"
				   "run timeout=20s\n"
				   "vm guest policy=legacy dirty_log\n"
				   "region data ipa=0x80000000 size=2M\n"
				   "vcpu pcpu=0\n"
				   "  mmu on\n"
				   "  loop 8\n"
				   "    hvc null timed\n"
				   "  end\n"
				   "  loop 4\n"
				   "    barrier\n"
				   "    write data timed\n"
				   "    barrier\n"
				   "  end\n"
				   "end\n"
				   "vcpu pcpu=1\n"
				   "  mmu on\n"
				   "  loop 4\n"
				   "    barrier\n"
				   "    barrier\n"
				   "    dirty harvest\n"
				   "  end\n"
				   "end\n"
				   "expect progress\n"
				   "expect policy=legacy bbm == 3\n"
				   "expect policy=prejudge bbm == 0\n";

/* A fresh temporary directory into @dir. */
static bool bc_tmpdir(char *dir, size_t size)
{
	snprintf(dir, size, "/tmp/faultline-bc-XXXXXX");
	return mkdtemp(dir) != NULL;
}

static void bc_rm(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "    cannot remove %s\n", dir);
	}
}

/* The one directory under @parent (a results/NAME/ folder) into @out. */
static bool bc_only_dir(const char *parent, char *out, size_t size)
{
	char cmd[600], *text;
	FILE *p;
	size_t n;

	snprintf(cmd, sizeof(cmd), "ls -d '%s'/*/ 2>/dev/null", parent);
	p = popen(cmd, "r");
	if (p == NULL) {
		return false;
	}
	text = fgets(out, (int)size, p);
	pclose(p);
	if (text == NULL) {
		return false;
	}
	n = strcspn(out, "\n");
	out[n > 0 && out[n - 1] == '/' ? n - 1 : n] = '\0';
	return out[0] != '\0';
}

/* How many entries of @root's benchmarks are named @name. */
static size_t bc_entries(const struct json_node *root, const char *name)
{
	const struct json_node *b = json_read_get(root, "benchmarks");
	size_t n = 0;

	for (size_t i = 0; b != NULL && i < b->n; i++) {
		n += strcmp(json_read_str(json_read_get(&b->items[i], "name"),
					  ""),
			    name) == 0;
	}
	return n;
}

/* True when compare.py and scipy are there to read the JSON. */
static bool bc_have_compare_py(void)
{
	return access(BC_COMPARE_PY, R_OK) == 0 &&
	       system("/usr/bin/python3 -c 'import scipy' 2>/dev/null") == 0;
}

/* compare.py benchmarks @a @b exits 0 and names @name. */
static bool bc_compare_py(const char *a, const char *b, const char *name)
{
	char cmd[2400];

	snprintf(cmd, sizeof(cmd),
		 "/usr/bin/python3 %s benchmarks '%s' '%s' 2>&1 | grep -q '%s'",
		 BC_COMPARE_PY, a, b, name);
	return system(cmd) == 0;
}

/** bench on the sim: a table, bench.json beside the run and in --out, and compare.py reads it. */
TEST(qemu_bench, sim_json_and_compare_py)
{
	char scn[256], tmp[128], dir[512], path[700], args[1024], err[256];
	char *out = NULL, *errs = NULL;
	struct json_node root;
	const struct json_node *e;
	int status;

	ASSERT_TRUE(
		qemu_temp_file(bc_pages_scn, "pages.scn", scn, sizeof(scn)));
	ASSERT_TRUE(bc_tmpdir(tmp, sizeof(tmp)));
	snprintf(args, sizeof(args),
		 "bench %s --backend sim --reps 3 --set pages=8 --no-plots "
		 "--results %s --out %s/b.json",
		 scn, tmp, tmp);
	status = qemu_faultline(args, &out, &errs);
	EXPECT_EQ_INT(status, 0);
	EXPECT_TRUE(strstr(out, "[1/1] pages/prejudge: ok in ") != NULL);
	EXPECT_TRUE(strstr(out, "3 of 3 repetitions: fault_p50 ") != NULL);
	snprintf(path, sizeof(path), "%s/b.json", tmp);
	ASSERT_EQ_INT(json_read_file(path, &root, err, sizeof(err)), 0);
	EXPECT_EQ(bc_entries(&root, "pages/prejudge/fault_p50"), 3);
	EXPECT_EQ(bc_entries(&root, "pages/prejudge/hvc_p50"), 3);
	e = &json_read_get(&root, "benchmarks")->items[0];
	EXPECT_STREQ(json_read_str(json_read_get(e, "time_unit"), ""), "ns");
	EXPECT_TRUE(json_read_get(e, "error_occurred") == NULL);
	{
		double faults = 0;

		EXPECT_TRUE(
			json_read_num(json_read_get(e, "faults"), &faults) &&
			faults == 8);
	}
	EXPECT_STREQ(
		json_read_str(
			json_read_path(&root, "context.faultline_backend"), ""),
		"sim");
	json_read_free(&root);
	/* The bench's directory, with the run's own bench.json inside. */
	snprintf(path, sizeof(path), "%s/bench", tmp);
	ASSERT_TRUE(bc_only_dir(path, dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/pages/bench.json", dir);
	EXPECT_TRUE(access(path, R_OK) == 0);
	snprintf(path, sizeof(path), "%s/pages/summary.json", dir);
	EXPECT_TRUE(access(path, R_OK) == 0);
	snprintf(path, sizeof(path), "%s/latest/bench.txt", tmp);
	EXPECT_TRUE(access(path, R_OK) == 0);
	free(out);
	free(errs);
	snprintf(path, sizeof(path), "%s/b.json", tmp);
	if (bc_have_compare_py()) {
		EXPECT_TRUE(
			bc_compare_py(path, path, "pages/prejudge/fault_p50"));
	}
	bc_rm(tmp);
	qemu_temp_free(scn);
	if (!bc_have_compare_py()) {
		TEST_SKIP("compare.py or scipy not installed "
			  "(libbenchmark-tools, python3-scipy): the JSON was "
			  "checked, not fed to compare.py");
	}
}

/** bench under QEMU, with a run that fails: its entries carry error_occurred, the good one's do not, and the exit status says so. */
TEST(qemu_bench, qemu_failed_run_is_an_error_entry)
{
	char good[256], bad[256], tmp[128], path[700], args[1024], err[256];
	char *out = NULL, *errs = NULL;
	struct json_node root;
	const struct json_node *b;
	int status;
	size_t errors = 0, wrong = 0, fine = 0, good_entries = 0;

	ASSERT_TRUE(
		qemu_temp_file(bc_pages_scn, "pages.scn", good, sizeof(good)));
	ASSERT_TRUE(
		qemu_temp_file(bc_wrong_scn, "wrong.scn", bad, sizeof(bad)));
	ASSERT_TRUE(bc_tmpdir(tmp, sizeof(tmp)));
	snprintf(args, sizeof(args),
		 "bench %s %s --reps 2 --no-plots --results %s --out %s/b.json",
		 good, bad, tmp, tmp);
	status = qemu_faultline(args, &out, &errs);
	EXPECT_EQ_INT(status, 1);
	EXPECT_TRUE(
		strstr(out, "[2/2] wrong/prejudge: expectation-failed in ") !=
		NULL);
	EXPECT_TRUE(strstr(out, "1 of 2 runs failed (their entries carry "
				"error_occurred): wrong/prejudge: "
				"expectation-failed\n") != NULL);
	snprintf(path, sizeof(path), "%s/b.json", tmp);
	ASSERT_EQ_INT(json_read_file(path, &root, err, sizeof(err)), 0);
	b = json_read_get(&root, "benchmarks");
	ASSERT_TRUE(b != NULL);
	for (size_t i = 0; i < b->n; i++) {
		const struct json_node *e = &b->items[i];
		const char *name = json_read_str(json_read_get(e, "name"), "");
		const struct json_node *eo = json_read_get(e, "error_occurred");

		if (strncmp(name, "wrong/", 6) == 0) {
			wrong++;
			errors += eo != NULL && eo->boolean &&
				  strstr(json_read_str(
						 json_read_get(e,
							       "error_message"),
						 ""),
					 "expectation-failed") != NULL;
		} else {
			good_entries++;
			fine += eo == NULL;
		}
	}
	/* Every entry of the failed run is an error, none of the good one. */
	EXPECT_TRUE(wrong > 0 && errors == wrong);
	EXPECT_TRUE(good_entries > 0 && fine == good_entries);
	/* Each metric has an entry per repetition, failed or not. */
	EXPECT_EQ(bc_entries(&root, "wrong/prejudge/fault_p50"), 2);
	EXPECT_EQ(bc_entries(&root, "wrong/prejudge/access_p50"), 2);
	EXPECT_EQ(bc_entries(&root, "pages/prejudge/fault_p99"), 2);
	EXPECT_EQ(bc_entries(&root, "pages/prejudge/hvc_p50"), 2);
	json_read_free(&root);
	free(out);
	free(errs);
	bc_rm(tmp);
	qemu_temp_free(good);
	qemu_temp_free(bad);
}

/* Runs `faultline compare` on the dirty-round scenario with @extra into
 * @tmp/results; its exit status, stdout into *@out (caller frees). */
static int bc_compare(const char *scn, const char *tmp, const char *extra,
		      char **out)
{
	char args[1024];
	char *errs = NULL;
	int status;

	snprintf(args, sizeof(args),
		 "compare --policy legacy --vs-policy prejudge %s %s "
		 "--results %s/results",
		 scn, extra, tmp);
	status = qemu_faultline(args, out, &errs);
	if (status != 0) {
		fprintf(stderr, "    faultline %s said:\n%s%s", args, *out,
			errs);
	}
	free(errs);
	return status;
}

/** compare of the two policies on the sim: 9 repetitions a side, the BBMs that differ, the files, and compare.py on a.json and b.json. */
TEST(qemu_compare, policies_on_the_sim)
{
	char scn[256], tmp[128], dir[600], path[700], err[256];
	char *out = NULL, *txt;
	struct json_node root;
	const struct json_node *m;
	double v;

	ASSERT_TRUE(
		qemu_temp_file(bc_dirty_scn, "dirty.scn", scn, sizeof(scn)));
	ASSERT_TRUE(bc_tmpdir(tmp, sizeof(tmp)));
	ASSERT_EQ_INT(bc_compare(scn, tmp, "--backend sim", &out), 0);
	/* 9 repetitions over 3 runs a side, A B A B A B. */
	EXPECT_TRUE(strstr(out, "dirtyround: A run 3 (legacy, 3 reps): ok") !=
		    NULL);
	EXPECT_TRUE(strstr(out, "dirtyround: B run 3 (prejudge, 3 reps): ok") !=
		    NULL);
	EXPECT_TRUE(strstr(out, "B run 4") == NULL);
	EXPECT_TRUE(
		strstr(out, "A: 3 runs, 9 repetitions: ok in 3 of 3 runs") !=
		NULL);
	EXPECT_TRUE(strstr(out, "\n  bbm                            3          "
				"0          0x\n") != NULL);
	EXPECT_TRUE(strstr(out, "too few repetitions") == NULL);
	snprintf(path, sizeof(path), "%s/results/compare", tmp);
	ASSERT_TRUE(bc_only_dir(path, dir, sizeof(dir)));
	snprintf(path, sizeof(path), "%s/compare.txt", dir);
	txt = qemu_slurp_file(path);
	EXPECT_TRUE(strstr(txt, "A = policy legacy, B = policy prejudge") !=
		    NULL);
	EXPECT_TRUE(strstr(txt, "fault p50 (EL2)") != NULL);
	free(txt);
	snprintf(path, sizeof(path), "%s/compare.json", dir);
	ASSERT_EQ_INT(json_read_file(path, &root, err, sizeof(err)), 0);
	m = json_read_path(&root, "scenarios");
	ASSERT_TRUE(m != NULL && m->n == 1);
	m = json_read_get(&m->items[0], "metrics");
	ASSERT_TRUE(m != NULL && m->n >= 1);
	EXPECT_TRUE(json_read_num(json_read_path(&m->items[0], "a.n"), &v) &&
		    v == 9);
	EXPECT_TRUE(json_read_path(&m->items[0], "u_test.p") != NULL);
	json_read_free(&root);
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	txt = qemu_slurp_file(path);
	EXPECT_TRUE(strstr(txt, "\"policy\": \"legacy\"") != NULL &&
		    strstr(txt, "\"policy\": \"prejudge\"") != NULL &&
		    strstr(txt, "--vs-policy") != NULL);
	free(txt);
	snprintf(path, sizeof(path), "%s/runs/dirtyround/b-3/summary.json",
		 dir);
	EXPECT_TRUE(access(path, R_OK) == 0);
	snprintf(path, sizeof(path), "%s/results/latest/compare.json", tmp);
	EXPECT_TRUE(access(path, R_OK) == 0);
	if (system("command -v gnuplot >/dev/null 2>&1") == 0) {
		snprintf(path, sizeof(path), "%s/plots/dirtyround-cdf.png",
			 dir);
		EXPECT_TRUE(access(path, R_OK) == 0);
		snprintf(path, sizeof(path), "%s/plots/dirtyround-cdf.svg",
			 dir);
		EXPECT_TRUE(access(path, R_OK) == 0);
	}
	if (bc_have_compare_py()) {
		char a[700], b[700];

		snprintf(a, sizeof(a), "%s/a.json", dir);
		snprintf(b, sizeof(b), "%s/b.json", dir);
		EXPECT_TRUE(bc_compare_py(a, b, "dirtyround/fault_p50"));
	}
	free(out);
	bc_rm(tmp);
	qemu_temp_free(scn);
}

/** compare of the two policies under QEMU, with few repetitions: the table says "too few repetitions" and still shows the values. */
TEST(qemu_compare, policies_under_qemu_few_reps)
{
	char scn[256], tmp[128];
	char *out = NULL;

	ASSERT_TRUE(
		qemu_temp_file(bc_dirty_scn, "dirty.scn", scn, sizeof(scn)));
	ASSERT_TRUE(bc_tmpdir(tmp, sizeof(tmp)));
	ASSERT_EQ_INT(
		bc_compare(scn, tmp, "--reps 2 --runs 2 --no-plots", &out), 0);
	EXPECT_TRUE(strstr(out, "compare on qemu: A = policy legacy") != NULL);
	EXPECT_TRUE(
		strstr(out, "A: 2 runs, 2 repetitions: ok in 2 of 2 runs") !=
		NULL);
	EXPECT_TRUE(strstr(out, "too few repetitions (A 2, B 2; 9 wanted)") !=
		    NULL);
	EXPECT_TRUE(strstr(out, "\n  bbm                            3          "
				"0          0x\n") != NULL);
	free(out);
	bc_rm(tmp);
	qemu_temp_free(scn);
}

/** A base revision that is no commit is refused before anything is made. */
TEST(qemu_compare, base_must_be_a_commit)
{
	char *out = NULL, *err = NULL;
	int status = qemu_faultline(
		"compare --base no-such-revision-xyz first-touch --backend sim",
		&out, &err);

	EXPECT_EQ_INT(status, 2);
	EXPECT_TRUE(strstr(err, "--base no-such-revision-xyz: not a commit") !=
		    NULL);
	free(out);
	free(err);
}

/* Writes @text as an executable file @path. */
static bool bc_script(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (f == NULL) {
		return false;
	}
	ok = fputs(text, f) >= 0;
	return fclose(f) == 0 && ok && chmod(path, 0755) == 0;
}

/*
 * Runs `CLONE/build/faultline compare --base HEAD` on the sim; its exit
 * status, stdout and stderr.
 */
static int bc_base_compare(const char *clone, const char *scn, char **out,
			   char **err)
{
	char cmd[1400];
	char o[] = "/tmp/faultline-bco-XXXXXX",
	     e[] = "/tmp/faultline-bce-XXXXXX";
	int fo = mkstemp(o), fe = mkstemp(e), st;

	if (fo < 0 || fe < 0) {
		return -1;
	}
	close(fo);
	close(fe);
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && build/faultline compare --base HEAD %s --backend "
		 "sim --reps 3 --runs 1 >%s 2>%s",
		 clone, scn, o, e);
	st = system(cmd);
	*out = qemu_slurp_file(o);
	*err = qemu_slurp_file(e);
	/* What it said on stderr belongs in the test's log. */
	if (*err != NULL) {
		fputs(*err, stderr);
	}
	unlink(o);
	unlink(e);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/*
 * --base HEAD in a throwaway clone (this tree's binaries copied into its
 * build/): the base is checked out and built once, compared, and reused
 * the next time; a base whose faultline cannot run the scenario, or whose
 * summary.json has no per-repetition figures, is refused naming the
 * revision.
 */
TEST(qemu_compare, base_head_in_a_clone)
{
	char tmp[128], clone[256], cmd[1600], prog[256], scn[256];
	char sha[64] = "", fake[512], *out = NULL, *err = NULL, *txt;
	FILE *p;

	ASSERT_TRUE(bc_tmpdir(tmp, sizeof(tmp)));
	snprintf(clone, sizeof(clone), "%s/clone", tmp);
	qemu_faultline_path(prog, sizeof(prog));
	p = popen("git rev-parse HEAD", "r");
	ASSERT_TRUE(p != NULL);
	if (fgets(sha, sizeof(sha), p) == NULL) {
		sha[0] = '\0';
	}
	pclose(p);
	sha[strcspn(sha, "\n")] = '\0';
	ASSERT_TRUE(sha[0] != '\0');
	snprintf(cmd, sizeof(cmd),
		 "git clone -q --no-checkout . '%s' && git -C '%s' checkout -q "
		 "%s && mkdir -p '%s/build' && d=$(dirname %s) && cp "
		 "\"$d/faultline\" \"$d/faultline-sim\" \"$d/hyp.elf\" "
		 "'%s/build/'",
		 clone, clone, sha, clone, prog, clone);
	ASSERT_EQ_INT(system(cmd), 0);
	ASSERT_TRUE(
		qemu_temp_file(bc_pages_scn, "pages.scn", scn, sizeof(scn)));
	EXPECT_EQ_INT(bc_base_compare(clone, scn, &out, &err), 0);
	EXPECT_TRUE(strstr(out, "faultline compare: building base HEAD (") !=
		    NULL);
	EXPECT_TRUE(strstr(out, "A = base HEAD (") != NULL);
	EXPECT_TRUE(strstr(out, "pages: A run 1 (prejudge, 3 reps): ok") !=
		    NULL);
	EXPECT_TRUE(strstr(out, "A: 1 run, 3 repetitions: ok in 1 of 1 run") !=
		    NULL);
	snprintf(cmd, sizeof(cmd), "%s/results/latest/manifest.json", clone);
	txt = qemu_slurp_file(cmd);
	EXPECT_TRUE(strstr(txt, sha) != NULL);
	EXPECT_TRUE(strstr(txt, "\"rev\": \"HEAD\"") != NULL);
	free(txt);
	free(out);
	free(err);
	/* The second time the worktree is there, built: it is reused. */
	EXPECT_EQ_INT(bc_base_compare(clone, scn, &out, &err), 0);
	EXPECT_TRUE(strstr(out, "reusing the worktree") != NULL);
	free(out);
	free(err);
	/* A base faultline that refuses the run: exit 2, the revision named. */
	snprintf(fake, sizeof(fake), "%s/build/compare-base/%s/build/faultline",
		 clone, sha);
	snprintf(cmd, sizeof(cmd), "%s.real", fake);
	ASSERT_EQ_INT(rename(fake, cmd), 0);
	ASSERT_TRUE(bc_script(fake, "#!/bin/sh\n"
				    "echo 'faultline run: --no-plots: unknown "
				    "option' >&2\nexit 2\n"));
	EXPECT_EQ_INT(bc_base_compare(clone, scn, &out, &err), 2);
	EXPECT_TRUE(strstr(err, "the base HEAD (") != NULL &&
		    strstr(err, "has no usable `faultline run SCENARIO`") !=
			    NULL &&
		    strstr(err, "--no-plots: unknown option") != NULL);
	free(out);
	free(err);
	/* One whose summary.json has no per-repetition figures. */
	ASSERT_TRUE(bc_script(fake,
			      "#!/bin/sh\n"
			      "\"$0.real\" \"$@\"\ns=$?\n"
			      "while [ $# -gt 0 ]; do [ \"$1\" = --out ] && "
			      "d=$2; shift; done\n"
			      "sed -i 's/\"per_rep\"/\"old_per_rep\"/' "
			      "\"$d/summary.json\"\nexit $s\n"));
	EXPECT_EQ_INT(bc_base_compare(clone, scn, &out, &err), 2);
	EXPECT_TRUE(strstr(err, "the base HEAD (") != NULL &&
		    strstr(err, "cannot be compared: ") != NULL &&
		    strstr(err, "no repetitions.per_rep") != NULL);
	free(out);
	free(err);
	qemu_temp_free(scn);
	bc_rm(tmp);
}
