#!/usr/bin/env bash
# The README's main job must keep working: run the demo against this build.
set -euo pipefail
[ "$(id -u)" = 0 ] || { [ "${SENTINEL_REQUIRE_PRIVILEGED:-0}" = 1 ] && exit 1; echo "skipped: not privileged"; exit 77; }
out=$(SENTINELC="$SENTINELC" ENFORCER="$ENFORCER" bash "$SRC_DIR/scripts/demo.sh" --no-build 2>&1) || { echo "$out"; exit 1; }
echo "$out"
grep -q "tcp:23 .*blocked by rule no-telnet" <<<"$out" || { echo "FAIL: demo did not show the telnet block"; exit 1; }
grep -q "tcp:80 .*passed by rule web" <<<"$out" || { echo "FAIL: demo did not show web passing"; exit 1; }
grep -q "came back established (kernel counter +[1-9]" <<<"$out" || { echo "FAIL: demo did not show an established reply"; exit 1; }
grep -Eq "the kernel passed [0-9]+ and dropped [1-9][0-9]* over the limit" <<<"$out" || { echo "FAIL: demo did not show the rate limiter dropping"; exit 1; }
grep -q '"domain":"ratelimit"' <<<"$out" || { echo "FAIL: demo showed no rate-limit alert"; exit 1; }
