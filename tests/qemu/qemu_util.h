/*
 * Helpers for the QEMU integration tests: run build/faultline, read what
 * it left in the run directory, and look at the decoded trace per CPU.
 */
#ifndef FAULTLINE_TESTS_QEMU_UTIL_H
#define FAULTLINE_TESTS_QEMU_UTIL_H

#include <faultline/trace/check.h>
#include <faultline/trace/decode.h>
#include <faultline/types.h>

/** One run of `faultline run` and what it left. */
struct qemu_run {
	/** The run directory (a fresh temporary directory). */
	char dir[256];
	/** faultline's exit status, or -1 when it did not exit normally. */
	int status;
	/** DIR/console.log, NUL-terminated (empty when missing). */
	char *console;
	/** DIR/summary.json (empty when missing). */
	char *summary;
	/** DIR/events.csv (empty when missing). */
	char *csv;
	/** faultline's own stdout and stderr (the latter echoed to stderr). */
	char *out;
	char *err;
	/** The decoded DIR/trace.bin. */
	struct trace_data trace;
	/** trace_data_load_file()'s result. */
	int trace_status;
};

/**
 * Runs `build/faultline run --quiet --no-plots --out DIR @args` (the
 * build directory comes from $FAULTLINE_BUILD, default "build") and loads
 * its results. Returns false when the run directory could not even be
 * created.
 */
bool qemu_run(struct qemu_run *run, const char *args);

/** qemu_run() with the plots drawn (no --no-plots). */
bool qemu_run_plots(struct qemu_run *run, const char *args);

/**
 * Runs `build/faultline @args` with its stdout into *@out and its stderr
 * into *@err (malloc'd, NUL-terminated; either pointer may be NULL to
 * drop it). Returns faultline's exit status, or -1.
 */
int qemu_faultline(const char *args, char **out, char **err);

/** The path of build/faultline (from $FAULTLINE_BUILD) into @out. */
void qemu_faultline_path(char *out, size_t size);

/**
 * Writes @text to a new temporary file whose name ends in @suffix; its
 * path into @path (of @size bytes). Returns false when it failed.
 */
bool qemu_temp_file(const char *text, const char *suffix, char *path,
		    size_t size);

/** Removes a file qemu_temp_file() made, and its directory. */
void qemu_temp_free(const char *path);

/** Reads the whole file at @path (malloc'd; empty when missing). */
char *qemu_slurp_file(const char *path);

/**
 * Runs the rule checker on @run's trace into @res (the caller frees it
 * with check_result_free()) and returns the violations found; prints the
 * report on stderr when there are any, so a failing test shows them.
 */
uint64_t qemu_rule_check(const struct qemu_run *run, struct check_result *res);

/**
 * True when the run's trace breaks none of the checker's rules and
 * `faultline run` wrote the same verdict into RUN_DIR/check.txt.
 */
bool qemu_rules_hold(const struct qemu_run *run);

/** Frees what qemu_run() loaded and removes the run directory. */
void qemu_run_free(struct qemu_run *run);

/**
 * Collects the records of @cpu whose event is named @name, in time order,
 * into @out (up to @max). Returns how many there are in all.
 */
size_t qemu_cpu_events(const struct trace_data *td, unsigned cpu,
		       const char *name, const struct trace_record **out,
		       size_t max);

/** The first record named @name on any CPU, or NULL. */
const struct trace_record *qemu_first_event(const struct trace_data *td,
					    const char *name);

/** The value of field @field of @r; fails the test (returns 0) if absent. */
uint64_t qemu_field(const struct trace_data *td, const struct trace_record *r,
		    const char *field);

/** The name of @r's event. */
const char *qemu_event_name(const struct trace_data *td,
			    const struct trace_record *r);

/** Records named @name whose @field equals @value (@field NULL: all). */
size_t qemu_count_events(const struct trace_data *td, const char *name,
			 const char *field, uint64_t value);

/** True when the run's @n vCPUs all stopped, every one having finished. */
bool qemu_all_done(const struct qemu_run *run, unsigned n);

/**
 * Counts complete dual-step boots of @cpu: the sequence boot_tables_on,
 * trampoline_entered, runtime_tables_on, tlbi (alle2, nsh), cpu_up with
 * nothing else of that CPU's init in between. Returns the number found.
 */
unsigned qemu_count_boots(const struct trace_data *td, unsigned cpu);

#endif /* FAULTLINE_TESTS_QEMU_UTIL_H */
