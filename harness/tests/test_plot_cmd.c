/*
 * `faultline plot` on a run directory whose trace.bin the real writer
 * made (through the host arch's rings): every PNG drawn by gnuplot, and
 * the errors (usage, no trace, no gnuplot in PATH).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <faultline/test.h>
#include <faultline/trace/ring.h>
#include <faultline/trace/writer.h>

#include "../export_gnuplot.h"
#include "../paths.h"
#include "../plot_cmd.h"
#include "host_arch.h"

/* A small plan run's trace in DIR/trace.bin: 2 vCPUs racing, a BBM. */
static bool plt_write_trace(const char *dir)
{
	struct trace_writer w;
	char path[256];

	snprintf(path, sizeof(path), "%s/trace.bin", dir);
	trace_rings_reset();
	host_set_cpu_index(0);
	trace_vm_create_at(100, 1, TRACE_POLICY_LEGACY, 40, 2, 0);
	for (uint64_t k = 0; k < 20; k++) {
		uint64_t t = 1000 + k * 500;

		host_set_cpu_index(0);
		trace_s2_fault_enter_at(t, 0, 1, 0x80000000 + k * 0x1000, 0,
					TRACE_FAULT_KIND_TRANSLATION,
					TRACE_ACCESS_WRITE);
		trace_bbm_break_at(t + 10, 0x4000 + k * 8, 0x80000000, 3, 0x7ff,
				   1);
		trace_tlbi_at(t + 20, TRACE_TLBI_OP_IPAS2E1, 0x80000000, 3,
			      TRACE_SHARE_ISH, 1);
		trace_bbm_make_at(t + 30, 0x4000 + k * 8, 0x80000000, 3, 0x7ff,
				  1);
		trace_s2_fault_exit_at(
			t + 40 + k * 3, 0, 1, 0x80000000 + k * 0x1000,
			TRACE_OUTCOME_REMAPPED, TRACE_POLICY_LEGACY, 3);
		host_set_cpu_index(1);
		trace_s2_fault_enter_at(t + 5, 1, 1, 0x80000000 + k * 0x1000, 0,
					TRACE_FAULT_KIND_TRANSLATION,
					TRACE_ACCESS_READ);
		trace_s2_fault_exit_at(t + 60, 1, 1, 0x80000000 + k * 0x1000,
				       TRACE_OUTCOME_SPURIOUS,
				       TRACE_POLICY_LEGACY, 3);
	}
	host_set_cpu_index(0);
	trace_guest_access_at(20000, 0, 1, 0x80000000, TRACE_ACCESS_WRITE, 990,
			      1100);
	return trace_writer_open(&w, path, 2, 62500000, NULL, 0) == 0 &&
	       trace_writer_drain(&w) == 0 && trace_writer_close(&w) == 0;
}

static void plt_rmdir(const char *dir)
{
	char cmd[320];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0) {
		fprintf(stderr, "could not remove %s\n", dir);
	}
}

/* The size of DIR/plots/@name.@ext when it starts with @magic, else 0. */
static long plt_file(const char *dir, const char *name, const char *ext,
		     const char *magic, size_t mlen)
{
	char path[320], head[16] = "";
	FILE *f;
	long size;

	snprintf(path, sizeof(path), "%s/plots/%s.%s", dir, name, ext);
	f = fopen(path, "rb");
	if (f == NULL) {
		return 0;
	}
	size = fread(head, 1, mlen, f) == mlen && memcmp(head, magic, mlen) == 0
		       ? (fseek(f, 0, SEEK_END), ftell(f))
		       : 0;
	fclose(f);
	return size;
}

/** Every plot of a run directory is drawn as a PNG and an SVG. */
TEST(plot_cmd, draws_every_plot)
{
	char dir[64];
	char *argv[] = {"faultline", "plot", dir, NULL};

	if (!paths_find_program("gnuplot", NULL, 0)) {
		TEST_SKIP("gnuplot is not installed (make deps installs it)");
	}
	snprintf(dir, sizeof(dir), "/tmp/faultline-plot-test-XXXXXX");
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	ASSERT_TRUE(plt_write_trace(dir));
	fflush(stdout);
	EXPECT_EQ_INT(plot_cmd_main(3, argv), 0);
	for (size_t i = 0; export_gnuplot_plots[i] != NULL; i++) {
		const char *name = export_gnuplot_plots[i];

		/* Axes, labels and data: a few KiB at least. */
		EXPECT_TRUE(plt_file(dir, name, "png", "\x89PNG\r\n\x1a\n", 8) >
			    4000);
		EXPECT_TRUE(plt_file(dir, name, "svg", "<?xml", 5) > 2000);
		EXPECT_TRUE(plt_file(dir, name, "dat", "#", 1) > 0);
	}
	plt_rmdir(dir);
}

/** Bad usage, a directory without a trace, and gnuplot not in PATH. */
TEST(plot_cmd, errors)
{
	char dir[64], *path = getenv("PATH");
	char *saved = path != NULL ? strdup(path) : NULL;
	char *none[] = {"faultline", "plot", NULL};
	char *missing[] = {"faultline", "plot", "/nonexistent/run", NULL};
	char *bad_timeout[] = {"faultline", "plot", dir,
			       "--timeout", "0",    NULL};
	char *ok[] = {"faultline", "plot", dir, NULL};

	snprintf(dir, sizeof(dir), "/tmp/faultline-plot-test-XXXXXX");
	ASSERT_TRUE(mkdtemp(dir) != NULL);
	EXPECT_EQ_INT(plot_cmd_main(2, none), 2);
	EXPECT_EQ_INT(plot_cmd_main(3, missing), 2);
	EXPECT_EQ_INT(plot_cmd_main(5, bad_timeout), 2);
	if (paths_find_program("gnuplot", NULL, 0)) {
		/* A directory without trace.bin: nothing to plot. */
		EXPECT_EQ_INT(plot_cmd_main(3, ok), 1);
	}
	setenv("PATH", "/nonexistent", 1);
	EXPECT_EQ_INT(plot_cmd_main(3, ok), 1);
	if (saved != NULL) {
		setenv("PATH", saved, 1);
	} else {
		unsetenv("PATH");
	}
	free(saved);
	plt_rmdir(dir);
}
