#!/usr/bin/env bash
# Installs, builds and runs the whole test suite through CTest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
build=${BUILD_DIR:-build}
cd "$build"
ctest --output-on-failure -j2 --timeout 900 "$@"
