/*
 * The files around a run and what reads them back: the JSON reader, a
 * sweep's table and files, the progress line, the manifest's scenario
 * hash, the sim's command line, and `faultline list` / `faultline show`
 * on a hand-made results tree.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <faultline/err.h>
#include <faultline/test.h>

#include "../backend.h"
#include "../json_read.h"
#include "../manifest.h"
#include "../progress.h"
#include "../results_cmd.h"
#include "../sweep.h"

/** Every JSON value type, escapes (\u included, surrogate pairs too) and paths. */
TEST(harness_json_read, values_and_paths)
{
	static const char doc[] =
		"{\"a\": {\"b\": [1, -2.5e3, true, false, null]},"
		" \"s\": \"q\\\"\\\\\\/\\n\\u00e9\\ud83d\\ude00\", \"e\": {}, "
		"\"l\": []}";
	struct json_node root;
	const struct json_node *b;
	char err[128];
	double v;

	ASSERT_EQ_INT(
		json_read_parse(doc, strlen(doc), &root, err, sizeof(err)), 0);
	b = json_read_path(&root, "a.b");
	ASSERT_TRUE(b != NULL && b->type == JSON_NODE_ARRAY && b->n == 5);
	EXPECT_TRUE(json_read_num(&b->items[0], &v) && v == 1.0);
	EXPECT_TRUE(json_read_num(&b->items[1], &v) && v == -2500.0);
	EXPECT_TRUE(b->items[2].type == JSON_NODE_BOOL && b->items[2].boolean);
	EXPECT_TRUE(b->items[3].type == JSON_NODE_BOOL && !b->items[3].boolean);
	EXPECT_EQ(b->items[4].type, JSON_NODE_NULL);
	EXPECT_STREQ(json_read_str(json_read_get(&root, "s"), NULL),
		     "q\"\\/\n\xc3\xa9\xf0\x9f\x98\x80");
	EXPECT_EQ(json_read_get(&root, "e")->n, 0u);
	EXPECT_TRUE(json_read_path(&root, "a.c") == NULL);
	EXPECT_TRUE(json_read_path(&root, "s.x") == NULL);
	EXPECT_STREQ(json_read_str(json_read_get(&root, "a"), "none"), "none");
	json_read_free(&root);
}

/** Malformed documents are refused with the offset of the fault. */
TEST(harness_json_read, errors)
{
	static const char *const bad[] = {
		"",       "{",     "{\"a\" 1}",   "[1,]",
		"[1 2]",  "\"abc", "\"\\x\"",     "tru",
		"01x",    "{} {}", "\"\\ud800\"", "[\"a\nb\"]",
		"{1: 2}",
	};
	struct json_node root;
	char err[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ_INT(json_read_parse(bad[i], strlen(bad[i]), &root,
					      err, sizeof(err)),
			      -ERR_INVAL);
		EXPECT_TRUE(strncmp(err, "offset ", 7) == 0);
		json_read_free(&root);
	}
}

/* A sweep of two values, the second without a trace. */
static void rf_sweep(struct sweep *sw)
{
	static struct faultstats fs;
	static struct faultstats_count outcomes[] = {
		{.name = "mapped", .n = 16}, {.name = "spurious", .n = 3}};

	memset(sw, 0, sizeof(*sw));
	memset(&fs, 0, sizeof(fs));
	snprintf(sw->param, sizeof(sw->param), "pages");
	snprintf(sw->scenario, sizeof(sw->scenario), "first-touch");
	snprintf(sw->backend, sizeof(sw->backend), "sim");
	fs.faults = 19;
	fs.bbm_breaks = 2;
	fs.outcomes.v = outcomes;
	fs.outcomes.n = 2;
	fs.fault_lat =
		(struct faultstats_dist){.n = 19, .p50 = 3200, .p99 = 1700000};
	fs.access_lat = (struct faultstats_dist){.n = 16, .p50 = 47800};
	fs.hvc_floor = (struct faultstats_dist){.n = 4, .p50 = 28200};
	fs.fault_hvc_ratio = 3200.0 / 28200.0;
	fs.faulting_access_lat =
		(struct faultstats_dist){.n = 16, .p50 = 56400};
	fs.faulting_access_hvc_ratio = 56400.0 / 28200.0;
	sweep_row_fill(&sw->rows[sw->nrows++], "16", "pages-16", "ok", 0, &fs);
	sweep_row_fill(&sw->rows[sw->nrows++], "1,2", "pages-1_2", "crashed", 1,
		       NULL);
}

/** A sweep's table, sweep.csv, and sweep.json read back as it was written. */
TEST(harness_sweep, table_and_files)
{
	char dir[] = "/tmp/faultline-sweep-XXXXXX";
	char csv[64], json[64], err[128];
	struct sweep sw, back;
	char *text = NULL, line[512];
	size_t len = 0;
	FILE *f;

	ASSERT_TRUE(mkdtemp(dir) != NULL);
	rf_sweep(&sw);
	f = open_memstream(&text, &len);
	ASSERT_TRUE(f != NULL);
	sweep_print(&sw, "results/x", f);
	fclose(f);
	EXPECT_TRUE(strstr(text, "faultline: sweep of pages over 2 values: "
				 "scenario first-touch on sim, in "
				 "results/x/\n") != NULL);
	EXPECT_TRUE(strstr(text, "faultline:   pages  verdict  faults  "
				 "outcomes") != NULL);
	EXPECT_TRUE(strstr(text,
			   "  16     ok       19      mapped 16, "
			   "spurious 3  2    3.2 us     1.7 ms     "
			   "47.8 us     56.4 us       28.2 us  2.00x") != NULL);
	EXPECT_TRUE(strstr(text, "1,2    crashed  0       -") != NULL);
	free(text);
	snprintf(csv, sizeof(csv), "%s/sweep.csv", dir);
	snprintf(json, sizeof(json), "%s/sweep.json", dir);
	ASSERT_EQ_INT(sweep_write_csv(&sw, csv), 0);
	ASSERT_EQ_INT(sweep_write_json(&sw, json), 0);
	f = fopen(csv, "r");
	ASSERT_TRUE(f != NULL);
	ASSERT_TRUE(fgets(line, sizeof(line), f) != NULL);
	EXPECT_STREQ(line,
		     "value,verdict,exit_status,faults,outcomes,bbm,"
		     "fault_p50_ns,fault_p99_ns,access_p50_ns,"
		     "hvc_p50_ns,fault_hvc_ratio,dir,"
		     "faulting_access_p50_ns,faulting_access_hvc_ratio\n");
	ASSERT_TRUE(fgets(line, sizeof(line), f) != NULL);
	EXPECT_STREQ(line, "16,ok,0,19,\"mapped 16, spurious 3\",2,3200,"
			   "1700000,47800,28200,0.113,pages-16,56400,2.000\n");
	ASSERT_TRUE(fgets(line, sizeof(line), f) != NULL);
	EXPECT_STREQ(line, "\"1,2\",crashed,1,0,,0,,,,,,pages-1_2,,\n");
	fclose(f);
	ASSERT_EQ_INT(sweep_read_json(json, &back, err, sizeof(err)), 0);
	EXPECT_STREQ(back.param, "pages");
	EXPECT_STREQ(back.backend, "sim");
	ASSERT_EQ(back.nrows, 2u);
	EXPECT_STREQ(back.rows[0].outcomes, "mapped 16, spurious 3");
	EXPECT_EQ(back.rows[0].fault_p99, 1700000u);
	EXPECT_EQ(back.rows[0].faulting_p50, 56400u);
	EXPECT_TRUE(back.rows[0].faulting_ratio > 1.999 &&
		    back.rows[0].faulting_ratio < 2.001);
	EXPECT_TRUE(back.rows[0].has_hvc && !back.rows[1].has_fault);
	EXPECT_EQ_INT(back.rows[1].status, 1);
	EXPECT_STREQ(back.rows[1].dir, "pages-1_2");
	unlink(csv);
	unlink(json);
	rmdir(dir);
}

/** The progress line follows the console's repetition lines, whatever chunks they come in. */
TEST(harness_progress, repetitions_from_the_console)
{
	static const char console[] =
		"faultline: plan x: 1 VM(s)\r\nfaultline: repetition 1 of 5 "
		"(warm-up)\r\nfaultline: vm 0 ...\r\nfaultline: repeti";
	struct progress p;
	char line[160];

	progress_init(&p, 1000);
	EXPECT_EQ(progress_format(&p, 3500, 6400, line, sizeof(line)),
		  strlen("faultline: running, ~100 events, 2.5 s"));
	EXPECT_STREQ(line, "faultline: running, ~100 events, 2.5 s");
	for (size_t i = 0; i < sizeof(console) - 1; i += 7) {
		size_t n = sizeof(console) - 1 - i;

		progress_feed(&p, console + i, n < 7 ? n : 7);
	}
	progress_format(&p, 13000, 64 * 52000, line, sizeof(line));
	EXPECT_STREQ(line, "faultline: repetition 1 of 5 (warm-up), ~52000 "
			   "events, 12.0 s");
	progress_feed(&p, "tion 3 of 5\n", 12);
	progress_format(&p, 13000, 0, line, sizeof(line));
	EXPECT_STREQ(line, "faultline: repetition 3 of 5, ~0 events, 12.0 s");
	/* Not a repetition line, or a bad one: nothing changes. */
	progress_feed(&p, "faultline: repetition 9 of 5\n", 29);
	EXPECT_EQ(p.rep, 3u);
}

/** FNV-1a 64 gives the published values, for a buffer and a file alike. */
TEST(harness_manifest, fnv1a64)
{
	char path[] = "/tmp/faultline-hash-XXXXXX";
	uint64_t h = 0;
	int fd = mkstemp(path);

	EXPECT_EQ(manifest_fnv1a64("", 0), UINT64_C(0xcbf29ce484222325));
	EXPECT_EQ(manifest_fnv1a64("a", 1), UINT64_C(0xaf63dc4c8601ec8c));
	EXPECT_EQ(manifest_fnv1a64("foobar", 6), UINT64_C(0x85944171f73967e8));
	ASSERT_TRUE(fd >= 0);
	ASSERT_TRUE(write(fd, "foobar", 6) == 6);
	close(fd);
	EXPECT_EQ_INT(manifest_hash_file(path, &h), 0);
	EXPECT_EQ(h, UINT64_C(0x85944171f73967e8));
	unlink(path);
	EXPECT_EQ_INT(manifest_hash_file(path, &h), -ERR_IO);
}

/** The sim gets the boot arguments QEMU's -append would, through --append. */
TEST(harness_backend, sim_command_line)
{
	struct qemu_config c = {.smp = 3,
				.mode = "plan",
				.plan = "plan.bin",
				.append = "bug=skip_tlbi",
				.trace = "trace.bin"};
	struct qemu_cmd cmd;
	enum backend b;

	ASSERT_EQ_INT(backend_build_sim(&c, "/b/faultline-sim", &cmd), 0);
	ASSERT_EQ_INT(cmd.argc, 5);
	EXPECT_STREQ(cmd.argv[0], "/b/faultline-sim");
	EXPECT_STREQ(cmd.argv[1], "--smp");
	EXPECT_STREQ(cmd.argv[2], "3");
	EXPECT_STREQ(cmd.argv[3], "--append");
	EXPECT_STREQ(cmd.argv[4],
		     "mode=plan trace=trace.bin plan=plan.bin bug=skip_tlbi");
	EXPECT_TRUE(cmd.argv[5] == NULL);
	EXPECT_EQ_INT(backend_parse("sim", &b), 0);
	EXPECT_EQ(b, BACKEND_SIM);
	EXPECT_EQ_INT(backend_parse("kvm", &b), -ERR_INVAL);
	EXPECT_STREQ(backend_name(BACKEND_QEMU), "qemu");
}

/* Writes @text to DIR/NAME. */
static void rf_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

/* Runs @fn with @argv, its stdout into @out (of @size bytes). */
static int rf_capture(int (*fn)(int, char *const *), char **argv, char *out,
		      size_t size)
{
	char path[] = "/tmp/faultline-out-XXXXXX";
	int fd = mkstemp(path);
	int saved, argc = 0, status;
	FILE *f;
	size_t n;

	while (argv[argc] != NULL) {
		argc++;
	}
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	dup2(fd, STDOUT_FILENO);
	status = fn(argc, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	close(fd);
	f = fopen(path, "r");
	n = f != NULL ? fread(out, 1, size - 1, f) : 0;
	out[n] = '\0';
	if (f != NULL) {
		fclose(f);
	}
	unlink(path);
	return status;
}

/** list and show read a results tree back: runs, a sweep's runs, latest. */
TEST(harness_results_cmd, list_and_show)
{
	char root[] = "/tmp/faultline-results-XXXXXX";
	char path[512], out[4096], cmd[1024];
	char *list[] = {"faultline", "list", "--results", root, NULL};
	char *list_one[] = {"faultline", "list", "ft", "--results", root, NULL};
	char *show_latest[] = {"faultline", "show", "latest",
			       "--results", root,   NULL};
	char *show_sweep[] = {"faultline", "show", "ft/20260101-000000-0002",
			      "--results", root,   NULL};
	char *show_none[] = {"faultline", "show", "ft/nope",
			     "--results", root,   NULL};
	struct sweep sw;

	ASSERT_TRUE(mkdtemp(root) != NULL);
	snprintf(path, sizeof(path), "%s/ft/20260101-000000-0001", root);
	snprintf(cmd, sizeof(cmd),
		 "mkdir -p %s %s/ft/20260101-000000-0002/"
		 "pages-16 %s/boot/20250101-000000-0003",
		 path, root, root);
	ASSERT_EQ_INT(system(cmd), 0);
	rf_file(path, "summary.json",
		"{\"verdict\": \"livelock\", \"scenario\": \"ft\", "
		"\"backend\": \"qemu\", \"policy\": \"legacy\", "
		"\"fault_path\": {\"faults\": 128, \"fault_latency_ns\": "
		"{\"p50\": 208000}}, \"report\": [\"faultline: scenario ft "
		"livelock (qemu): ...\", \"faultline: results in x/\"]}");
	rf_file(path, "manifest.json",
		"{\"date\": \"2026-01-01T00:00:00+0000\"}");
	rf_sweep(&sw);
	snprintf(path, sizeof(path), "%s/ft/20260101-000000-0002/sweep.json",
		 root);
	ASSERT_EQ_INT(sweep_write_json(&sw, path), 0);
	snprintf(path, sizeof(path), "%s/ft/20260101-000000-0002/pages-16",
		 root);
	rf_file(path, "summary.json",
		"{\"verdict\": \"ok\", \"scenario\": \"ft\", \"backend\": "
		"\"sim\", \"policy\": \"prejudge\", \"fault_path\": "
		"{\"faults\": 19}}");
	snprintf(path, sizeof(path), "%s/boot/20250101-000000-0003", root);
	rf_file(path, "summary.json",
		"{\"verdict\": \"ok\", \"mode\": \"boot\", \"scenario\": null, "
		"\"fault_path\": null}");
	snprintf(cmd, sizeof(cmd), "ln -s ft/20260101-000000-0001 %s/latest",
		 root);
	ASSERT_EQ_INT(system(cmd), 0);

	EXPECT_EQ_INT(rf_capture(results_cmd_list, list, out, sizeof(out)), 0);
	/* Oldest first; the sweep's run by its path; the boot run by mode. */
	EXPECT_TRUE(strstr(out, "RUN ") == out);
	EXPECT_TRUE(strstr(out, "boot/20250101-000000-0003") <
		    strstr(out, "ft/20260101-000000-0001 "));
	EXPECT_TRUE(strstr(out, "(boot)") != NULL);
	EXPECT_TRUE(
		strstr(out, "livelock  128     208.0 us   2026-01-01T00:00") !=
		NULL);
	EXPECT_TRUE(strstr(out, "ft/20260101-000000-0002/pages-16  ft        "
				"sim      prejudge  ok        19") != NULL);
	EXPECT_EQ_INT(rf_capture(results_cmd_list, list_one, out, sizeof(out)),
		      0);
	EXPECT_TRUE(strstr(out, "boot/") == NULL);
	EXPECT_EQ_INT(
		rf_capture(results_cmd_show, show_latest, out, sizeof(out)), 0);
	EXPECT_STREQ(out, "faultline: scenario ft livelock (qemu): ...\n"
			  "faultline: results in x/\n");
	EXPECT_EQ_INT(
		rf_capture(results_cmd_show, show_sweep, out, sizeof(out)), 0);
	EXPECT_TRUE(strstr(out, "sweep of pages over 2 values") != NULL);
	EXPECT_EQ_INT(rf_capture(results_cmd_show, show_none, out, sizeof(out)),
		      1);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	EXPECT_EQ_INT(system(cmd), 0);
}
