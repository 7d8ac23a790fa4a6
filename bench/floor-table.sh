#!/bin/sh
# The "fault against the trap floor" table of docs/performance.md: runs
# each scenario under each policy on QEMU (one run each, repetitions as
# the scenario says) and prints one Markdown row per run with the ratios
# that run measured against its own null-hvc floor. Every ratio comes
# from one run, as DESIGN.md's "Measuring under QEMU" asks.
#
# Usage: bench/floor-table.sh [BUILD_DIR] [SCENARIO...]
#   OUT=DIR (default BUILD_DIR/floor-table) keeps the runs.
#   POLICIES="legacy prejudge" (the default) chooses the policies.
set -u

BUILD=${1:-build}
[ $# -gt 0 ] && shift
SCENARIOS=${*:-first-touch same-gpa-race rw-ro-pingpong perm-relax-race \
	block-split-storm dirty-log multi-vm}
POLICIES=${POLICIES:-legacy prejudge}
OUT=${OUT:-$BUILD/floor-table}
FAULTLINE="$BUILD/faultline"

if [ ! -x "$FAULTLINE" ]; then
	echo "floor-table: $FAULTLINE is not built (make first)" >&2
	exit 2
fi
mkdir -p "$OUT"

echo "| scenario | policy | verdict | faults | BBM | EL2 fault p50 | faulting access p50 | null hvc p50 | faulting / hvc | EL2 fault / hvc |"
echo "|----------|--------|---------|-------:|----:|--------------:|--------------------:|-------------:|---------------:|----------------:|"
for s in $SCENARIOS; do
	for p in $POLICIES; do
		dir="$OUT/$s-$p"
		rm -rf "$dir"
		"$FAULTLINE" run "$s" --policy "$p" --no-plots --quiet \
			--out "$dir" >"$OUT/$s-$p.log" 2>&1
		if [ ! -f "$dir/summary.json" ]; then
			echo "| $s | $p | no summary (see $OUT/$s-$p.log) | | | | | | | |"
			continue
		fi
		/usr/bin/python3 - "$dir/summary.json" "$s" "$p" <<'EOF'
import json, sys

path, scenario, policy = sys.argv[1:4]
with open(path) as f:
    s = json.load(f)
fp = s.get("fault_path") or {}


def dur(d):
    if not d:
        return "-"
    ns = d["p50"]
    if ns < 1000:
        return "%d ns" % ns
    if ns < 1000000:
        return "%.1f us" % (ns / 1e3)
    return "%.2f ms" % (ns / 1e6)


def ratio(r):
    return "-" if r is None else "%.2fx" % r


print("| %s | %s | %s | %d | %d | %s | %s | %s | %s | %s |" % (
    scenario, policy, s.get("verdict"), fp.get("faults", 0),
    (fp.get("bbm") or {}).get("breaks", 0),
    dur(fp.get("fault_latency_ns")),
    dur(fp.get("faulting_access_latency_ns")),
    dur(fp.get("hvc_floor_ns")),
    ratio(fp.get("faulting_access_p50_over_hvc_p50")),
    ratio(fp.get("fault_p50_over_hvc_p50"))))
EOF
	done
done
