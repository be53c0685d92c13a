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

// The match options beyond addresses, ports and protocol (pir::Match).
std::string extra_mismatch(const pir::Match& m, const Packet& p) {
  if (m.tcp_mask && (p.proto != 6 || p.fragment || (p.tcp_flags & m.tcp_mask) != m.tcp_flags))
    return p.proto != 6 || p.fragment ? std::string("no TCP header to read flags from")
                                      : "TCP flags " + pir::tcp_flags_text(p.tcp_flags & m.tcp_mask) + " (of " +
                                            pir::tcp_flags_text(m.tcp_mask) + ") are not " +
                                            pir::tcp_flags_text(m.tcp_flags);
  bool v4 = p.family == pir::Family::V4;
  int type = v4 ? m.icmp_type : m.icmp6_type, code = v4 ? m.icmp_code : m.icmp6_code;
  if (type >= 0 || code >= 0) {
    if (p.proto != (v4 ? 1 : 58) || p.fragment) return "no ICMP header to read type and code from";
    if (type >= 0 && p.icmp_type != type)
      return "ICMP type " + std::to_string(p.icmp_type) + " is not " + std::to_string(type);
    if (code >= 0 && p.icmp_code != code)
      return "ICMP code " + std::to_string(p.icmp_code) + " is not " + std::to_string(code);
  }
  if (m.dscp >= 0 && p.dscp != m.dscp)
    return "DSCP " + std::to_string(p.dscp) + " is not " + std::to_string(m.dscp);
  if (m.vlan >= 0 && (p.vlans.empty() || p.vlans[0] != m.vlan))
    return p.vlans.empty() ? std::string("frame carries no VLAN tag")
                           : "outer VLAN " + std::to_string(p.vlans[0]) + " is not " + std::to_string(m.vlan);
  if (m.vlan_inner >= 0 && (p.vlans.size() < 2 || p.vlans[1] != m.vlan_inner))
    return p.vlans.size() < 2 ? std::string("frame carries no inner VLAN tag")
                              : "inner VLAN " + std::to_string(p.vlans[1]) + " is not " + std::to_string(m.vlan_inner);
  if (!m.iface_matches(p.iface)) {
    if (m.iface_negate) return "arrived on `" + p.iface + "`, which the rule excludes";
    std::string names;
    for (const auto& n : m.ifaces) names += (names.empty() ? "`" : ", `") + n + "`";
    return "arrived on " + (p.iface.empty() ? std::string("another interface") : "`" + p.iface + "`") +
           ", not on " + names;
  }
  return {};
}

}  // namespace

std::string mismatch(const pir::Match& m, const Packet& p) {
  unsigned fams = m.families();
  if (!(fams & (p.family == pir::Family::V4 ? 1u : 2u)))
    return std::string("rule matches only ") + (fams == 1 ? "IPv4" : "IPv6");
  if (m.proto != pir::Proto::Any && pir::proto_in(m.proto, p.family) != p.proto)
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
  return extra_mismatch(m, p);
}

}  // namespace sentinel::eval
