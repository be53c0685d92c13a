#!/usr/bin/env python3
"""Writes the same N firewall rules for Sentinel, nftables and iptables.

    gen_rules.py N OUTDIR [--seed S]

OUTDIR receives:
  policy/policy.sen  a Sentinel policy directory
  nft.conf           an nftables script: table inet snbench, one rule per rule
  iptables.rules     iptables-restore input (the IPv4 rules)
  ip6tables.rules    ip6tables-restore input (the IPv6 rules)
  linear.rules       one line per rule for the linear BPF peer (see below)
  xdp-filter.src     the distinct source addresses of the /32 rules, the
                     subset of the rules xdp-filter can express
  probes.txt         three packets in the text form of compiler/eval/packet.h:
                     "first" matches rule 0, "last" matches rule N-1, "none"
                     matches no rule

Rule shapes cycle with period 5, so every size from 10 rules up holds every
shape in the same proportion and the classification work per packet is the
same mix at every size:

  0  deny  tcp from a distinct IPv4 /32           to any port P
  1  deny  udp from a distinct IPv4 /24           to an IPv4 /16 port LO..LO+99
  2  allow tcp from a distinct IPv4 /32 port 1024..65535 to any port 443
  3  deny      from a distinct IPv6 /64
  4  deny  udp                                    to a distinct IPv4 /32 port 53

The default is allow. Port ranges always start on a multiple of 128, so each
decomposes into the same prefixes at every size. The seed chooses ports and
ranges; addresses are distinct by construction (derived from the rule index).
Rules from the different shapes never overlap, so no rule shadows another
and each packet is decided by the rule the probes name in every engine.

linear.rules line format (numbers, addresses in dotted or colon form):
  FAMILY PROTO SRC/LEN DST/LEN SPORT_LO SPORT_HI DPORT_LO DPORT_HI ACTION
with FAMILY 4|6, PROTO 0 (any)|6|17, ACTION allow|deny.
"""
import argparse
import ipaddress
import os
import random
import sys

PERIOD = 5
MAX_RULES = 5 * 65536  # shape 3 uses 16 bits of the rule index per shape


def shape_rule(i, rng):
    """Returns a neutral description of rule i."""
    k, j = i % PERIOD, i // PERIOD  # shape, index within the shape
    if k == 0:
        src = ipaddress.ip_network((10 << 24) | (j + 1))  # 10.0.0.1 ...
        return dict(family=4, action="deny", proto="tcp", src=src, dst=None,
                    sport=None, dport=(p := rng.randrange(1, 1024), p))
    if k == 1:
        src = ipaddress.ip_network(((10 << 24) | (128 << 16) | (j << 8), 24))
        dst = ipaddress.ip_network(((172 << 24) | ((16 + j % 16) << 16), 16))
        lo = 128 * rng.randrange(8, 500)  # 1024 .. 63872
        return dict(family=4, action="deny", proto="udp", src=src, dst=dst,
                    sport=None, dport=(lo, lo + 99))
    if k == 2:
        src = ipaddress.ip_network((10 << 24) | (64 << 16) | (j + 1))
        return dict(family=4, action="allow", proto="tcp", src=src, dst=None,
                    sport=(1024, 65535), dport=(443, 443))
    if k == 3:
        base = int(ipaddress.IPv6Address("2001:db8::"))
        src = ipaddress.ip_network((base | ((j + 1) << 64), 64))
        return dict(family=6, action="deny", proto=None, src=src, dst=None,
                    sport=None, dport=None)
    # k == 4: destinations in 198.18.0.0/15, the benchmarking range
    dst = ipaddress.ip_network((198 << 24) | (18 << 16) | (j + 1))
    return dict(family=4, action="deny", proto="udp", src=None, dst=dst,
                sport=None, dport=(53, 53))


def rules(n, seed):
    rng = random.Random(seed)
    return [shape_rule(i, rng) for i in range(n)]


def host(net):
    """A CIDR as the tools print it: bare address for a full-length prefix."""
    if net.prefixlen == net.max_prefixlen:
        return str(net.network_address)
    return str(net)


def sen_ports(r):
    lo, hi = r
    return str(lo) if lo == hi else f"{lo}..{hi}"


def to_sen(i, r):
    parts = [f"rule r{i}", r["action"]]
    if r["proto"]:
        parts.append(r["proto"])
    if r["src"] is not None or r["sport"]:
        parts.append("from " + (host(r["src"]) if r["src"] is not None else "any"))
        if r["sport"]:
            parts.append("port " + sen_ports(r["sport"]))
    if r["dst"] is not None or r["dport"]:
        parts.append("to " + (host(r["dst"]) if r["dst"] is not None else "any"))
        if r["dport"]:
            parts.append("port " + sen_ports(r["dport"]))
    return "    " + " ".join(parts)


def nft_ports(r):
    lo, hi = r
    return str(lo) if lo == hi else f"{lo}-{hi}"


def to_nft(r):
    fam = "ip" if r["family"] == 4 else "ip6"
    parts = []
    if r["src"] is not None:
        parts.append(f"{fam} saddr {host(r['src'])}")
    if r["dst"] is not None:
        parts.append(f"{fam} daddr {host(r['dst'])}")
    if r["proto"] is None:
        # A family-only rule: "from an IPv6 /64", any protocol.
        pass
    elif not r["sport"] and not r["dport"]:
        parts.append(f"meta l4proto {r['proto']}")
    if r["sport"]:
        parts.append(f"{r['proto']} sport {nft_ports(r['sport'])}")
    if r["dport"]:
        parts.append(f"{r['proto']} dport {nft_ports(r['dport'])}")
    parts.append("accept" if r["action"] == "allow" else "drop")
    return "\t\t" + " ".join(parts)


def ipt_ports(r):
    lo, hi = r
    return str(lo) if lo == hi else f"{lo}:{hi}"


def to_ipt(r):
    parts = ["-A INPUT"]
    if r["src"] is not None:
        parts.append(f"-s {r['src']}")
    if r["dst"] is not None:
        parts.append(f"-d {r['dst']}")
    if r["proto"]:
        parts.append(f"-p {r['proto']}")
    if r["sport"]:
        parts.append(f"--sport {ipt_ports(r['sport'])}")
    if r["dport"]:
        parts.append(f"--dport {ipt_ports(r['dport'])}")
    parts.append("-j ACCEPT" if r["action"] == "allow" else "-j DROP")
    return " ".join(parts)


def to_linear(r):
    any_net = "0.0.0.0/0" if r["family"] == 4 else "::/0"
    proto = {None: 0, "tcp": 6, "udp": 17}[r["proto"]]
    sp = r["sport"] or (0, 65535)
    dp = r["dport"] or (0, 65535)
    src = str(r["src"]) if r["src"] is not None else any_net
    dst = str(r["dst"]) if r["dst"] is not None else any_net
    return f"{r['family']} {proto} {src} {dst} {sp[0]} {sp[1]} {dp[0]} {dp[1]} {r['action']}"


def probe_for(r):
    """A packet that matches rule r and, by the shapes' disjointness, no earlier rule."""
    proto = r["proto"] or "tcp"
    if r["family"] == 6:
        src = r["src"].network_address + 1
        return f"{proto} [{src}]:40000 -> [2001:db8:ffff::1]:80"
    src = r["src"].network_address + (1 if r["src"].prefixlen < 32 else 0) \
        if r["src"] is not None else ipaddress.IPv4Address("192.0.2.1")
    dst = r["dst"].network_address + (1 if r["dst"].prefixlen < 32 else 0) \
        if r["dst"] is not None else ipaddress.IPv4Address("192.0.2.2")
    sport = r["sport"][0] if r["sport"] else 40000
    dport = r["dport"][0] if r["dport"] else 80
    return f"{proto} {src}:{sport} -> {dst}:{dport}"


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", type=int)
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    if not 1 <= a.n <= MAX_RULES:
        ap.error(f"n must be in 1..{MAX_RULES}")
    rs = rules(a.n, a.seed)
    os.makedirs(os.path.join(a.outdir, "policy"), exist_ok=True)

    sen = [f"# {a.n} generated rules (bench/gen_rules.py, seed {a.seed})",
           "firewall {", "    default allow", "    mode enforce", ""]
    sen += [to_sen(i, r) for i, r in enumerate(rs)]
    sen += ["}", ""]
    write(os.path.join(a.outdir, "policy", "policy.sen"), "\n".join(sen))

    nft = ["table inet snbench {", "\tchain input {",
           "\t\ttype filter hook input priority 0; policy accept;"]
    nft += [to_nft(r) for r in rs]
    nft += ["\t}", "}", ""]
    write(os.path.join(a.outdir, "nft.conf"), "\n".join(nft))

    for fam, name in ((4, "iptables.rules"), (6, "ip6tables.rules")):
        ipt = ["*filter", ":INPUT ACCEPT [0:0]", ":FORWARD ACCEPT [0:0]",
               ":OUTPUT ACCEPT [0:0]"]
        ipt += [to_ipt(r) for r in rs if r["family"] == fam]
        ipt += ["COMMIT", ""]
        write(os.path.join(a.outdir, name), "\n".join(ipt))

    write(os.path.join(a.outdir, "linear.rules"),
          "".join(to_linear(r) + "\n" for r in rs))
    srcs = sorted({str(r["src"].network_address) for r in rs
                   if r["src"] is not None and r["src"].prefixlen == r["src"].max_prefixlen})
    write(os.path.join(a.outdir, "xdp-filter.src"), "".join(s + "\n" for s in srcs))

    probes = [("first", probe_for(rs[0]), rs[0]["action"]),
              ("last", probe_for(rs[-1]), rs[-1]["action"]),
              ("none", "tcp 192.0.2.1:40000 -> 192.0.2.2:80", "allow")]
    write(os.path.join(a.outdir, "probes.txt"),
          "".join(f"{name}\t{pkt}\t{act}\n" for name, pkt, act in probes))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
