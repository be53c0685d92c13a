#!/usr/bin/env bash
# An apply under continuous traffic: every packet is judged wholly by the old
# or wholly by the new generation, with no gap in enforcement.
#
# Packets alternate between two UDP ports, A (even seq) and B (odd seq). The old
# generation passes A and drops B, the new one drops A and passes B. With one
# atomic switch at some point T, the receiver sees exactly the A packets before
# T and the B packets after it; any packet judged by neither (a gap) or by a
# mix of both would break that shape.
source "$(dirname "$0")/../../scripts/lib/netns.sh"
setup_net
setup_swap_policies
enforcer apply "$WORK/old.snb"
in_cli ping -c 1 -W 1 "$SRV_IP" >/dev/null 2>&1 || true  # resolve ARP before the stream

COUNT=30000
start_stream "$COUNT"
sleep 1.2
enforcer apply "$WORK/new.snb"
wait $SEND
wait $RECV

/usr/bin/python3 - "$WORK/recv.json" $COUNT <<'PY' || fail "receive pattern is not one clean switch"
import json, sys
r = json.load(open(sys.argv[1])); count = int(sys.argv[2])
a, b = sorted(r["a"]), sorted(r["b"])
print(f"received {len(a)} A (old passes) and {len(b)} B (new passes) of {count}")
assert a and b, "the switch did not happen inside the stream"
last_a, first_b = a[-1], b[0]
# every A before the switch and every B after it arrived, nothing else
assert a == list(range(0, last_a + 1, 2)), "an A packet before the switch was lost"
assert b == list(range(first_b, count, 2)), "a B packet after the switch was lost"
# between the last A and the first B, at most one packet of each kind was
# dropped by the generation that judged it: the switch point lies in there
assert first_b - last_a <= 3, f"gap between seq {last_a} and {first_b}"
print(f"switch between seq {last_a} and {first_b}")
PY

old=$(( $(rule_packets old-a) + $(rule_packets old-b) ))
new=$(( $(rule_packets new-a) + $(rule_packets new-b) ))
echo "judged by old: $old, by new: $new, sent: $COUNT"
[ $((old + new)) = $COUNT ] || fail "old + new counters ($old + $new) != $COUNT sent"
echo "e2e atomic swap: ok"
