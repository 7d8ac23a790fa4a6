/*
 * Generates the body of the LTTng-UST tracepoint provider from the event
 * table, so that trace/events.def stays the only place an event is
 * declared: make runs this program (build/ctf/gen-provider) and
 * trace/ctf/faultline_tp.h includes what it writes
 * (build/ctf/faultline_tp_events.h).
 *
 * For each enumerated kind of the table, and for BOOL, one
 * LTTNG_UST_TRACEPOINT_ENUM; for each event, one
 * LTTNG_UST_TRACEPOINT_EVENT(faultline, NAME, ...) taking the record
 * (`rec`) and recording the record's pCPU and sequence number, then every
 * field of the event in table order: U64 as an integer, HEX as a hex
 * integer, BOOL and the enumerated kinds as enumerations (64-bit
 * containers: a value the enum does not name still reaches the trace).
 *
 * Why a program and not macros over events.def, as trace/event.c does: an
 * LTTng-UST enumeration lists all its values inside one macro invocation,
 * while events.def gives each value in a macro call of its own, and the
 * preprocessor cannot gather them. This program reads the tables
 * trace/event.c builds from events.def (trace_events[], trace_enums[]),
 * so it follows the table with no list of its own.
 */
#include <stdio.h>
#include <string.h>

#include <faultline/trace/ctf.h>
#include <faultline/trace/event.h>

/* Names of the two fields every event starts with. */
#define GEN_FIELD_PCPU "pcpu"
#define GEN_FIELD_SEQ "seq"

/* Writes @s as the inside of a C comment (no comment terminator). */
static void gen_comment_text(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		fputc(*s, out);
		if (s[0] == '*' && s[1] == '/') {
			fputc(' ', out);
		}
	}
}

/* Writes @s as a C string literal. */
static void gen_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\') {
			fputc('\\', out);
		}
		fputc(*s, out);
	}
	fputc('"', out);
}

static void gen_enum_value(FILE *out, const char *label, uint64_t value)
{
	fputs("\t\tlttng_ust_field_enum_value(", out);
	gen_string(out, label);
	fprintf(out, ", %lluULL)\n", (unsigned long long)value);
}

static void gen_enums(FILE *out)
{
	fputs("/* BOOL fields: 0 and 1 named; another value stays a number. "
	      "*/\n"
	      "LTTNG_UST_TRACEPOINT_ENUM(faultline, BOOL,\n"
	      "\tLTTNG_UST_TP_ENUM_VALUES(\n",
	      out);
	gen_enum_value(out, "false", 0);
	gen_enum_value(out, "true", 1);
	fputs("\t))\n\n", out);
	for (unsigned i = 0; i < trace_nenums; i++) {
		const struct trace_enum_desc *e = &trace_enums[i];

		fputs("/* ", out);
		gen_comment_text(out, e->doc);
		fprintf(out,
			" */\nLTTNG_UST_TRACEPOINT_ENUM(faultline, %s,\n"
			"\tLTTNG_UST_TP_ENUM_VALUES(\n",
			e->name);
		for (unsigned v = 0; v < e->nvalues; v++) {
			gen_enum_value(out, e->values[v].name,
				       e->values[v].value);
		}
		fputs("\t))\n\n", out);
	}
}

static void gen_field(FILE *out, const struct trace_field_desc *f, unsigned i)
{
	switch (f->kind) {
	case TRACE_KIND_U64:
		fprintf(out,
			"\t\tlttng_ust_field_integer(uint64_t, %s, "
			"rec->f[%u])\n",
			f->name, i);
		break;
	case TRACE_KIND_HEX:
		fprintf(out,
			"\t\tlttng_ust_field_integer_hex(uint64_t, %s, "
			"rec->f[%u])\n",
			f->name, i);
		break;
	default:
		/* BOOL and every enumerated kind: named as the enum is. */
		fprintf(out,
			"\t\tlttng_ust_field_enum(faultline, %s, uint64_t, %s, "
			"rec->f[%u])\n",
			trace_kind_name(f->kind), f->name, i);
		break;
	}
}

/* 0, or 1 when an event has a field the provider's own names would hide. */
static int gen_events(FILE *out)
{
	for (unsigned i = 0; i < trace_nevents; i++) {
		const struct trace_event_desc *ev = &trace_events[i];

		for (unsigned f = 0; f < ev->nfields; f++) {
			const char *name = ev->fields[f].name;

			if (strcmp(name, GEN_FIELD_PCPU) == 0 ||
			    strcmp(name, GEN_FIELD_SEQ) == 0) {
				fprintf(stderr,
					"gen-provider: event %s has a field "
					"named %s, which the CTF export uses "
					"for the record's own: rename it in "
					"trace/events.def\n",
					ev->name, name);
				return 1;
			}
		}
		fprintf(out, "/* id %u: ", ev->id);
		gen_comment_text(out, ev->doc);
		fprintf(out,
			" */\nLTTNG_UST_TRACEPOINT_EVENT(faultline, %s,\n"
			"\tLTTNG_UST_TP_ARGS(const struct trace_record *, "
			"rec),\n"
			"\tLTTNG_UST_TP_FIELDS(\n"
			"\t\tlttng_ust_field_integer(uint16_t, " GEN_FIELD_PCPU
			", rec->cpu)\n"
			"\t\tlttng_ust_field_integer(uint32_t, " GEN_FIELD_SEQ
			", rec->seq)\n",
			ev->name);
		for (unsigned f = 0; f < ev->nfields; f++) {
			gen_field(out, &ev->fields[f], f);
		}
		fputs("\t))\n\n", out);
	}
	return 0;
}

int main(int argc, char **argv)
{
	FILE *out;
	int status;

	if (argc != 2) {
		fprintf(stderr, "usage: gen-provider OUTPUT.h\n");
		return 2;
	}
	out = fopen(argv[1], "w");
	if (out == NULL) {
		perror(argv[1]);
		return 1;
	}
	fprintf(out,
		"/*\n * Generated from trace/events.def by "
		"trace/ctf/gen_provider.c: do not\n * edit. The body of the "
		"LTTng-UST provider \"%s\" (faultline_tp.h),\n * read once per "
		"pass of LTTng-UST's macros: no include guard.\n */\n\n",
		TRACE_CTF_PROVIDER);
	gen_enums(out);
	status = gen_events(out);
	if (fclose(out) != 0) {
		perror(argv[1]);
		status = 1;
	}
	return status;
}
