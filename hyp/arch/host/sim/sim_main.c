/*
 * build/faultline-sim: runs a run plan (plan.bin, as the harness writes it
 * for the hypervisor) on the sim backend (sim.h, docs/sim.md) and writes
 * what the hypervisor writes: the trace file, the console on stdout, and
 * its exit status. So the harness can run it where it runs QEMU.
 *
 *   faultline-sim [--plan PLAN] [--trace TRACE] [--smp N] [--append "k=v ..."]
 *
 * --append takes the hypervisor's boot arguments (bootargs.h): plan= and
 * trace= (the defaults of --plan and --trace), cpus=, bug=, and mode=plan.
 */
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/bootargs.h>
#include <faultline/console.h>
#include <faultline/exit_status.h>

#include "sim.h"

/* ELF note type of the GNU build id. */
#define SIM_NT_GNU_BUILD_ID 3

static const char sim_usage[] =
	"usage: faultline-sim [--plan PLAN] [--trace TRACE] [--smp N] "
	"[--append \"k=v ...\"]\n"
	"Runs a run plan (the plan.bin of a run directory) with the portable "
	"core on\n"
	"host threads and writes the trace and console the hypervisor would.\n"
	"  --plan PLAN        the plan (default plan.bin, or plan= of "
	"--append)\n"
	"  --trace TRACE      the trace file to write (default trace.bin, or "
	"trace=)\n"
	"  --smp N            CPUs of the machine, 1-16 (default: enough for "
	"the plan)\n"
	"  --append \"k=v ..\" boot arguments: mode=plan, plan=, trace=, "
	"cpus=N, bug=NAME,...\n"
	"Exit status: the hypervisor's: 0 ok, 2 bad plan or arguments, 4 no "
	"trace or\n"
	"memory, 6 a vCPU failed, 7 vCPUs still ran at the plan's "
	"deadline.\n";

/* What the command line asked for. */
struct sim_args {
	const char *plan;
	const char *trace;
	unsigned smp;
	const char *append;
	struct boot_options boot;
};

/* Where dl_iterate_phdr() leaves the executable's build id. */
struct sim_build_id {
	const uint8_t *id;
	size_t len;
};

/* Finds the GNU build-id note of the executable (the first object). */
static int sim_build_id_cb(struct dl_phdr_info *info, size_t size UNUSED,
			   void *arg)
{
	struct sim_build_id *b = arg;

	for (unsigned i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const uint8_t *p =
			(const uint8_t *)(info->dlpi_addr + ph->p_vaddr);
		const uint8_t *end = p + ph->p_memsz;

		if (ph->p_type != PT_NOTE) {
			continue;
		}
		while (p + sizeof(ElfW(Nhdr)) <= end) {
			const ElfW(Nhdr) *n =
				(const ElfW(Nhdr) *)(const void *)p;
			const uint8_t *desc =
				p + sizeof(*n) + ALIGN_UP(n->n_namesz, 4u);

			if (n->n_type == SIM_NT_GNU_BUILD_ID &&
			    n->n_namesz == 4 &&
			    memcmp(p + sizeof(*n), "GNU", 4) == 0 &&
			    desc + n->n_descsz <= end) {
				b->id = desc;
				b->len = n->n_descsz;
				return 1;
			}
			p = desc + ALIGN_UP(n->n_descsz, 4u);
		}
	}
	/* Only the executable itself: stop after the first object. */
	return 1;
}

/* A word of --append the sim has no use for, or NULL. */
static const char *sim_unsupported_word(const char *append)
{
	static const char *const keys[] = {
		"test=", "hotplug_cpu=", "hotplug_cycles=", "crash=",
		"crash_cpu="};
	const char *w = append;

	while (*w != '\0') {
		w += strspn(w, " \t");
		for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
			if (strncmp(w, keys[k], strlen(keys[k])) == 0) {
				return keys[k];
			}
		}
		w += strcspn(w, " \t");
	}
	return NULL;
}

/*
 * --append, as the hypervisor reads its boot arguments; a problem is the
 * hypervisor's "bad arguments". Returns 0 or an exit status.
 */
static int sim_parse_append(struct sim_args *a)
{
	const char *args = a->append != NULL ? a->append : "mode=plan";
	const char *word = sim_unsupported_word(args);
	char err[160];

	if (word == NULL &&
	    bootargs_parse(args, &a->boot, err, sizeof(err)) == 0 &&
	    (a->boot.mode == BOOT_MODE_PLAN || strstr(args, "mode=") == NULL)) {
		return 0;
	}
	if (word != NULL) {
		snprintf(err, sizeof(err), "%s: the sim runs plans only", word);
	} else if (err[0] == '\0') {
		snprintf(err, sizeof(err), "the sim runs mode=plan only");
	}
	console_printf("faultline: boot failed: boot arguments: %s\n", err);
	console_printf("faultline: run ended: bad arguments (exit status %d)\n",
		       HYP_EXIT_BAD_ARGS);
	return HYP_EXIT_BAD_ARGS;
}

/* True when @opt is one of the options that take a value. */
static bool sim_known_option(const char *opt)
{
	static const char *const opts[] = {"--plan", "--trace", "--smp",
					   "--append"};

	for (size_t i = 0; i < ARRAY_SIZE(opts); i++) {
		if (strcmp(opt, opts[i]) == 0) {
			return true;
		}
	}
	return false;
}

/* The command line into @a; returns 0, or 2 after saying what is wrong. */
static int sim_parse_args(int argc, char **argv, struct sim_args *a)
{
	for (int i = 1; i < argc; i += 2) {
		const char *opt = argv[i];
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(opt, "--help") == 0 || strcmp(opt, "-h") == 0) {
			fputs(sim_usage, stdout);
			exit(0);
		}
		if (!sim_known_option(opt) || val == NULL) {
			fprintf(stderr, "faultline-sim: %s: %s\n", opt,
				val == NULL && sim_known_option(opt)
					? "needs a value"
					: "unknown option");
			return HYP_EXIT_BAD_ARGS;
		}
		if (strcmp(opt, "--plan") == 0) {
			a->plan = val;
		} else if (strcmp(opt, "--trace") == 0) {
			a->trace = val;
		} else if (strcmp(opt, "--append") == 0) {
			a->append = val;
		} else {
			char *end;
			unsigned long n = strtoul(val, &end, 10);

			if (*end != '\0' || n < 1 || n > PLATFORM_MAX_CPUS) {
				fprintf(stderr,
					"faultline-sim: --smp %s: 1 to %u\n",
					val, (unsigned)PLATFORM_MAX_CPUS);
				return HYP_EXIT_BAD_ARGS;
			}
			a->smp = (unsigned)n;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sim_args a = {NULL, NULL, 0, NULL, {0}};
	struct sim_build_id id = {NULL, 0};
	struct sim_options opt;
	static struct sim s;
	char err[256];
	void *blob = NULL;
	size_t size = 0;
	int status;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (sim_parse_args(argc, argv, &a) != 0) {
		fputs(sim_usage, stderr);
		return HYP_EXIT_BAD_ARGS;
	}
	status = sim_parse_append(&a);
	if (status != 0) {
		return status;
	}
	dl_iterate_phdr(sim_build_id_cb, &id);
	opt = (struct sim_options){
		.ncpus = a.smp,
		.trace_path = a.trace != NULL ? a.trace : a.boot.trace_path,
		.plan_path = a.plan != NULL ? a.plan : a.boot.plan_path,
		.ring_records = SIM_RING_RECORDS,
		.bugs = a.boot.bugs,
		.tracing_off = a.boot.tracing_off,
		.tracing_fault = a.boot.tracing_fault,
		.verbose = true,
		.build_id = id.id,
		.build_id_len = id.len,
	};
	if (a.boot.max_cpus != 0 &&
	    (opt.ncpus == 0 || a.boot.max_cpus < opt.ncpus)) {
		/* cpus=N brings up only N of the machine's CPUs. */
		opt.ncpus = MIN(a.boot.max_cpus, PLATFORM_MAX_CPUS);
	}
	if (sim_load_plan(opt.plan_path, &blob, &size, err, sizeof(err)) != 0) {
		/* As the hypervisor: the trace is written all the same. */
		static const uint64_t empty;
		char why[256];

		opt.verbose = false;
		sim_setup(&s, &empty, 0, &opt, why, sizeof(why));
		s.opt.verbose = true;
		console_printf("faultline: plan: %s\n", err);
		status = HYP_EXIT_BAD_ARGS;
	} else {
		status = sim_setup(&s, blob, size, &opt, err, sizeof(err));
		if (status == HYP_EXIT_OK) {
			status = sim_run(&s);
		}
	}
	status = sim_finish(&s, status);
	sim_teardown(&s);
	free(blob);
	return status;
}
