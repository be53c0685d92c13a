// A small policy covering IPv4 and IPv6, a negated set, a port range and
// every action; shared by the lowering and backend tests.
#pragma once
#include "compiler/pir/pir.h"

namespace sentinel::testing {

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

inline pir::Rule rule(std::string id, pir::Action a, pir::Proto p = pir::Proto::Any) {
  pir::Rule r;
  r.id = std::move(id);
  r.action = a;
  r.proto = p;
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
  pol.firewall.present = true;
  pol.firewall.default_action = pir::Action::Deny;
  auto r0 = rule("ssh", pir::Action::Allow, pir::Proto::Tcp);
  r0.src = addrs({"10.0.0.0/8", "2001:db8::/32"});
  r0.dport = ports({{22, 22}});
  auto r1 = rule("web", pir::Action::Allow, pir::Proto::Tcp);
  r1.dport = ports({{80, 80}, {443, 443}, {8000, 8099}});
  auto r2 = rule("untrusted", pir::Action::Deny);
  r2.src = addrs({"10.0.0.0/8", "192.168.0.0/16", "2001:db8::/32"}, true);
  auto r3 = rule("dns", pir::Action::Log, pir::Proto::Udp);
  r3.sport = ports({{1024, 65535}});
  r3.dst = addrs({"10.0.0.53"});
  auto r4 = rule("ping6", pir::Action::Allow, pir::Proto::Icmpv6);
  pol.firewall.rules = {r0, r1, r2, r3, r4};
  return pol;
}

}  // namespace sentinel::testing
