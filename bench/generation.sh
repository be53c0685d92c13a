#!/usr/bin/env bash
# The generation as a whole, on a ClassBench firewall (bench/classbench.py,
# default fw1_1k) in a veth pair between two network namespaces made here:
#
#   apply   `sentinel-enforcer apply` wall time of a firewall-only generation
#           (one XDP hook) and of the same firewall with a conntrack block
#           (bench/policies/conntrack.sen: XDP + TCX ingress + TCX egress),
#           each as a fresh apply (detached in between) and as a swap over a
#           live generation (two bundles that differ in one rule, applied in
#           turn); medians of RUNS runs, with the selector write time apply
#           prints ("switched in X us")
#   window  under a UDP flood from the client namespace (two senders pinned
#           to two CPUs, 16 flows each, tests/e2e/udpflood.py, over a veth
#           with two queues), SWAPS applies alternating between the two
#           conntrack bundles; the dispatcher counters of `status -o json`
#           before and after give the packet rate at XDP and the ingress
#           packets that crossed a switch between XDP and TC (stamped with
#           the old bank, the selector already on the new one)
#
#   bench/generation.sh [-b BUILD_DIR] [-r RUNS] [-s SWAPS] [-t FLOOD_SECONDS] [-c SET]
#
# Prints Markdown. Needs root and ../shared/data/classbench (without it, the
# firewall is bench/gen_rules.py's 1000 rules). All traffic stays inside the
# two namespaces; the flood stops after FLOOD_SECONDS or when
# the swaps are done, whichever comes first; a trap removes everything.
# Defaults: 7 runs per apply figure, 200 swaps, at most 240 s of flood.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build="$root/build-bench"
runs=7
swaps=200
flood_s=240
set_name=fw1_1k
while getopts "b:r:s:t:c:" o; do
	case $o in
	b) build=$(cd "$OPTARG" && pwd) ;;
	r) runs=$OPTARG ;;
	s) swaps=$OPTARG ;;
	t) flood_s=$OPTARG ;;
	c) set_name=$OPTARG ;;
	*) sed -n '2,26p' "$0"; exit 1 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "generation.sh: needs root" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "generation.sh: needs two CPUs for the two senders" >&2; exit 1; }
mount | grep -q ' /sys/fs/bpf type bpf' || { echo "generation.sh: bpffs not mounted" >&2; exit 1; }

sentinelc=$build/compiler/tools/sentinelc
enforcer=$build/enforcer/cli/sentinel-enforcer
[ -x "$sentinelc" ] && [ -x "$enforcer" ] || { echo "generation.sh: no sentinelc/sentinel-enforcer in $build" >&2; exit 1; }

tag=snbg$$
cli_ns=${tag}c
srv_ns=${tag}s
cli_if=${tag}a
srv_if=${tag}b
cli_ip=10.210.0.1
srv_ip=10.210.0.2
port=6000
bpffs=/sys/fs/bpf/$tag
work=$(mktemp -d /tmp/snbench-gen.XXXXXX)
pids=()

cleanup() {
	set +e
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	"$enforcer" detach --netns "$srv_ns" --bpffs "$bpffs" >/dev/null 2>&1
	ip netns del "$cli_ns" 2>/dev/null
	ip netns del "$srv_ns" 2>/dev/null
	rm -rf "$bpffs" "$work"
}
trap cleanup EXIT INT TERM

ip netns add "$cli_ns"
ip netns add "$srv_ns"
ip link add "$cli_if" numtxqueues 2 numrxqueues 2 type veth peer name "$srv_if" numtxqueues 2 numrxqueues 2
ip link set "$cli_if" netns "$cli_ns"
ip link set "$srv_if" netns "$srv_ns"
ip -n "$cli_ns" addr add $cli_ip/24 dev "$cli_if"
ip -n "$srv_ns" addr add $srv_ip/24 dev "$srv_if"
for n in "$cli_ns" "$srv_ns"; do
	ip netns exec "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "$n" link set lo up
done
ip -n "$cli_ns" link set "$cli_if" up
ip -n "$srv_ns" link set "$srv_if" up
mkdir -p "$bpffs"

enf() { # enf SUBCOMMAND [ARGS...]: the enforcer on the server's namespace
	local sub=$1
	shift
	if [ "$sub" = apply ]; then
		"$enforcer" apply "$@" --iface "$srv_if" --netns "$srv_ns" --bpffs "$bpffs"
	else
		"$enforcer" "$sub" "$@" --netns "$srv_ns" --bpffs "$bpffs"
	fi
}

# The policies: the firewall, with the flood's port allowed first; two
# variants (a, b) that differ in that rule's id, so each apply is a new
# bundle; with and without conntrack.
src=$root/../shared/data/classbench/$set_name
[ -f "$src" ] || src=$src.xz
if [ -f "$src" ]; then
	python3 "$here/classbench.py" "$src" "$work/rules" --random 0 >"$work/convert.log"
	what="ClassBench $set_name ($(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["rules"])' "$work/rules/summary.json") rules)"
else
	echo "generation.sh: no ClassBench set $set_name under ../shared/data: generated rules instead" >&2
	python3 "$here/gen_rules.py" 1000 "$work/rules" >/dev/null
	what="1000 generated rules (bench/gen_rules.py; ClassBench data absent)"
fi
for kind in fw ct; do
	for v in a b; do
		d=$work/$kind-$v
		mkdir -p "$d"
		sed "/^    mode enforce/a\\    rule flood-$v allow udp to any port $port" "$work/rules/policy/policy.sen" >"$d/firewall.sen"
		grep -q "rule flood-$v" "$d/firewall.sen" || { echo "generation.sh: could not add the flood rule" >&2; exit 1; }
		[ $kind = ct ] && cp "$here/policies/conntrack.sen" "$d/"
		"$sentinelc" build "$d" -o "$work/$kind-$v.snb" >/dev/null 2>"$work/build-$kind-$v.log" || {
			cat "$work/build-$kind-$v.log" >&2
			exit 1
		}
	done
done

now_ns() { date +%s%N; }
# timed_apply BUNDLE: prints "WALL_MS SWITCH_US"
timed_apply() {
	local t0 t1 out
	t0=$(now_ns)
	out=$(enf apply "$1")
	t1=$(now_ns)
	local sw
	sw=$(sed -n 's/.*switched in \([0-9.]*\) us.*/\1/p' <<<"$out")
	echo "$(((t1 - t0) / 1000)) ${sw:-nan}" | awk '{printf "%.1f %s\n", $1 / 1000, $2}'
}

# Apply times.
: >"$work/apply.txt"
for kind in fw ct; do
	for _ in $(seq 1 "$runs"); do
		enf detach >/dev/null
		echo "$kind fresh $(timed_apply "$work/$kind-a.snb")" >>"$work/apply.txt"
	done
	enf apply "$work/$kind-a.snb" >/dev/null
	for i in $(seq 1 "$runs"); do
		v=$([ $((i % 2)) = 1 ] && echo b || echo a)
		echo "$kind swap $(timed_apply "$work/$kind-$v.snb")" >>"$work/apply.txt"
	done
	enf status -o json >"$work/status-$kind.json"
	enf detach >/dev/null
done

# The switch window under a flood.
enf apply "$work/ct-a.snb" >/dev/null
ip netns exec "$cli_ns" ping -c 1 -W 1 $srv_ip >/dev/null 2>&1 || true
flood=$root/tests/e2e/udpflood.py
ip netns exec "$cli_ns" taskset -c 0 /usr/bin/python3 "$flood" $srv_ip $port 16 "$flood_s" >"$work/s0.json" &
s0=$!
pids+=($s0)
ip netns exec "$cli_ns" taskset -c 1 /usr/bin/python3 "$flood" $srv_ip $port 16 "$flood_s" >"$work/s1.json" &
s1=$!
pids+=($s1)
sleep 1
alive() { kill -0 $s0 2>/dev/null && kill -0 $s1 2>/dev/null; }
t_start=$(now_ns)
enf status -o json >"$work/flood0.json"
: >"$work/swaps.txt"
done_swaps=0
for i in $(seq 1 "$swaps"); do
	alive || break
	v=$([ $((i % 2)) = 1 ] && echo b || echo a)
	timed_apply "$work/ct-$v.snb" >>"$work/swaps.txt"
	done_swaps=$i
done
enf status -o json >"$work/flood1.json"
t_end=$(now_ns)
# Without swaps, over the same stretch: what crossing costs nothing to see.
sleep 2
enf status -o json >"$work/flood2.json"
t_quiet=$(now_ns)
kill $s0 $s1 2>/dev/null || true
wait $s0 $s1 2>/dev/null || true
pids=()

python3 - "$work" "$what" "$runs" "$done_swaps" "$swaps" "$t_start" "$t_end" "$t_quiet" "$flood_s" <<'EOF'
import json, math, statistics, sys


def poisson_ci(k, conf=0.95):
    """Exact (Garwood) interval of a Poisson mean from one count k."""
    a = (1 - conf) / 2
    if k > 500:  # the exact sums underflow; the normal approximation is close here
        return k - 1.96 * math.sqrt(k), k + 1.96 * math.sqrt(k)

    def cdf(k, mu):  # P(X <= k)
        if mu == 0:
            return 1.0
        term = math.exp(-mu)
        total = term
        for i in range(1, k + 1):
            term *= mu / i
            total += term
        return min(total, 1.0)

    def solve(f, lo, hi):
        for _ in range(200):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if f(mid) else (lo, mid)
        return (lo + hi) / 2

    top = max(10.0, 4 * k + 10)
    upper = solve(lambda mu: cdf(k, mu) > a, 0.0, top)
    lower = 0.0 if k == 0 else solve(lambda mu: 1 - cdf(k - 1, mu) < a, 0.0, top)
    return lower, upper

work, what, runs, done, asked = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
t_start, t_end, t_quiet, flood_s = int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8]), sys.argv[9]

rows = {}
for line in open(f"{work}/apply.txt"):
    kind, mode, wall, sw = line.split()
    rows.setdefault((kind, mode), []).append((float(wall), float(sw)))

def hooks(kind):
    s = json.load(open(f"{work}/status-{kind}.json"))
    out = []
    for i in s["interfaces"]:
        for h, v in sorted(i["hooks"].items()):
            out.append(h + (f" ({v['mode']})" if "mode" in v else ""))
    return ", ".join(out)

def med(v):
    return statistics.median(v) if v else float("nan")

print(f"Firewall: {what}, plus one rule for the flood's port. `fw`: the firewall alone; `fw + conntrack`: "
      f"with bench/policies/conntrack.sen. Wall time of `sentinel-enforcer apply` (process start to exit: "
      f"read and verify the bundle, load, fill, smoke test, switch, pin, clean up), median of {runs} runs; "
      f"the switch is the selector write apply reports.\n")
print("| generation | hooks | apply | median ms | min .. max ms | switch median µs | switch min .. max µs |")
print("|---|---|---|---:|---|---:|---|")
for kind, label in (("fw", "fw"), ("ct", "fw + conntrack")):
    for mode, mlabel in (("fresh", "fresh (nothing attached)"), ("swap", "swap over a live generation")):
        v = rows.get((kind, mode), [])
        w = [x[0] for x in v]
        s = [x[1] for x in v]
        print(f"| {label} | {hooks(kind)} | {mlabel} | {med(w):.1f} | {min(w):.1f} .. {max(w):.1f} | "
              f"{med(s):.1f} | {min(s):.1f} .. {max(s):.1f} |")
fm = {m: med([x[0] for x in rows[("fw", m)]]) for m in ("fresh", "swap")}
cm = {m: med([x[0] for x in rows[("ct", m)]]) for m in ("fresh", "swap")}
print(f"\nRatios (fw + conntrack / fw): fresh {cm['fresh'] / fm['fresh']:.2f}x, swap {cm['swap'] / fm['swap']:.2f}x; "
      f"swap / fresh: fw {fm['swap'] / fm['fresh']:.2f}x, fw + conntrack {cm['swap'] / cm['fresh']:.2f}x.\n")

s0, s1, s2 = (json.load(open(f"{work}/flood{i}.json"))["dispatch"] for i in range(3))
d = {k: s1[k] - s0[k] for k in s1}
q = {k: s2[k] - s1[k] for k in s2}
el = (t_end - t_start) / 1e9
eq = (t_quiet - t_end) / 1e9
rate = d["xdp"] / el if el > 0 else 0
sw = [float(l.split()[1]) for l in open(f"{work}/swaps.txt")]
wall = [float(l.split()[0]) for l in open(f"{work}/swaps.txt")]
senders = []
for i in (0, 1):
    try:
        senders.append(json.load(open(f"{work}/s{i}.json")))
    except (OSError, ValueError):
        pass
print(f"Switch window: {done} swaps (of {asked} asked; the flood runs at most {flood_s} s) between the two "
      f"`fw + conntrack` bundles over {el:.1f} s, under a UDP flood from two senders pinned to CPUs 0 and 1 "
      f"(16 flows each) through a two-queue veth. Counters of the dispatcher (`status -o json`, "
      f"`dispatch`) over the swaps, then over {eq:.1f} s more of flood without swaps:\n")
print("| stretch | s | xdp packets | packets/s at XDP | tc ingress stamped | crossed | unstamped | tc egress |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
print(f"| {done} swaps | {el:.1f} | {d['xdp']} | {rate:,.0f} | {d['tc_ingress_stamped']} | {d['tc_ingress_crossed']} | "
      f"{d['tc_ingress_unstamped']} | {d['tc_egress']} |")
print(f"| no swaps | {eq:.1f} | {q['xdp']} | {q['xdp'] / eq if eq else 0:,.0f} | {q['tc_ingress_stamped']} | "
      f"{q['tc_ingress_crossed']} | {q['tc_ingress_unstamped']} | {q['tc_egress']} |")
print()
if done and rate > 0:
    per = d["tc_ingress_crossed"] / done
    window_us = per / rate * 1e6
    print(f"- crossed packets per switch: **{per:.2f}** ({d['tc_ingress_crossed']} over {done} switches)")
    lo, hi = poisson_ci(d["tc_ingress_crossed"])
    scale = 1e6 / (done * rate)
    print(f"- implied window (crossed / (switches × packets/s at XDP)): **{window_us:.2f} µs** at {rate:,.0f} "
          f"packets/s; 95% interval {lo * scale:.2f} .. {hi * scale:.2f} µs (exact Poisson interval of the count)")
    print(f"- selector write (`switched in`): median **{med(sw):.1f} µs** (min {min(sw):.1f}, max {max(sw):.1f}) "
          f"over {len(sw)} swaps; apply wall time under the flood: median {med(wall):.0f} ms")
    if d["tc_ingress_stamped"] == 0:
        print("- no ingress packet carried an XDP stamp: the crossed counter cannot see anything here "
              "(XDP not in native mode on the veth, or the metadata did not reach TC)")
    if q["tc_ingress_crossed"]:
        print(f"- {q['tc_ingress_crossed']} packets counted as crossed with no swap running: the counter "
              "is not only switches")
else:
    print("No swap completed under the flood, or no packet reached XDP: no window figure.")
if senders:
    sent = sum(x["sent"] for x in senders)
    print(f"- the senders report {sent:,} datagrams sent")
EOF
