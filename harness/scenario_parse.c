/*
 * The scenario parser (scenario.h): lines into words, and the statements
 * outside vCPU programs (scenario, description, run, vm, region, vcpu).
 * Programs are read by scenario_prog.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>

#include "scenario_internal.h"

/* Splits @line (of @len bytes) into words; quoted strings are one word. */
static int scn_split(struct scn_parser *p, const char *line, size_t len)
{
	size_t i = 0;

	p->nw = 0;
	while (i < len) {
		struct scn_word *w;

		while (i < len && (line[i] == ' ' || line[i] == '\t')) {
			i++;
		}
		if (i == len || line[i] == '#') {
			break;
		}
		if (p->nw == SCN_MAX_WORDS) {
			p->nw = SCN_MAX_WORDS;
			return scn_error(p, SCN_MAX_WORDS - 1,
					 "more than %d words on one line",
					 SCN_MAX_WORDS);
		}
		w = &p->w[p->nw++];
		w->col = p->xcol[i] + 1;
		w->quoted = line[i] == '"';
		if (w->quoted) {
			const char *end =
				memchr(line + i + 1, '"', len - i - 1);

			if (end == NULL) {
				return scn_error(p, p->nw - 1,
						 "the string is not closed");
			}
			w->text = line + i + 1;
			w->len = (size_t)(end - w->text);
			i = (size_t)(end - line) + 1;
			continue;
		}
		w->text = line + i;
		while (i < len && line[i] != ' ' && line[i] != '\t' &&
		       line[i] != '#') {
			if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f) {
				p->w[p->nw - 1].col = p->xcol[i] + 1;
				return scn_error(p, p->nw - 1,
						 "control character 0x%02x",
						 (unsigned char)line[i]);
			}
			i++;
		}
		w->len = (size_t)(line + i - w->text);
	}
	return 0;
}

/* Reports word @wi as not understood in the statement it is part of. */
static int scn_unknown(struct scn_parser *p, unsigned wi, const char *what,
		       const char *known)
{
	scn_error(p, wi, "%s does not take '%.*s'", what, (int)p->w[wi].len,
		  p->w[wi].text);
	scn_hint(p, "it takes %s", known);
	return -ERR_INVAL;
}

static int scn_stmt_scenario(struct scn_parser *p)
{
	if (p->s->name[0] != '\0') {
		return scn_error(p, 0, "the scenario is already named '%s'",
				 p->s->name);
	}
	if (p->nw != 2) {
		scn_error(p, p->nw > 2 ? 2 : 1, "scenario takes one name");
		scn_hint(p, "scenario same-gpa-race");
		return -ERR_INVAL;
	}
	return scn_name(p, 1, p->s->name);
}

static int scn_stmt_description(struct scn_parser *p)
{
	struct scenario *s = p->s;
	size_t used = 0;

	if (p->nw < 2) {
		return scn_error(p, 1, "description needs some text");
	}
	for (unsigned i = 1; i < p->nw; i++) {
		size_t n = p->w[i].len;

		if (used + n + 2 > sizeof(s->description)) {
			return scn_error(p, i,
					 "the description is longer than %d "
					 "characters",
					 SCN_DESC_MAX - 1);
		}
		if (used > 0) {
			s->description[used++] = ' ';
		}
		memcpy(s->description + used, p->w[i].text, n);
		used += n;
	}
	s->description[used] = '\0';
	return 0;
}

static int scn_stmt_run(struct scn_parser *p)
{
	struct scenario *s = p->s;
	const char *v;
	size_t len;
	int ret = 0;

	for (unsigned i = 1; ret == 0 && i < p->nw; i++) {
		uint64_t x;

		if (scn_key(p, i, "smp", &v, &len)) {
			ret = scn_number(p, i, v, len, PLAN_MAX_VCPUS, &x);
			if (ret == 0 && x == 0) {
				ret = scn_error(p, i, "smp needs 1 to %d CPUs",
						PLAN_MAX_VCPUS);
			}
			s->smp = (unsigned)x;
		} else if (scn_key(p, i, "timeout", &v, &len)) {
			ret = scn_duration(p, i, v, len, &x);
			if (ret == 0 && (x < 1000000 || x > 86400000000000)) {
				ret = scn_error(p, i,
						"the timeout must be from 1ms "
						"to 1 day");
			}
			s->timeout_ms = x / 1000000;
		} else if (scn_key(p, i, "reps", &v, &len) ||
			   scn_key(p, i, "warmup", &v, &len)) {
			bool reps = p->w[i].text[0] == 'r';

			ret = scn_number(p, i, v, len, PLAN_MAX_REPS, &x);
			if (ret == 0 && reps && x == 0) {
				ret = scn_error(p, i, "reps must be 1 or more");
			}
			*(reps ? &s->reps : &s->warmup) = (uint32_t)x;
		} else if (scn_key(p, i, "livelock", &v, &len)) {
			if (len == 3 && memcmp(v, "off", 3) == 0) {
				s->livelock_faults = 0;
				continue;
			}
			ret = scn_number(p, i, v, len, PLAN_MAX_LIVELOCK_FAULTS,
					 &x);
			if (ret == 0 && x < 2) {
				ret = scn_error(p, i,
						"livelock takes a number of "
						"faults (2 or more) or off");
			}
			s->livelock_faults = (uint32_t)x;
		} else if (scn_key(p, i, "prealloc", &v, &len)) {
			bool on = len == 2 && memcmp(v, "on", 2) == 0;

			if (!on && !(len == 3 && memcmp(v, "off", 3) == 0)) {
				ret = scn_error(p, i,
						"prealloc takes on or off");
			}
			s->prealloc = on;
		} else if (scn_key(p, i, "bbm_delay", &v, &len)) {
			ret = scn_duration(p, i, v, len, &x);
			if (ret == 0 && x > 1000000000) {
				ret = scn_error(p, i,
						"bbm_delay is at most 1s (it "
						"spins with a lock held)");
			}
			s->bbm_delay_ns = x;
		} else {
			return scn_unknown(p, i, "run",
					   "smp=N, timeout=DURATION, "
					   "bbm_delay=DURATION, reps=N, "
					   "warmup=N, livelock=FAULTS|off and "
					   "prealloc=on|off");
		}
	}
	return ret;
}

uint32_t scenario_policy_id(const char *name)
{
	if (strcmp(name, "legacy") == 0) {
		return PLAN_POLICY_LEGACY;
	}
	if (strcmp(name, "prejudge") == 0) {
		return PLAN_POLICY_PREJUDGE;
	}
	return 0;
}

const char *scenario_policy_name(uint32_t policy)
{
	switch (policy) {
	case PLAN_POLICY_LEGACY:
		return "legacy";
	case PLAN_POLICY_PREJUDGE:
		return "prejudge";
	default:
		return "?";
	}
}

/* Word @wi's value as a policy. */
static int scn_policy(struct scn_parser *p, unsigned wi, const char *v,
		      size_t len, uint32_t *out)
{
	char name[16];

	if (len < sizeof(name)) {
		memcpy(name, v, len);
		name[len] = '\0';
		*out = scenario_policy_id(name);
		if (*out != 0) {
			return 0;
		}
	}
	scn_error(p, wi, "unknown policy '%.*s'", (int)len, v);
	scn_hint(p, "the policies are legacy and prejudge");
	return -ERR_INVAL;
}

static int scn_vm_option(struct scn_parser *p, struct scn_vm *vm, unsigned i)
{
	const char *v;
	size_t len;
	uint64_t x = 0;
	int ret;

	if (scn_is(p, i, "dirty_log")) {
		vm->flags |= PLAN_VM_DIRTY_LOG;
		return 0;
	}
	if (scn_is(p, i, "host_s2")) {
		vm->flags |= PLAN_VM_HOST_S2;
		return 0;
	}
	if (scn_key(p, i, "policy", &v, &len)) {
		return scn_policy(p, i, v, len, &vm->policy);
	}
	if (scn_key(p, i, "ipa_bits", &v, &len)) {
		ret = scn_number(p, i, v, len, 48, &x);
		if (ret == 0 && x < 32) {
			ret = scn_error(p, i, "ipa_bits must be 32 to 48");
		}
		vm->ia_bits = (uint32_t)x;
		return ret;
	}
	if (scn_key(p, i, "pool", &v, &len)) {
		ret = scn_number(p, i, v, len, 65536, &x);
		if (ret == 0 && x < 4) {
			ret = scn_error(p, i, "pool needs 4 to 65536 pages");
		}
		vm->pool_pages = (uint32_t)x;
		return ret;
	}
	if (scn_key(p, i, "dev_pool", &v, &len)) {
		ret = scn_number(p, i, v, len, 65536, &x);
		vm->dev_pool_pages = (uint32_t)x;
		return ret;
	}
	return scn_unknown(p, i, "vm",
			   "policy=legacy|prejudge, ipa_bits=N, pool=PAGES, "
			   "dev_pool=PAGES, dirty_log and host_s2");
}

static int scn_stmt_vm(struct scn_parser *p)
{
	struct scenario *s = p->s;
	struct scn_vm *vm;
	bool dev_pool_given = false;
	int ret;

	if (s->nvms == PLAN_MAX_VMS) {
		return scn_error(p, 0, "more than %d VMs", PLAN_MAX_VMS);
	}
	vm = &s->vms[s->nvms];
	*vm = (struct scn_vm){
		.policy = PLAN_POLICY_PREJUDGE,
		.ia_bits = 40,
		.pool_pages = 1024,
		.pos = {p->line, p->w[0].col},
	};
	ret = scn_name(p, 1, vm->name);
	for (unsigned i = 0; ret == 0 && i < s->nvms; i++) {
		if (strcmp(s->vms[i].name, vm->name) == 0) {
			ret = scn_error(p, 1, "VM '%s' is already declared",
					vm->name);
		}
	}
	for (unsigned i = 2; ret == 0 && i < p->nw; i++) {
		const char *v;
		size_t len;

		dev_pool_given |= scn_key(p, i, "dev_pool", &v, &len);
		ret = scn_vm_option(p, vm, i);
	}
	if (ret != 0) {
		return ret;
	}
	if (!(vm->flags & PLAN_VM_HOST_S2) && vm->dev_pool_pages != 0) {
		ret = scn_error(p, 0, "dev_pool is for host_s2 VMs only");
		scn_hint(p, "add host_s2, or drop dev_pool");
		return ret;
	}
	if ((vm->flags & PLAN_VM_HOST_S2) && !dev_pool_given) {
		vm->dev_pool_pages = 16;
	}
	if ((vm->flags & PLAN_VM_HOST_S2) && vm->dev_pool_pages == 0) {
		return scn_error(p, 0,
				 "a host_s2 VM needs dev_pool of 1 page "
				 "or more");
	}
	s->nvms++;
	return 0;
}

/* Checks region @r against the VM's IPA space and its other regions. */
static int scn_region_fits(struct scn_parser *p, const struct scn_region *r)
{
	const struct scenario *s = p->s;
	const struct scn_vm *vm = &s->vms[r->vm];
	uint64_t limit = UINT64_C(1) << vm->ia_bits;
	uint64_t rsv = GUEST_CODE_IPA, rsv_end = GUEST_RESERVED_END;
	bool host = (vm->flags & PLAN_VM_HOST_S2) != 0;

	if (r->ipa >= limit || r->size > limit - r->ipa) {
		scn_error(p, 0,
			  "region '%s' ends beyond the VM's %u-bit IPA "
			  "space",
			  r->name, vm->ia_bits);
		scn_hint(p, "raise ipa_bits on the vm line");
		return -ERR_INVAL;
	}
	if (host && (r->ipa < SCN_RAM_BASE ||
		     r->ipa + r->size > SCN_RAM_BASE + SCN_RAM_SIZE)) {
		scn_error(p, 0, "region '%s' of a host_s2 VM is not RAM",
			  r->name);
		scn_hint(p,
			 "a host VM's regions are physical memory: RAM is "
			 "0x%llx to 0x%llx (and the hypervisor's image is "
			 "at its start)",
			 (unsigned long long)SCN_RAM_BASE,
			 (unsigned long long)(SCN_RAM_BASE + SCN_RAM_SIZE));
		return -ERR_INVAL;
	}
	if (!host && r->ipa < rsv_end && rsv < r->ipa + r->size) {
		scn_error(p, 0, "region '%s' overlaps the executor's IPAs",
			  r->name);
		scn_hint(p,
			 "0x%llx to 0x%llx hold the guest executor and its "
			 "vCPUs' stacks and programs",
			 (unsigned long long)rsv, (unsigned long long)rsv_end);
		return -ERR_INVAL;
	}
	for (unsigned i = 0; i < s->nregions; i++) {
		const struct scn_region *o = &s->regions[i];

		if (o->vm == r->vm && r->ipa < o->ipa + o->size &&
		    o->ipa < r->ipa + r->size) {
			return scn_error(p, 0,
					 "region '%s' overlaps region '%s' "
					 "(line %u)",
					 r->name, o->name, o->pos.line);
		}
		if (o->vm == r->vm && strcmp(o->name, r->name) == 0) {
			return scn_error(p, 1,
					 "region '%s' is already declared "
					 "(line %u)",
					 r->name, o->pos.line);
		}
	}
	return 0;
}

static int scn_region_flag(struct scn_parser *p, unsigned i, uint32_t *flags)
{
	static const struct {
		const char *word;
		uint32_t flag;
	} words[] = {
		{"ro", PLAN_REGION_RO},
		{"device", PLAN_REGION_DEVICE},
		{"exec", PLAN_REGION_EXEC},
		{"pretouch", PLAN_REGION_PRETOUCH},
		{"blocks", PLAN_REGION_BLOCKS},
	};

	for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		if (scn_is(p, i, words[k].word)) {
			*flags |= words[k].flag;
			return 0;
		}
	}
	return scn_unknown(p, i, "region",
			   "ipa=ADDRESS, size=SIZE, ro, device, exec, "
			   "pretouch and blocks");
}

static int scn_stmt_region(struct scn_parser *p)
{
	struct scenario *s = p->s;
	struct scn_region *r = &s->regions[s->nregions];
	bool has_ipa = false, has_size = false;
	int ret;

	if (s->nvms == 0) {
		scn_error(p, 0, "a region belongs to a VM: none declared yet");
		scn_hint(p, "declare `vm NAME` first");
		return -ERR_INVAL;
	}
	if (s->vms[s->nvms - 1].nregions == PLAN_MAX_REGIONS) {
		return scn_error(p, 0, "more than %d regions in VM '%s'",
				 PLAN_MAX_REGIONS, s->vms[s->nvms - 1].name);
	}
	*r = (struct scn_region){.vm = s->nvms - 1,
				 .pos = {p->line, p->w[0].col}};
	ret = scn_name(p, 1, r->name);
	for (unsigned i = 2; ret == 0 && i < p->nw; i++) {
		const char *v;
		size_t len;

		if (scn_key(p, i, "ipa", &v, &len) ||
		    scn_key(p, i, "pa", &v, &len)) {
			ret = scn_size(p, i, v, len, &r->ipa);
			has_ipa = true;
			if (ret == 0 && r->ipa % PAGE_SIZE != 0) {
				ret = scn_error(p, i,
						"0x%llx is not page aligned",
						(unsigned long long)r->ipa);
			}
		} else if (scn_key(p, i, "size", &v, &len)) {
			ret = scn_size(p, i, v, len, &r->size);
			has_size = true;
			if (ret == 0 &&
			    (r->size == 0 || r->size % PAGE_SIZE != 0)) {
				ret = scn_error(p, i,
						"the size must be a non-zero "
						"multiple of 4K");
			}
		} else {
			ret = scn_region_flag(p, i, &r->flags);
		}
	}
	if (ret == 0 && (!has_ipa || !has_size)) {
		scn_error(p, 0, "region '%s' needs %s", r->name,
			  has_ipa ? "size=" : "ipa=");
		scn_hint(p, "region data ipa=0x80000000 size=16M");
		return -ERR_INVAL;
	}
	if (ret == 0) {
		ret = scn_region_fits(p, r);
	}
	if (ret == 0) {
		s->vms[r->vm].nregions++;
		s->nregions++;
	}
	return ret;
}

/* The first pCPU no vCPU is placed on yet. */
static unsigned scn_free_pcpu(const struct scenario *s)
{
	unsigned pcpu = 0;

	for (bool again = true; again;) {
		again = false;
		for (unsigned i = 0; i < s->nvcpus; i++) {
			if (s->vcpus[i].pcpu == pcpu) {
				pcpu++;
				again = true;
			}
		}
	}
	return pcpu;
}

static int scn_stmt_vcpu(struct scn_parser *p)
{
	struct scenario *s = p->s;
	uint64_t count = 1, pcpu = scn_free_pcpu(s);
	int ret = 0;

	if (s->nvms == 0) {
		scn_error(p, 0, "a vcpu belongs to a VM: none declared yet");
		scn_hint(p, "declare `vm NAME` first");
		return -ERR_INVAL;
	}
	for (unsigned i = 1; ret == 0 && i < p->nw; i++) {
		const char *v;
		size_t len;

		if (scn_key(p, i, "count", &v, &len)) {
			ret = scn_number(p, i, v, len, PLAN_MAX_VCPUS, &count);
			if (ret == 0 && count == 0) {
				ret = scn_error(p, i,
						"count must be 1 or more");
			}
		} else if (scn_key(p, i, "pcpu", &v, &len)) {
			ret = scn_number(p, i, v, len, PLAN_MAX_VCPUS - 1,
					 &pcpu);
		} else {
			return scn_unknown(p, i, "vcpu", "count=N and pcpu=N");
		}
	}
	if (ret != 0) {
		return ret;
	}
	if (s->nvcpus + count > PLAN_MAX_VCPUS ||
	    pcpu + count > PLAN_MAX_VCPUS) {
		return scn_error(p, 0, "more than %d vCPUs, or a pCPU past %d",
				 PLAN_MAX_VCPUS, PLAN_MAX_VCPUS - 1);
	}
	for (unsigned i = 0; i < s->nvcpus; i++) {
		if (s->vcpus[i].pcpu >= pcpu &&
		    s->vcpus[i].pcpu < pcpu + count) {
			scn_error(p, 0, "pCPU %u already runs a vCPU (line %u)",
				  s->vcpus[i].pcpu, s->vcpus[i].pos.line);
			scn_hint(p, "one vCPU per pCPU: give another pcpu=");
			return -ERR_INVAL;
		}
	}
	p->in_vcpu = true;
	p->block_vcpus = (unsigned)count;
	p->block_pcpu = (unsigned)pcpu;
	p->block_first_op = s->nops;
	p->barriers = 0;
	p->timed = 0;
	p->depth = 0;
	p->blocks[0] = (struct scn_block){
		.pos = {p->line, p->w[0].col}, .count = 1, .op = s->nops};
	return 0;
}

static int scn_statement(struct scn_parser *p)
{
	static const char known[] =
		"scenario, description, param, run, vm, region, vcpu and "
		"expect";

	if (p->in_vcpu) {
		return scn_program_line(p);
	}
	if (p->s->name[0] == '\0' && !scn_is(p, 0, "scenario")) {
		scn_error(p, 0, "a scenario starts by naming itself");
		scn_hint(p, "scenario NAME");
		return -ERR_INVAL;
	}
	if (scn_is(p, 0, "scenario")) {
		return scn_stmt_scenario(p);
	}
	if (scn_is(p, 0, "description")) {
		return scn_stmt_description(p);
	}
	if (scn_is(p, 0, "run")) {
		return scn_stmt_run(p);
	}
	if (scn_is(p, 0, "vm")) {
		return scn_stmt_vm(p);
	}
	if (scn_is(p, 0, "region")) {
		return scn_stmt_region(p);
	}
	if (scn_is(p, 0, "vcpu")) {
		return scn_stmt_vcpu(p);
	}
	if (scn_is(p, 0, "param")) {
		return scn_stmt_param(p);
	}
	if (scn_is(p, 0, "expect")) {
		return scn_stmt_expect(p);
	}
	scn_error(p, 0, "unknown statement '%.*s'", (int)p->w[0].len,
		  p->w[0].text);
	scn_hint(p, "outside a vcpu block the statements are %s", known);
	return -ERR_INVAL;
}

/* What must hold once the whole file is read. */
static int scn_finish(struct scn_parser *p)
{
	struct scenario *s = p->s;
	/* An empty file has no line 0 to point at. */
	struct scn_pos end = {p->line > 0 ? p->line : 1, 1};

	if (p->in_vcpu) {
		struct scn_pos open = p->blocks[p->depth].pos;

		scn_error_at(p, open, "this %s has no `end`",
			     p->depth > 0 ? "loop" : "vcpu block");
		return -ERR_INVAL;
	}
	if (s->name[0] == '\0') {
		scn_error_at(p, end, "the file declares no scenario");
		scn_hint(p, "start with `scenario NAME`");
		return -ERR_INVAL;
	}
	if (s->nvms == 0) {
		scn_error_at(p, end, "the scenario declares no VM");
		scn_hint(p, "vm guest policy=prejudge");
		return -ERR_INVAL;
	}
	for (unsigned i = 0; i < s->nvms; i++) {
		if (s->vms[i].nregions == 0 || s->vms[i].nvcpus == 0) {
			scn_error_at(p, s->vms[i].pos,
				     "VM '%s' needs a region and a vcpu",
				     s->vms[i].name);
			return -ERR_INVAL;
		}
	}
	if ((uint64_t)s->reps + s->warmup > PLAN_MAX_REPS) {
		scn_error_at(p, end,
			     "%u repetitions and %u warm-up ones: "
			     "more than %u in all",
			     s->reps, s->warmup, PLAN_MAX_REPS);
		return -ERR_INVAL;
	}
	if (s->smp != 0 && scenario_check_smp(s, s->smp, p->d) != 0) {
		return -ERR_INVAL;
	}
	scn_expect_policies(s);
	return scn_check_semantics(p);
}

int scenario_parse(const char *path, const char *text, size_t len,
		   struct scenario *s, struct scn_diag *d)
{
	return scenario_parse_with(path, text, len, NULL, 0, s, d);
}

int scenario_parse_with(const char *path, const char *text, size_t len,
			const struct scn_set *sets, unsigned nsets,
			struct scenario *s, struct scn_diag *d)
{
	struct scn_parser *p = calloc(1, sizeof(*p));
	size_t at = 0;
	int ret = 0;

	memset(s, 0, sizeof(*s));
	d->msg[0] = d->hint[0] = '\0';
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->timeout_ms = SCN_DEFAULT_TIMEOUT_MS;
	s->reps = 1;
	s->livelock_faults = SCN_DEFAULT_LIVELOCK;
	if (p != NULL) {
		p->vstep = calloc(GUEST_OPS_MAX, sizeof(*p->vstep));
	}
	if (p == NULL || p->vstep == NULL) {
		snprintf(d->msg, sizeof(d->msg), "%s: out of memory", path);
		if (p != NULL) {
			free(p);
		}
		return -ERR_NOMEM;
	}
	p->s = s;
	p->d = d;
	p->sets = sets;
	p->nsets = nsets < SCN_MAX_PARAMS ? nsets : SCN_MAX_PARAMS;
	while (ret == 0 && at < len) {
		const char *line = text + at;
		const char *nl = memchr(line, '\n', len - at);
		size_t n = nl != NULL ? (size_t)(nl - line) : len - at;

		at += n + (nl != NULL);
		p->line++;
		if (n > 0 && line[n - 1] == '\r') {
			n--;
		}
		if (memchr(line, '\0', n) != NULL) {
			p->nw = 0;
			ret = scn_error(p, 0, "a NUL byte: not a text file");
			break;
		}
		ret = scn_expand(p, line, n);
		if (ret >= 0) {
			ret = scn_split(p, p->xline, (size_t)ret);
		}
		if (ret == 0 && p->nw > 0) {
			ret = scn_statement(p);
		}
	}
	if (ret == 0) {
		ret = scn_finish(p);
	}
	if (ret == 0) {
		ret = scn_check_sets(p);
	}
	if (ret == -ERR_NOMEM) {
		snprintf(d->msg, sizeof(d->msg), "%s:%u: out of memory", path,
			 p->line);
	}
	free(p->vstep);
	free(p);
	return ret;
}

int scenario_load_with(const char *path, const struct scn_set *sets,
		       unsigned nsets, struct scenario *s, struct scn_diag *d)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;
	int ret;

	memset(s, 0, sizeof(*s));
	d->hint[0] = '\0';
	if (f == NULL) {
		snprintf(d->msg, sizeof(d->msg), "%s: cannot open: %s", path,
			 strerror(errno));
		return -ERR_NOENT;
	}
	buf = malloc(SCN_FILE_MAX + 1);
	if (buf == NULL) {
		fclose(f);
		snprintf(d->msg, sizeof(d->msg), "%s: out of memory", path);
		return -ERR_NOMEM;
	}
	n = fread(buf, 1, SCN_FILE_MAX + 1, f);
	if (ferror(f)) {
		snprintf(d->msg, sizeof(d->msg), "%s: cannot read: %s", path,
			 strerror(errno));
		ret = -ERR_IO;
	} else if (n > SCN_FILE_MAX) {
		snprintf(d->msg, sizeof(d->msg),
			 "%s: larger than %u bytes: not a scenario", path,
			 SCN_FILE_MAX);
		ret = -ERR_RANGE;
	} else {
		ret = scenario_parse_with(path, buf, n, sets, nsets, s, d);
		/* Kept: the results get these bytes, not a second read. */
		s->text = buf;
		s->text_len = n;
		buf = NULL;
	}
	fclose(f);
	free(buf);
	return ret;
}

void scenario_free(struct scenario *s)
{
	free(s->ops);
	free(s->op_pos);
	free(s->text);
	s->ops = NULL;
	s->op_pos = NULL;
	s->text = NULL;
	s->text_len = 0;
	s->nops = s->ops_cap = 0;
}
