#!/usr/bin/env bash
# The main job: build, compile the example policies, enforce them on a demo
# network (two namespaces joined by a veth), send traffic, and show what
# passed, what was dropped, and which rule decided, from the kernel's
# counters: first the edge firewall, then a web server with connection
# tracking and rate limiting, switched in atomically.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
if [ "${1:-}" != "--no-build" ]; then
  bash scripts/install-deps.sh
  bash scripts/build.sh
fi
export SENTINELC=${SENTINELC:-$ROOT/${BUILD_DIR:-build}/compiler/tools/sentinelc}
export ENFORCER=${ENFORCER:-$ROOT/${BUILD_DIR:-build}/enforcer/cli/sentinel-enforcer}
export SRC_DIR=$ROOT
source scripts/lib/netns.sh

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "check and build every example policy"
for dir in policies/examples/*/; do
  name=$(basename "$dir")
  "$SENTINELC" check "$dir"
  "$SENTINELC" build "$dir" -o "$WORK/$name.snb"
  echo "built $name.snb ($(stat -c %s "$WORK/$name.snb") bytes, sha256 $(sha256sum "$WORK/$name.snb" | cut -c1-16)…)"
done

step "demo network: client $CLI_IP/$CLI_IP6 -> server $SRV_IP/$SRV_IP6 (veth $SRV_IF)"
setup_net
in_srv /usr/bin/python3 scripts/netprobe.py serve tcp:22 tcp:23 tcp:80 tcp:8080 tcp:9090 udp:53 \
  > "$WORK/serve.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do grep -q ready "$WORK/serve.log" && break; sleep 0.1; done

step "plan and apply policies/examples/edge on the server"
enforcer plan "$WORK/edge.snb" || true
enforcer apply "$WORK/edge.snb"

counters() { enforcer status -o json | /usr/bin/python3 -c '
import json, sys
fw = json.load(sys.stdin)["domains"]["firewall"]
for r in fw["rules"] + [fw["default_rule"]]:
    print(r["id"], r["packets"])'; }

counter_delta() {  # BEFORE AFTER RULE -> how far that rule's kernel counter moved
  /usr/bin/python3 - "$1" "$2" "$3" <<'PY'
import sys
def load(s): return {l.split()[0]: int(l.split()[1]) for l in s.splitlines() if l.strip()}
b, a = load(sys.argv[1]), load(sys.argv[2])
print(a.get(sys.argv[3], 0) - b.get(sys.argv[3], 0))
PY
}

# The rule the reference evaluator names for the probe's first packet, and the
# kernel's counter of that same rule, which must have moved.
POLICY=policies/examples/edge
report() {  # HOST TARGET RESULT BEFORE AFTER PACKET
  local rule moved
  rule=$("$SENTINELC" explain "$POLICY" --format json --packet "$6" |
    /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["firewall"]["rule"])')
  moved=$(counter_delta "$4" "$5" "$rule")
  printf '  %-14s %-9s %s by rule %s (kernel counter +%s)\n' "$1" "$2" "$3" "$rule" "$moved"
  [ "$moved" -gt 0 ] || { echo "    the kernel did not count rule $rule"; exit 1; }
}

step "traffic from the client"
probe() {  # HOST TARGET
  local before after res proto port src host
  proto=${2%%:*}
  port=${2##*:}
  before=$(counters)
  res=$(in_cli /usr/bin/python3 scripts/netprobe.py probe "$1" "$2" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])')
  after=$(counters)
  if [[ $1 == *:* ]]; then src="[$CLI_IP6]:40000"; host="[$1]"; else src="$CLI_IP:40000"; host=$1; fi
  report "$1" "$2" "$res" "$before" "$after" "$proto $src -> $host:$port"
}
for t in tcp:22 tcp:23 tcp:80 tcp:8080 tcp:9090 udp:53; do probe "$SRV_IP" "$t"; done
for t in tcp:22 tcp:23; do probe "$SRV_IP6" "$t"; done
before=$(counters)
if in_cli ping -c 2 -i 0.2 -W 1 "$SRV_IP" >/dev/null; then res=passed; else res=blocked; fi
report "$SRV_IP" icmp "$res" "$before" "$(counters)" "icmp $CLI_IP -> $SRV_IP"

step "what the kernel counted (sentinel-enforcer status)"
enforcer status

step "alerts (log rules) from the events ring"
enforcer alerts --timeout 1 | head -n 5 || true

step "explain one decision with the reference evaluator"
"$SENTINELC" explain policies/examples/edge --packet "tcp $CLI_IP:40000 -> $SRV_IP:23"

step "the web server example: connection tracking and rate limiting, switched in atomically"
POLICY=policies/examples/webserver
enforcer plan "$WORK/webserver.snb" || true
enforcer apply "$WORK/webserver.snb"   # its group names eth0; --iface puts it on the demo veth
for t in tcp:80 tcp:443 tcp:22 tcp:9090; do probe "$SRV_IP" "$t"; done

step "connection tracking: the server's own connection out comes back as established"
in_cli /usr/bin/python3 scripts/netprobe.py serve tcp:9000 > "$WORK/cli-serve.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do grep -q ready "$WORK/cli-serve.log" && break; sleep 0.1; done
est() { enforcer status -o json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["domains"]["firewall"]["established"]["packets"])'; }
before=$(est)
res=$(in_srv /usr/bin/python3 scripts/netprobe.py probe "$CLI_IP" tcp:9000 | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["result"])')
after=$(est)
printf '  server -> %s tcp:9000 %s: its reply came back established (kernel counter +%s) under default deny\n' \
  "$CLI_IP" "$res" "$((after - before))"
[ "$res" = passed ] && [ "$after" -gt "$before" ] || { echo "    the reply was not passed as established"; exit 1; }

step "rate limiting: a ping flood against rule ping-flood (10/s, burst 20, global)"
rl() { enforcer status -o json | /usr/bin/python3 -c '
import json, sys
for r in json.load(sys.stdin)["domains"]["ratelimit"]["rules"]:
    if r["id"] == "ping-flood": print(r["passed"], r["over"])'; }
read -r p0 o0 < <(rl)
got=$(in_cli ping -c 60 -i 0.005 -W 1 -q "$SRV_IP" | grep -o '[0-9]* received' | cut -d' ' -f1 || true)
read -r p1 o1 < <(rl)
printf '  60 pings sent in 0.3 s: %s answered; the kernel passed %s and dropped %s over the limit\n' \
  "${got:-0}" "$((p1 - p0))" "$((o1 - o0))"
[ "$((o1 - o0))" -gt 0 ] || { echo "    the rate limiter dropped nothing"; exit 1; }

step "what the kernel counted, every domain (sentinel-enforcer status)"
enforcer status

step "alerts: rate-limit events from the rings"
enforcer alerts --timeout 1 | grep '"domain":"ratelimit"' | head -n 3 || true

step "roll back to the edge firewall, atomically, every hook at once"
enforcer rollback
enforcer status | head -n 3
echo
echo "demo done: everything it created is removed on exit"
