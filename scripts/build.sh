#!/usr/bin/env bash
# Configures and builds into build/ (BUILD_DIR overrides). SANITIZE=1 builds
# the safety net instead: clang, ASan + UBSan, libFuzzer targets, into
# build-asan/ unless BUILD_DIR says otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${SANITIZE:-0}" = 1 ]; then
  build=${BUILD_DIR:-build-asan}
  CC=clang-19 CXX=clang++-19 cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DSN_SANITIZE=ON -DSN_FUZZ=ON >/dev/null
else
  build=${BUILD_DIR:-build}
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
ninja -C "$build" -j"$(nproc)"
