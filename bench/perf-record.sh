#!/bin/sh
# `make perf-record BENCH=REGEX`: profiles the microbenchmarks whose name
# matches REGEX with `perf record -g` (call graphs), and leaves
#   BENCH_DIR/perf-NAME.data   the profile (perf report -i ... to browse)
#   BENCH_DIR/perf-NAME.txt    `perf report --stdio` of it
# where NAME is REGEX with anything but letters, digits, '.', '_' and '-'
# made '_'. The call graphs are unwound from DWARF (-g --call-graph
# dwarf): the -O2 objects have no frame pointers, and perf's default
# frame-pointer unwinding would make nonsense of them. On a machine
# without hardware counters perf samples the cpu-clock software event
# instead, which is still a profile.
#
# Usage: bench/perf-record.sh BENCH_BINARY BENCH_DIR REGEX [MIN_TIME]
set -u

BIN=$1
DIR=$2
FILTER=$3
# Longer than `make bench`'s: a profile wants samples (1000 a second).
MIN_TIME=${4:-0.05}
MIN_TIME=$(awk -v t="$MIN_TIME" 'BEGIN { print (t < 0.5 ? 0.5 : t) }')

if [ -z "$FILTER" ]; then
	echo "perf-record: say which benchmarks: make perf-record BENCH=REGEX" \
		"(e.g. BENCH=fault_mapped/legacy)" >&2
	exit 2
fi
if ! command -v perf >/dev/null 2>&1; then
	echo "perf-record: no 'perf' command: install it (Debian: apt-get" \
		"install linux-perf)" >&2
	exit 1
fi
paranoid=$(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null || echo "?")
if [ "$(id -u)" -ne 0 ] && [ "$paranoid" != "?" ] && [ "$paranoid" -gt 2 ]; then
	echo "perf-record: kernel.perf_event_paranoid is $paranoid: profiling" \
		"is not permitted to users. As root: sysctl" \
		"kernel.perf_event_paranoid=2 (own processes, user space)" \
		"or 1 (kernel too), or run this as root." >&2
	exit 1
fi

NAME=$(printf '%s' "$FILTER" | tr -c 'A-Za-z0-9._-' '_')
DATA="$DIR/perf-$NAME.data"
TXT="$DIR/perf-$NAME.txt"
mkdir -p "$DIR"
# perf keeps the previous file as .old: one profile per name is enough.
rm -f "$DATA" "$DATA.old"

echo "perf-record: perf record -g of benchmarks matching '$FILTER'" \
	"(perf_event_paranoid $paranoid)"
# perf counters of our own would only add noise to the profile: off.
if ! perf record -g --call-graph dwarf -o "$DATA" -- "$BIN" --perf=off \
	--benchmark_filter="$FILTER" --benchmark_min_time="$MIN_TIME"; then
	echo "perf-record: perf record failed. If it says 'Permission" \
		"denied' or 'perf_event_paranoid', lower" \
		"kernel.perf_event_paranoid (now $paranoid) or run as root." >&2
	exit 1
fi
if ! perf report --stdio -i "$DATA" >"$TXT" 2>"$DIR/perf-$NAME.err"; then
	echo "perf-record: perf report failed: see $DIR/perf-$NAME.err" >&2
	exit 1
fi
rm -f "$DIR/perf-$NAME.err"
echo "perf-record: profile in $DATA, report in $TXT"
