#!/usr/bin/env python3
"""Turns a ClassBench filter set into the same rules for Sentinel and its peers.

    classbench.py SET OUTDIR [--seed S] [--random N] [--default allow|deny] [--first N]

SET is a ClassBench filter file (fw1_1k, acl1_10k, ...; `.xz` files are read
compressed); --first N takes only its first N filters. OUTDIR receives the
files bench/gen_rules.py writes, so the benches take either source:

  policy/policy.sen  a Sentinel policy directory (one firewall block)
  nft.conf           nftables script: table inet snbench, one rule per rule
  iptables.rules     iptables-restore input
  ip6tables.rules    ip6tables-restore input (empty: ClassBench is IPv4)
  linear.rules       the linear BPF peer's rule list (see gen_rules.py)
  xdp-filter.src     the distinct /32 source addresses: the subset of the
                     rules xdp-filter can express
  probes.txt         NAME <tab> PACKET <tab> ACTION <tab> RULE, packets in the
                     text form of compiler/eval/packet.h, ACTION and RULE
                     (the deciding rule's id, or `default`) by a first-match
                     scan of this script, which the benches check against
                     the reference evaluator
  summary.json       what was read, written, split and skipped
  trace.txt          with --trace N: N packets in the text form, one a line,
                     as ClassBench's trace generator draws them: 9 in 10
                     inside the ranges of a filter chosen at random, 1 in 10
                     anywhere (mostly misses); no verdicts (the benches ask
                     the reference evaluator)

A ClassBench filter is `@SRC/LEN DST/LEN SLO : SHI DLO : DHI PROTO/MASK
FLAGS/MASK`. Each becomes one rule, in file order, except:

- a wildcard protocol (mask 0x00) with a port range: ports need `tcp` or `udp`
  in the language, so the filter becomes two rules, `tcp` then `udp`;
- any other protocol (GRE 47, ESP 50, AH 51, ...) becomes `proto N` (ports
  on such a filter could match nothing: skipped and counted, and none of
  the sets has one);
- the FLAGS field (TCP flags in some sets) has no place in a Sentinel match:
  ignored, and counted when it constrains anything.

Every peer gets exactly the converted rules, so all engines judge the same
rule list. ClassBench filters carry no action: a seeded coin gives each
`allow` or `deny` (both halves of a split filter share it); the default is
`allow` unless --default says otherwise.

Probes, each a packet drawn from the rules with a seeded generator:
  first   a packet inside the first rule
  last    a packet decided by the last rule that decides any packet drawn
          from it (the last rules of a set are often shadowed)
  none    a packet no rule matches (absent when the set ends in a catch-all)
  web     a TCP packet to port 80 or 443 that the firewall passes
  dns     a UDP packet to port 53 that the firewall passes
  rNN     a packet inside a rule chosen at random, N of them (--random)
"""
import argparse
import ipaddress
import json
import lzma
import os
import random
import sys

PROTO_NAME = {6: "tcp", 17: "udp", 1: "icmp", 0: None}
FULL = (0, 65535)


class Rule:
    __slots__ = ("id", "action", "proto", "src", "dst", "sport", "dport",
                 "s_net", "s_mask", "d_net", "d_mask")

    def __init__(self, rid, action, proto, src, dst, sport, dport):
        self.id, self.action, self.proto = rid, action, proto  # proto: 0 any, 1, 6, 17
        self.src, self.dst = src, dst  # ipaddress.IPv4Network
        self.sport, self.dport = sport, dport  # (lo, hi) or None (any)
        self.s_net, self.s_mask = int(src.network_address), int(src.netmask)
        self.d_net, self.d_mask = int(dst.network_address), int(dst.netmask)

    def needs_ports(self):
        return self.sport is not None or self.dport is not None

    def matches(self, p):
        """p = (src, dst, proto, sport, dport); ports only for TCP and UDP."""
        if (p[0] & self.s_mask) != self.s_net or (p[1] & self.d_mask) != self.d_net:
            return False
        if self.proto and self.proto != p[2]:
            return False
        if self.needs_ports():
            if p[2] not in (6, 17):
                return False
            if self.sport and not self.sport[0] <= p[3] <= self.sport[1]:
                return False
            if self.dport and not self.dport[0] <= p[4] <= self.dport[1]:
                return False
        return True


def read_set(path):
    opener = lzma.open if path.endswith(".xz") else open
    with opener(path, "rt") as f:
        return [line for line in f if line.startswith("@")]


def parse_filter(line):
    f = line[1:].split()
    # SRC DST SLO : SHI DLO : DHI PROTO/MASK FLAGS/MASK
    src = ipaddress.ip_network(f[0], strict=False)
    dst = ipaddress.ip_network(f[1], strict=False)
    sport = (int(f[2]), int(f[4]))
    dport = (int(f[5]), int(f[7]))
    pv, pm = (int(x, 16) for x in f[8].split("/"))
    flags = f[9] if len(f) > 9 else "0x0000/0x0000"
    fv, fm = (int(x, 16) for x in flags.split("/"))
    return dict(src=src, dst=dst, sport=sport, dport=dport,
                proto=pv if pm == 0xFF else 0, proto_wild=pm == 0,
                flags=fm != 0, host_bits=(str(src) != f[0] or str(dst) != f[1]))


def convert(lines, rng):
    rules, stats = [], dict(filters=len(lines), rules=0, split=0, skipped_proto={},
                            flags_ignored=0, host_bits_cleared=0)
    for n, line in enumerate(lines, 1):
        f = parse_filter(line)
        action = "deny" if rng.random() < 0.5 else "allow"
        stats["flags_ignored"] += f["flags"]
        stats["host_bits_cleared"] += f["host_bits"]
        sport = None if f["sport"] == FULL else f["sport"]
        dport = None if f["dport"] == FULL else f["dport"]
        if not f["proto_wild"] and f["proto"] not in (6, 17) and f["proto"] != 1 and (sport or dport):
            key = f"{f['proto']} with ports"
            stats["skipped_proto"][key] = stats["skipped_proto"].get(key, 0) + 1
            continue
        if f["proto"] == 1 and (sport or dport):
            # ICMP has no ports; ClassBench never says otherwise, but keep
            # the rule exact if it ever does: it can match nothing.
            key = "1 with ports"
            stats["skipped_proto"][key] = stats["skipped_proto"].get(key, 0) + 1
            continue
        if f["proto_wild"] and (sport or dport):
            stats["split"] += 1
            for p in (6, 17):
                rules.append(Rule(f"c{n}-{PROTO_NAME[p]}", action, p, f["src"], f["dst"], sport, dport))
        else:
            rules.append(Rule(f"c{n}", action, f["proto"], f["src"], f["dst"], sport, dport))
    stats["rules"] = len(rules)
    stats["skipped"] = sum(stats["skipped_proto"].values())
    return rules, stats


def host(net):
    if net.prefixlen == net.max_prefixlen:
        return str(net.network_address)
    return str(net)


def rng_ports(r, sep):
    lo, hi = r
    return str(lo) if lo == hi else f"{lo}{sep}{hi}"


def is_any(net):
    return net.prefixlen == 0


def to_sen(r):
    parts = [f"rule {r.id}", r.action]
    if r.proto:
        parts.append(PROTO_NAME.get(r.proto) or f"proto {r.proto}")
    # ClassBench is IPv4: a rule with no address would match IPv6 too, so
    # it says 0.0.0.0/0, as the peers' rules say ip.
    v4_any = is_any(r.src) and is_any(r.dst) and r.proto != 1
    if not is_any(r.src) or r.sport or v4_any:
        parts.append("from " + ("0.0.0.0/0" if v4_any else "any" if is_any(r.src) else host(r.src)))
        if r.sport:
            parts.append("port " + rng_ports(r.sport, ".."))
    if not is_any(r.dst) or r.dport:
        parts.append("to " + ("any" if is_any(r.dst) else host(r.dst)))
        if r.dport:
            parts.append("port " + rng_ports(r.dport, ".."))
    return "    " + " ".join(parts)


def to_nft(r):
    # Every rule is IPv4: without an address the family still has to be
    # pinned, or an inet table would apply the rule to IPv6 too.
    parts = [] if not (is_any(r.src) and is_any(r.dst)) else ["meta nfproto ipv4"]
    if not is_any(r.src):
        parts.append(f"ip saddr {host(r.src)}")
    if not is_any(r.dst):
        parts.append(f"ip daddr {host(r.dst)}")
    name = PROTO_NAME.get(r.proto) or (str(r.proto) if r.proto else None)
    if name and not r.needs_ports():
        parts.append(f"meta l4proto {name}")
    if r.sport:
        parts.append(f"{name} sport {rng_ports(r.sport, '-')}")
    if r.dport:
        parts.append(f"{name} dport {rng_ports(r.dport, '-')}")
    parts.append("accept" if r.action == "allow" else "drop")
    return "\t\t" + " ".join(parts)


def to_ipt(r):
    parts = ["-A INPUT"]
    if not is_any(r.src):
        parts.append(f"-s {r.src}")
    if not is_any(r.dst):
        parts.append(f"-d {r.dst}")
    if r.proto:
        parts.append(f"-p {PROTO_NAME.get(r.proto) or r.proto}")
    if r.sport:
        parts.append(f"--sport {rng_ports(r.sport, ':')}")
    if r.dport:
        parts.append(f"--dport {rng_ports(r.dport, ':')}")
    parts.append("-j ACCEPT" if r.action == "allow" else "-j DROP")
    return " ".join(parts)


def to_linear(r):
    sp, dp = r.sport or FULL, r.dport or FULL
    return f"4 {r.proto} {r.src} {r.dst} {sp[0]} {sp[1]} {dp[0]} {dp[1]} {r.action}"


def first_match(rules, p, upto=None):
    for i in range(len(rules) if upto is None else upto + 1):
        if rules[i].matches(p):
            return i
    return -1


def draw(r, rng):
    """A packet inside rule r's box."""
    src = r.s_net | (rng.getrandbits(32) & ~r.s_mask & 0xFFFFFFFF)
    dst = r.d_net | (rng.getrandbits(32) & ~r.d_mask & 0xFFFFFFFF)
    proto = r.proto or rng.choice((6, 17))
    sport = rng.randint(*(r.sport or FULL)) if proto in (6, 17) else 0
    dport = rng.randint(*(r.dport or FULL)) if proto in (6, 17) else 0
    return (src, dst, proto, sport, dport)


def random_packet(rng):
    proto = rng.choice((6, 17, 1))
    ports = (rng.randint(1024, 65535), rng.randint(1, 65535)) if proto != 1 else (0, 0)
    return (rng.getrandbits(32), rng.getrandbits(32), proto) + ports


def text(p):
    src, dst = ipaddress.IPv4Address(p[0]), ipaddress.IPv4Address(p[1])
    if p[2] == 1:
        return f"icmp {src} -> {dst}"
    if p[2] not in (6, 17):
        return f"proto {p[2]} {src} -> {dst}"
    return f"{PROTO_NAME[p[2]]} {src}:{p[3]} -> {dst}:{p[4]}"


def verdict(rules, default, p, upto=None):
    i = first_match(rules, p, upto)
    return (rules[i].action, rules[i].id) if i >= 0 else (default, "default")


def make_probes(rules, default, rng, n_random, stats):
    probes = []
    if not rules:
        return probes

    def add(name, p, upto=None):
        act, rid = verdict(rules, default, p, upto)
        probes.append((name, text(p), act, rid))

    add("first", draw(rules[0], rng), 0)

    # The last rule some drawn packet reaches; a bounded number of scans.
    budget = 400
    for i in range(len(rules) - 1, -1, -1):
        if budget <= 0:
            break
        found = None
        for _ in range(4):
            budget -= 1
            p = draw(rules[i], rng)
            if first_match(rules, p, i) == i:
                found = p
                break
        if found:
            add("last", found, i)
            stats["last_rule_index"] = i
            break
    else:
        stats["last_rule_index"] = None

    for _ in range(300):
        p = random_packet(rng)
        if first_match(rules, p) < 0:
            add("none", p)
            break
    else:
        stats["none"] = "no packet found that no rule matches"

    for name, proto, ports in (("web", 6, (80, 443)), ("dns", 17, (53,))):
        cands = [r for r in rules if r.action == "allow" and r.proto in (0, proto) and
                 any((r.dport or FULL)[0] <= x <= (r.dport or FULL)[1] for x in ports)]
        found = None
        for k in range(200):
            if cands and k < 150:
                r = rng.choice(cands)
                p = list(draw(r, rng))
                p[2] = proto
                p[3] = rng.randint(*(r.sport or (1024, 65535)))
                p[4] = rng.choice([x for x in ports if (r.dport or FULL)[0] <= x <= (r.dport or FULL)[1]])
            else:
                p = list(random_packet(rng))
                p[2], p[4] = proto, rng.choice(ports)
            p = tuple(p)
            if verdict(rules, default, p)[0] == "allow":
                found = p
                break
        if found:
            add(name, found)
        else:
            stats[name] = "no passing packet found"

    for k in range(n_random):
        add(f"r{k:02d}", draw(rng.choice(rules), rng))
    return probes


def write(path, text_):
    with open(path, "w") as f:
        f.write(text_)


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("set")
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--random", type=int, default=16)
    ap.add_argument("--default", choices=("allow", "deny"), default="allow")
    ap.add_argument("--trace", type=int, default=0)
    ap.add_argument("--first", type=int, default=0, help="only the first N filters of the set")
    a = ap.parse_args(argv)
    name = os.path.basename(a.set)
    if name.endswith(".xz"):
        name = name[:-3]
    rng = random.Random(a.seed)
    lines = read_set(a.set)
    if a.first > 0:
        lines = lines[:a.first]
    rules, stats = convert(lines, rng)
    stats["set"] = name
    stats["default"] = a.default
    stats["allow"] = sum(r.action == "allow" for r in rules)
    os.makedirs(os.path.join(a.outdir, "policy"), exist_ok=True)

    skipped = ", ".join(f"{n} of protocol {p}" for p, n in sorted(stats["skipped_proto"].items()))
    sen = [f"# ClassBench {name}: {stats['filters']} filters -> {len(rules)} rules "
           f"(bench/classbench.py, seed {a.seed})"]
    if skipped:
        sen.append(f"# skipped: {skipped}")
    sen += ["firewall {", f"    default {a.default}", "    mode enforce", ""]
    sen += [to_sen(r) for r in rules]
    sen += ["}", ""]
    write(os.path.join(a.outdir, "policy", "policy.sen"), "\n".join(sen))

    policy = "accept" if a.default == "allow" else "drop"
    nft = ["table inet snbench {", "\tchain input {",
           f"\t\ttype filter hook input priority 0; policy {policy};"]
    nft += [to_nft(r) for r in rules]
    nft += ["\t}", "}", ""]
    write(os.path.join(a.outdir, "nft.conf"), "\n".join(nft))
    policy = "ACCEPT" if a.default == "allow" else "DROP"
    for fam_rules, fname in ((rules, "iptables.rules"), ([], "ip6tables.rules")):
        ipt = ["*filter", f":INPUT {policy} [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]"]
        ipt += [to_ipt(r) for r in fam_rules]
        ipt += ["COMMIT", ""]
        write(os.path.join(a.outdir, fname), "\n".join(ipt))
    write(os.path.join(a.outdir, "linear.rules"), "".join(to_linear(r) + "\n" for r in rules))
    srcs = sorted({str(r.src.network_address) for r in rules if r.src.prefixlen == 32})
    write(os.path.join(a.outdir, "xdp-filter.src"), "".join(s + "\n" for s in srcs))

    probes = make_probes(rules, a.default, rng, a.random, stats)
    write(os.path.join(a.outdir, "probes.txt"), "".join("\t".join(p) + "\n" for p in probes))
    if a.trace:
        trng = random.Random(a.seed + 1)
        trace = [text(draw(trng.choice(rules), trng) if trng.random() < 0.9 else random_packet(trng))
                 for _ in range(a.trace)]
        write(os.path.join(a.outdir, "trace.txt"), "".join(t + "\n" for t in trace))
        stats["trace"] = a.trace
    write(os.path.join(a.outdir, "summary.json"), json.dumps(stats, indent=1, sort_keys=True) + "\n")
    print(f"{name}: {stats['filters']} filters -> {len(rules)} rules ({stats['split']} split into "
          f"tcp+udp, {stats['skipped']} skipped: {skipped or 'none'}; {stats['flags_ignored']} "
          f"with a flags constraint, ignored); {len(probes)} probes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
