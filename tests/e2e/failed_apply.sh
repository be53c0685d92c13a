#!/usr/bin/env bash
# Failed applies under continuous traffic leave the running generation in
# charge: a corrupted bundle, a truncated one and one built for another ABI
# are all refused with a message naming the problem, and the stream is judged
# by the old generation throughout.
source "$(dirname "$0")/../../scripts/lib/netns.sh"
setup_net
setup_swap_policies
enforcer apply "$WORK/old.snb"
gen_before=$(enforcer status -o json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["generation"])')
in_cli ping -c 1 -W 1 "$SRV_IP" >/dev/null 2>&1 || true

# Three broken variants of the new bundle: a byte flipped inside a part,
# the file cut in half, and a manifest claiming another ABI.
size=$(stat -c %s "$WORK/new.snb")
cp "$WORK/new.snb" "$WORK/flipped.snb"
/usr/bin/python3 -c "import sys; p=sys.argv[1]; b=bytearray(open(p,'rb').read()); b[len(b)//2]^=0xff; open(p,'wb').write(b)" "$WORK/flipped.snb"
head -c $((size / 2)) "$WORK/new.snb" > "$WORK/truncated.snb"
/usr/bin/python3 - "$WORK/new.snb" "$WORK/abi.snb" <<'PY'
# Re-pack the bundle with a manifest that claims another ABI version, with
# correct hashes: only the ABI check can refuse it.
import hashlib, json, struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"SNBUNDL1"
n = struct.unpack_from("<I", data, 8)[0]; off = 12; parts = {}
for _ in range(n):
    ln = struct.unpack_from("<I", data, off)[0]; off += 4
    name = data[off:off + ln].decode(); off += ln
    sz = struct.unpack_from("<Q", data, off)[0]; off += 8
    parts[name] = data[off:off + sz]; off += sz
m = json.loads(parts["manifest.json"]); m["abi_version"] = m["abi_version"] + 1
parts["manifest.json"] = json.dumps(m, sort_keys=True, indent=2).encode()
out = bytearray(b"SNBUNDL1") + struct.pack("<I", len(parts))
for name in sorted(parts):
    out += struct.pack("<I", len(name)) + name.encode() + struct.pack("<Q", len(parts[name])) + parts[name]
open(sys.argv[2], "wb").write(out)
PY

COUNT=24000
start_stream "$COUNT"
sleep 0.5
for bad in flipped truncated abi; do
  if enforcer apply "$WORK/$bad.snb" > "$WORK/$bad.out" 2>&1; then
    cat "$WORK/$bad.out"; fail "apply of the $bad bundle succeeded"
  fi
  echo "$bad: $(head -n 3 "$WORK/$bad.out")"
done
grep -q "sha256 mismatch" "$WORK/flipped.out" || fail "flipped bundle: message does not name the hash check"
grep -qi "abi" "$WORK/abi.out" || fail "ABI bundle: message does not name the ABI"
wait $SEND
wait $RECV

/usr/bin/python3 - "$WORK/recv.json" $COUNT <<'PY' || fail "traffic was not judged by the old generation throughout"
import json, sys
r = json.load(open(sys.argv[1])); count = int(sys.argv[2])
print(f"received {len(r['a'])} A, {len(r['b'])} B of {count}")
assert sorted(r["a"]) == list(range(0, count, 2)), "an A packet (old generation passes) was lost"
assert r["b"] == [], "a B packet passed: something other than the old generation judged it"
PY
gen_after=$(enforcer status -o json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["generation"])')
[ "$gen_before" = "$gen_after" ] || fail "generation changed from $gen_before to $gen_after"
echo "e2e failed apply: ok"
