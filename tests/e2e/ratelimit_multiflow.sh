#!/usr/bin/env bash
# Rate limiting end to end with one source whose flows land on both CPUs: two
# senders pinned to different CPUs, 16 flows each, over a veth with two
# queues, all from one address into one per-source bucket. The bucket holds
# the source to its limit: what passes stays within the error bound of
# docs/language.md ("The error bound"), burst + rate x elapsed, and not far
# below it.
source "$(dirname "$0")/../../scripts/lib/netns.sh"
[ "$(nproc)" -ge 2 ] || skip "one CPU: nothing to spread the flows over"
VETH_QUEUES=2 setup_net
RATE=2000
BURST=200
mkdir -p "$WORK/p"
cat > "$WORK/p/p.sen" <<SEN
firewall { default allow }
ratelimit {
    rule per-src drop udp to any port 6000 rate $RATE/s burst $BURST per source
}
SEN
build_bundle "$WORK/p" "$WORK/p.snb"
enforcer apply "$WORK/p.snb"
in_cli ping -c 1 -W 1 "$SRV_IP" >/dev/null 2>&1 || true

FLOOD="$SRC_DIR/tests/e2e/udpflood.py"
in_cli taskset -c 0 /usr/bin/python3 "$FLOOD" "$SRV_IP" 6000 16 2 > "$WORK/s0.json" &
S0=$!
in_cli taskset -c 1 /usr/bin/python3 "$FLOOD" "$SRV_IP" 6000 16 2 > "$WORK/s1.json" &
S1=$!
wait $S0 $S1
sleep 0.2

enforcer status -o json > "$WORK/status.json"
cookie=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["netns_cookie"])' "$WORK/status.json")
/usr/bin/python3 - "$WORK/status.json" "$WORK/s0.json" "$WORK/s1.json" $RATE $BURST <<'PY' || fail "the source was not held to its limit"
import json, sys
s = json.load(open(sys.argv[1]))
senders = [json.load(open(p)) for p in sys.argv[2:4]]
rate, burst = int(sys.argv[4]), int(sys.argv[5])
r = s["domains"]["ratelimit"]["rules"][0]
sent = sum(x["sent"] for x in senders)
elapsed = max(x["last"] for x in senders) - min(x["first"] for x in senders)
bound = burst + rate * elapsed
print(f"sent {sent} from 32 flows on 2 CPUs in {elapsed:.3f} s; passed {r['passed']}, over {r['over']}, "
      f"contended {s['domains']['ratelimit']['contended']}; bound {bound:.0f} "
      f"(passed/bound {r['passed'] / bound:.4f})")
assert r["passed"] + r["over"] <= sent
assert sent > 3 * bound, "the senders did not offer more than the limit"
assert r["passed"] <= bound + 1, "more passed than the limit allows"
assert r["passed"] >= 0.9 * bound, "far fewer passed than the limit allows"
PY
# The per-CPU counters: packets of this one source were judged on both CPUs,
# or this test proved nothing about them.
/usr/bin/python3 - "$BPFFS/ns-$cookie/state/sn_counters" <<'PY' || fail "the flows did not land on both CPUs"
import json, subprocess, sys
dump = json.loads(subprocess.run(["bpftool", "-j", "map", "dump", "pinned", sys.argv[1]],
                                 capture_output=True, text=True, check=True).stdout)
busy = set()
for e in dump:
    for v in e.get("values", []):
        cpu, val = v["cpu"], v["value"]
        pk = val[:8] if isinstance(val, list) else None
        if pk is not None:
            n = int.from_bytes(bytes(int(b, 16) for b in pk), "little")
        else:
            n = val.get("packets", 0)
        if n > 1000:
            busy.add(cpu)
print(f"CPUs that counted packets: {sorted(busy)}")
assert len(busy) >= 2
PY
echo "e2e ratelimit multiflow: ok"
