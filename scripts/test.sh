#!/usr/bin/env bash
# The test command (README quick start, and what .ci/run calls):
#   installs what is missing, builds, runs every test; then runs the unit tests and every
#   fuzz corpus replay under ASan+UBSan, and checks that the libFuzzer targets build with clang.
# Tests that need ../shared/corpus skip with a message where it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
# ccache keys on paths relative to the checkout, so a fresh clone reuses earlier builds.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true

jobs=$(nproc)
bash scripts/install-deps.sh

echo "== debug build, all tests"
cmake --preset debug -DCA_BUILD_BENCH=OFF >/dev/null  # benchmarks are Release-only (bench/README.md)
cmake --build --preset debug -j"$jobs"
ctest --preset debug -j"$jobs" --timeout 900

echo "== ASan+UBSan build: unit tests and fuzz corpus replay"
cmake --preset asan-ubsan >/dev/null
cmake --build --preset asan-ubsan -j"$jobs" --target unit_tests
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    LSAN_OPTIONS=suppressions="$PWD/tests/sanitizers/lsan.supp" \
    ctest --preset asan-ubsan -j"$jobs" -L unit --timeout 900

echo "== libFuzzer targets build (clang)"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j"$jobs"
echo "test.sh: all green"
