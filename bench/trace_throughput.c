/*
 * trace-throughput: how fast the host side of the trace pipeline is. Times
 * the decoder (trace_data_parse() on the file already in memory) and the
 * CSV and Casemate exporters (writing to /dev/null through stdio, as
 * `faultline export` writes a file) on one trace, REPEAT times each, and
 * prints the median and the minimum of the CPU time, with events per
 * second. docs/performance.md has the figures and the command.
 *
 * usage: trace-throughput TRACE [REPEAT]   (REPEAT: default 9)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <faultline/trace/decode.h>
#include <faultline/trace/export.h>
#include <faultline/trace/export_casemate.h>

#define TT_MAX_REPEAT 101

/* CPU time of this process in seconds (see qemu-facts: wall time is noisy). */
static double tt_cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int tt_cmp(const void *a, const void *b)
{
	double x = *(const double *)a;
	double y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void tt_report(const char *what, double *t, unsigned n, size_t events,
		      size_t bytes)
{
	double med;

	qsort(t, n, sizeof(*t), tt_cmp);
	med = n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
	printf("%-16s %9.2f ms  [min %9.2f ms]  %6.2f M events/s", what,
	       med * 1e3, t[0] * 1e3, (double)events / med / 1e6);
	if (bytes > 0) {
		printf("  %7.1f MB/s", (double)bytes / med / 1e6);
	}
	putchar('\n');
}

static unsigned char *tt_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	long n;

	if (f == NULL) {
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n);
		if (buf != NULL && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return buf;
}

/* Times @fn exporting @td to /dev/null @n times into @t; 0 or -1. */
static int tt_export(int (*fn)(const struct trace_data *, FILE *),
		     const struct trace_data *td, double *t, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		FILE *out = fopen("/dev/null", "w");
		double t0;
		int ret;

		if (out == NULL) {
			return -1;
		}
		t0 = tt_cpu_now();
		ret = fn(td, out);
		t[i] = tt_cpu_now() - t0;
		if (fclose(out) != 0 || ret != 0) {
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	double t[TT_MAX_REPEAT];
	struct trace_data td;
	unsigned repeat = 9;
	unsigned char *buf;
	size_t len = 0;

	if (argc < 2 || argc > 3 ||
	    (argc == 3 && (sscanf(argv[2], "%u", &repeat) != 1 || repeat == 0 ||
			   repeat > TT_MAX_REPEAT))) {
		fprintf(stderr, "usage: trace-throughput TRACE [REPEAT 1-%d]\n",
			TT_MAX_REPEAT);
		return 2;
	}
	buf = tt_read(argv[1], &len);
	if (buf == NULL) {
		fprintf(stderr, "trace-throughput: cannot read %s: %s\n",
			argv[1], strerror(errno));
		return 1;
	}
	for (unsigned i = 0; i < repeat; i++) {
		double t0 = tt_cpu_now();
		int ret = trace_data_parse(buf, len, &td);

		t[i] = tt_cpu_now() - t0;
		if (ret != 0) {
			fprintf(stderr,
				"trace-throughput: %s: offset %llu: %s\n",
				argv[1], (unsigned long long)td.error_offset,
				td.error_msg);
			trace_data_free(&td);
			free(buf);
			return 1;
		}
		if (i + 1 < repeat) {
			trace_data_free(&td);
		}
	}
	printf("trace-throughput: %s: %zu events, %zu bytes; CPU time, median "
	       "of %u\n",
	       argv[1], td.nrecords, len, repeat);
	tt_report("decode", t, repeat, td.nrecords, len);
	if (tt_export(trace_export_csv, &td, t, repeat) != 0) {
		fprintf(stderr, "trace-throughput: CSV export failed\n");
		return 1;
	}
	tt_report("export csv", t, repeat, td.nrecords, 0);
	if (tt_export(trace_export_casemate, &td, t, repeat) != 0) {
		fprintf(stderr, "trace-throughput: Casemate export failed\n");
		return 1;
	}
	tt_report("export casemate", t, repeat, td.nrecords, 0);
	trace_data_free(&td);
	free(buf);
	return 0;
}
