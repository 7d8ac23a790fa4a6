#!/bin/sh
# The sim backend against QEMU on the scenarios that ship. For each one:
# `faultline run` under QEMU (which also leaves the compiled plan.bin), then
# build/faultline-sim on that plan.bin (and build/tsan/faultline-sim, when
# built, which must report no race), both traces exported to CSV, and
# their figures (tests/sim/figures.awk) compared, and the sim's trace
# checked by `faultline check` (the fault path's ordering rules):
#  - always: the exit status, why each vCPU stopped, the guest's timed
#    accesses, the pages that faulted in, pages mapped more than once,
#    aborts, dirty-log harvests;
#  - with one vCPU (nothing races): every figure, fault outcomes, cache
#    maintenance, BBMs and recycles included.
# Then the sim's own reproduction of the 2023 relax-race livelock:
# perm-relax-race's plan with `bug=no_local_inval` must livelock on the
# sim (its TLB keeps the read-only entry the losers fault on), the
# detector stopping the VM (exit status 8, a livelock event on the page),
# where QEMU, whose TLB forgets the entry, completes it.
# Ends with "N passed, N failed" (one check per scenario and backend).
#
# Usage: tests/sim/check-scenarios.sh [BUILD_DIR [SCENARIO...]]
set -u

BUILD=${1:-build}
[ $# -gt 0 ] && shift
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# Scenario names are looked up in scenarios/ from the top of the tree.
cd "$ROOT" || exit 1
FAULTLINE="$ROOT/$BUILD/faultline"
HYP="$ROOT/$BUILD/hyp.elf"
SIM="$ROOT/$BUILD/faultline-sim"
TSAN_SIM="$ROOT/$BUILD/tsan/faultline-sim"
OUT="$ROOT/$BUILD/test-logs/sim-scenarios"
case $BUILD in /*)
	FAULTLINE="$BUILD/faultline"
	HYP="$BUILD/hyp.elf"
	SIM="$BUILD/faultline-sim"
	TSAN_SIM="$BUILD/tsan/faultline-sim"
	OUT="$BUILD/test-logs/sim-scenarios"
	;;
esac

if [ $# -gt 0 ]; then
	SCENARIOS="$*"
else
	SCENARIOS=$(for f in "$ROOT"/scenarios/*.scn; do basename "$f" .scn; done)
fi

# The rule checker, where this build has it: the sim's traces obey it too.
RULES=no
"$FAULTLINE" help check >/dev/null 2>&1 && RULES=yes

pass=0
fail=0
rm -rf "$OUT"
mkdir -p "$OUT"

# extra_args NAME: options for a scenario whose figures depend on timing.
# rw-ro-pingpong under its own policy (legacy) is a livelock whose onset
# depends on how the host schedules the vCPUs, on QEMU and on the sim
# alike; under prejudge it is deterministic, so that is what is compared.
extra_args() {
	case $1 in
	rw-ro-pingpong) echo "--policy prejudge" ;;
	*) echo "" ;;
	esac
}

# Keys compared whatever the number of vCPUs.
ALWAYS='^(status|stop\..*|access\..*|pages_faulted|pages_mapped_twice|aborts|harvests) '

# figures CSV STATUS: the figures of a run, sorted, with its exit status.
figures() {
	{
		echo "status $2"
		awk -f "$HERE/figures.awk" "$1"
	} | sort
}

# compare NAME BACKEND QEMU_FIGURES SIM_FIGURES ALL: one check.
compare() {
	name=$1 backend=$2 q=$3 s=$4 all=$5
	if [ "$all" = yes ]; then
		grep -v '^$' "$q" >"$q.cmp"
		grep -v '^$' "$s" >"$s.cmp"
	else
		grep -E "$ALWAYS" "$q" >"$q.cmp"
		grep -E "$ALWAYS" "$s" >"$s.cmp"
	fi
	if diff "$q.cmp" "$s.cmp" >"$s.diff"; then
		echo "PASS sim.$name.$backend ($(wc -l <"$s.cmp") figures)"
		pass=$((pass + 1))
	else
		echo "FAIL sim.$name.$backend: figures differ (< QEMU, > sim):"
		sed 's/^/    /' "$s.diff"
		fail=$((fail + 1))
	fi
}

for name in $SCENARIOS; do
	dir="$OUT/$name"
	mkdir -p "$dir"
	# shellcheck disable=SC2046
	"$FAULTLINE" run "$name" $(extra_args "$name") --hyp "$HYP" \
		--out "$dir/qemu" --quiet --no-plots >"$dir/qemu.log" 2>&1
	qstatus=0
	grep -q 'run ended: ok' "$dir/qemu/console.log" 2>/dev/null ||
		qstatus=$(sed -n 's/.*run ended: .*(exit status \([0-9]*\)).*/\1/p' \
			"$dir/qemu/console.log" 2>/dev/null | tail -n 1)
	if [ ! -s "$dir/qemu/plan.bin" ] || [ ! -s "$dir/qemu/trace.bin" ]; then
		echo "FAIL sim.$name: the QEMU run left no plan or trace ($dir/qemu.log)"
		fail=$((fail + 1))
		continue
	fi
	"$FAULTLINE" export "$dir/qemu/trace.bin" -o "$dir/qemu.csv" 2>/dev/null
	figures "$dir/qemu.csv" "${qstatus:-?}" >"$dir/qemu.fig"
	nvcpus=$(grep -c '^faultline: vm .* vcpu .* (cpu ' "$dir/qemu/console.log")
	all=no
	[ "$nvcpus" -eq 1 ] && all=yes

	for backend in sim tsan; do
		bin=$SIM
		[ $backend = tsan ] && bin=$TSAN_SIM
		if [ ! -x "$bin" ]; then
			[ $backend = sim ] && {
				echo "FAIL sim.$name.sim: $bin is not built"
				fail=$((fail + 1))
			}
			continue
		fi
		TSAN_OPTIONS="halt_on_error=1 exitcode=66" "$bin" \
			--plan "$dir/qemu/plan.bin" --trace "$dir/$backend.bin" \
			>"$dir/$backend.log" 2>&1
		status=$?
		if [ $status -eq 66 ] || grep -q 'WARNING: ThreadSanitizer' "$dir/$backend.log"; then
			echo "FAIL sim.$name.$backend: ThreadSanitizer reports ($dir/$backend.log)"
			fail=$((fail + 1))
			continue
		fi
		if ! "$FAULTLINE" export "$dir/$backend.bin" -o "$dir/$backend.csv" \
			>/dev/null 2>"$dir/$backend.export.log"; then
			echo "FAIL sim.$name.$backend: faultline export cannot read its trace"
			sed 's/^/    /' "$dir/$backend.export.log"
			fail=$((fail + 1))
			continue
		fi
		figures "$dir/$backend.csv" "$status" >"$dir/$backend.fig"
		compare "$name" "$backend" "$dir/qemu.fig" "$dir/$backend.fig" "$all"
		if [ "$backend" != sim ] || [ "$RULES" != yes ]; then
			continue
		fi
		if "$FAULTLINE" check "$dir/sim.bin" >"$dir/sim.check" 2>&1 &&
			grep -q ': clean' "$dir/sim.check"; then
			echo "PASS sim.$name.rules ($(tail -n 1 "$dir/sim.check" | sed 's/.*: //'))"
			pass=$((pass + 1))
		else
			echo "FAIL sim.$name.rules: the rule checker objects ($dir/sim.check)"
			fail=$((fail + 1))
		fi
	done
done

# relax_race_livelock DIR: the sim reproduction on perm-relax-race's plan.
relax_race_livelock() {
	dir=$1
	"$SIM" --plan "$dir/qemu/plan.bin" --trace "$dir/bug.bin" \
		--append "bug=no_local_inval" >"$dir/bug.log" 2>&1
	status=$?
	"$FAULTLINE" export "$dir/bug.bin" -o "$dir/bug.csv" 2>/dev/null
	# The livelock record's IPA and fault count (columns by name).
	ll=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["event"] == "livelock" { print $c["ipa"], $c["faults"]; exit }' \
		"$dir/bug.csv" 2>/dev/null)
	if [ "$status" -eq 8 ] && [ "${ll%% *}" = 0x80000000 ] &&
		[ "${ll##* }" -ge 64 ]; then
		echo "PASS sim.perm-relax-race.bug_no_local_inval_livelocks (exit status 8, livelock $ll)"
		pass=$((pass + 1))
	else
		echo "FAIL sim.perm-relax-race.bug_no_local_inval_livelocks: exit status $status, livelock '${ll:-none}' ($dir/bug.log)"
		fail=$((fail + 1))
	fi
}

# shellcheck disable=SC2086
case " $(echo $SCENARIOS) " in
*" perm-relax-race "*)
	if [ -x "$SIM" ] && [ -s "$OUT/perm-relax-race/qemu/plan.bin" ]; then
		relax_race_livelock "$OUT/perm-relax-race"
	fi
	;;
esac

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
