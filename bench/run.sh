#!/usr/bin/env bash
# Runs the benchmarks and appends a dated section to bench/RESULTS.md:
#   fw_bench          ns per packet at 10 .. 100,000 generated rules and on the
#                     ClassBench sets, the XDP chain (firewall + rate limiter)
#                     beside the firewall alone (BPF_PROG_TEST_RUN)
#   compile_apply.sh  build+apply of 100,000 rules beside nft, iptables,
#                     xdp-filter
#   build_apply.sh    build+apply of 50 ClassBench acl1 filters, acl1_100k and
#                     fw1_100k in one table, with map memory per rule
#   generation.sh     apply time of one- and three-hook generations, and the
#                     generation switch window under a UDP flood
#
#   bench/run.sh [-b BUILD_DIR] [-n] [-r RUNS] [-c SET|none]
#     -b  build directory (default build-bench at the repository root)
#     -n  do not configure and build, use what is there
#     -r  runs per compile+apply figure (default 5)
#     -c  ClassBench workloads for build_apply.sh, comma-separated SET or SET:N
#         (default acl1_1k:50,acl1_100k,fw1_100k; none skips it)
# Needs root. The targets are built with `ninja -j2` (only what the bench uses).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build="$root/build-bench"
do_build=1
runs=5
ca_set=acl1_1k:50,acl1_100k,fw1_100k
while getopts "b:nr:c:" o; do
	case $o in
	b) build=$OPTARG ;;
	n) do_build=0 ;;
	r) runs=$OPTARG ;;
	c) ca_set=$OPTARG ;;
	*) sed -n '2,20p' "$0"; exit 1 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "run.sh: needs root" >&2; exit 1; }

# The project's own packages, then the peers and the timing tool.
bash "$root/scripts/install-deps.sh"
for p in hyperfine xdp-tools; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$p"
done

if [ $do_build = 1 ]; then
	cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	ninja -C "$build" -j2 fw_bench parse_bench sentinelc sentinel-enforcer
fi
build=$(cd "$build" && pwd)

out=$(mktemp -d /tmp/snbench-run.XXXXXX)
trap 'rm -rf "$out"' EXIT

load0=$(cut -d' ' -f1-3 /proc/loadavg)
echo "run.sh: per-packet bench ..." >&2
"$build/bench/src/fw_bench" >"$out/fw.md"
echo "run.sh: compile+apply bench ..." >&2
"$here/compile_apply.sh" -b "$build" -r "$runs" >"$out/ca.md"
cb_data=$root/../shared/data/classbench
if [ "$ca_set" != none ] && [ -d "$cb_data" ]; then
	echo "run.sh: build+apply bench on ClassBench $ca_set ..." >&2
	IFS=, read -r -a ca_sets <<<"$ca_set"
	"$here/build_apply.sh" -b "$build" -r "$runs" "${ca_sets[@]}" >"$out/ca-cb.md"
fi
echo "run.sh: parser bench ..." >&2
/usr/bin/python3 "$here/gen_rules.py" 100000 "$out/parse-gen" >/dev/null
parse_inputs=("$out/parse-gen/policy/policy.sen")
if [ -f "$cb_data/acl1_100k.xz" ]; then
	/usr/bin/python3 "$here/classbench.py" "$cb_data/acl1_100k.xz" "$out/parse-cb" >/dev/null
	parse_inputs+=("$out/parse-cb/policy/policy.sen")
fi
"$build/bench/src/parse_bench" "${parse_inputs[@]}" | sed "s#$out/##" >"$out/parse.md"
echo "run.sh: generation bench ..." >&2
"$here/generation.sh" -b "$build" >"$out/gen.md"

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$(git -C "$root" status --porcelain -- compiler enforcer bpf-templates bench 2>/dev/null | head -1)
{
	echo
	echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — commit $rev${dirty:+ (with uncommitted changes)}"
	echo
	echo "Machine: $cpu, $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM;" \
		"kernel $(uname -r); $(. /etc/os-release && echo "$PRETTY_NAME");" \
		"clang $(clang-19 --version | head -1 | grep -o '[0-9][0-9.]*' | head -1)," \
		"libbpf $(pkg-config --modversion libbpf), $(nft --version | head -1)," \
		"$(iptables --version)."
	echo "Load average at the start: $load0 (other work on the machine shares its cores)."
	echo
	echo "### Per-packet cost (bench/src/fw_bench.cpp)"
	echo
	cat "$out/fw.md"
	echo
	echo "### Compile + apply, 100,000 generated rules (bench/compile_apply.sh)"
	echo
	cat "$out/ca.md"
	echo
	if [ -f "$out/ca-cb.md" ]; then
		echo "### Build + apply, ClassBench $ca_set (bench/build_apply.sh)"
		echo
		cat "$out/ca-cb.md"
		echo
	fi
	echo "### Parser (bench/src/parse_bench.cpp)"
	echo
	cat "$out/parse.md"
	echo
	echo "### Generations: apply time and switch window (bench/generation.sh)"
	echo
	cat "$out/gen.md"
	echo
	echo "### Targets"
	echo
	grep -h -E '^Target ' "$out/fw.md" "$out/ca.md" | sed 's/^/- /'
	grep -h -E '^- Target ' "$out/ca-cb.md" 2>/dev/null || true
} >"$out/section.md"

if [ ! -f "$here/RESULTS.md" ]; then
	cat >"$here/RESULTS.md" <<'EOF'
# Benchmark results

Appended by `bench/run.sh`, newest last. Each section names the commit and the
machine; figures from different machines are not comparable with each other,
only the ratios within one section are.
EOF
fi
cat "$out/section.md" >>"$here/RESULTS.md"
cat "$out/section.md"
