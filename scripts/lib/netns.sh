# Shared setup for end-to-end tests: two network namespaces joined by a veth,
# the enforcer on the server side, everything removed by a trap.
# Addresses live only inside the namespaces this file creates.
set -euo pipefail

: "${SENTINELC:?SENTINELC must point at the sentinelc binary}"
: "${ENFORCER:?ENFORCER must point at the sentinel-enforcer binary}"
: "${SRC_DIR:?SRC_DIR must point at the source tree}"

skip() {
  if [ "${SENTINEL_REQUIRE_PRIVILEGED:-0}" = 1 ]; then
    echo "FAIL: $* (SENTINEL_REQUIRE_PRIVILEGED=1)"
    exit 1
  fi
  echo "skipped: $*"
  exit 77
}

[ "$(id -u)" = 0 ] || skip "not privileged"
mount | grep -q ' /sys/fs/bpf type bpf' || skip "bpffs not mounted"

TAG="sn$$"
CLI_NS="${TAG}c"
SRV_NS="${TAG}s"
CLI_IF="${TAG}a"
SRV_IF="${TAG}b"
BPFFS="/sys/fs/bpf/${TAG}"
WORK=$(mktemp -d "/tmp/${TAG}.XXXX")
CLI_IP=10.200.0.1
SRV_IP=10.200.0.2
CLI_IP6=fd00:200::1
SRV_IP6=fd00:200::2
PIDS=()

cleanup() {
  set +e
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  "$ENFORCER" detach --netns "$SRV_NS" --bpffs "$BPFFS" >/dev/null 2>&1
  ip netns del "$CLI_NS" 2>/dev/null
  ip netns del "$SRV_NS" 2>/dev/null
  rm -rf "$BPFFS" "$WORK"
}
trap cleanup EXIT

in_cli() { ip netns exec "$CLI_NS" "$@"; }
in_srv() { ip netns exec "$SRV_NS" "$@"; }
# The enforcer on the server's namespace; apply enforces on the server's veth
# unless the policy names its interfaces.
enforcer() {
  local iface=()
  [ "$1" = apply ] && iface=(--iface "$SRV_IF")
  "$ENFORCER" "$@" "${iface[@]}" --netns "$SRV_NS" --bpffs "$BPFFS"
}

setup_net() {
  ip netns add "$CLI_NS"
  ip netns add "$SRV_NS"
  # VETH_QUEUES: more than one queue lets flows be received on several CPUs.
  local q=${VETH_QUEUES:-1}
  ip link add "$CLI_IF" numtxqueues "$q" numrxqueues "$q" type veth peer name "$SRV_IF" \
    numtxqueues "$q" numrxqueues "$q"
  ip link set "$CLI_IF" netns "$CLI_NS"
  ip link set "$SRV_IF" netns "$SRV_NS"
  in_cli ip addr add "$CLI_IP/24" dev "$CLI_IF"
  in_srv ip addr add "$SRV_IP/24" dev "$SRV_IF"
  in_cli ip -6 addr add "$CLI_IP6/64" dev "$CLI_IF" nodad
  in_srv ip -6 addr add "$SRV_IP6/64" dev "$SRV_IF" nodad
  in_cli ip link set lo up
  in_srv ip link set lo up
  in_cli ip link set "$CLI_IF" up
  in_srv ip link set "$SRV_IF" up
  # A second client address outside the office range, for "untrusted" traffic.
  in_cli ip addr add 10.201.0.1/32 dev "$CLI_IF"
  in_srv ip route add 10.201.0.1/32 dev "$SRV_IF"
  mkdir -p "$BPFFS"
}

build_bundle() {  # DIR OUT
  "$SENTINELC" build "$1" -o "$2"
}

fail() {
  echo "FAIL: $*"
  exit 1
}

# A firewall counter from `status -o json`: rule id -> packets (rules of the
# previous generation too, and the default).
rule_packets() {  # RULE
  enforcer status -o json | /usr/bin/python3 -c '
import json, sys
fw = json.load(sys.stdin)["domains"]["firewall"]
rid = sys.argv[1]
for r in fw["rules"] + fw["retired"] + [fw["default_rule"]] + [fw.get("established", {}), fw.get("management", {})]:
    if r.get("id") == rid:
        print(r["packets"]); break
else:
    print(0)' "$1"
}

# Two generations for swap tests, as bundles $WORK/old.snb and $WORK/new.snb:
# UDP port 5000 (A) passes under the old one, 5001 (B) under the new one.
setup_swap_policies() {
  mkdir -p "$WORK/old" "$WORK/new"
  cat > "$WORK/old/p.sen" <<'SEN'
firewall {
    default deny
    rule old-a allow udp to any port 5000
    rule old-b deny  udp to any port 5001
}
SEN
  cat > "$WORK/new/p.sen" <<'SEN'
firewall {
    default deny
    rule new-a deny  udp to any port 5000
    rule new-b allow udp to any port 5001
}
SEN
  build_bundle "$WORK/old" "$WORK/old.snb"
  build_bundle "$WORK/new" "$WORK/new.snb"
  # IPv6 neighbour traffic would only add noise to the counters here.
  in_srv sysctl -qw net.ipv6.conf.all.disable_ipv6=1
  in_cli sysctl -qw net.ipv6.conf.all.disable_ipv6=1
}

# The sequenced UDP stream of the swap tests: COUNT packets at 10,000 a second,
# alternating ports 5000 and 5001; the receiver writes $WORK/recv.json.
# Sets RECV and SEND to the two processes.
start_stream() {  # COUNT
  in_srv /usr/bin/python3 "$SRC_DIR/tests/e2e/udpseq.py" recv 5000 5001 "$WORK/recv.json" \
    > "$WORK/recv.log" 2>&1 &
  RECV=$!
  PIDS+=($RECV)
  for _ in $(seq 50); do grep -q ready "$WORK/recv.log" && break; sleep 0.1; done
  in_cli /usr/bin/python3 "$SRC_DIR/tests/e2e/udpseq.py" send "$SRV_IP" 5000 5001 "$1" 10000 &
  SEND=$!
  PIDS+=($SEND)
}
