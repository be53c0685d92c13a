#!/usr/bin/env bash
# The anti-lockout guard with real traffic: a policy whose rules drop all TCP
# (and SSH by name) still lets a client reach the management port, SSH by
# default and a named port from the admins' address, while the same ports
# from elsewhere, and other ports, stay blocked; `sentinelc check` warns,
# naming the rule that would have cut management access.
source "$(dirname "$0")/../../scripts/lib/netns.sh"
setup_net

mkdir -p "$WORK/p"
cat > "$WORK/p/p.sen" <<SEN
firewall {
    default deny
    management
    management tcp from $CLI_IP to any port 8443
    rule no-ssh  deny tcp to any port 22
    rule no-tcp  deny tcp
    rule icmp    allow icmp
}
SEN
"$SENTINELC" check "$WORK/p" > "$WORK/check.txt" 2>&1 || true
cat "$WORK/check.txt"
grep -q 'warning\[W0204\]: rule `no-ssh` would cut management access' "$WORK/check.txt" || fail "no W0204 for no-ssh"
grep -q 'warning\[W0204\]: rule `no-tcp` would cut management access' "$WORK/check.txt" || fail "no W0204 for no-tcp"
build_bundle "$WORK/p" "$WORK/p.snb"

in_srv /usr/bin/python3 "$SRC_DIR/scripts/netprobe.py" serve tcp:22 tcp:23 tcp:8443 > "$WORK/serve.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do grep -q ready "$WORK/serve.log" && break; sleep 0.1; done

connect() {  # SOURCE PORT
  in_cli /usr/bin/python3 - "$1" "$SRV_IP" "$2" <<'PY'
import socket, sys
s = socket.socket(); s.settimeout(1.0); s.bind((sys.argv[1], 0))
try:
    s.connect((sys.argv[2], int(sys.argv[3]))); print("passed")
except OSError:
    print("blocked")
PY
}
enforcer apply "$WORK/p.snb"
[ "$(connect "$CLI_IP" 22)" = passed ] || fail "SSH cut by the policy despite the guard"
[ "$(connect 10.201.0.1 22)" = passed ] || fail "SSH from another address cut despite the guard"
[ "$(connect "$CLI_IP" 8443)" = passed ] || fail "8443 from the admin address cut despite the guard"
[ "$(connect 10.201.0.1 8443)" = blocked ] || fail "8443 from elsewhere passed: the guard names one address"
[ "$(connect "$CLI_IP" 23)" = blocked ] || fail "port 23 passed: the policy drops TCP"

enforcer status
[ "$(rule_packets management)" -ge 3 ] || fail "management counted fewer than 3 packets"
[ "$(rule_packets no-ssh)" = 0 ] || fail "no-ssh counted packets the guard passes"
[ "$(rule_packets no-tcp)" -ge 2 ] || fail "no-tcp counted fewer than 2 packets"
echo "e2e firewall management: ok"
