#!/bin/sh
# sentinelc build N times on each policy given: the bundles must be
# identical. Several runs, because what varies between processes (heap
# addresses) may make a difference only now and then.
set -eu
sentinelc=$1
runs=$2
shift 2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for policy in "$@"; do
  "$sentinelc" build "$policy" -o "$dir/first.snb" --revision test >/dev/null
  i=1
  while [ "$i" -lt "$runs" ]; do
    "$sentinelc" build "$policy" -o "$dir/again.snb" --revision test >/dev/null
    cmp "$dir/first.snb" "$dir/again.snb" || { echo "not deterministic: $policy (run $((i + 1)))"; exit 1; }
    i=$((i + 1))
  done
  "$sentinelc" inspect "$dir/first.snb" >/dev/null
  echo "identical over $runs builds: $policy ($(wc -c <"$dir/first.snb") bytes)"
done
