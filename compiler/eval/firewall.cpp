#include "compiler/eval/firewall.h"

#include <algorithm>

namespace sentinel::eval {

namespace {

bool family_allowed(unsigned families, pir::Family f) {
  return families & (f == pir::Family::V4 ? 1u : 2u);
}

bool addr_matches(const pir::AddrMatch& m, const pir::Addr& a) {
  if (m.any) return true;
  bool in = std::any_of(m.cidrs.begin(), m.cidrs.end(),
                        [&](const pir::Cidr& c) { return c.contains(a); });
  return in != m.negate;
}

bool port_matches(const pir::PortMatch& m, uint16_t port) {
  if (m.any) return true;
  return std::any_of(m.ranges.begin(), m.ranges.end(),
                     [&](const pir::PortRange& r) { return r.contains(port); });
}

}  // namespace

std::string firewall_mismatch(const pir::Rule& r, const Packet& p) {
  if (!family_allowed(r.families(), p.family))
    return std::string("rule matches only ") + (r.families() == 1 ? "IPv4" : "IPv6");
  if (r.proto != pir::Proto::Any && static_cast<uint8_t>(r.proto) != p.proto)
    return std::string("protocol is not ") + pir::to_string(r.proto);
  if (!addr_matches(r.src, p.src)) return "source " + pir::format(p.src) + " not in " + pir::source_text(r.src);
  if (!addr_matches(r.dst, p.dst))
    return "destination " + pir::format(p.dst) + " not in " + pir::source_text(r.dst);
  if (r.has_ports() && !p.has_ports())
    return p.fragment ? "non-first fragment carries no ports" : "packet carries no ports";
  if (!port_matches(r.sport, p.sport))
    return "source port " + std::to_string(p.sport) + " not in " + pir::source_text(r.sport);
  if (!port_matches(r.dport, p.dport))
    return "destination port " + std::to_string(p.dport) + " not in " + pir::source_text(r.dport);
  return {};
}

FirewallVerdict eval_firewall(const pir::Policy& policy, const Packet& pkt, bool trace) {
  const auto& fw = policy.firewall;
  FirewallVerdict v;
  v.action = fw.default_action;
  for (size_t i = 0; i < fw.rules.size(); ++i) {
    std::string why = firewall_mismatch(fw.rules[i], pkt);
    if (why.empty()) {
      v.rule = static_cast<int>(i);
      v.action = fw.rules[i].action;
      break;
    }
    if (trace) v.misses.push_back({i, std::move(why)});
  }
  v.dropped = v.action == pir::Action::Deny && fw.mode == pir::Mode::Enforce;
  return v;
}

const std::string& FirewallVerdict::rule_id(const pir::Policy& p) const {
  static const std::string kDefault = "default";
  return rule < 0 ? kDefault : p.firewall.rules[rule].id;
}

}  // namespace sentinel::eval
