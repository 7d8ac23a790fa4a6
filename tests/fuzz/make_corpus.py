#!/usr/bin/env python3
"""Makes the seed corpus of the trace fuzzer (tests/fuzz/README.md).

usage: make_corpus.py OUT_DIR BOOT FIRST_TOUCH PINGPONG RELAX SAME_GPA_RACE

Each argument after OUT_DIR is a trace.bin of a run of the current build:
`faultline run --mode boot --smp 1`, `faultline run first-touch`,
`faultline run rw-ro-pingpong --policy legacy`, the same with
`--policy prejudge`, and `faultline run same-gpa-race`. From them it
writes small real traces (a window of records around the first fault, the
first break-before-make, or the first local TLBI of a permission
relaxation, rewritten as a complete file) and hand-damaged ones, each
damage of docs/trace-format.md "Reading robustly" once.
"""
import os
import struct
import sys

HEADER = 256
CHUNK = struct.Struct("<IHHII")
CHUNK_MAGIC = 0x4B434C46
SCHEMA, EVENTS, END = 1, 2, 3
RECORD = 64


def parse(path):
    """The header bytes, the schema text and each CPU's records in order."""
    with open(path, "rb") as f:
        data = f.read()
    schema = b""
    recs = {}
    off = HEADER
    while off + CHUNK.size <= len(data):
        magic, ctype, cpu, count, size = CHUNK.unpack_from(data, off)
        if magic != CHUNK_MAGIC:
            raise SystemExit(f"{path}: bad chunk at {off}")
        payload = data[off + CHUNK.size:off + CHUNK.size + size]
        if ctype == SCHEMA:
            schema = payload
        elif ctype == EVENTS:
            recs.setdefault(cpu, []).extend(
                payload[i:i + RECORD] for i in range(0, count * RECORD, RECORD))
        off += CHUNK.size + size
    return data[:HEADER], schema, recs


def rec_ts(r):
    return struct.unpack_from("<Q", r, 0)[0]


def rec_id(r):
    return struct.unpack_from("<H", r, 8)[0]


def event_ids(schema):
    """Event name -> id, from the schema text."""
    ids = {}
    for line in schema.decode().splitlines():
        words = line.split()
        if len(words) >= 3 and words[0] == "event":
            ids[words[2]] = int(words[1])
    return ids


def mini_schema(schema, recs):
    """The schema lines the records need: their events and those enums."""
    used = {rec_id(r) for rs in recs.values() for r in rs}
    lines = schema.decode().splitlines()
    events = [l for l in lines
              if l.startswith("event ") and int(l.split()[1]) in used]
    kinds = {w.split(":", 1)[1] for l in events for w in l.split()[3:]}
    enums = [l for l in lines if l.startswith("enum ") and l.split()[1] in kinds]
    return ("\n".join(enums + events) + "\n").encode()


def chunk(ctype, cpu, count, payload):
    return CHUNK.pack(CHUNK_MAGIC, ctype, cpu, count, len(payload)) + payload


def write_trace(header, schema, recs, complete=True):
    """A well-formed file: header, schema, one EVENTS chunk per CPU, END."""
    h = bytearray(header)
    struct.pack_into("<I", h, 32, 1 if complete else 0)
    h[72:200] = bytes(128)
    out = bytearray(h) + chunk(SCHEMA, 0, 0, schema)
    total = 0
    for cpu in sorted(recs):
        rs = recs[cpu]
        out += chunk(EVENTS, cpu, len(rs), b"".join(rs))
        total += len(rs)
    if complete:
        out += chunk(END, 0, 0, struct.pack("<Q", total) + bytes(128))
    return out


def enum_value(schema, kind, name):
    """The value of enum @kind's value @name, from the schema text."""
    for line in schema.decode().splitlines():
        words = line.split()
        if words[:2] == ["enum", kind] and words[3] == name:
            return int(words[2])
    raise SystemExit(f"no enum {kind} {name}")


def window(recs, first_id, per_cpu, where=None):
    """Each CPU's first @per_cpu records from the first @first_id on whose
    fields (number -> value in @where) match."""
    def match(r):
        return rec_id(r) == first_id and all(
            struct.unpack_from("<Q", r, 16 + 8 * f)[0] == v
            for f, v in (where or {}).items())
    t0 = min(rec_ts(r) for rs in recs.values() for r in rs if match(r))
    out = {}
    for cpu, rs in recs.items():
        kept = [r for r in rs if rec_ts(r) >= t0][:per_cpu]
        if kept:
            out[cpu] = kept
    return out


def first_chunk(data, ctype):
    """Offset of the first chunk of @ctype."""
    off = HEADER
    while True:
        _, t, _, _, size = CHUNK.unpack_from(data, off)
        if t == ctype:
            return off
        off += CHUNK.size + size


def damaged(base):
    """name -> bytes: @base (a small complete trace) damaged one way each."""
    out = {}

    def put(name, fn):
        b = bytearray(base)
        fn(b)
        out[name] = bytes(b)

    ev = first_chunk(base, EVENTS)
    sc = first_chunk(base, SCHEMA)
    rec = ev + CHUNK.size
    put("bad-magic", lambda b: b.__setitem__(0, ord("X")))
    put("bad-version", lambda b: struct.pack_into("<I", b, 8, 99))
    put("bad-ncpus", lambda b: struct.pack_into("<I", b, 20, 17))
    put("zero-frequency", lambda b: struct.pack_into("<Q", b, 24, 0))
    put("bad-chunk-magic", lambda b: struct.pack_into("<I", b, ev, 0x12345678))
    put("unknown-chunk-type", lambda b: struct.pack_into("<H", b, ev + 4, 9))
    put("chunk-cpu-out-of-range", lambda b: struct.pack_into("<H", b, ev + 6, 15))
    put("unknown-event-id", lambda b: struct.pack_into("<H", b, rec + 8, 0x7777))
    put("record-cpu-mismatch", lambda b: struct.pack_into("<H", b, rec + 10, 3))
    put("seq-backwards",
        lambda b: struct.pack_into("<I", b, rec + RECORD + 12, 0))
    # A count whose byte size wraps 32 bits to a plausible value.
    put("huge-count", lambda b: struct.pack_into("<II", b, ev + 8, 0x03FFFFFF,
                                                 0xFFFFFFC0))
    put("count-bytes-mismatch",
        lambda b: struct.pack_into("<I", b, ev + 8, 0xFFFFFFFF))
    put("huge-schema-size", lambda b: struct.pack_into("<I", b, sc + 12,
                                                       0xFFFFFFF0))
    put("flag-without-end", lambda b: b.__delitem__(slice(len(b) - 152, None)))
    put("end-without-flag", lambda b: struct.pack_into("<I", b, 32, 0))
    out["chunk-after-end"] = bytes(base) + base[-152:]
    out["events-before-schema"] = (base[:HEADER] + base[ev:len(base) - 152] +
                                   base[sc:ev] + base[-152:])
    out["cut-mid-record"] = bytes(base[:rec + RECORD + 20])
    return out


def garbage_schemas(header, recs):
    """Files whose schema text is damaged in the ways a parser trips on."""
    lines = [
        b"enum K 1 a\nevent 5 x f:K\nevent 5 y f:K\n",  # duplicate id
        b"event 70000 big f:U64\n",  # id above 65535
        b"event 1 " + b"n" * 100 + b" f:U64\n",  # name too long
        b"event 1 x " + b"f:" + b"K" * 40 + b"\n",  # kind too long
        b"event 1 x " + b" ".join(b"f%d:U64" % i for i in range(7)) + b"\n",
        b"event 1 x :U64 f: g\n",  # fields without name or kind
        b"enum K notanumber a\nenum K 1\n",  # malformed enum lines
        b"bogus line\n",
        b"event 1 x f:U64",  # no final newline
        bytes(range(256)),  # binary
    ]
    return {f"schema-garbage-{i}": write_trace(header, text, recs)
            for i, text in enumerate(lines)}


def main():
    if len(sys.argv) != 7:
        raise SystemExit(__doc__)
    out_dir, boot, first_touch, pingpong, relax, sgr = sys.argv[1:]
    os.makedirs(out_dir, exist_ok=True)
    files = {}

    header, schema, recs = parse(boot)
    files["boot-smp1"] = write_trace(header, schema, recs)
    small = write_trace(header, mini_schema(schema, recs), recs)
    files.update(damaged(small))
    files.update(garbage_schemas(header, recs))

    header, schema, recs = parse(first_touch)
    win = window(recs, event_ids(schema)["s2_fault_enter"], 40)
    files["first-touch-faults"] = write_trace(header, schema, win)

    header, schema, recs = parse(pingpong)
    win = window(recs, event_ids(schema)["bbm_break"], 32)
    files["pingpong-bbm"] = write_trace(header, schema, win)

    # The relaxation's local TLBI IPAS2E1 (tlbi fields: op 0, share 3).
    header, schema, recs = parse(relax)
    local = {0: enum_value(schema, "TLBI_OP", "ipas2e1"),
             3: enum_value(schema, "SHARE", "nsh")}
    win = window(recs, event_ids(schema)["tlbi"], 16, local)
    files["pingpong-relax"] = write_trace(header, schema, win)

    with open(sgr, "rb") as f:
        files["same-gpa-race-cut"] = f.read(8192)

    for name, data in sorted(files.items()):
        with open(os.path.join(out_dir, name + ".trace"), "wb") as f:
            f.write(data)
    print(f"{len(files)} files, {sum(map(len, files.values()))} bytes in {out_dir}")


if __name__ == "__main__":
    main()
