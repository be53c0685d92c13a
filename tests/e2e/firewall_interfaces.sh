#!/usr/bin/env bash
# Interface scope with real traffic: the server has two veths to the client,
# the first (10.200.0.0/24) and a second (10.202.0.0/24). One enforcer
# generation runs on both; `on` and `on !` rules decide by the interface a
# packet arrives on. A real TCP client connects through each, ping pings
# through each, and the rules' counters count what they decided.
source "$(dirname "$0")/../../scripts/lib/netns.sh"
setup_net
CLI_IF2="${TAG}x"
SRV_IF2="${TAG}y"
ip link add "$CLI_IF2" type veth peer name "$SRV_IF2"
ip link set "$CLI_IF2" netns "$CLI_NS"
ip link set "$SRV_IF2" netns "$SRV_NS"
in_cli ip addr add 10.202.0.1/24 dev "$CLI_IF2"
in_srv ip addr add 10.202.0.2/24 dev "$SRV_IF2"
in_cli ip link set "$CLI_IF2" up
in_srv ip link set "$SRV_IF2" up

mkdir -p "$WORK/p"
cat > "$WORK/p/p.sen" <<SEN
set second: iface = { $SRV_IF2 }
firewall {
    default allow
    rule tcp-second deny tcp to any port 5000 on @second
    rule ping-first allow icmp type echo-request on $SRV_IF
    rule ping-other deny icmp type echo-request on !$SRV_IF
}
SEN
build_bundle "$WORK/p" "$WORK/p.snb"

in_srv /usr/bin/python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 5000))
s.listen(16)
print("ready", flush=True)
while True:
    c, _ = s.accept()
    c.sendall(b"hello")
    c.close()
' > "$WORK/serve.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do grep -q ready "$WORK/serve.log" && break; sleep 0.1; done

connects() {  # ADDR: prints ok or failed
  in_cli /usr/bin/python3 -c '
import socket, sys
try:
    c = socket.create_connection((sys.argv[1], 5000), timeout=1)
    print("ok" if c.recv(5) == b"hello" else "failed")
except OSError:
    print("failed")' "$1"
}
pings() {  # ADDR: prints ok or failed
  if in_cli ping -c 1 -W 1 "$1" >/dev/null 2>&1; then echo ok; else echo failed; fi
}

# Before apply, everything gets through both interfaces.
[ "$(connects 10.200.0.2)" = ok ] || fail "TCP through the first interface failed before apply"
[ "$(connects 10.202.0.2)" = ok ] || fail "TCP through the second interface failed before apply"
[ "$(pings 10.202.0.2)" = ok ] || fail "ping through the second interface failed before apply"

enforcer apply "$WORK/p.snb" --iface "$SRV_IF2"
[ "$(connects 10.200.0.2)" = ok ] || fail "TCP through the first interface was blocked"
[ "$(connects 10.202.0.2)" = failed ] || fail "TCP through the second interface got through the tcp-second rule"
[ "$(pings 10.200.0.2)" = ok ] || fail "ping through the first interface was blocked"
[ "$(pings 10.202.0.2)" = failed ] || fail "ping through the second interface got through the ping-other rule"

enforcer status
[ "$(rule_packets ping-first)" = 1 ] || fail "ping-first counted $(rule_packets ping-first), not 1"
[ "$(rule_packets ping-other)" = 1 ] || fail "ping-other counted $(rule_packets ping-other), not 1"
n=$(rule_packets tcp-second)
[ "$n" -ge 1 ] || fail "tcp-second counted $n SYNs, not at least 1"

# A rule on an interface the generation does not run on is reported.
mkdir -p "$WORK/q"
printf 'firewall {\n    rule far deny tcp on absent0\n}\n' > "$WORK/q/q.sen"
build_bundle "$WORK/q" "$WORK/q.snb"
enforcer apply "$WORK/q.snb" 2> "$WORK/apply.err" || fail "apply of a rule on an absent interface failed: $(cat "$WORK/apply.err")"
grep -q "rules name interface absent0, which this generation does not run on" "$WORK/apply.err" ||
  fail "no warning for the absent interface: $(cat "$WORK/apply.err")"
[ "$(connects 10.200.0.2)" = ok ] || fail "TCP was blocked by a rule on an absent interface"
echo "e2e firewall interfaces: ok (tcp-second dropped $n SYNs)"
