#!/usr/bin/env bash
# Installs, builds and runs the whole test suite through CTest, then the
# safety net: the same tools built with ASan and UBSan (clang) run the unit,
# diagnostics and kernel tests, and each libFuzzer target fuzzes for a
# bounded time (SN_FUZZ_SECONDS, default 30). Arguments go to the first
# ctest run only; with arguments the safety net is skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
(cd "${BUILD_DIR:-build}" && ctest --output-on-failure -j2 --timeout 900 "$@")
[ $# -eq 0 ] || exit 0
SANITIZE=1 BUILD_DIR=build-asan bash scripts/build.sh
cmake -S . -B build-asan -DSN_FUZZ_SECONDS="${SN_FUZZ_SECONDS:-30}" >/dev/null
cd build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --output-on-failure -j2 --timeout 900 -R '^(unit|diagnostics|kernel|fuzz)\.'
