#!/bin/sh
# Runs every test suite and ends with one line "N passed, N failed".
# Each suite prints its own "N passed, N failed" last; a suite that dies
# without it counts as one failure. Skips are counted and named, never
# counted as passed.
#
# Usage: tests/run-all.sh [BUILD_DIR]
set -u

BUILD=${1:-build}
# The QEMU tests find the tool and the images of this build, not build/.
export FAULTLINE_BUILD="$BUILD"
LOG_DIR="$BUILD/test-logs"
mkdir -p "$LOG_DIR"

total_pass=0
total_fail=0
total_skip=0
skipped_names=""
failed_suites=""

# run_suite NAME COMMAND...: runs, shows and tallies one suite.
run_suite() {
	name=$1
	shift
	log="$LOG_DIR/$name.log"
	echo "=== $name: $*"
	"$@" >"$log.raw" 2>&1
	status=$?
	# The EL2 console ends lines with \r\n (a UART): normalise.
	tr -d '\r' <"$log.raw" >"$log"
	rm -f "$log.raw"
	cat "$log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "=== $name: no result line (exit status $status): counted as 1 failure"
		total_fail=$((total_fail + 1))
		failed_suites="$failed_suites $name"
		return
	fi
	pass=$(echo "$line" | cut -d' ' -f1)
	fail=$(echo "$line" | cut -d' ' -f3)
	if [ "$fail" -eq 0 ] && [ "$status" -ne 0 ]; then
		echo "=== $name: exit status $status despite 0 failures: counted as 1 failure"
		fail=1
	fi
	total_pass=$((total_pass + pass))
	total_fail=$((total_fail + fail))
	if [ "$fail" -ne 0 ]; then
		failed_suites="$failed_suites $name"
	fi
	skips=$(grep -E '^SKIP ' "$log" | sed 's/^SKIP \([^:]*\):.*/\1/')
	for s in $skips; do
		total_skip=$((total_skip + 1))
		skipped_names="$skipped_names $name:$s"
	done
}

run_suite host-unit "$BUILD/host/unit-tests"
# Any data race is an error: TSan's exit status fails the suite.
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
	run_suite host-tsan "$BUILD/tsan/unit-tests"
run_suite el2-unit "$BUILD/faultline" run --mode test --smp 2 \
	--out "$LOG_DIR/el2-unit-run" --name el2-unit
run_suite qemu-integration "$BUILD/host/qemu-tests"
run_suite sim-scenarios tests/sim/check-scenarios.sh "$BUILD"
run_suite bench-smoke bench/smoke.sh "$BUILD"

echo "==="
if [ -n "$failed_suites" ]; then
	echo "failed suites:$failed_suites (logs in $LOG_DIR/)"
fi
if [ "$total_skip" -ne 0 ]; then
	echo "$total_skip skipped:$skipped_names"
fi
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
