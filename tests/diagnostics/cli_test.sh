#!/bin/sh
# sentinelc check: JSON output that parses and carries file/line/column, and
# the exit codes 0 (clean or warnings), 2 (warnings with --deny-warnings),
# 3 (errors), 1 (usage).
set -u
SENTINELC=$1
DIR=$2
fail=0
expect_rc() {
  want=$1; shift
  "$SENTINELC" "$@" >/dev/null 2>&1
  got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: sentinelc $* exited $got, expected $want"
    fail=1
  else
    echo "ok: sentinelc $* -> $got"
  fi
}

expect_rc 0 check "$DIR/clean.sen"
expect_rc 0 check --deny-warnings "$DIR/clean.sen"
expect_rc 0 check "$DIR/unused_set.sen"
expect_rc 2 check --deny-warnings "$DIR/unused_set.sen"
expect_rc 3 check "$DIR/unknown_set.sen"
expect_rc 3 check --deny-warnings "$DIR/unknown_set.sen"
expect_rc 3 check "$DIR/syntax_error.sen"
expect_rc 1 check --format nonsense "$DIR/clean.sen"
expect_rc 1 check

out=$("$SENTINELC" check --format json "$DIR/unknown_set.sen")
printf '%s' "$out" | python3 -c '
import json, sys
doc = json.load(sys.stdin)
diags = doc["diagnostics"]
assert doc["errors"] == 2, doc["errors"]
assert len(diags) == 2, diags
for d in diags:
    assert d["code"] == "E0101", d
    s = d["span"]
    assert s["file"].endswith("unknown_set.sen"), s
    assert isinstance(s["line"], int) and isinstance(s["column"], int), s
assert [d["span"]["line"] for d in diags] == [6, 9], diags
assert diags[0]["span"]["column"] == 27, diags[0]
print("ok: json output parses with file/line/column")
' || fail=1

out=$("$SENTINELC" check --format json "$DIR/clean.sen")
printf '%s' "$out" | python3 -c '
import json, sys
doc = json.load(sys.stdin)
assert doc["diagnostics"] == [] and doc["errors"] == 0 and doc["warnings"] == 0, doc
print("ok: clean policy gives an empty json report")
' || fail=1
exit $fail
