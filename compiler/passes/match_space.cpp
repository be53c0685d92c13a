#include "compiler/passes/match_space.h"

#include "compiler/eval/packet.h"

namespace sentinel::passes {

IntervalSet address_set(const pir::AddrMatch& m, pir::Family f) {
  unsigned bits = family_bits(f);
  if (m.any) return IntervalSet::full(bits);
  IntervalSet s;
  for (const auto& c : m.cidrs)
    if (c.addr.family == f) s.add(c.first(), c.last());
  s.normalize();
  return m.negate ? s.complement(bits) : s;
}

IntervalSet port_set(const pir::PortMatch& m) {
  if (m.any) return IntervalSet::full(16);
  IntervalSet s;
  for (const auto& r : m.ranges)
    if (r.lo <= r.hi) s.add(r.lo, r.hi);
  s.normalize();
  return s;
}

Intervals MatchSpace::full_ports() {
  static const Range all{0, 65535};
  return {&all, 1};
}

MatchSpace match_space(const pir::Match& r, uint8_t ct) {
  MatchSpace m;
  m.proto = r.proto;
  m.ports = r.has_ports();
  if (r.has_extra())
    m.extra = {r.tcp_mask ? r.tcp_flags : -1, r.tcp_mask ? r.tcp_mask : -1, r.icmp_type, r.icmp_code,
               r.icmp6_type, r.icmp6_code, r.dscp, r.vlan, r.vlan_inner};
  m.ifaces = r.ifaces;
  m.iface_negate = r.iface_negate;
  m.ct = ct & kAllCtStates;
  if (!m.ct) return m;
  IntervalSet fields[6];
  if (m.ports) {
    // Only TCP and UDP packets carry ports the firewall can read.
    if (r.proto != pir::Proto::Any && r.proto != pir::Proto::Tcp && r.proto != pir::Proto::Udp)
      return m;
    fields[4] = port_set(r.sport);
    fields[5] = port_set(r.dport);
    if (fields[4].empty() || fields[5].empty()) return m;
  }
  unsigned fams = r.families();
  size_t total = fields[4].ranges().size() + fields[5].ranges().size();
  for (unsigned i = 0; i < 2; ++i) {
    if (!(fams & (1u << i))) continue;
    pir::Family f = family_of_index(i);
    fields[2 * i] = address_set(r.src, f);
    fields[2 * i + 1] = address_set(r.dst, f);
    if (!fields[2 * i].empty() && !fields[2 * i + 1].empty()) {
      m.fams |= 1u << i;
      total += fields[2 * i].ranges().size() + fields[2 * i + 1].ranges().size();
    }
  }
  if (m.empty()) return m;
  m.ranges_.reserve(total);
  for (unsigned f = 0; f < 6; ++f) {
    // A family the rule cannot match keeps no ranges.
    if (f >= 4 || (m.fams & (1u << (f / 2))))
      m.ranges_.insert(m.ranges_.end(), fields[f].ranges().begin(), fields[f].ranges().end());
    m.at_[f + 1] = static_cast<uint32_t>(m.ranges_.size());
  }
  return m;
}

bool proto_covers(pir::Proto a, pir::Proto b, unsigned b_fams) {
  if (a == pir::Proto::Any || a == b) return true;
  if (a == pir::Proto::IcmpAny) return b == pir::Proto::Icmp || b == pir::Proto::Icmpv6;
  if (b == pir::Proto::IcmpAny)
    return (a == pir::Proto::Icmp && b_fams == 1) || (a == pir::Proto::Icmpv6 && b_fams == 2);
  return false;
}

bool MatchSpace::covers(const MatchSpace& b) const {
  if ((b.fams & fams) != b.fams) return false;
  if ((b.ct & ct) != b.ct) return false;
  if (!proto_covers(proto, b.proto, b.fams)) return false;
  if (has_extra() && (extra != b.extra || ifaces != b.ifaces || iface_negate != b.iface_negate)) return false;
  if (ports) {
    // `b` without ports also matches fragments and non-TCP/UDP packets, which
    // a rule with ports never does.
    if (!b.ports || !subset(b.sport(), sport()) || !subset(b.dport(), dport())) return false;
  }
  for (unsigned i = 0; i < 2; ++i) {
    if (!(b.fams & (1u << i))) continue;
    if (!subset(b.src(i), src(i)) || !subset(b.dst(i), dst(i))) return false;
  }
  return true;
}

bool MatchSpace::matches(const Point& p) const {
  unsigned i = family_index(p.family);
  if (!(fams & (1u << i))) return false;
  if (proto != pir::Proto::Any && pir::proto_in(proto, p.family) != p.proto) return false;
  if (has_extra()) return false;
  if (!(ct & (1u << p.ct))) return false;
  if (!contains(src(i), p.src) || !contains(dst(i), p.dst)) return false;
  if (ports && (!p.l4 || !contains(sport(), p.sport) || !contains(dport(), p.dport))) return false;
  return true;
}

std::string format_point(const Point& p) {
  eval::Packet pkt;
  pkt.family = p.family;
  pkt.proto = p.proto;
  pkt.src = pir::Addr::from_value(p.family, p.src);
  pkt.dst = pir::Addr::from_value(p.family, p.dst);
  pkt.sport = p.sport;
  pkt.dport = p.dport;
  pkt.fragment = (p.proto == 6 || p.proto == 17) && !p.l4;
  return eval::format(pkt);
}

}  // namespace sentinel::passes
