#!/usr/bin/env bash
# `reject` and IP protocols with real traffic: a TCP client is refused at
# once by the RST the firewall sends from XDP (IPv4 and IPv6), ping sees
# "Destination Unreachable", a connected UDP socket gets ECONNREFUSED from the
# ICMP port unreachable; an ESP rule drops real ESP packets while GRE passes.
# Servers listen on every port first, so that only the firewall can refuse.
source "$(dirname "$0")/../../scripts/lib/netns.sh"
setup_net
# Static neighbours: the ICMPv6 rule must not catch neighbour discovery.
CLI_MAC=$(in_cli cat /sys/class/net/"$CLI_IF"/address)
SRV_MAC=$(in_srv cat /sys/class/net/"$SRV_IF"/address)
in_cli ip -6 neigh replace "$SRV_IP6" lladdr "$SRV_MAC" dev "$CLI_IF" nud permanent
in_srv ip -6 neigh replace "$CLI_IP6" lladdr "$CLI_MAC" dev "$SRV_IF" nud permanent

# The firewall answers with XDP_TX: the client's veth takes such frames only
# with an XDP program of its own (a NIC needs nothing of the kind).
command -v clang-19 >/dev/null || skip "clang-19 not found"
clang-19 -target bpf -O2 -c "$SRC_DIR/tests/e2e/xdp_pass.bpf.c" -o "$WORK/xdp_pass.o" \
  -I/usr/include/"$(uname -m)"-linux-gnu
in_cli ip link set dev "$CLI_IF" xdp obj "$WORK/xdp_pass.o" sec xdp

mkdir -p "$WORK/p"
cat > "$WORK/p/p.sen" <<SEN
firewall {
    default allow
    rule closed  reject tcp to any port 23
    rule udp9    reject udp to any port 9
    rule ping    reject icmp to $SRV_IP
    rule ping6   reject icmpv6 to $SRV_IP6
    rule no-esp  deny proto esp
    rule gre     allow proto 47
}
SEN
build_bundle "$WORK/p" "$WORK/p.snb"

# Listeners: TCP 23 (both families), UDP 9, raw ESP and GRE counters.
in_srv /usr/bin/python3 - "$WORK" > "$WORK/serve.log" 2>&1 <<'PY' &
import socket, sys, threading, json, time
work = sys.argv[1]
counts = {"esp": 0, "gre": 0, "udp9": 0}
def tcp(fam, addr):
    s = socket.socket(fam, socket.SOCK_STREAM); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6: s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, 23)); s.listen(16)
    while True:
        c, _ = s.accept(); c.close()
def raw(proto, name):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, proto)
    while True:
        s.recv(2048); counts[name] += 1
def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 9))
    while True:
        s.recv(2048); counts["udp9"] += 1
for t in [lambda: tcp(socket.AF_INET, "0.0.0.0"), lambda: tcp(socket.AF_INET6, "::"),
          lambda: raw(50, "esp"), lambda: raw(47, "gre"), udp]:
    threading.Thread(target=t, daemon=True).start()
print("ready", flush=True)
while True:
    with open(work + "/counts.json.tmp", "w") as f: json.dump(counts, f)
    import os; os.replace(work + "/counts.json.tmp", work + "/counts.json")
    time.sleep(0.05)
PY
PIDS+=($!)
for _ in $(seq 50); do grep -q ready "$WORK/serve.log" && break; sleep 0.1; done

# The client's view: connect to port 23, send to UDP 9, send raw ESP and GRE.
client() {  # WHAT ADDR
  in_cli /usr/bin/python3 - "$@" <<'PY'
import socket, sys, time
what, addr = sys.argv[1], sys.argv[2]
if what == "tcp":
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM); s.settimeout(3)
    t = time.monotonic()
    try:
        s.connect((addr, 23)); print("connected")
    except ConnectionRefusedError:
        print("refused %.3f" % (time.monotonic() - t))
    except OSError as e:
        print("error", e)
elif what == "udp":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(1); s.connect((addr, 9))
    s.send(b"x")
    try:
        s.recv(100); print("answered")
    except ConnectionRefusedError:
        print("refused")
    except socket.timeout:
        print("silent")
else:
    proto = {"esp": 50, "gre": 47}[what]
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, proto)
    # ESP: SPI and sequence number; GRE: flags/version 0, protocol IPv4.
    payload = b"\x00\x00\x01\x00\x00\x00\x00\x01" + b"e" * 32 if proto == 50 else b"\x00\x00\x08\x00" + b"g" * 32
    for _ in range(5):
        s.sendto(payload, (addr, 0))
    print("sent")
PY
}
count() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$WORK/counts.json" "$1"; }

# Before the policy: every one of them gets through.
[ "$(client tcp "$SRV_IP")" = connected ] || fail "tcp 23 not reachable before apply"
[ "$(client udp "$SRV_IP")" = silent ] || fail "udp 9 refused before apply"
client esp "$SRV_IP" >/dev/null
sleep 0.3
[ "$(count esp)" -ge 5 ] || fail "ESP did not arrive before apply"
esp_before=$(count esp)

enforcer apply "$WORK/p.snb"

out=$(client tcp "$SRV_IP"); echo "tcp v4: $out"
[[ "$out" == refused* ]] || fail "IPv4 TCP to a rejected port: expected connection refused, got $out"
awk '{ exit !($2 < 1.0) }' <<<"$out" || fail "IPv4 refusal took too long: $out"
out=$(client tcp "$SRV_IP6"); echo "tcp v6: $out"
[[ "$out" == refused* ]] || fail "IPv6 TCP to a rejected port: expected connection refused, got $out"
awk '{ exit !($2 < 1.0) }' <<<"$out" || fail "IPv6 refusal took too long: $out"

out=$(client udp "$SRV_IP"); echo "udp: $out"
[ "$out" = refused ] || fail "UDP to a rejected port: expected ECONNREFUSED, got $out"

out=$(in_cli ping -c 1 -W 2 "$SRV_IP" 2>&1 || true); echo "$out"
grep -q "Destination Port Unreachable" <<<"$out" || fail "ping: no Destination Unreachable"
out=$(in_cli ping -6 -c 1 -W 2 "$SRV_IP6" 2>&1 || true); echo "$out"
grep -qi "Destination unreachable" <<<"$out" || fail "ping -6: no Destination Unreachable"

gre_before=$(count gre)
client esp "$SRV_IP" >/dev/null
client gre "$SRV_IP" >/dev/null
sleep 0.3
[ "$(count esp)" = "$esp_before" ] || fail "ESP passed the no-esp rule"
[ "$(count gre)" -ge $((gre_before + 5)) ] || fail "GRE did not pass"

enforcer status
[ "$(rule_packets closed)" -ge 2 ] || fail "closed counted fewer than 2 packets"
[ "$(rule_packets udp9)" -ge 1 ] || fail "udp9 counted nothing"
[ "$(rule_packets ping)" -ge 1 ] || fail "ping counted nothing"
[ "$(rule_packets ping6)" -ge 1 ] || fail "ping6 counted nothing"
[ "$(rule_packets no-esp)" -ge 5 ] || fail "no-esp counted fewer than 5 packets"
[ "$(rule_packets gre)" -ge 5 ] || fail "gre counted fewer than 5 packets"
echo "e2e firewall reject: ok"
