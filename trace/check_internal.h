/*
 * What the rule checker's engine (check.c) shares with its rules
 * (check_tlb.c, check_regs.c, check_path.c): the trace's records turned
 * into the checker's own events, the state every rule needs (which VMID
 * each CPU has loaded, the fault it is handling, the locks it holds), and
 * the table of rules. Not part of the API.
 */
#ifndef FAULTLINE_TRACE_CHECK_INTERNAL_H
#define FAULTLINE_TRACE_CHECK_INTERNAL_H

#include <faultline/trace/check.h>

/** The events the rules read; every other event is skipped. */
enum ck_ev {
	CK_NONE,
	CK_PTE_WRITE,
	CK_BBM_BREAK,
	CK_BBM_MAKE,
	CK_TLBI,
	CK_DSB,
	CK_ISB,
	CK_SYSREG,
	CK_BACKOFF,
	CK_FAULT_ENTER,
	CK_FAULT_EXIT,
	CK_SCTLR_TRAP,
	CK_CMO,
	CK_SPE_DRAIN,
	CK_SWITCH,
	CK_LOCK,
	CK_UNLOCK,
	CK_EV_COUNT
};

/** The bit of event @e in a rule's event mask. */
#define CK_BIT(e) (1u << (e))

/** The fields the rules read, of whichever event has them. */
enum ck_f {
	CK_F_ENTRY,
	CK_F_IPA,
	CK_F_LEVEL,
	CK_F_OLD,
	CK_F_NEW,
	CK_F_VMID,
	CK_F_OP,
	CK_F_ADDR,
	CK_F_SHARE,
	CK_F_REG,
	CK_F_VALUE,
	CK_F_WHY,
	CK_F_VCPU,
	CK_F_KIND,
	CK_F_POLICY,
	CK_F_CACHES_ON,
	CK_F_SIZE,
	CK_F_PHASE,
	CK_F_LOCK,
	CK_F_SIDE,
	CK_F_COUNT
};

/**
 * The enum values the rules compare against, found by kind and name in
 * the file's schema (never by number: a reader of another version's
 * trace must not misread it).
 */
enum ck_sym {
	CK_S_NONE,
	CK_S_IPAS2E1,
	CK_S_IPAS2LE1,
	CK_S_VMALLE1,
	CK_S_VMALLS12E1,
	CK_S_NSH,
	CK_S_ISH,
	CK_S_OSH,
	CK_S_SY,
	CK_S_NSHST,
	CK_S_ISHST,
	CK_S_VTTBR,
	CK_S_HCR,
	CK_S_MDCR,
	CK_S_PMSCR,
	CK_S_ALREADY,
	CK_S_PERMISSION,
	CK_S_ENTER_BEGIN,
	CK_S_GUEST_S1_LOADED,
	CK_S_ENTER,
	CK_S_EXIT,
	CK_S_HOST_RESTORED,
	CK_S_EXIT_END,
	CK_S_CIVAC,
	CK_S_READ,
	CK_S_WRITE,
	CK_S_COUNT
};

/** One record as the rules see it. */
struct ck_event {
	enum ck_ev ev;
	/** Its index in the trace (as in events.csv). */
	size_t index;
	unsigned cpu;
	/** Field values (0 when the event has no such field). */
	uint64_t f[CK_F_COUNT];
	/** Enum fields as enum ck_sym (CK_S_NONE when not one of ours). */
	uint8_t s[CK_F_COUNT];
};

/** Most locks one CPU is expected to hold at once. */
#define CK_MAX_HELD 4

/** A lock a CPU holds. */
struct ck_held {
	uint64_t lock;
	uint64_t vmid;
	bool write;
	size_t index;
};

/** What the engine tracks per CPU for every rule. */
struct ck_cpu {
	/** A record of this CPU was seen, and the last one's seq. */
	bool seen;
	uint32_t last_seq;
	/** VTTBR_EL2 was written on this CPU; its VMID, and where. */
	bool vttbr_known;
	/** Events of this CPU were lost since its last VTTBR_EL2 write. */
	bool vttbr_lost;
	uint64_t vmid;
	size_t vttbr_index;
	/** Between s2_fault_enter and s2_fault_exit. */
	bool in_fault;
	size_t fault_index;
	uint64_t fault_vmid;
	uint64_t fault_ipa;
	/** The table locks held. */
	struct ck_held held[CK_MAX_HELD];
	unsigned nheld;
	/** Events were lost since the last `lock`: the holds are unknown. */
	bool locks_unknown;
};

/** The engine's state during one check. */
struct ck {
	const struct trace_data *td;
	struct check_result *res;
	unsigned max_per_rule;
	struct ck_cpu cpu[TRACE_FILE_MAX_CPUS];
	/** Per VMID: the CPUs that have run one of its vCPUs (a bit each). */
	uint16_t *vmid_ran;
};

/** Where a violation is, beyond the record it was found at. */
struct ck_where {
	/** An earlier record it refers to, or CHECK_NO_INDEX. */
	size_t related;
	bool has_ipa;
	uint64_t ipa;
	bool has_vmid;
	uint64_t vmid;
};

/** A violation that refers to record @related, IPA @ipa of VMID @vmid. */
static inline struct ck_where ck_at(size_t related, uint64_t ipa, uint64_t vmid)
{
	return (struct ck_where){related, true, ipa, true, vmid};
}

/** A violation about VMID @vmid (no IPA). */
static inline struct ck_where ck_vmid(size_t related, uint64_t vmid)
{
	return (struct ck_where){related, false, 0, true, vmid};
}

/** A violation about neither an IPA nor a VMID. */
static inline struct ck_where ck_none(size_t related)
{
	return (struct ck_where){related, false, 0, false, 0};
}

/** Records a violation of rule @rule found at @e. */
void ck_fail(struct ck *c, unsigned rule, const struct ck_event *e,
	     struct ck_where w, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/** A rule of the table. */
struct ck_rule {
	/** Its description (number, name, what, reference). */
	struct check_rule_desc desc;
	/** The events it reads (CK_BIT()s): it is stepped on those only. */
	uint32_t events;
	/** The events it cannot be checked without. */
	uint32_t needs;
	/**
	 * It follows the world switch's own events (its VTTBR/HCR writes,
	 * ISBs, phases), which tracing=fault leaves out: unchecked then.
	 */
	bool needs_switch;
	/** Bytes of state it keeps (zeroed before the pass). */
	size_t state_size;
	/** Reads event @e (of one of @events) with its state @st. */
	void (*step)(struct ck *c, void *st, const struct ck_event *e);
	/** Forgets what it knew of @cpu: events of that CPU were lost. */
	void (*gap)(struct ck *c, void *st, unsigned cpu);
	/** Frees what the state points to (NULL when nothing). */
	void (*fini)(void *st);
};

/* The rules, in check_tlb.c, check_regs.c and check_path.c. */
extern const struct ck_rule ck_rule_bbm;
extern const struct ck_rule ck_rule_inval_order;
extern const struct ck_rule ck_rule_vmid_scope;
extern const struct ck_rule ck_rule_isb;
extern const struct ck_rule ck_rule_lost_race;
extern const struct ck_rule ck_rule_spe;
extern const struct ck_rule ck_rule_cmo;
extern const struct ck_rule ck_rule_lock;

/* Stage-2 descriptors (Arm ARM D8.3, 4 KiB granule, HCR_EL2.FWB = 0). */

/** Bytes an entry of @level maps (level 0 to 3). */
static inline uint64_t ck_level_size(uint64_t level)
{
	return level <= 3 ? UINT64_C(1) << (12 + 9 * (3 - level)) : 0;
}

/** The descriptor is valid. */
static inline bool ck_pte_valid(uint64_t pte)
{
	return (pte & 1) != 0;
}

/** The descriptor points to a next-level table. */
static inline bool ck_pte_table(uint64_t pte, uint64_t level)
{
	return (pte & 3) == 3 && level < 3;
}

/** S2AP (bits 7:6) and XN (bits 54:53): what a permission change touches. */
#define CK_PTE_PERMS (UINT64_C(0xc0) | (UINT64_C(3) << 53))

/** Both valid and different in their permissions only. */
static inline bool ck_pte_perm_only(uint64_t a, uint64_t b)
{
	return ck_pte_valid(a) && ck_pte_valid(b) && a != b &&
	       (a & ~CK_PTE_PERMS) == (b & ~CK_PTE_PERMS);
}

/** @b allows less than @a: a read or write right lost, or XN set. */
static inline bool ck_pte_narrower(uint64_t a, uint64_t b)
{
	return (a & 0xc0 & ~b) != 0 || (~a & b & (UINT64_C(3) << 53)) != 0;
}

/** The output address of a leaf of @level. */
static inline uint64_t ck_pte_oa(uint64_t pte, uint64_t level)
{
	return pte & (((UINT64_C(1) << 48) - 1) & ~(ck_level_size(level) - 1));
}

/** MemAttr[3:2] (bits 5:4) of 0b00 is Device memory; anything else Normal. */
static inline bool ck_pte_normal(uint64_t pte)
{
	return (pte & 0x30) != 0;
}

/* Barriers and shareability. */

/** The domain of a DSB or TLBI: 0 nsh, 1 ish, 2 osh, 3 sy (full system). */
unsigned ck_domain(uint8_t share_sym);

/** A store-only DSB (...ST): orders stores, does not complete a TLBI. */
static inline bool ck_dsb_st(uint8_t share_sym)
{
	return share_sym == CK_S_NSHST || share_sym == CK_S_ISHST;
}

/** A TLBI that uses the VMID in VTTBR_EL2 (every stage-1/2 guest one). */
static inline bool ck_tlbi_vmid_scoped(uint8_t op)
{
	return op == CK_S_IPAS2E1 || op == CK_S_IPAS2LE1 ||
	       op == CK_S_VMALLE1 || op == CK_S_VMALLS12E1;
}

/** A TLBI by IPA (stage-2 entries only). */
static inline bool ck_tlbi_by_ipa(uint8_t op)
{
	return op == CK_S_IPAS2E1 || op == CK_S_IPAS2LE1;
}

/**
 * True when TLBI @e removes the stage-2 entry for [@ipa, @ipa + size of
 * @level) of @vmid: by IPA at an address inside it (the last-level form
 * only for a leaf), or everything of the VMID.
 */
bool ck_tlbi_covers(const struct ck_event *e, uint64_t ipa, uint64_t level,
		    uint64_t vmid, bool table);

/** The name of the event of record @index ("bbm_make"). */
const char *ck_event_name(const struct ck *c, size_t index);

#endif /* FAULTLINE_TRACE_CHECK_INTERNAL_H */
