/*
 * Casemate export (export_casemate.h, docs/casemate.md). Events, their
 * fields and enum values are found by name in the file's schema, once, so
 * the per-record work is table lookups and one fprintf.
 *
 * Casemate tracks page-table memory from its own record of writes, and
 * wants each page-table page declared (mem-init: zeroed) before it is
 * used. faultline's trace has no event for "this page became a table", so
 * the exporter declares a page the first time the trace shows it in use:
 * when an entry in it is written, when a table descriptor pointing to it
 * is written, or when VTTBR_EL2 makes it a root.
 */
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>
#include <faultline/stage2_pte.h>
#include <faultline/trace/export_casemate.h>

/* What a faultline event becomes; 0: nothing. */
enum cm_kind {
	CM_SKIP,
	CM_PTE_WRITE,
	CM_BBM_BREAK,
	CM_BBM_MAKE,
	CM_DSB,
	CM_ISB,
	CM_TLBI,
	CM_SYSREG,
	CM_LOCK,
	CM_UNLOCK,
	CM_NKINDS,
};

/* The faultline event name of each kind. */
static const char *const cm_event_names[CM_NKINDS] = {
	[CM_PTE_WRITE] = "pte_write",
	[CM_BBM_BREAK] = "bbm_break",
	[CM_BBM_MAKE] = "bbm_make",
	[CM_DSB] = "dsb",
	[CM_ISB] = "isb",
	[CM_TLBI] = "tlbi",
	[CM_SYSREG] = "sysreg_write",
	[CM_LOCK] = "lock",
	[CM_UNLOCK] = "unlock",
};

/* Field roles; each kind uses a few. */
enum cm_role {
	CM_F_ENTRY,
	CM_F_VALUE,
	CM_F_LEVEL,
	CM_F_SHARE,
	CM_F_OP,
	CM_F_REG,
	CM_F_SIDE,
	CM_NROLES,
};

/* Enum values, by their names in the schema (events.def). */
enum cm_share {
	SH_UNKNOWN,
	SH_NSH,
	SH_ISH,
	SH_OSH,
	SH_SY,
	SH_NSHST,
	SH_ISHST
};
static const char *const cm_share_names[] = {
	[SH_NSH] = "nsh", [SH_ISH] = "ish",     [SH_OSH] = "osh",
	[SH_SY] = "sy",   [SH_NSHST] = "nshst", [SH_ISHST] = "ishst",
};

enum cm_op {
	OP_UNKNOWN,
	OP_ALLE2,
	OP_VMALLS12E1,
	OP_IPAS2E1,
	OP_VMALLE1
};
static const char *const cm_op_names[] = {
	[OP_ALLE2] = "alle2",
	[OP_VMALLS12E1] = "vmalls12e1",
	[OP_IPAS2E1] = "ipas2e1",
	[OP_VMALLE1] = "vmalle1",
};

enum cm_reg {
	REG_OTHER,
	REG_VTTBR,
	REG_VTCR
};
static const char *const cm_reg_names[] = {
	[REG_VTTBR] = "vttbr_el2",
	[REG_VTCR] = "vtcr_el2",
};

enum cm_side {
	SIDE_UNKNOWN,
	SIDE_READ,
	SIDE_WRITE
};
static const char *const cm_side_names[] = {
	[SIDE_READ] = "read",
	[SIDE_WRITE] = "write",
};

/* Enum values above this are treated as unknown. */
#define CM_ENUM_VALUES 256
#define CM_PAGE_SIZE UINT64_C(0x1000)
/* Descriptor and VTTBR_EL2 output-address bits (Arm ARM D8.3, D19.2). */
#define CM_OA_MASK UINT64_C(0x0000fffffffff000)
#define CM_VTTBR_BADDR_MASK UINT64_C(0x0000fffffffffffe)
/* TLBI IPAS2E1IS takes IPA[47:12] in Xt[35:0] (Arm ARM, TLBI IPAS2E1IS). */
#define CM_TLBI_IPA_MASK ((UINT64_C(1) << 36) - 1)
/* Arm ARM: at most 16 concatenated start-level tables. */
#define CM_MAX_CONCAT 16

/* A set of page addresses: open addressing, linear probing. */
struct cm_pages {
	uint64_t *slot; /* page | 1, or 0 for empty */
	size_t cap;     /* a power of two */
	size_t used;
};

struct cm_ctx {
	const struct trace_data *td;
	FILE *out;
	struct trace_casemate_stats *st;
	/* Kind of each event id. */
	uint8_t *kind_of;
	/* Field index of each role of each kind, or -1. */
	int field[CM_NKINDS][CM_NROLES];
	/* The event's name as it may appear in a src string. */
	char src_name[CM_NKINDS][48];
	uint8_t share_of[CM_ENUM_VALUES];
	uint8_t op_of[CM_ENUM_VALUES];
	uint8_t reg_of[CM_ENUM_VALUES];
	uint8_t side_of[CM_ENUM_VALUES];
	/* The last VTCR_EL2 written on each CPU (0: none yet). */
	uint64_t vtcr[TRACE_FILE_MAX_CPUS];
	struct cm_pages pages;
	/* Locks already tied to their root by a set_root_lock hint. */
	struct cm_pages locks;
	/* Next Casemate record id. */
	uint64_t next_id;
};

static uint64_t cm_hash(uint64_t key)
{
	/* Page addresses differ in the middle bits: mix them down. */
	key ^= key >> 29;
	key *= UINT64_C(0xbf58476d1ce4e5b9);
	return key ^ (key >> 32);
}

/* Adds @page to @s; returns 1 when added, 0 when present, <0 on error. */
static int cm_pages_add(struct cm_pages *s, uint64_t page)
{
	uint64_t key = page | 1;
	size_t i;

	if (2 * (s->used + 1) > s->cap) {
		size_t cap = s->cap > 0 ? 2 * s->cap : 1024;
		uint64_t *slot = calloc(cap, sizeof(*slot));

		if (slot == NULL) {
			return -ERR_NOMEM;
		}
		for (size_t j = 0; j < s->cap; j++) {
			if (s->slot[j] != 0) {
				i = cm_hash(s->slot[j]) & (cap - 1);
				while (slot[i] != 0) {
					i = (i + 1) & (cap - 1);
				}
				slot[i] = s->slot[j];
			}
		}
		free(s->slot);
		s->slot = slot;
		s->cap = cap;
	}
	i = cm_hash(key) & (s->cap - 1);
	while (s->slot[i] != 0) {
		if (s->slot[i] == key) {
			return 0;
		}
		i = (i + 1) & (s->cap - 1);
	}
	s->slot[i] = key;
	s->used++;
	return 1;
}

static const struct trace_schema_event *cm_find_event(
	const struct trace_data *td, const char *name)
{
	for (size_t i = 0; i < td->nevents; i++) {
		if (strcmp(td->events[i].name, name) == 0) {
			return &td->events[i];
		}
	}
	return NULL;
}

static int cm_find_field(const struct trace_schema_event *ev, const char *name)
{
	for (unsigned i = 0; i < ev->nfields; i++) {
		if (strcmp(ev->fields[i].name, name) == 0) {
			return (int)i;
		}
	}
	return -1;
}

/*
 * Fills @map (value -> code) for the enum kind of field @f of @ev, from the
 * schema's names of its values; values without a known name stay 0.
 */
static void cm_map_enum(const struct trace_data *td,
			const struct trace_schema_event *ev, int f,
			const char *const *names, size_t nnames, uint8_t *map)
{
	const char *kind;

	if (ev == NULL || f < 0) {
		return;
	}
	kind = ev->fields[f].kind;
	for (size_t i = 0; i < td->nenums; i++) {
		const struct trace_schema_enum *e = &td->enums[i];

		if (e->value >= CM_ENUM_VALUES || strcmp(e->kind, kind) != 0) {
			continue;
		}
		for (size_t c = 1; c < nnames; c++) {
			if (names[c] != NULL &&
			    strcmp(names[c], e->name) == 0) {
				map[e->value] = (uint8_t)c;
			}
		}
	}
}

/* Keeps the characters a Casemate src string can hold unquoted. */
static void cm_src_name(char *dst, size_t size, const char *name)
{
	size_t n = 0;

	for (; name[n] != '\0' && n + 1 < size; n++) {
		char c = name[n];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '-' ||
			  c == '.';

		dst[n] = ok ? c : '_';
	}
	dst[n] = '\0';
}

/* The address field of a lock event: by name, else its first HEX field. */
static int cm_lock_field(const struct trace_schema_event *ev)
{
	static const char *const names[] = {"address", "addr", "lock"};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		int f = cm_find_field(ev, names[i]);

		if (f >= 0) {
			return f;
		}
	}
	for (unsigned i = 0; i < ev->nfields; i++) {
		if (strcmp(ev->fields[i].kind, "HEX") == 0) {
			return (int)i;
		}
	}
	return -1;
}

/* Resolves every event, field and enum value the export uses. */
static void cm_resolve(struct cm_ctx *c)
{
	static const char *const role_names[CM_NROLES] = {
		[CM_F_ENTRY] = "entry", [CM_F_VALUE] = NULL,
		[CM_F_LEVEL] = "level", [CM_F_SHARE] = "share",
		[CM_F_OP] = "op",       [CM_F_REG] = "reg",
		[CM_F_SIDE] = "side",
	};
	const struct trace_schema_event *ev[CM_NKINDS] = {NULL};

	for (unsigned k = 1; k < CM_NKINDS; k++) {
		ev[k] = cm_find_event(c->td, cm_event_names[k]);
		for (unsigned r = 0; r < CM_NROLES; r++) {
			c->field[k][r] = -1;
			if (ev[k] != NULL && role_names[r] != NULL) {
				c->field[k][r] =
					cm_find_field(ev[k], role_names[r]);
			}
		}
		cm_src_name(c->src_name[k], sizeof(c->src_name[k]),
			    cm_event_names[k]);
		if (ev[k] != NULL) {
			c->kind_of[ev[k]->id] = (uint8_t)k;
		}
	}
	/* The value written: "new" of writes, "value" of sysreg writes. */
	for (unsigned k = 1; k < CM_NKINDS; k++) {
		if (ev[k] != NULL) {
			c->field[k][CM_F_VALUE] = cm_find_field(ev[k], "new");
			if (c->field[k][CM_F_VALUE] < 0) {
				c->field[k][CM_F_VALUE] =
					cm_find_field(ev[k], "value");
			}
		}
	}
	c->field[CM_TLBI][CM_F_VALUE] =
		ev[CM_TLBI] != NULL ? cm_find_field(ev[CM_TLBI], "addr") : -1;
	for (unsigned k = CM_LOCK; k <= CM_UNLOCK; k++) {
		c->field[k][CM_F_ENTRY] =
			ev[k] != NULL ? cm_lock_field(ev[k]) : -1;
	}
	cm_map_enum(c->td, ev[CM_DSB], c->field[CM_DSB][CM_F_SHARE],
		    cm_share_names, ARRAY_SIZE(cm_share_names), c->share_of);
	/* TLBIs and DSBs share the SHARE kind; map the TLBI's as well. */
	cm_map_enum(c->td, ev[CM_TLBI], c->field[CM_TLBI][CM_F_SHARE],
		    cm_share_names, ARRAY_SIZE(cm_share_names), c->share_of);
	cm_map_enum(c->td, ev[CM_TLBI], c->field[CM_TLBI][CM_F_OP], cm_op_names,
		    ARRAY_SIZE(cm_op_names), c->op_of);
	cm_map_enum(c->td, ev[CM_SYSREG], c->field[CM_SYSREG][CM_F_REG],
		    cm_reg_names, ARRAY_SIZE(cm_reg_names), c->reg_of);
	for (unsigned k = CM_LOCK; k <= CM_UNLOCK; k++) {
		cm_map_enum(c->td, ev[k], c->field[k][CM_F_SIDE], cm_side_names,
			    ARRAY_SIZE(cm_side_names), c->side_of);
	}
}

/* Field @role of record @r of kind @k in *@v; false when absent. */
static bool cm_get(const struct cm_ctx *c, const struct trace_record *r,
		   unsigned k, enum cm_role role, uint64_t *v)
{
	int f = c->field[k][role];

	if (f < 0) {
		return false;
	}
	*v = r->f[f];
	return true;
}

static uint8_t cm_enum(const uint8_t *map, uint64_t v)
{
	return v < CM_ENUM_VALUES ? map[v] : 0;
}

/* Starts a record: "(NAME (id N) (tid T)". */
static void cm_begin(struct cm_ctx *c, const char *name, unsigned tid)
{
	fprintf(c->out, "(%s (id %llu) (tid %u)", name,
		(unsigned long long)c->next_id++, tid);
	c->st->records++;
}

/* Ends a record with its source: the event's name and its CSV index. */
static void cm_end(struct cm_ctx *c, const char *src, size_t index)
{
	fprintf(c->out, " (src \"%s:%zu\"))\n", src, index);
}

/* Declares @npages pages at @pa (mem-init), those not declared yet. */
static int cm_declare(struct cm_ctx *c, uint64_t pa, unsigned npages,
		      unsigned tid, size_t index)
{
	for (unsigned i = 0; i < npages; i++) {
		uint64_t page = (pa & CM_OA_MASK) + i * CM_PAGE_SIZE;
		int ret = cm_pages_add(&c->pages, page);

		if (ret < 0) {
			return ret;
		}
		if (ret == 1) {
			cm_begin(c, "mem-init", tid);
			fprintf(c->out, " (address 0x%llx) (size 0x%llx)",
				(unsigned long long)page,
				(unsigned long long)CM_PAGE_SIZE);
			cm_end(c, "init", index);
			c->st->mem_inits++;
		}
	}
	return 0;
}

/* A stage-2 descriptor write (pte_write, bbm_break, bbm_make). */
static int cm_write(struct cm_ctx *c, const struct trace_record *r, unsigned k,
		    size_t index)
{
	uint64_t entry, value, level;
	int ret;

	if (!cm_get(c, r, k, CM_F_ENTRY, &entry)) {
		c->st->skipped++;
		return 0;
	}
	/* 0: the hypervisor could not tell the entry's PA (stage2_entry_pa). */
	if (entry == 0) {
		c->st->unsupported++;
		return 0;
	}
	if (k == CM_BBM_BREAK) {
		/* The break writes faultline's locked invalid entry. */
		value = S2_PTE_LOCKED;
	} else if (!cm_get(c, r, k, CM_F_VALUE, &value)) {
		c->st->skipped++;
		return 0;
	}
	ret = cm_declare(c, entry, 1, r->cpu, index);
	/* A table descriptor (levels 0-2, bits[1:0] == 0b11): its table. */
	if (ret == 0 && cm_get(c, r, k, CM_F_LEVEL, &level) && level < 3 &&
	    (value & 3) == 3) {
		ret = cm_declare(c, value, 1, r->cpu, index);
	}
	if (ret != 0) {
		return ret;
	}
	/* Every stage-2 write is a release or stronger (stage2_walk.c). */
	cm_begin(c, "mem-write", r->cpu);
	fprintf(c->out, " (mem-order release) (address 0x%llx) (value 0x%llx)",
		(unsigned long long)entry, (unsigned long long)value);
	cm_end(c, c->src_name[k], index);
	return 0;
}

/* DSB domains Casemate names; a wider domain is at least as strong. */
static const char *cm_dsb_kind(uint8_t share)
{
	switch (share) {
	case SH_NSH:
		return "nsh";
	case SH_ISH:
	case SH_OSH:
	case SH_SY:
		return "ish";
	case SH_ISHST:
		return "ishst";
	default:
		/* NSHST: no Casemate kind is as weak. */
		return NULL;
	}
}

static void cm_dsb(struct cm_ctx *c, const struct trace_record *r, size_t index)
{
	uint64_t share;
	const char *kind = NULL;

	if (cm_get(c, r, CM_DSB, CM_F_SHARE, &share)) {
		kind = cm_dsb_kind(cm_enum(c->share_of, share));
	}
	if (kind == NULL) {
		c->st->unsupported++;
		c->st->unsupported_dsb++;
		return;
	}
	cm_begin(c, "barrier", r->cpu);
	fprintf(c->out, " dsb (kind %s)", kind);
	cm_end(c, c->src_name[CM_DSB], index);
}

/*
 * Casemate's TLBI kinds: vmalls12e1[is], vmalle1[is], ipas2e1is. The
 * by-IPA operand is what the hypervisor writes to Xt: IPA[47:12], and no
 * TTL level hint, because faultline's TLBI gives none (tlb.c).
 */
static void cm_tlbi(struct cm_ctx *c, const struct trace_record *r,
		    size_t index)
{
	uint64_t op = 0, share = 0, addr = 0;
	const char *name = NULL;
	bool by_ipa = false;
	uint8_t sh;

	cm_get(c, r, CM_TLBI, CM_F_OP, &op);
	cm_get(c, r, CM_TLBI, CM_F_SHARE, &share);
	sh = cm_enum(c->share_of, share);
	switch (cm_enum(c->op_of, op)) {
	case OP_ALLE2:
		/* EL2's own stage 1, whose tables the trace does not show. */
		c->st->skipped++;
		return;
	case OP_VMALLS12E1:
		name = sh == SH_NSH   ? "vmalls12e1"
		       : sh == SH_ISH ? "vmalls12e1is"
				      : NULL;
		break;
	case OP_VMALLE1:
		name = sh == SH_NSH   ? "vmalle1"
		       : sh == SH_ISH ? "vmalle1is"
				      : NULL;
		break;
	case OP_IPAS2E1:
		name = sh == SH_ISH ? "ipas2e1is" : NULL;
		by_ipa = true;
		break;
	default:
		break;
	}
	if (name == NULL ||
	    (by_ipa && !cm_get(c, r, CM_TLBI, CM_F_VALUE, &addr))) {
		c->st->unsupported++;
		c->st->unsupported_tlbi++;
		return;
	}
	cm_begin(c, "tlbi", r->cpu);
	fprintf(c->out, " %s", name);
	if (by_ipa) {
		fprintf(c->out, " (value 0x%llx)",
			(unsigned long long)((addr >> 12) & CM_TLBI_IPA_MASK));
	}
	cm_end(c, c->src_name[CM_TLBI], index);
}

/* Start-level tables of the stage 2 that VTCR_EL2 @vtcr describes. */
static unsigned cm_root_pages(uint64_t vtcr)
{
	unsigned t0sz = (unsigned)(vtcr & 0x3f);
	unsigned sl0 = (unsigned)((vtcr >> 6) & 3);
	unsigned tg0 = (unsigned)((vtcr >> 14) & 3);
	unsigned ia_bits, level, covered;

	/* 4 KiB granule only (TG0 0), SL0 0-2: start level 2 - SL0. */
	if (vtcr == 0 || tg0 != 0 || sl0 == 3 || t0sz > 48 || t0sz < 16) {
		return 1;
	}
	ia_bits = 64 - t0sz;
	level = 2 - sl0;
	covered = 12 + 9 * (4 - level);
	if (ia_bits <= covered || (1u << (ia_bits - covered)) > CM_MAX_CONCAT) {
		return 1;
	}
	return 1u << (ia_bits - covered);
}

static int cm_sysreg(struct cm_ctx *c, const struct trace_record *r,
		     size_t index)
{
	uint64_t reg = 0, value;
	uint8_t code;
	int ret;

	cm_get(c, r, CM_SYSREG, CM_F_REG, &reg);
	code = cm_enum(c->reg_of, reg);
	if (code == REG_OTHER || !cm_get(c, r, CM_SYSREG, CM_F_VALUE, &value)) {
		c->st->skipped++;
		return 0;
	}
	if (code == REG_VTCR && r->cpu < TRACE_FILE_MAX_CPUS) {
		c->vtcr[r->cpu] = value;
	}
	if (code == REG_VTTBR) {
		uint64_t vtcr =
			r->cpu < TRACE_FILE_MAX_CPUS ? c->vtcr[r->cpu] : 0;

		/* No table: nothing translates through it. */
		if ((value & CM_VTTBR_BADDR_MASK) == 0) {
			c->st->skipped++;
			return 0;
		}
		ret = cm_declare(c, value & CM_VTTBR_BADDR_MASK,
				 cm_root_pages(vtcr), r->cpu, index);
		if (ret != 0) {
			return ret;
		}
	}
	cm_begin(c, "sysreg-write", r->cpu);
	fprintf(c->out, " (sysreg %s) (value 0x%llx)", cm_reg_names[code],
		(unsigned long long)value);
	cm_end(c, c->src_name[CM_SYSREG], index);
	return 0;
}

/*
 * Casemate's locks are exclusive: a write-side (or sideless) lock event is
 * a lock record; a read-side one has no Casemate form. faultline's lock
 * events name the lock by its table's root PA (events.def), so the first
 * lock of each also ties that root to it (hint set_root_lock).
 */
static int cm_lock(struct cm_ctx *c, const struct trace_record *r, unsigned k,
		   size_t index)
{
	uint64_t addr, side;
	int ret;

	if (!cm_get(c, r, k, CM_F_ENTRY, &addr) ||
	    (cm_get(c, r, k, CM_F_SIDE, &side) &&
	     cm_enum(c->side_of, side) != SIDE_WRITE)) {
		c->st->unsupported++;
		c->st->unsupported_lock++;
		return 0;
	}
	if (k == CM_LOCK) {
		ret = cm_pages_add(&c->locks, addr & CM_OA_MASK);
		if (ret < 0) {
			return ret;
		}
		if (ret == 1) {
			cm_begin(c, "hint", r->cpu);
			fprintf(c->out,
				" (kind set_root_lock) (location 0x%llx) "
				"(value 0x%llx)",
				(unsigned long long)addr,
				(unsigned long long)addr);
			cm_end(c, c->src_name[k], index);
		}
	}
	cm_begin(c, k == CM_LOCK ? "lock" : "unlock", r->cpu);
	fprintf(c->out, " (address 0x%llx)", (unsigned long long)addr);
	cm_end(c, c->src_name[k], index);
	return 0;
}

static int cm_record(struct cm_ctx *c, const struct trace_record *r,
		     size_t index)
{
	unsigned k = c->kind_of[r->id];

	switch (k) {
	case CM_PTE_WRITE:
	case CM_BBM_BREAK:
	case CM_BBM_MAKE:
		return cm_write(c, r, k, index);
	case CM_DSB:
		cm_dsb(c, r, index);
		return 0;
	case CM_ISB:
		cm_begin(c, "barrier", r->cpu);
		fputs(" isb", c->out);
		cm_end(c, c->src_name[CM_ISB], index);
		return 0;
	case CM_TLBI:
		cm_tlbi(c, r, index);
		return 0;
	case CM_SYSREG:
		return cm_sysreg(c, r, index);
	case CM_LOCK:
	case CM_UNLOCK:
		return cm_lock(c, r, k, index);
	default:
		c->st->skipped++;
		return 0;
	}
}

int trace_export_casemate_stats(const struct trace_data *td, FILE *out,
				struct trace_casemate_stats *stats)
{
	struct trace_casemate_stats local;
	struct cm_ctx *c = calloc(1, sizeof(*c));
	int ret = 0;

	if (stats == NULL) {
		stats = &local;
	}
	memset(stats, 0, sizeof(*stats));
	if (c == NULL) {
		return -ERR_NOMEM;
	}
	c->kind_of = calloc((size_t)UINT16_MAX + 1, 1);
	if (c->kind_of == NULL) {
		free(c);
		return -ERR_NOMEM;
	}
	c->td = td;
	c->out = out;
	c->st = stats;
	cm_resolve(c);
	for (size_t i = 0; i < td->nrecords && ret == 0; i++) {
		ret = cm_record(c, &td->records[i], i);
	}
	free(c->pages.slot);
	free(c->locks.slot);
	free(c->kind_of);
	free(c);
	if (ret == 0 && (fflush(out) != 0 || ferror(out))) {
		ret = -ERR_IO;
	}
	return ret;
}

int trace_export_casemate(const struct trace_data *td, FILE *out)
{
	return trace_export_casemate_stats(td, out, NULL);
}
