#include "tests/diff/random_policy.h"

#include <algorithm>

#include "tests/support/test_policy.h"

namespace sentinel::testing {

namespace {

const char* kPrefixes[] = {
    "10.0.0.0/8",     "10.1.0.0/16",   "10.1.2.0/24",     "10.1.2.3",       "10.128.0.0/9",
    "192.168.0.0/16", "0.0.0.0/1",     "128.0.0.0/2",     "172.16.0.0/12",  "10.1.2.128/25",
    "2001:db8::/32",  "2001:db8:1::/48", "2001:db8:1::1", "fd00::/8",       "::/1",
    "8000::/2",       "fe80::/10",     "2001:db8:8000::/33"};
const uint16_t kPorts[] = {0, 1, 22, 23, 53, 80, 443, 1023, 1024, 8080, 32768, 65534, 65535};

template <typename T, size_t N>
const T& pick(std::mt19937_64& rng, const T (&a)[N]) {
  return a[rng() % N];
}

pir::AddrMatch random_addr(std::mt19937_64& rng) {
  pir::AddrMatch m;
  if (rng() % 5 < 2) return m;
  m.any = false;
  m.negate = rng() % 4 == 0;
  size_t n = 1 + rng() % 3;
  for (size_t i = 0; i < n; ++i) {
    auto c = *pir::parse_cidr(pick(rng, kPrefixes));
    if (std::find(m.cidrs.begin(), m.cidrs.end(), c) == m.cidrs.end()) m.cidrs.push_back(c);
  }
  return m;
}

pir::PortMatch random_ports(std::mt19937_64& rng) {
  pir::PortMatch m;
  if (rng() % 2) return m;
  m.any = false;
  size_t n = 1 + rng() % 3;
  for (size_t i = 0; i < n; ++i) {
    uint16_t a = pick(rng, kPorts), b = pick(rng, kPorts);
    if (rng() % 3 == 0) b = a;
    m.ranges.push_back({std::min(a, b), std::max(a, b)});
  }
  return m;
}

}  // namespace

pir::Policy random_policy(std::mt19937_64& rng) {
  static const pir::Proto kProtos[] = {pir::Proto::Any, pir::Proto::Tcp, pir::Proto::Udp,
                                       pir::Proto::Icmp, pir::Proto::Icmpv6};
  static const pir::FirewallAction kActions[] = {pir::FirewallAction::Allow, pir::FirewallAction::Deny,
                                                 pir::FirewallAction::Log};
  pir::Policy p;
  pir::Firewall& f = fw(p);
  f.default_action = rng() % 2 ? pir::FirewallAction::Allow : pir::FirewallAction::Deny;
  f.mode = rng() % 5 == 0 ? pir::Mode::Audit : pir::Mode::Enforce;
  size_t n = 1 + rng() % 30;
  while (f.rules.size() < n) {
    pir::FirewallRule r;
    r.id = "r" + std::to_string(f.rules.size());
    r.action = pick(rng, kActions);
    r.match.proto = pick(rng, kProtos);
    r.match.src = random_addr(rng);
    r.match.dst = random_addr(rng);
    if (r.match.proto == pir::Proto::Tcp || r.match.proto == pir::Proto::Udp) {
      r.match.sport = random_ports(rng);
      r.match.dport = random_ports(rng);
    }
    if (r.match.families() == 0) continue;  // sema rejects these (E0106)
    f.rules.push_back(std::move(r));
  }
  return p;
}

}  // namespace sentinel::testing
