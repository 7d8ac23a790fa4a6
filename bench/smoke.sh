#!/bin/sh
# The microbenchmarks' smoke test, for `make test` (tests/run-all.sh):
# every benchmark of build/faultline-bench runs briefly (about half a
# second in all), so that the C++ shim and each registration run, and a
# benchmark that fails is named; then the skip path, under one CPU, where
# the threaded benchmarks must say "skipped"; then compare.py reads the
# JSON the first run wrote. Ends with "N passed, N failed".
#
# Usage: bench/smoke.sh [BUILD_DIR]
set -u

BUILD=${1:-build}
BIN="$BUILD/faultline-bench"
OUT="$BUILD/test-logs/bench-smoke"
COMPARE=/usr/share/benchmark/compare.py
mkdir -p "$OUT"
pass=0
fail=0

# 1. Every benchmark, with the summary of the binary: its PASS/FAIL lines
# are shown, its result line is added to ours.
"$BIN" --summary --benchmark_min_time=0.001 \
	--benchmark_out="$OUT/micro.json" --benchmark_out_format=json \
	>"$OUT/run.log" 2>&1
status=$?
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$OUT/run.log" | tail -n 1)
grep -E '^(PASS|FAIL|SKIP) |perf:' "$OUT/run.log"
if [ -z "$line" ]; then
	echo "FAIL faultline-bench: no result line (exit status $status):"
	tail -n 20 "$OUT/run.log"
	fail=$((fail + 1))
else
	pass=$((pass + $(echo "$line" | cut -d' ' -f1)))
	fail=$((fail + $(echo "$line" | cut -d' ' -f3)))
fi

# 2. Skips: on one CPU the threaded runs skip and the others pass. The
# expected SKIP lines are not passed on (they are not skipped tests).
if command -v taskset >/dev/null 2>&1; then
	taskset -c 0 "$BIN" --summary --perf=off --benchmark_min_time=0.001 \
		--benchmark_filter='fault_same_ipa/prejudge' \
		>"$OUT/one-cpu.log" 2>&1
	if grep -q '^SKIP fault_same_ipa/prejudge/threads=2: one CPU' \
		"$OUT/one-cpu.log" &&
		grep -q '^1 passed, 0 failed$' "$OUT/one-cpu.log"; then
		echo "PASS skip on one CPU"
		pass=$((pass + 1))
	else
		echo "FAIL skip on one CPU: see $OUT/one-cpu.log"
		fail=$((fail + 1))
	fi
else
	echo "SKIP one-cpu: no taskset"
fi

# 3. The JSON is what compare.py (Google Benchmark's tools) reads.
if [ -f "$COMPARE" ] && /usr/bin/python3 -c 'import scipy' 2>/dev/null; then
	if /usr/bin/python3 "$COMPARE" benchmarks "$OUT/micro.json" \
		"$OUT/micro.json" >"$OUT/compare.log" 2>&1; then
		echo "PASS compare.py reads the JSON"
		pass=$((pass + 1))
	else
		echo "FAIL compare.py: see $OUT/compare.log"
		fail=$((fail + 1))
	fi
else
	echo "SKIP compare.py: not installed (libbenchmark-tools, python3-scipy)"
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
