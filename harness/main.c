/*
 * faultline: the host command-line tool. This file only dispatches to the
 * commands; each lives in its own module.
 */
#include <stdio.h>
#include <string.h>

#include "bench_args.h"
#include "bench_cmd.h"
#include "check_cmd.h"
#include "compare_cmd.h"
#include "export_cmd.h"
#include "plot_cmd.h"
#include "results_cmd.h"
#include "run.h"
#include "run_args.h"

static void main_usage(FILE *out)
{
	fprintf(out, "usage: faultline COMMAND [options]   (faultline COMMAND "
		     "--help for more)\n"
		     "commands:\n"
		     "  run      run a scenario (under QEMU or on the sim) or "
		     "boot the\n"
		     "           hypervisor, and collect the results\n"
		     "  list     the runs kept in results/\n"
		     "  show     a run's summary again, from its summary.json\n"
		     "  export   convert a trace file to another format (csv)\n"
		     "  check    check a trace against the fault path's "
		     "ordering rules\n"
		     "  plot     draw a run's plots with gnuplot (PNG, SVG)\n"
		     "  bench    run scenarios with repetitions and write "
		     "their figures as\n"
		     "           Google Benchmark JSON\n"
		     "  compare  compare two policies, or a base revision "
		     "with this build, on\n"
		     "           scenarios: medians, B/A, Mann-Whitney U "
		     "test, CDF plots\n"
		     "  help     this text; `faultline help COMMAND` for a "
		     "command's options\n");
}

static int main_help(const char *command)
{
	if (command == NULL) {
		main_usage(stdout);
		printf("\n%s\n%s\n%s\n%s\n%s\n%s\n%s\n%s", run_args_usage(),
		       results_cmd_list_usage(), results_cmd_show_usage(),
		       export_cmd_usage(), check_cmd_usage(), plot_cmd_usage(),
		       bench_args_bench_usage(), bench_args_compare_usage());
		return 0;
	}
	if (strcmp(command, "run") == 0) {
		fputs(run_args_usage(), stdout);
		return 0;
	}
	if (strcmp(command, "list") == 0) {
		fputs(results_cmd_list_usage(), stdout);
		return 0;
	}
	if (strcmp(command, "show") == 0) {
		fputs(results_cmd_show_usage(), stdout);
		return 0;
	}
	if (strcmp(command, "export") == 0) {
		fputs(export_cmd_usage(), stdout);
		return 0;
	}
	if (strcmp(command, "check") == 0) {
		fputs(check_cmd_usage(), stdout);
		return 0;
	}
	if (strcmp(command, "plot") == 0) {
		fputs(plot_cmd_usage(), stdout);
		return 0;
	}
	if (strcmp(command, "bench") == 0) {
		fputs(bench_args_bench_usage(), stdout);
		return 0;
	}
	if (strcmp(command, "compare") == 0) {
		fputs(bench_args_compare_usage(), stdout);
		return 0;
	}
	if (strcmp(command, "help") == 0) {
		main_usage(stdout);
		return 0;
	}
	fprintf(stderr, "faultline help: %s: unknown command\n", command);
	main_usage(stderr);
	return 2;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (cmd == NULL) {
		main_usage(stderr);
		return 2;
	}
	if (strcmp(cmd, "run") == 0) {
		return run_main(argc, argv);
	}
	if (strcmp(cmd, "list") == 0) {
		return results_cmd_list(argc, argv);
	}
	if (strcmp(cmd, "show") == 0) {
		return results_cmd_show(argc, argv);
	}
	if (strcmp(cmd, "export") == 0) {
		return export_cmd_main(argc, argv);
	}
	if (strcmp(cmd, "check") == 0) {
		return check_cmd_main(argc - 1, argv + 1);
	}
	if (strcmp(cmd, "plot") == 0) {
		return plot_cmd_main(argc, argv);
	}
	if (strcmp(cmd, "bench") == 0) {
		return bench_cmd_main(argc, argv);
	}
	if (strcmp(cmd, "compare") == 0) {
		return compare_cmd_main(argc, argv);
	}
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 ||
	    strcmp(cmd, "-h") == 0) {
		return main_help(argc > 2 ? argv[2] : NULL);
	}
	fprintf(stderr, "faultline: %s: unknown command\n", cmd);
	main_usage(stderr);
	return 2;
}
