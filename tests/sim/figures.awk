# Figures of a run, from the CSV that `faultline export` writes, one
# "key value" line each, for tests/sim/check-scenarios.sh to compare
# between QEMU and the sim backend. Only what the fault path and the
# guest decide: nothing of the world switch, boot or timing.
BEGIN { FS = "," }
NR == 1 {
	for (i = 1; i <= NF; i++) {
		if (!($i in col)) {
			col[$i] = i
		}
	}
	next
}
{
	ev = $col["event"]
}
ev == "s2_fault_exit" {
	out = $col["outcome"]
	faults++
	outcome[out]++
	page = $col["vmid"] ":" substr($col["ipa"], 1, length($col["ipa"]) - 3)
	if (out != "abort_injected") {
		faulted[page] = 1
	}
	if (out == "mapped") {
		mapped[page]++
	}
}
ev == "guest_abort_injected" { aborts++ }
ev == "guest_access" { access[$col["access"]]++ }
ev == "hvc_call" && $col["fn"] == "dirty_harvest" {
	harvests = harvests (harvests == "" ? "" : ";") $col["ret"]
}
ev == "vcpu_stop" { stops[$col["why"]]++ }
ev == "cmo" { cmo[$col["op"] "." $col["why"]]++ }
ev == "dirty_mark" { dirty_marks++ }
ev == "bbm_break" { bbm++ }
ev == "pool_recycle" { recycles++ }
ev == "sctlr_trap" { sctlr++ }
END {
	printf "faults %d\n", faults
	for (o in outcome) {
		printf "outcome.%s %d\n", o, outcome[o]
	}
	n = 0
	for (p in faulted) {
		n++
	}
	printf "pages_faulted %d\n", n
	twice = 0
	for (p in mapped) {
		if (mapped[p] > 1) {
			twice++
		}
	}
	printf "pages_mapped_twice %d\n", twice
	printf "aborts %d\n", aborts
	for (a in access) {
		printf "access.%s %d\n", a, access[a]
	}
	printf "harvests %s\n", harvests == "" ? "-" : harvests
	for (s in stops) {
		printf "stop.%s %d\n", s, stops[s]
	}
	for (c in cmo) {
		printf "cmo.%s %d\n", c, cmo[c]
	}
	printf "dirty_marks %d\n", dirty_marks
	printf "bbm %d\n", bbm
	printf "pool_recycles %d\n", recycles
	printf "sctlr_traps %d\n", sctlr
}
