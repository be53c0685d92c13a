#!/usr/bin/env bash
# Real traffic through a veth judged by the applied example policy: what the
# policy allows gets through, what it denies does not, and the per-rule
# counters name the rules that decided.
source "$(dirname "$0")/../../scripts/lib/netns.sh"
setup_net
build_bundle "$SRC_DIR/policies/examples/edge" "$WORK/edge.snb"

in_srv /usr/bin/python3 "$SRC_DIR/scripts/netprobe.py" serve tcp:22 tcp:23 tcp:80 tcp:8080 tcp:9090 udp:53 \
  > "$WORK/serve.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do grep -q ready "$WORK/serve.log" && break; sleep 0.1; done

# Before any policy everything passes.
before=$(in_cli /usr/bin/python3 "$SRC_DIR/scripts/netprobe.py" probe "$SRV_IP" tcp:23 tcp:9090)
echo "$before"
[ "$(grep -c '"passed"' <<<"$before")" = 2 ] || fail "traffic blocked before apply"

enforcer apply "$WORK/edge.snb"

expect() {  # HOST TARGET RESULT
  out=$(in_cli /usr/bin/python3 "$SRC_DIR/scripts/netprobe.py" probe "$1" "$2")
  echo "$out"
  grep -q "\"result\": \"$3\"" <<<"$out" || fail "$1 $2: expected $3"
}
expect "$SRV_IP" tcp:22 passed     # ssh-office
expect "$SRV_IP" tcp:23 blocked    # no-telnet
expect "$SRV_IP" tcp:80 passed     # web
expect "$SRV_IP" tcp:8080 passed   # web (8000..8099)
expect "$SRV_IP" tcp:9090 blocked  # default deny
expect "$SRV_IP" udp:53 passed     # dns from the office
expect "$SRV_IP6" tcp:22 passed    # ssh-office over IPv6
expect "$SRV_IP6" tcp:23 blocked

# From outside the office: ssh falls to the default.
out=$(in_cli /usr/bin/python3 - "$SRV_IP" <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(1.0); s.bind(("10.201.0.1", 0))
try:
    s.connect((sys.argv[1], 22)); print("passed")
except ConnectionRefusedError:
    print("passed")
except OSError:
    print("blocked")
PY
)
[ "$out" = blocked ] || fail "ssh from outside the office: expected blocked, got $out"

in_cli ping -c 3 -i 0.2 -W 1 "$SRV_IP" >/dev/null || fail "ping blocked, the policy logs and passes it"

enforcer status
[ "$(rule_packets no-telnet)" -ge 1 ] || fail "no-telnet counted nothing"
[ "$(rule_packets ping)" -ge 3 ] || fail "ping counted fewer than 3 packets"
[ "$(rule_packets web)" -ge 2 ] || fail "web counted fewer than 2 packets"
[ "$(rule_packets default)" -ge 2 ] || fail "default counted fewer than 2 packets"
enforcer alerts --timeout 1 > "$WORK/alerts.jsonl" || true
grep -q '"ping"' "$WORK/alerts.jsonl" || fail "no event for the logged ping"
echo "e2e firewall traffic: ok"
