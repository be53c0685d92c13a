#include "compiler/eval/match.h"

#include <algorithm>

namespace sentinel::eval {

namespace {

bool addr_matches(const pir::AddrMatch& m, const pir::Addr& a) {
  if (m.any) return true;
  bool in = std::any_of(m.cidrs.begin(), m.cidrs.end(), [&](const pir::Cidr& c) { return c.contains(a); });
  return in != m.negate;
}

bool port_matches(const pir::PortMatch& m, uint16_t port) {
  if (m.any) return true;
  return std::any_of(m.ranges.begin(), m.ranges.end(), [&](const pir::PortRange& r) { return r.contains(port); });
}

}  // namespace

std::string mismatch(const pir::Match& m, const Packet& p) {
  unsigned fams = m.families();
  if (!(fams & (p.family == pir::Family::V4 ? 1u : 2u)))
    return std::string("rule matches only ") + (fams == 1 ? "IPv4" : "IPv6");
  if (m.proto != pir::Proto::Any && static_cast<uint8_t>(m.proto) != p.proto)
    return std::string("protocol is not ") + pir::to_string(m.proto);
  if (!addr_matches(m.src, p.src)) return "source " + pir::format(p.src) + " not in " + pir::source_text(m.src);
  if (!addr_matches(m.dst, p.dst))
    return "destination " + pir::format(p.dst) + " not in " + pir::source_text(m.dst);
  if (m.has_ports() && !p.has_ports())
    return p.fragment ? "non-first fragment carries no ports" : "packet carries no ports";
  if (!port_matches(m.sport, p.sport))
    return "source port " + std::to_string(p.sport) + " not in " + pir::source_text(m.sport);
  if (!port_matches(m.dport, p.dport))
    return "destination port " + std::to_string(p.dport) + " not in " + pir::source_text(m.dport);
  return {};
}

}  // namespace sentinel::eval
