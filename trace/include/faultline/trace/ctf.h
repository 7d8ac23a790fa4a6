/*
 * CTF through LTTng-UST (docs/ctf.md): what `faultline export --format
 * ctf` (harness/export_ctf.c), the replay program build/faultline-ctf and
 * the clock plugin build/libfaultline-clock.so (trace/ctf/) share.
 *
 * LTTng-UST stamps an event with the clock of the process that fires the
 * tracepoint, at the moment it fires; its consumer daemon reads its own
 * clock too, for the first packet's start (when it creates the buffers)
 * and the last packets' end (when `lttng stop` flushes them). So the clock
 * plugin, loaded into all of them, reads one shared clock: the clock page,
 * a small file in /dev/shm mapped by every process. The export sets it to
 * the first record's time before the session starts; the replay program
 * fires one tracepoint per record, in time order, and before each one
 * stores the record's EL2 time (and pCPU) in the page; it stays at the
 * last record's time for the flush. So the CTF events and packets carry
 * the EL2 timestamps, not the time of the export.
 *
 * The tool hands the records to the replay program in a replay file: a
 * header then the records, in the host's byte order (both programs come
 * from the same build, which the schema hash checks).
 */
#ifndef FAULTLINE_TRACE_CTF_H
#define FAULTLINE_TRACE_CTF_H

#include <stddef.h>

#include <faultline/trace/decode.h>
#include <faultline/types.h>

/** The LTTng-UST tracepoint provider: events are "faultline:<name>". */
#define TRACE_CTF_PROVIDER "faultline"

/**
 * Environment: the clock page's path, for tests; by default
 * /dev/shm/faultline-ctf-clock-UID (/tmp when there is no /dev/shm).
 */
#define TRACE_CTF_ENV_CLOCK_FILE "FAULTLINE_CTF_CLOCK_FILE"

/** The clock's name in the CTF metadata. */
#define TRACE_CTF_CLOCK_NAME "faultline_el2"
/** The clock's description in the CTF metadata. */
#define TRACE_CTF_CLOCK_DESC                                                   \
	"faultline EL2 generic timer (CNTVCT_EL0) of the traced run, in ns "   \
	"since the counter's zero"

/** Bytes of a UUID string with its NUL (LTTNG_UST_UUID_STR_LEN). */
#define TRACE_CTF_UUID_STR_LEN 37

/** The first 8 bytes of a clock page of this layout. */
#define TRACE_CTF_CLOCK_MAGIC UINT64_C(0x314b434c43544346)

/**
 * The clock page, shared by processes: what changes while they read it is
 * a lock-free atomic; the UUID is written before the session starts.
 */
struct trace_ctf_clock_page {
	_Atomic uint64_t magic;
	/** The time every process's clock reads, in ns. */
	_Atomic uint64_t now_ns;
	/** The CPU buffer the replay program's events go to. */
	_Atomic int cpu;
	/** The clock's UUID for the next session (NUL-terminated). */
	char uuid[TRACE_CTF_UUID_STR_LEN];
};

/**
 * The clock page's path into @out. Returns 0, or -ERR_RANGE when it does
 * not fit.
 */
int trace_ctf_clock_path(char *out, size_t size);

/**
 * Maps the clock page (created, mode 0600, when missing). Returns NULL
 * when the file cannot be created or mapped, or holds another layout
 * (another TRACE_CTF_CLOCK_MAGIC).
 */
struct trace_ctf_clock_page *trace_ctf_clock_map(void);

/** Unmaps what trace_ctf_clock_map() returned; NULL is ignored. */
void trace_ctf_clock_unmap(struct trace_ctf_clock_page *page);

/** The 8 bytes a replay file starts with. */
#define TRACE_CTF_REPLAY_MAGIC "FLCTFRP1"

/** The header of a replay file; @nrecords struct trace_record follow. */
struct trace_ctf_replay_header {
	char magic[8];
	/** trace_schema_hash() of the tool that wrote it. */
	uint64_t schema_hash;
	/** The trace's counter frequency (Hz). */
	uint64_t counter_freq;
	uint64_t nrecords;
};

/** A replay file read back. */
struct trace_ctf_replay {
	uint64_t counter_freq;
	/** In time order, as the decoder ordered them; malloc'ed. */
	struct trace_record *records;
	size_t nrecords;
};

/**
 * Checks that every event the records of @td use is declared by the file's
 * schema exactly as by this build's table (name, fields and their kinds):
 * the provider is generated from the table, so a record of an event that
 * differs would be exported under wrong names. Returns 0, or -ERR_INVAL
 * with @err (of @err_size bytes) naming the first difference.
 */
int trace_ctf_check_schema(const struct trace_data *td, char *err,
			   size_t err_size);

/**
 * Writes the records of @td to the replay file @path. Returns 0 or
 * -ERR_IO.
 */
int trace_ctf_replay_write(const struct trace_data *td, const char *path);

/**
 * Reads the replay file @path into @rp (freed with trace_ctf_replay_free()
 * in every case). Returns 0, -ERR_IO when it cannot be read, or -ERR_INVAL
 * when it is not a replay file of this build (magic, schema hash, size).
 */
int trace_ctf_replay_read(const char *path, struct trace_ctf_replay *rp);

/** Frees what trace_ctf_replay_read() allocated; @rp may be zeroed. */
void trace_ctf_replay_free(struct trace_ctf_replay *rp);

/**
 * The CTF timestamp of a record: its generic-timer count @ts at @freq Hz
 * in ns since the counter's zero (absolute, so it lines up with the ticks
 * column of the CSV export and with guest-side tick fields).
 */
uint64_t trace_ctf_ns(uint64_t ts, uint64_t freq);

/**
 * A UUID string for the clock of @td's run (a hash of its build id, counter
 * frequency, first timestamp and record count, shaped as a version-4 UUID)
 * into @out, of TRACE_CTF_UUID_STR_LEN bytes. The same trace always gets
 * the same UUID; two runs get different ones, so babeltrace2 does not mix
 * their clocks up.
 */
void trace_ctf_clock_uuid(const struct trace_data *td,
			  char out[TRACE_CTF_UUID_STR_LEN]);

#endif /* FAULTLINE_TRACE_CTF_H */
