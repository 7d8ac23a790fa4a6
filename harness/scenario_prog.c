/*
 * vCPU programs in a scenario: the statements inside a `vcpu` block, each
 * compiled into executor ops (guest_abi.h), and the block's vCPUs made at
 * its `end`.
 */
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>

#include "scenario_internal.h"

/* Appends @op, from @pos in the text, to the scenario's ops. */
static int scn_append(struct scenario *s, const struct guest_op *op,
		      struct scn_pos pos)
{
	if (s->nops == s->ops_cap) {
		unsigned cap = s->ops_cap != 0 ? s->ops_cap * 2 : 256;
		struct guest_op *ops = realloc(s->ops, cap * sizeof(*ops));
		struct scn_pos *where;

		if (ops == NULL) {
			return -ERR_NOMEM;
		}
		s->ops = ops;
		where = realloc(s->op_pos, cap * sizeof(*where));
		if (where == NULL) {
			return -ERR_NOMEM;
		}
		s->op_pos = where;
		s->ops_cap = cap;
	}
	s->ops[s->nops] = *op;
	s->op_pos[s->nops] = pos;
	s->nops++;
	return 0;
}

/* Appends @op, read at word 0 of the current line, to the open block. */
static int scn_emit(struct scn_parser *p, const struct guest_op *op,
		    uint64_t vstep)
{
	unsigned in_block = p->s->nops - p->block_first_op;

	if (in_block >= GUEST_OPS_MAX) {
		return scn_error(p, 0,
				 "the vcpu block has more than %llu "
				 "operations",
				 (unsigned long long)GUEST_OPS_MAX);
	}
	p->vstep[in_block] = vstep;
	return scn_append(p->s, op, (struct scn_pos){p->line, p->w[0].col});
}

/* The region of the block's VM named by @len bytes at @name, or NULL. */
static const struct scn_region *scn_find_region(const struct scn_parser *p,
						const char *name, size_t len)
{
	const struct scenario *s = p->s;

	for (unsigned i = 0; i < s->nregions; i++) {
		const struct scn_region *r = &s->regions[i];

		if (r->vm == s->nvms - 1 && strlen(r->name) == len &&
		    memcmp(r->name, name, len) == 0) {
			return &s->regions[i];
		}
	}
	return NULL;
}

/*
 * Word 1 as an address: a number, or REGION or REGION+OFFSET in the VM's
 * regions. *@r is the region (NULL for a number) and *@off the offset.
 */
static int scn_address(struct scn_parser *p, const struct scn_region **r,
		       uint64_t *off)
{
	const struct scn_word *w = &p->w[1];
	const char *plus;
	size_t nlen;

	*r = NULL;
	*off = 0;
	if (p->nw < 2) {
		scn_error(p, 1, "%.*s needs an address", (int)p->w[0].len,
			  p->w[0].text);
		scn_hint(p, "a region name, REGION+OFFSET or a number");
		return -ERR_INVAL;
	}
	if (w->len > 0 && w->text[0] >= '0' && w->text[0] <= '9') {
		return scn_size(p, 1, w->text, w->len, off);
	}
	plus = memchr(w->text, '+', w->len);
	nlen = plus != NULL ? (size_t)(plus - w->text) : w->len;
	*r = scn_find_region(p, w->text, nlen);
	if (*r == NULL) {
		scn_error(p, 1, "VM '%s' has no region '%.*s'",
			  p->s->vms[p->s->nvms - 1].name, (int)nlen, w->text);
		scn_hint(p, "declare it with `region NAME ipa= size=` before "
			    "the vcpu block");
		return -ERR_INVAL;
	}
	if (plus != NULL) {
		return scn_size(p, 1, plus + 1,
				w->len - (size_t)(plus + 1 - w->text), off);
	}
	return 0;
}

/* a * b + c, or false on overflow. */
static bool scn_muladd(uint64_t a, uint64_t b, uint64_t c, uint64_t *out)
{
	uint64_t m;

	return !__builtin_mul_overflow(a, b, &m) &&
	       !__builtin_add_overflow(m, c, out);
}

/* Iterations of the innermost loop, and of all loops multiplied. */
static void scn_loop_counts(const struct scn_parser *p, uint64_t *inner,
			    uint64_t *all)
{
	*inner = p->blocks[p->depth].count;
	*all = 1;
	for (unsigned i = 1; i <= p->depth; i++) {
		if (__builtin_mul_overflow(*all, p->blocks[i].count, all)) {
			*all = UINT64_MAX;
		}
	}
}

/* Checks that every access of @op (with @vstep) stays inside @r. */
static int scn_access_in_region(struct scn_parser *p,
				const struct scn_region *r, uint64_t off,
				const struct guest_op *op, uint64_t vstep)
{
	uint64_t inner, all, last;
	bool ok;

	scn_loop_counts(p, &inner, &all);
	ok = scn_muladd(inner - 1, op->arg, off, &last) &&
	     scn_muladd(op->count - 1, op->stride, last, &last) &&
	     scn_muladd(p->block_vcpus - 1, vstep, last, &last) &&
	     last < r->size && r->size - last >= 8;
	if (!ok) {
		scn_error(p, 1,
			  "the accesses run past the end of region '%s' "
			  "(%llu bytes)",
			  r->name, (unsigned long long)r->size);
		scn_hint(p, "offset + (loop count - 1) * step + (count - 1) * "
			    "stride + (vCPUs - 1) * vcpu_step must stay inside "
			    "it; to touch memory outside the VM on purpose, "
			    "give a number");
		return -ERR_INVAL;
	}
	return 0;
}

/* Records the timed accesses of @op; they must fit the results buffer. */
static int scn_count_timed(struct scn_parser *p, uint64_t per_op)
{
	uint64_t inner, all, n;

	scn_loop_counts(p, &inner, &all);
	if (__builtin_mul_overflow(all, per_op, &n) ||
	    __builtin_add_overflow(p->timed, n, &p->timed) ||
	    p->timed > GUEST_RESULTS_MAX) {
		scn_error(p, 0, "the vCPU would time more than %llu accesses",
			  (unsigned long long)GUEST_RESULTS_MAX);
		scn_hint(p, "drop `timed` from some operations, or loop less");
		return -ERR_INVAL;
	}
	return 0;
}

/* read|write|exec ADDRESS [count=N] [stride=S] [step=S] [vcpu_step=S] [timed] */
static int scn_op_access(struct scn_parser *p, uint16_t code)
{
	struct guest_op op = {.code = code, .count = 1, .stride = PAGE_SIZE};
	const struct scn_region *r;
	uint64_t off, vstep = 0;
	int ret = scn_address(p, &r, &off);

	for (unsigned i = 2; ret == 0 && i < p->nw; i++) {
		const char *v;
		size_t len;
		uint64_t x;

		if (scn_is(p, i, "timed")) {
			op.flags |= GUEST_OP_TIMED;
		} else if (scn_key(p, i, "count", &v, &len)) {
			ret = scn_number(p, i, v, len, UINT32_MAX, &x);
			if (ret == 0 && x == 0) {
				ret = scn_error(p, i,
						"count must be 1 or more");
			}
			op.count = (uint32_t)x;
		} else if (scn_key(p, i, "stride", &v, &len)) {
			ret = scn_size(p, i, v, len, &op.stride);
		} else if (scn_key(p, i, "step", &v, &len)) {
			ret = scn_size(p, i, v, len, &op.arg);
		} else if (scn_key(p, i, "vcpu_step", &v, &len)) {
			ret = scn_size(p, i, v, len, &vstep);
		} else {
			scn_error(p, i, "an access does not take '%.*s'",
				  (int)p->w[i].len, p->w[i].text);
			scn_hint(p, "it takes count=N, stride=SIZE, step=SIZE, "
				    "vcpu_step=SIZE and timed");
			return -ERR_INVAL;
		}
	}
	if (ret != 0) {
		return ret;
	}
	op.addr = (r != NULL ? r->ipa : 0) + off;
	if ((op.addr | op.stride | op.arg | vstep) % 8 != 0) {
		return scn_error(p, 1,
				 "addresses, strides and steps must be "
				 "multiples of 8 bytes");
	}
	if (r != NULL) {
		ret = scn_access_in_region(p, r, off, &op, vstep);
	}
	if (ret == 0 && (op.flags & GUEST_OP_TIMED)) {
		ret = scn_count_timed(p, op.count);
	}
	return ret != 0 ? ret : scn_emit(p, &op, vstep);
}

static int scn_op_loop(struct scn_parser *p)
{
	struct guest_op op = {.code = GUEST_OP_LOOP};
	uint64_t n;
	int ret;

	if (p->nw != 2) {
		scn_error(p, p->nw > 2 ? 2 : 1, "loop takes one count");
		scn_hint(p, "loop 100 ... end");
		return -ERR_INVAL;
	}
	ret = scn_number(p, 1, p->w[1].text, p->w[1].len, UINT32_MAX, &n);
	if (ret == 0 && n == 0) {
		ret = scn_error(p, 1, "a loop runs at least once");
	}
	if (ret == 0 && p->depth == SCN_MAX_DEPTH) {
		ret = scn_error(p, 0, "loops nest at most %d deep",
				SCN_MAX_DEPTH);
	}
	if (ret != 0) {
		return ret;
	}
	op.count = (uint32_t)n;
	p->depth++;
	p->blocks[p->depth] = (struct scn_block){
		.pos = {p->line, p->w[0].col}, .count = n, .op = p->s->nops};
	return scn_emit(p, &op, 0);
}

/* A statement with one word of arguments chosen from @choices. */
static int scn_choice(struct scn_parser *p, const char *const *choices,
		      size_t n, const char *usage)
{
	for (size_t i = 0; p->nw == 2 && i < n; i++) {
		if (scn_is(p, 1, choices[i])) {
			return (int)i;
		}
	}
	scn_error(p, 1, "%.*s: expected %s", (int)p->w[0].len, p->w[0].text,
		  usage);
	return -ERR_INVAL;
}

static int scn_op_hvc(struct scn_parser *p, uint64_t fn, uint64_t arg)
{
	struct guest_op op = {.code = GUEST_OP_HVC, .arg = fn, .addr = arg};

	return scn_emit(p, &op, 0);
}

/* Statements that are one op with no or a fixed set of arguments. */
static int scn_op_simple(struct scn_parser *p)
{
	static const char *const onoff[] = {"on", "off"};
	static const char *const dirty[] = {"start", "stop", "harvest"};
	static const char *const policies[] = {"legacy", "prejudge"};
	static const char *const traps[] = {"smc", "pmu"};
	static const uint64_t dirty_fn[] = {GUEST_HVC_DIRTY_START,
					    GUEST_HVC_DIRTY_STOP,
					    GUEST_HVC_DIRTY_HARVEST};
	struct guest_op op = {0};
	int c;

	if (scn_is(p, 0, "mmu")) {
		c = scn_choice(p, onoff, 2, "on or off");
		op.code = c == 0 ? GUEST_OP_MMU_ON : GUEST_OP_MMU_OFF;
		return c < 0 ? c : scn_emit(p, &op, 0);
	}
	if (scn_is(p, 0, "dirty")) {
		c = scn_choice(p, dirty, 3, "start, stop or harvest");
		return c < 0 ? c : scn_op_hvc(p, dirty_fn[c], 0);
	}
	if (scn_is(p, 0, "trap")) {
		c = scn_choice(p, traps, 2, "smc or pmu");
		op.code = GUEST_OP_TRAP;
		op.arg = c == 0 ? GUEST_TRAP_SMC : GUEST_TRAP_PMU;
		return c < 0 ? c : scn_emit(p, &op, 0);
	}
	if (scn_is(p, 0, "policy")) {
		c = scn_choice(p, policies, 2, "legacy or prejudge");
		return c < 0 ? c
			     : scn_op_hvc(p, GUEST_HVC_POLICY,
					  c == 0 ? PLAN_POLICY_LEGACY
						 : PLAN_POLICY_PREJUDGE);
	}
	if (p->nw != 1) {
		return scn_error(p, 1, "%.*s takes no arguments",
				 (int)p->w[0].len, p->w[0].text);
	}
	if (scn_is(p, 0, "barrier")) {
		op.code = GUEST_OP_BARRIER;
		op.arg = p->barriers++;
	} else {
		op.code = GUEST_OP_SET_WAY;
	}
	return scn_emit(p, &op, 0);
}

/* hvc null [timed] */
static int scn_op_null_hvc(struct scn_parser *p)
{
	struct guest_op op = {.code = GUEST_OP_HVC, .arg = GUEST_HVC_NULL};

	if (p->nw < 2 || !scn_is(p, 1, "null") || p->nw > 3 ||
	    (p->nw == 3 && !scn_is(p, 2, "timed"))) {
		scn_error(p, p->nw < 2 ? 1 : p->nw - 1,
			  "hvc: expected `hvc null` or `hvc null timed`");
		scn_hint(p, "policy, dirty and barrier are hypercalls with "
			    "their own statements");
		return -ERR_INVAL;
	}
	if (p->nw == 3) {
		int ret = scn_count_timed(p, 1);

		if (ret != 0) {
			return ret;
		}
		op.flags = GUEST_OP_TIMED;
	}
	return scn_emit(p, &op, 0);
}

static int scn_op_delay(struct scn_parser *p)
{
	struct guest_op op = {.code = GUEST_OP_DELAY};
	int ret;

	if (p->nw != 2) {
		scn_error(p, 1, "delay takes one duration");
		scn_hint(p, "delay 10us");
		return -ERR_INVAL;
	}
	ret = scn_duration(p, 1, p->w[1].text, p->w[1].len, &op.arg);
	return ret != 0 ? ret : scn_emit(p, &op, 0);
}

int scn_vcpu_close(struct scn_parser *p)
{
	struct scenario *s = p->s;
	struct scn_vm *vm = &s->vms[s->nvms - 1];
	unsigned n = s->nops - p->block_first_op;

	if (n == 0) {
		scn_error_at(p, p->blocks[0].pos, "the vcpu block is empty");
		scn_hint(p, "give it at least one operation (read, write, "
			    "...)");
		return -ERR_INVAL;
	}
	for (unsigned k = 0; k < p->block_vcpus; k++) {
		struct scn_vcpu *v = &s->vcpus[s->nvcpus];
		unsigned first = k == 0 ? p->block_first_op : s->nops;

		/* vCPU k runs a copy, its addresses moved by k vcpu_steps. */
		for (unsigned i = 0; k > 0 && i < n; i++) {
			unsigned from = p->block_first_op + i;
			struct guest_op op = s->ops[from];

			op.addr += k * p->vstep[i];
			if (scn_append(s, &op, s->op_pos[from]) != 0) {
				return -ERR_NOMEM;
			}
		}
		*v = (struct scn_vcpu){
			.vm = s->nvms - 1,
			.index = vm->nvcpus++,
			.pcpu = p->block_pcpu + k,
			.first_op = first,
			.nops = n,
			.timed = p->timed,
			.pos = p->blocks[0].pos,
		};
		s->nvcpus++;
	}
	p->in_vcpu = false;
	return 0;
}

int scn_program_line(struct scn_parser *p)
{
	if (scn_is(p, 0, "end")) {
		if (p->nw != 1) {
			return scn_error(p, 1, "end takes no arguments");
		}
		if (p->depth == 0) {
			return scn_vcpu_close(p);
		}
		p->depth--;
		return scn_emit(
			p, &(struct guest_op){.code = GUEST_OP_LOOP_END}, 0);
	}
	if (scn_is(p, 0, "read")) {
		return scn_op_access(p, GUEST_OP_READ);
	}
	if (scn_is(p, 0, "write")) {
		return scn_op_access(p, GUEST_OP_WRITE);
	}
	if (scn_is(p, 0, "exec")) {
		return scn_op_access(p, GUEST_OP_EXEC);
	}
	if (scn_is(p, 0, "loop")) {
		return scn_op_loop(p);
	}
	if (scn_is(p, 0, "delay")) {
		return scn_op_delay(p);
	}
	if (scn_is(p, 0, "hvc")) {
		return scn_op_null_hvc(p);
	}
	if (scn_is(p, 0, "barrier") || scn_is(p, 0, "setway") ||
	    scn_is(p, 0, "mmu") || scn_is(p, 0, "dirty") ||
	    scn_is(p, 0, "policy") || scn_is(p, 0, "trap")) {
		return scn_op_simple(p);
	}
	scn_error(p, 0, "unknown operation '%.*s'", (int)p->w[0].len,
		  p->w[0].text);
	scn_hint(p, "a vcpu block holds read, write, exec, loop, end, delay, "
		    "barrier, mmu, setway, hvc, policy, dirty and trap; close "
		    "it with `end`");
	return -ERR_INVAL;
}
