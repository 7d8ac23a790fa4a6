#!/bin/sh
# Installs the Debian 12 packages faultline needs, and only those missing.
# Quick (a dpkg query) when everything is there. Run by `make deps`.
set -eu

# What each package is for:
#   qemu-system-arm      qemu-system-aarch64, the machine the hypervisor runs on
#   gcc-aarch64-linux-gnu, binutils-aarch64-linux-gnu  the EL2 cross toolchain
#   device-tree-compiler dtc, for the device-tree test fixtures
#   gdb-multiarch        `make debug`
#   gcc, make, libc6-dev the host build (tools and tests)
#   clang-format, cppcheck  `make format` and `make lint`
#   liblttng-ust-dev, lttng-tools  `faultline export --format ctf` (LTTng-UST)
#   babeltrace2          reads the CTF traces back (tests, users)
#   gnuplot-nox          `faultline plot`
#   clang-14, libclang-rt-14-dev  libFuzzer for `make fuzz`
#   python3              the JSON checks of the exporter tests
#   g++, libbenchmark-dev  `make bench`: Google Benchmark and its C++ shim
#   libbenchmark-tools, python3-scipy  compare.py, to compare two bench runs
PACKAGES="qemu-system-arm gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu
device-tree-compiler gdb-multiarch gcc make libc6-dev clang-format cppcheck
liblttng-ust-dev lttng-tools babeltrace2 gnuplot-nox clang-14
libclang-rt-14-dev python3 g++ libbenchmark-dev libbenchmark-tools
python3-scipy"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "deps: all $(echo $PACKAGES | wc -w) packages present"
	exit 0
fi

echo "deps: installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
	sudo=""
elif command -v sudo >/dev/null 2>&1; then
	sudo="sudo"
else
	echo "deps: not root and no sudo: install these as root:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
