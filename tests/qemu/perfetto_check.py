"""Checks a `faultline export --format perfetto` file as the viewers read it.

Usage: python3 perfetto_check.py FILE [--vcpus N] [--pcpus N] [--faults N]
                                      [--min-flows N]

json.load()s the file, then replays what Perfetto's importer does with it:
events sorted as its importer sorts them (by time; at one time, complete
events "X" longest first, then the others in file order), and per thread,
complete events and instants onto a stack (a slice ends where it ends; at
one timestamp a slice that ended is popped before the next begins). It
fails when the file is not already in that order, when a slice overlaps
its parent only partly (Perfetto would drop it), when a flow start ("s")
is not read right after a fault slice of its thread, or a flow end ("f")
right after a bbm or tlbi slice, when a flow id has not exactly one start
and one end, or when the processes and threads are not the expected ones. Prints one line of
counts and "perfetto_check: ok"; exits 1 with the reasons otherwise.
"""
import json
import sys
from collections import Counter, defaultdict


def ns(v):
    """A JSON microsecond value to integer nanoseconds, exactly."""
    s = repr(v) if isinstance(v, float) else str(v)
    whole, _, frac = s.partition(".")
    return int(whole) * 1000 + int((frac + "000")[:3])


def check(path, want_vcpus, want_pcpus, want_faults, min_flows):
    with open(path) as f:
        doc = json.load(f)
    errors = []
    events = doc["traceEvents"]
    assert doc.get("displayTimeUnit") == "ns", "displayTimeUnit is not ns"

    procs, threads = {}, defaultdict(dict)
    for e in events:
        if e["ph"] != "M":
            continue
        if e["name"] == "process_name":
            procs[e["pid"]] = e["args"]["name"]
        elif e["name"] == "thread_name":
            threads[e["pid"]][e["tid"]] = e["args"]["name"]
    hyp = [p for p, n in procs.items() if n.startswith("hypervisor")]
    vms = [p for p, n in procs.items() if n.startswith("VM ")]
    if len(hyp) != 1:
        errors.append("no single hypervisor process: %r" % procs)
    elif want_pcpus is not None and len(threads[hyp[0]]) != want_pcpus:
        errors.append("%d pCPU threads, want %d" %
                      (len(threads[hyp[0]]), want_pcpus))
    nvcpus = sum(len(threads[p]) for p in vms)
    if want_vcpus is not None and nvcpus != want_vcpus:
        errors.append("%d vCPU threads in the VMs, want %d" %
                      (nvcpus, want_vcpus))

    # Perfetto's importer sorts the events of one timestamp so: complete
    # events ("X") longest first, then the others in file order. The file
    # should already be in that order; the replay uses it either way.
    timed = [e for e in events if e["ph"] != "M"]
    order = sorted(range(len(timed)), key=lambda i: (
        ns(timed[i]["ts"]),
        -ns(timed[i]["dur"]) if timed[i]["ph"] == "X" else 0, i))
    moved = sum(1 for k, i in enumerate(order) if k != i)
    if moved:
        errors.append("%d events not in the importer's order" % moved)

    stacks = defaultdict(list)  # (pid, tid) -> [(end_ns, zero, cat)]
    flows = defaultdict(lambda: [0, 0])
    cats = Counter()
    unterminated = 0
    for e in (timed[i] for i in order):
        ph = e["ph"]
        ts = ns(e["ts"])
        key = (e["pid"], e["tid"])
        if ph in ("X", "i") and e.get("s", "t") == "t":
            dur = ns(e["dur"]) if ph == "X" else 0
            st = stacks[key]
            while st and (st[-1][0] < ts or
                          (st[-1][0] == ts and not (st[-1][1] and dur == 0))):
                st.pop()
            if st and ts + dur > st[-1][0]:
                errors.append("%s %r at %s overlaps its parent partly" %
                              (ph, e["name"], e["ts"]))
            st.append((ts + dur, dur == 0, e.get("cat")))
            if ph == "X":
                cats[e["cat"]] += 1
                if "unterminated" in e.get("args", {}):
                    unterminated += 1
        elif ph in ("s", "f"):
            top = stacks[key][-1][2] if stacks[key] else None
            want = ("fault",) if ph == "s" else ("bbm", "tlbi")
            if top not in want:
                errors.append("flow %s id %s binds to %r, not %s" %
                              (ph, e["id"], top, "/".join(want)))
            flows[e["id"]][0 if ph == "s" else 1] += 1
    bad = [i for i, (s, f) in flows.items() if s != 1 or f != 1]
    if bad:
        errors.append("%d flow ids without exactly one start and one end"
                      % len(bad))
    if want_faults is not None and cats["fault"] != want_faults:
        errors.append("%d fault slices, want %d" % (cats["fault"],
                                                    want_faults))
    if unterminated:
        errors.append("%d slices unterminated in a complete trace" %
                      unterminated)
    if len(flows) < min_flows:
        errors.append("%d flows, want at least %d" % (len(flows), min_flows))
    print("perfetto_check: %d events, %d processes, %d pCPU threads, "
          "%d vCPU threads, slices %s, %d flows" %
          (len(events), len(procs), len(threads[hyp[0]]) if hyp else 0,
           nvcpus, dict(sorted(cats.items())), len(flows)))
    for err in errors[:20]:
        print("perfetto_check: " + err)
    if errors:
        return 1
    print("perfetto_check: ok")
    return 0


def main(argv):
    opts = {"--vcpus": None, "--pcpus": None, "--faults": None,
            "--min-flows": "0"}
    args = argv[1:]
    path = None
    while args:
        a = args.pop(0)
        if a in opts and args:
            opts[a] = args.pop(0)
        else:
            path = a
    if path is None:
        print(__doc__)
        return 2

    def num(k):
        return None if opts[k] is None else int(opts[k])
    return check(path, num("--vcpus"), num("--pcpus"), num("--faults"),
                 num("--min-flows"))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
