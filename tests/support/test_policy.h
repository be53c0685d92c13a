// A small policy covering IPv4 and IPv6, a negated set, a port range and
// every action; shared by the lowering and backend tests.
#pragma once
#include "compiler/pir/domains/firewall.h"
#include "compiler/pir/pir.h"

namespace sentinel::testing {

// The policy's firewall block, created when missing.
inline pir::Firewall& fw(pir::Policy& p) {
  if (!p.get<pir::Firewall>()) p.put(Poly<pir::Block>(std::make_unique<pir::Firewall>()));
  return *p.get_mut<pir::Firewall>();
}
inline const pir::Firewall& fw(const pir::Policy& p) { return *p.get<pir::Firewall>(); }

inline pir::Cidr cidr(const char* s) { return *pir::parse_cidr(s); }

inline pir::AddrMatch addrs(std::vector<const char*> list, bool negate = false) {
  pir::AddrMatch m;
  m.any = false;
  m.negate = negate;
  for (auto s : list) m.cidrs.push_back(cidr(s));
  return m;
}

inline pir::PortMatch ports(std::vector<pir::PortRange> r) {
  pir::PortMatch m;
  m.any = false;
  m.ranges = std::move(r);
  return m;
}

inline pir::FirewallRule rule(std::string id, pir::FirewallAction a, pir::Proto p = pir::Proto::Any) {
  pir::FirewallRule r;
  r.id = std::move(id);
  r.action = a;
  r.match.proto = p;
  return r;
}

//   rule ssh       allow tcp from {10.0.0.0/8, 2001:db8::/32} to any port 22
//   rule web       allow tcp to any port {80, 443, 8000..8099}
//   rule untrusted deny  from !{10.0.0.0/8, 192.168.0.0/16, 2001:db8::/32}
//   rule dns       log   udp from any port 1024..65535 to 10.0.0.53
//   rule ping6     allow icmpv6
//   default deny
inline pir::Policy sample_policy() {
  pir::Policy pol;
  fw(pol).default_action = pir::FirewallAction::Deny;
  auto r0 = rule("ssh", pir::FirewallAction::Allow, pir::Proto::Tcp);
  r0.match.src = addrs({"10.0.0.0/8", "2001:db8::/32"});
  r0.match.dport = ports({{22, 22}});
  auto r1 = rule("web", pir::FirewallAction::Allow, pir::Proto::Tcp);
  r1.match.dport = ports({{80, 80}, {443, 443}, {8000, 8099}});
  auto r2 = rule("untrusted", pir::FirewallAction::Deny);
  r2.match.src = addrs({"10.0.0.0/8", "192.168.0.0/16", "2001:db8::/32"}, true);
  auto r3 = rule("dns", pir::FirewallAction::Log, pir::Proto::Udp);
  r3.match.sport = ports({{1024, 65535}});
  r3.match.dst = addrs({"10.0.0.53"});
  auto r4 = rule("ping6", pir::FirewallAction::Allow, pir::Proto::Icmpv6);
  fw(pol).rules = {r0, r1, r2, r3, r4};
  return pol;
}

}  // namespace sentinel::testing
