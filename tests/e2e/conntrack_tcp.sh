#!/usr/bin/env bash
# Connection tracking end to end: TCP connections that a rule allowed stay up
# while generations are swapped, including to policies that no longer allow
# new ones (default deny never cuts an allowed flow), and through rollbacks;
# new connections follow whichever generation is live; connections the
# server opens get their replies through as established.
source "$(dirname "$0")/../../scripts/lib/netns.sh"
setup_net
in_srv sysctl -qw net.ipv6.conf.all.disable_ipv6=1
in_cli sysctl -qw net.ipv6.conf.all.disable_ipv6=1
mkdir -p "$WORK/open" "$WORK/closed"
cat > "$WORK/open/p.sen" <<'SEN'
conntrack { established allow }
firewall {
    default deny
    rule app allow tcp to any port 8080 ct new
}
SEN
cat > "$WORK/closed/p.sen" <<'SEN'
conntrack {
    established allow
    timeout tcp-established 1h
}
firewall {
    default deny
    rule ping allow icmp
}
SEN
build_bundle "$WORK/open" "$WORK/open.snb"
build_bundle "$WORK/closed" "$WORK/closed.snb"

FLOWS="$SRC_DIR/tests/e2e/tcpflows.py"
in_srv /usr/bin/python3 "$FLOWS" echo 8080 > "$WORK/srv.log" 2>&1 &
PIDS+=($!)
in_cli /usr/bin/python3 "$FLOWS" echo 9000 > "$WORK/cli.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do grep -q ready "$WORK/srv.log" && grep -q ready "$WORK/cli.log" && break; sleep 0.1; done

enforcer apply "$WORK/open.snb"
new_conn() { in_cli /usr/bin/python3 "$FLOWS" connect "$SRV_IP" 8080; }
[ "$(new_conn)" = passed ] || fail "a new connection to 8080 was blocked under the open policy"

in_cli /usr/bin/python3 "$FLOWS" talk "$SRV_IP" 8080 3 8 "$WORK/talk.json" > "$WORK/talk.log" 2>&1 &
TALK=$!
PIDS+=($TALK)
for _ in $(seq 50); do grep -q connected "$WORK/talk.log" && break; sleep 0.1; done
grep -q connected "$WORK/talk.log" || fail "the long-lived connections did not open: $(cat "$WORK/talk.log")"

sleep 1
enforcer apply "$WORK/closed.snb"   # generation 2: no rule for new connections
[ "$(new_conn)" = blocked ] || fail "a new connection passed under the closed policy"
sleep 0.5
enforcer apply "$WORK/open.snb"     # generation 3
[ "$(new_conn)" = passed ] || fail "a new connection was blocked after reopening"
enforcer apply "$WORK/closed.snb"   # generation 4
sleep 0.5
enforcer rollback                   # back to 3, open
enforcer rollback                   # forward to 4, closed
[ "$(new_conn)" = blocked ] || fail "a new connection passed after rolling forward to the closed policy"
# The server opens a connection itself: its SYN+ACK comes back established.
out=$(in_srv /usr/bin/python3 "$FLOWS" connect "$CLI_IP" 9000)
[ "$out" = passed ] || fail "the reply to a connection the server opened was dropped"

wait $TALK || fail "the talking client failed: $(cat "$WORK/talk.log")"
/usr/bin/python3 - "$WORK/talk.json" <<'PY' || fail "an allowed connection was disturbed by a swap"
import json, sys
r = json.load(open(sys.argv[1]))
print(f"long-lived connections: {r['echoed']} of {r['sent']} lines echoed, worst round trip {r['worst_rtt_s'] * 1000:.1f} ms")
assert not r["errors"], r["errors"]
assert r["sent"] == r["echoed"] and r["sent"] >= 3 * 150, r
PY

enforcer status -o json > "$WORK/status.json"
/usr/bin/python3 - "$WORK/status.json" <<'PY' || fail "status does not show the tracked flows"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["generation"] == 4 and s["previous"] == 3, (s["generation"], s["previous"])
fw, ct = s["domains"]["firewall"], s["domains"]["conntrack"]
print(f"established passed before the rules: {fw['established']['packets']} packets; flows: {ct['flows']} {ct['by_state']}")
assert fw["established"]["packets"] > 100
assert ct["flows"] >= 3
PY
echo "e2e conntrack tcp: ok"
