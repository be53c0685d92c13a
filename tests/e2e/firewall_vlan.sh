#!/usr/bin/env bash
# VLAN matches with real frames: the client sends UDP in 802.1Q frames (VLAN
# 100 and 200) and in 802.1ad QinQ frames (outer 300, inner 400 and 401) over
# the veth; a packet socket on the server's veth counts what gets past XDP
# (it sees a frame only when XDP passed it; the kernel here need not have
# VLAN interfaces). Rules on the VLAN ids decide which arrive, and their
# counters count them.
source "$(dirname "$0")/../../scripts/lib/netns.sh"
setup_net
SRV_MAC=$(in_srv cat /sys/class/net/"$SRV_IF"/address)
CLI_MAC=$(in_cli cat /sys/class/net/"$CLI_IF"/address)

mkdir -p "$WORK/p"
cat > "$WORK/p/p.sen" <<'SEN'
firewall {
    default allow
    rule v100      deny vlan 100
    rule v200      allow udp vlan 200
    rule qinq-400  deny vlan 300:400
    rule qinq      allow vlan 300
}
SEN
build_bundle "$WORK/p" "$WORK/p.snb"

in_srv /usr/bin/python3 - "$SRV_IF" "$WORK" > "$WORK/serve.log" 2>&1 <<'PY' &
import json, os, re, socket, sys
ifname, work = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))  # ETH_P_ALL
s.bind((ifname, 0))
s.settimeout(0.05)
names = {b"1": "v100", b"2": "v200", b"3": "q400", b"4": "q401"}
counts = {n: 0 for n in names.values()}
print("ready", flush=True)
while True:
    try:
        frame, addr = s.recvfrom(4096)
        m = re.search(rb"vlantest-(\d)", frame)
        if m and addr[2] != socket.PACKET_OUTGOING and m.group(1) in names:
            counts[names[m.group(1)]] += 1
    except socket.timeout:
        pass
    with open(work + "/c.tmp", "w") as f:
        json.dump(counts, f)
    os.replace(work + "/c.tmp", work + "/counts.json")
PY
PIDS+=($!)
for _ in $(seq 50); do grep -q ready "$WORK/serve.log" && break; sleep 0.1; done

# COUNT frames to 10.210.N.2:5555 with the given tags (TPID:ID ...).
send() {  # N COUNT TAG...
  in_cli /usr/bin/python3 - "$CLI_IF" "$SRV_MAC" "$CLI_MAC" "$@" <<'PY'
import socket, struct, sys
ifname, dst, src, n, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
tags = b"".join(struct.pack("!HH", int(t.split(":")[0], 16), int(t.split(":")[1])) for t in sys.argv[6:])
mac = lambda m: bytes(int(x, 16) for x in m.split(":"))
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
payload = b"vlantest-%d" % n
udp = struct.pack("!HHHH", 40000, 5555, 8 + len(payload), 0) + payload
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                 socket.inet_aton("10.210.%d.1" % n), socket.inet_aton("10.210.%d.2" % n))
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
frame = mac(dst) + mac(src) + tags + b"\x08\x00" + ip + udp
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((ifname, 0))
for _ in range(count):
    s.send(frame)
PY
}
count() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$WORK/counts.json" "$1"; }
send_all() {
  send 1 5 8100:100
  send 2 5 8100:200
  send 3 5 88a8:300 8100:400
  send 4 5 88a8:300 8100:401
  sleep 0.5
}

# Without a policy every frame arrives.
send_all
for q in v100 v200 q400 q401; do [ "$(count $q)" = 5 ] || fail "$q: $(count $q) of 5 before apply"; done

enforcer apply "$WORK/p.snb"
send_all
[ "$(count v100)" = 5 ] || fail "VLAN 100 passed the v100 rule: $(count v100)"
[ "$(count v200)" = 10 ] || fail "VLAN 200 did not pass: $(count v200)"
[ "$(count q400)" = 5 ] || fail "QinQ 300:400 passed the qinq-400 rule: $(count q400)"
[ "$(count q401)" = 10 ] || fail "QinQ 300:401 did not pass: $(count q401)"

enforcer status
[ "$(rule_packets v100)" = 5 ] || fail "v100 counted $(rule_packets v100), not 5"
[ "$(rule_packets v200)" = 5 ] || fail "v200 counted $(rule_packets v200), not 5"
[ "$(rule_packets qinq-400)" = 5 ] || fail "qinq-400 counted $(rule_packets qinq-400), not 5"
[ "$(rule_packets qinq)" = 5 ] || fail "qinq counted $(rule_packets qinq), not 5"
echo "e2e firewall vlan: ok"
