/*
 * Shared by the scenario parser's files: one line's words, the parser's
 * state, and the value readers (numbers, sizes, durations, addresses).
 */
#ifndef FAULTLINE_HARNESS_SCENARIO_INTERNAL_H
#define FAULTLINE_HARNESS_SCENARIO_INTERNAL_H

#include "scenario.h"

/** Most words on one line. */
#define SCN_MAX_WORDS 24
/** Longest line once its parameters are substituted. */
#define SCN_LINE_MAX 4096
/** Loops nest at most this deep (the executor's limit). */
#define SCN_MAX_DEPTH 8

/** One word of a line: not NUL-terminated; a quoted string without quotes. */
struct scn_word {
	const char *text;
	size_t len;
	unsigned col;
	bool quoted;
};

/** An open `loop` (or the `vcpu` block itself at depth 0). */
struct scn_block {
	struct scn_pos pos;
	/** Iterations (1 for the vcpu block). */
	uint64_t count;
	/** Op index of the LOOP (unused for the vcpu block). */
	unsigned op;
};

/** The parser's state. */
struct scn_parser {
	struct scenario *s;
	struct scn_diag *d;
	unsigned line;
	struct scn_word w[SCN_MAX_WORDS];
	unsigned nw;
	/** Parameter values from the command line, and which were used. */
	const struct scn_set *sets;
	unsigned nsets;
	bool set_used[SCN_MAX_PARAMS];
	/** The current line with its parameters substituted. */
	char xline[SCN_LINE_MAX];
	/** For each byte of @xline, its column in the original line. */
	unsigned xcol[SCN_LINE_MAX];
	/** A `vcpu` block is open: its program is being read. */
	bool in_vcpu;
	/** How many vCPUs the open block declares, and their first pCPU. */
	unsigned block_vcpus;
	unsigned block_pcpu;
	/** Op index where the open vcpu block's program starts. */
	unsigned block_first_op;
	/**
	 * Per op of the open block: how far its address moves from one vCPU
	 * of the block to the next (`vcpu_step=`).
	 */
	uint64_t *vstep;
	/** Barriers in the open block (each gets its number). */
	uint64_t barriers;
	/** Timed accesses the open block records. */
	uint64_t timed;
	/** Open blocks: [0] is the vcpu block, then loops. */
	struct scn_block blocks[SCN_MAX_DEPTH + 1];
	unsigned depth;
};

/**
 * Reports an error at word @wi of the current line (column 1 when @wi is
 * past the last word) and returns -ERR_INVAL.
 */
int scn_error(struct scn_parser *p, unsigned wi, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

/** Reports an error at @pos and returns -ERR_INVAL. */
int scn_error_at(struct scn_parser *p, struct scn_pos pos, const char *fmt, ...)
	PRINTF_LIKE(3, 4);

/** Sets the hint of the error being reported. */
void scn_hint(struct scn_parser *p, const char *fmt, ...) PRINTF_LIKE(2, 3);

/** True when word @wi is exactly @text. */
bool scn_is(const struct scn_parser *p, unsigned wi, const char *text);

/**
 * When word @wi is `key=value` with key @key, points *@val at the value
 * (not NUL-terminated, *@len bytes) and returns true.
 */
bool scn_key(const struct scn_parser *p, unsigned wi, const char *key,
	     const char **val, size_t *len);

/**
 * Reads an unsigned number (decimal or 0x hex) of word @wi's value, or a
 * product of them (`1024*4`: what `$PARAM` makes of `1024*$vcpus`).
 */
int scn_number(struct scn_parser *p, unsigned wi, const char *val, size_t len,
	       uint64_t max, uint64_t *out);

/**
 * Reads a size: a number with an optional K, M or G suffix (binary),
 * times any plain numbers after it (`16M*4`).
 */
int scn_size(struct scn_parser *p, unsigned wi, const char *val, size_t len,
	     uint64_t *out);

/** Reads a duration: a number with a unit ns, us, ms or s, into ns. */
int scn_duration(struct scn_parser *p, unsigned wi, const char *val, size_t len,
		 uint64_t *out);

/**
 * Reads a name (letters, digits, '-', '_', '.', starting with a letter)
 * into @out of SCN_NAME_MAX bytes.
 */
int scn_name(struct scn_parser *p, unsigned wi, char *out);

/**
 * Parses the current line as a statement of a vCPU program (the caller
 * knows a vcpu block is open). Returns 0 or -ERR_INVAL / -ERR_NOMEM.
 */
int scn_program_line(struct scn_parser *p);

/** Closes the open vcpu block at `end`: copies it per declared vCPU. */
int scn_vcpu_close(struct scn_parser *p);

/** Parses the current line as `param NAME=VALUE`. */
int scn_stmt_param(struct scn_parser *p);

/** Parses the current line as an `expect` statement. */
int scn_stmt_expect(struct scn_parser *p);

/**
 * Copies @len bytes of @line into p->xline with every $NAME or ${NAME}
 * of a declared parameter replaced by its value (not inside comments),
 * recording each byte's original column in p->xcol. Returns the new
 * length, or a negative error (unknown parameter, line too long).
 */
int scn_expand(struct scn_parser *p, const char *line, size_t len);

/**
 * Marks the expectations whose `policy=` is not the policy of their VM
 * (or of every VM, for one about the whole run) as off_policy.
 */
void scn_expect_policies(struct scenario *s);

/**
 * The checks that need the whole file (scenario_check.c): what the
 * expectations ask of the programs and the run, and whether the VMs fit
 * the machine. Returns 0 or -ERR_INVAL with the error at its place.
 */
int scn_check_semantics(struct scn_parser *p);

/** Checks that every --set named a declared parameter. */
int scn_check_sets(struct scn_parser *p);

#endif /* FAULTLINE_HARNESS_SCENARIO_INTERNAL_H */
