#!/bin/sh
# sentinelc build twice on the same policy: the bundles must be identical.
set -eu
sentinelc=$1
policy=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$sentinelc" build "$policy" -o "$dir/a.snb" --revision test
"$sentinelc" build "$policy" -o "$dir/b.snb" --revision test
cmp "$dir/a.snb" "$dir/b.snb"
"$sentinelc" inspect "$dir/a.snb" >/dev/null
echo "identical: $(wc -c <"$dir/a.snb") bytes"
