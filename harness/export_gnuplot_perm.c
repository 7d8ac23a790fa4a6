/*
 * entry_perm_over_time: what one stage-2 entry allowed over the run, for
 * the ping-pong of seed 002 and the relax race. The entry is the one
 * broken most often (bbm_break records, by VMID and descriptor address),
 * or, when nothing was broken, the one written in place most often
 * (pte_write: a relaxation or write protection). Its state follows the
 * new descriptor of each pte_write and bbm_make: invalid, a table, or a
 * valid leaf's stage-2 access permissions (S2AP, descriptor bits 7:6,
 * Arm ARM D8.3.2: none, RO, WO, RW); between a bbm_break and its make the
 * entry is invalid and locked: "broken". The stage-2 faults on the
 * memory the entry maps are drawn under it, coloured by vCPU.
 *
 * The data file holds one run as two gnuplot index blocks (the entry's
 * states, then its faults), each under a "# run 0" line, so that runs of
 * several policies can later be put side by side as blocks 2k and 2k + 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faultline/err.h>

#include "export_gnuplot_internal.h"

/* Rows of either block at most: a livelock on the sim makes millions. */
#define GP_PERM_ROWS 200000

/* The states of the entry: the values on the plot's y axis. */
enum gp_perm_state {
	GP_PERM_FAULT = -1,
	GP_PERM_INVALID = 0,
	GP_PERM_BROKEN = 1,
	GP_PERM_NONE = 2,
	GP_PERM_RO = 3,
	GP_PERM_WO = 4,
	GP_PERM_RW = 5,
	GP_PERM_TABLE = 6,
};

static const char *const gp_perm_names[] = {
	"invalid", "broken", "none", "RO", "WO", "RW", "table",
};

/* One entry: (VMID, descriptor address), and how often it was written. */
struct gp_perm_entry {
	uint64_t vmid;
	uint64_t entry;
	uint64_t ipa;
	uint64_t level;
	uint64_t breaks;
	uint64_t writes;
};

/* The schema ids of the events read here (UINT32_MAX: not in the file). */
struct gp_perm_ids {
	uint32_t pte_write;
	uint32_t bbm_break;
	uint32_t bbm_make;
	uint32_t fault;
};

static uint32_t gp_perm_id(const struct trace_data *td, const char *name)
{
	for (size_t i = 0; i < td->nevents; i++) {
		if (strcmp(td->events[i].name, name) == 0) {
			return td->events[i].id;
		}
	}
	return UINT32_MAX;
}

/* The state a descriptor @d at @level gives the entry. */
static enum gp_perm_state gp_perm_of(uint64_t d, uint64_t level)
{
	if (!(d & 1)) {
		return GP_PERM_INVALID;
	}
	if (level < 3 && (d & 3) == 3) {
		return GP_PERM_TABLE;
	}
	return (enum gp_perm_state)(GP_PERM_NONE + ((d >> 6) & 3));
}

/* The entry with the most breaks, else the most in-place writes. */
static int gp_perm_pick(const struct trace_data *td,
			const struct gp_perm_ids *ids,
			struct gp_perm_entry *out)
{
	struct gp_perm_entry *e = NULL;
	size_t n = 0, cap = 0;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < td->nrecords && ret == 0; i++) {
		const struct trace_record *r = &td->records[i];
		bool brk = r->id == ids->bbm_break;
		uint64_t vmid = 0, entry = 0;
		size_t k;

		if (!brk && r->id != ids->pte_write) {
			continue;
		}
		trace_data_field(td, r, "vmid", &vmid);
		trace_data_field(td, r, "entry", &entry);
		for (k = 0; k < n; k++) {
			if (e[k].vmid == vmid && e[k].entry == entry) {
				break;
			}
		}
		if (k == n) {
			if (n == cap) {
				size_t want = cap > 0 ? cap * 2 : 256;
				void *np = realloc(e, want * sizeof(*e));

				if (np == NULL) {
					ret = -ERR_NOMEM;
					break;
				}
				e = np;
				cap = want;
			}
			e[n] = (struct gp_perm_entry){.vmid = vmid,
						      .entry = entry};
			trace_data_field(td, r, "ipa", &e[n].ipa);
			trace_data_field(td, r, "level", &e[n].level);
			n++;
		}
		*(brk ? &e[k].breaks : &e[k].writes) += 1;
	}
	for (size_t k = 0; ret == 0 && k < n; k++) {
		/* First seen wins a tie: the earliest such entry. */
		if (e[k].breaks > out->breaks ||
		    (out->breaks == 0 && e[k].writes > out->writes)) {
			*out = e[k];
		}
	}
	free(e);
	return ret;
}

/* Bytes of memory an entry of @level maps (4 KiB granule). */
static uint64_t gp_perm_span(uint64_t level)
{
	return level <= 3 ? UINT64_C(1) << (12 + 9 * (3 - level)) : 0;
}

/* Writes the two blocks of the data file; the rows of each in @rows. */
static void gp_perm_data(struct export_gnuplot_ctx *c, FILE *f,
			 const struct gp_perm_ids *ids,
			 const struct gp_perm_entry *pick, size_t rows[2])
{
	const struct trace_data *td = c->td;
	uint64_t span = gp_perm_span(pick->level);
	uint64_t base = pick->ipa & ~(span - 1);
	enum gp_perm_state st = GP_PERM_INVALID;
	uint64_t last_ns = 0;

	rows[0] = rows[1] = 0;
	fputs("# run 0: the entry's state from each descriptor write\n"
	      "# t_ms state name\n",
	      f);
	for (size_t i = 0; i < td->nrecords && rows[0] < GP_PERM_ROWS; i++) {
		const struct trace_record *r = &td->records[i];
		uint64_t vmid = 0, entry = 0, d = 0;

		if (r->id != ids->pte_write && r->id != ids->bbm_break &&
		    r->id != ids->bbm_make) {
			continue;
		}
		trace_data_field(td, r, "vmid", &vmid);
		trace_data_field(td, r, "entry", &entry);
		if (vmid != pick->vmid || entry != pick->entry) {
			continue;
		}
		if (r->id == ids->bbm_break) {
			st = GP_PERM_BROKEN;
		} else {
			trace_data_field(td, r, "new", &d);
			st = gp_perm_of(d, pick->level);
		}
		last_ns = trace_data_rel_ns(td, r->ts);
		export_gnuplot_ms(f, last_ns);
		fprintf(f, " %d %s\n", (int)st, gp_perm_names[st]);
		rows[0]++;
	}
	/* The last state lasts to the end of the trace. */
	if (rows[0] > 0 && c->m->last_ns > last_ns) {
		export_gnuplot_ms(f, c->m->last_ns);
		fprintf(f, " %d %s\n", (int)st, gp_perm_names[st]);
		rows[0]++;
	}
	fputs("\n\n# run 0: the stage-2 faults on the memory it maps\n"
	      "# t_ms y vcpu access\n",
	      f);
	for (size_t i = 0; i < td->nrecords && rows[1] < GP_PERM_ROWS; i++) {
		const struct trace_record *r = &td->records[i];
		uint64_t vmid = 0, ipa = 0, vcpu = 0, access = 0;
		const char *acc;

		if (r->id != ids->fault || span == 0) {
			continue;
		}
		trace_data_field(td, r, "vmid", &vmid);
		trace_data_field(td, r, "ipa", &ipa);
		if (vmid != pick->vmid || ipa < base || ipa - base >= span) {
			continue;
		}
		trace_data_field(td, r, "vcpu", &vcpu);
		trace_data_field(td, r, "access", &access);
		acc = trace_data_enum_name(td, "ACCESS", access);
		export_gnuplot_ms(f, trace_data_rel_ns(td, r->ts));
		fprintf(f, " %d %llu %s\n", (int)GP_PERM_FAULT,
			(unsigned long long)vcpu, acc != NULL ? acc : "?");
		rows[1]++;
	}
}

/* The script: states as steps, faults as points coloured by vCPU. */
static int gp_perm_script(struct export_gnuplot_ctx *c,
			  const struct gp_perm_entry *pick,
			  const size_t rows[2])
{
	static const char *const name = "entry_perm_over_time";
	char title[160];
	FILE *f;

	snprintf(title, sizeof(title),
		 "Stage-2 entry of IPA 0x%llx (level %llu, VMID %llu): %llu "
		 "break%s, %llu write%s in place",
		 (unsigned long long)pick->ipa, (unsigned long long)pick->level,
		 (unsigned long long)pick->vmid,
		 (unsigned long long)pick->breaks, pick->breaks == 1 ? "" : "s",
		 (unsigned long long)pick->writes,
		 pick->writes == 1 ? "" : "s");
	f = export_gnuplot_begin(c, name,
				 rows[0] > 0 ? title
					     : "Stage-2 entry permission "
					       "over time",
				 "time since the trace started (ms)",
				 "what the entry allows");
	if (f == NULL) {
		return -ERR_IO;
	}
	if (rows[0] == 0) {
		return export_gnuplot_empty(
			c, f, name, "no stage-2 descriptor written in place");
	}
	fputs("set yrange [-1.5:6.5]\n"
	      "set ytics ('fault' -1, 'invalid' 0, 'broken' 1, 'none' 2, "
	      "'RO' 3, 'WO' 4, 'RW' 5, 'table' 6)\n"
	      "set key outside top center horizontal\n",
	      f);
	export_gnuplot_png(f, name);
	fprintf(f,
		"plot '%s.dat' index 0 using 1:2 with steps lw 2 title "
		"'state'",
		name);
	if (rows[1] > 0) {
		fprintf(f,
			", \\\n    '%s.dat' index 1 using 1:2:($3+1) with "
			"points "
			"pt 7 ps 0.6 lc variable title 'faults (colour: "
			"vCPU)'",
			name);
	}
	fputc('\n', f);
	return export_gnuplot_end(c, f, name);
}

int export_gnuplot_perm(struct export_gnuplot_ctx *c)
{
	struct gp_perm_ids ids = {
		.pte_write = gp_perm_id(c->td, "pte_write"),
		.bbm_break = gp_perm_id(c->td, "bbm_break"),
		.bbm_make = gp_perm_id(c->td, "bbm_make"),
		.fault = gp_perm_id(c->td, "s2_fault_enter"),
	};
	struct gp_perm_entry pick;
	size_t rows[2] = {0, 0};
	FILE *f;
	int ret = gp_perm_pick(c->td, &ids, &pick);

	if (ret != 0) {
		snprintf(c->err, c->err_size,
			 "entry_perm_over_time: out of "
			 "memory");
		return ret;
	}
	f = export_gnuplot_open(c, "entry_perm_over_time", "dat");
	if (f == NULL) {
		return -ERR_IO;
	}
	fprintf(f,
		"# faultline: the permission of one stage-2 entry over time: "
		"the most broken\n# (breaks: %llu), or without breaks the most "
		"written in place (writes: %llu)\n",
		(unsigned long long)pick.breaks,
		(unsigned long long)pick.writes);
	if (pick.breaks + pick.writes > 0) {
		fprintf(f,
			"# entry 0x%llx: IPA 0x%llx, level %llu, VMID %llu\n"
			"# state: -1 fault, 0 invalid, 1 broken, 2 none, 3 RO, "
			"4 WO, 5 RW, 6 table (S2AP = descriptor bits 7:6)\n\n",
			(unsigned long long)pick.entry,
			(unsigned long long)pick.ipa,
			(unsigned long long)pick.level,
			(unsigned long long)pick.vmid);
		gp_perm_data(c, f, &ids, &pick, rows);
	}
	ret = export_gnuplot_close(c, f);
	return ret != 0 ? ret : gp_perm_script(c, &pick, rows);
}
