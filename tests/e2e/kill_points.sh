#!/usr/bin/env bash
# SIGKILL at every kill point of apply, rollback and detach: before each bpf,
# mkdir, unlink and rmdir syscall they make in turn (strace's fault
# injection), the enforcer is killed. Whatever it leaves, the next commands
# read it correctly: status reads it without error and names the live
# generation only if it is intact, rollback returns only to a generation
# that was live before, and the next apply and detach succeed.
source "$(dirname "$0")/../../scripts/lib/netns.sh"
command -v strace >/dev/null || skip "strace is not installed"
setup_net
mkdir -p "$WORK/p1" "$WORK/p2"
cat > "$WORK/p1/p.sen" <<'SEN'
conntrack { }
firewall {
    default allow
    rule no-telnet deny tcp to any port 23 ct new
}
ratelimit {
    rule flood drop udp to any port 7777 rate 100/s
}
SEN
sed 's/port 23/port 2323/' "$WORK/p1/p.sen" > "$WORK/p2/p.sen"
build_bundle "$WORK/p1" "$WORK/p1.snb" >/dev/null
build_bundle "$WORK/p2" "$WORK/p2.snb" >/dev/null

# Checks the state after a kill. LIVE: generations that may be live now (0:
# nothing applied); PREV: generations rollback may return to (each was live
# before); "*" allows any. Prints the live and previous generation (0: none).
check() {  # LIVE PREV WHAT
  enforcer status -o json > "$WORK/st.json" 2> "$WORK/st.err" ||
    fail "$3: status failed: $(cat "$WORK/st.err")"
  /usr/bin/python3 - "$WORK/st.json" "$1" "$2" <<'PY' || fail "$3: $(cat "$WORK/st.json")"
import json, sys
s = json.load(open(sys.argv[1]))
def allowed(arg):
    return None if arg == "*" else {int(x) for x in arg.split(",")}
live_ok, prev_ok = allowed(sys.argv[2]), allowed(sys.argv[3])
gens = {g["number"]: g for g in s["generations"]}
if s["applied"]:
    g = s["generation"]
    assert live_ok is None or g in live_ok, f"live generation {g}, expected one of {live_ok}"
    assert gens.get(g, {}).get("complete"), f"live generation {g} is not intact"
    assert not any("not intact" in p for p in s["problems"]), s["problems"]
    if s["previous"] is not None:
        assert prev_ok is None or s["previous"] in prev_ok, f"previous {s['previous']}, expected one of {prev_ok}"
        assert gens.get(s["previous"], {}).get("complete"), "the previous generation is not intact"
    print(g, s["previous"] if s["previous"] is not None else 0)
else:
    assert live_ok is None or 0 in live_ok, "nothing applied, but a generation should run"
    print(0, 0)
PY
}

# Runs the enforcer with SIGKILL injected at the Kth call of SYSCALL.
killed() {  # SYSCALL K ARGS...
  local sc=$1 k=$2
  shift 2
  local iface=()
  [ "$1" = apply ] && iface=(--iface "$SRV_IF")
  { strace -f -o /dev/null -e trace="$sc" -e inject="$sc":signal=KILL:when="$k" \
    "$ENFORCER" "$@" "${iface[@]}" --netns "$SRV_NS" --bpffs "$BPFFS" >/dev/null 2>&1; } 2>/dev/null || true
}

# The kill points of a command from the current state, as "SYSCALL K" lines:
# the calls that change what outlives the process (pins, directories, map
# and prog-array writes, links). A kill before any other call (a load, a
# lookup) leaves the same state as a kill before the next of these. The
# command runs; the caller restores the state it needs.
kill_points() {  # ARGS...
  local iface=()
  [ "$1" = apply ] && iface=(--iface "$SRV_IF")
  strace -f -o "$WORK/trace" -e trace=bpf,mkdir,unlink,rmdir \
    "$ENFORCER" "$@" "${iface[@]}" --netns "$SRV_NS" --bpffs "$BPFFS" >/dev/null 2>&1
  /usr/bin/python3 - "$WORK/trace" <<'PY'
import re, sys
seen = {}
changing = ("BPF_MAP_UPDATE_ELEM", "BPF_MAP_DELETE_ELEM", "BPF_MAP_UPDATE_BATCH", "BPF_OBJ_PIN",
            "BPF_LINK_CREATE", "BPF_LINK_UPDATE", "BPF_LINK_DETACH")
for line in open(sys.argv[1]):
    m = re.match(r"\s*\d+\s+(bpf|mkdir|unlink|rmdir)\((\w*)", line)
    if not m:
        continue
    sc = m.group(1)
    seen[sc] = seen.get(sc, 0) + 1
    if sc != "bpf" or m.group(2) in changing:
        print(sc, seen[sc])
PY
}

points=0
enforcer apply "$WORK/p1.snb" >/dev/null
enforcer apply "$WORK/p2.snb" >/dev/null

# apply over live L with previous P: afterwards L or the new generation N is
# live, and rollback returns to P or L.
kill_points apply "$WORK/p1.snb" > "$WORK/apply.points"
enforcer apply "$WORK/p2.snb" >/dev/null
while read -r sc k; do
  read -r L P < <(check "*" "*" "before apply")
  killed "$sc" "$k" apply "$WORK/p1.snb"
  N=$(enforcer status -o json | /usr/bin/python3 -c 'import json,sys; s=json.load(sys.stdin); print(max([g["number"] for g in s["generations"]] + [0]))')
  read -r L2 P2 < <(check "$L,$N" "$P,$L" "apply killed at $sc #$k")
  if [ "$P2" != 0 ]; then
    enforcer rollback >/dev/null || fail "apply killed at $sc #$k: rollback failed"
    check "$P2" "$L2" "rollback after apply killed at $sc #$k" >/dev/null
    enforcer rollback >/dev/null || fail "apply killed at $sc #$k: second rollback failed"
  fi
  enforcer apply "$WORK/p2.snb" >/dev/null || fail "apply after apply killed at $sc #$k failed"
  points=$((points + 1))
done < "$WORK/apply.points"
napply=$points

# rollback: afterwards L or P is live.
kill_points rollback > "$WORK/rollback.points"
while read -r sc k; do
  read -r L P < <(check "*" "*" "before rollback")
  killed "$sc" "$k" rollback
  check "$L,$P" "$L,$P" "rollback killed at $sc #$k" >/dev/null
  enforcer apply "$WORK/p1.snb" >/dev/null || fail "apply after rollback killed at $sc #$k failed"
  points=$((points + 1))
done < "$WORK/rollback.points"
nrollback=$((points - napply))

# detach: afterwards L still runs or nothing does; detach again finishes.
kill_points detach > "$WORK/detach.points"
enforcer apply "$WORK/p1.snb" >/dev/null
enforcer apply "$WORK/p2.snb" >/dev/null
while read -r sc k; do
  read -r L P < <(check "*" "*" "before detach")
  killed "$sc" "$k" detach
  check "$L,0" "*" "detach killed at $sc #$k" >/dev/null
  enforcer detach >/dev/null || fail "detach after detach killed at $sc #$k failed"
  ! ls "$BPFFS" | grep -q ns- || fail "detach after a killed detach left $(ls -R "$BPFFS")"
  enforcer apply "$WORK/p1.snb" >/dev/null || fail "apply after detach killed at $sc #$k failed"
  enforcer apply "$WORK/p2.snb" >/dev/null
  points=$((points + 1))
done < "$WORK/detach.points"
echo "e2e kill points: $points ($napply of apply, $nrollback of rollback, $((points - napply - nrollback)) of detach), each read correctly afterwards"
