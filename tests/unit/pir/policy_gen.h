// Seeded random policies for property tests (round trip here, analyses in
// tests/unit/passes). Small address pools make overlaps between rules, and so
// shadowing, common; `wild` also produces states sema would reject.
#pragma once
#include <algorithm>
#include <random>
#include <string>

#include "compiler/pir/domains/conntrack.h"
#include "compiler/pir/domains/firewall.h"
#include "compiler/pir/domains/ratelimit.h"
#include "compiler/pir/pir.h"

namespace sentinel::testgen {

class PolicyGen {
 public:
  // `ct`: firewall rules may match connection states, and policies may
  // track connections.
  // `options`: matches also get protocol numbers, `icmp-any`, a family and
  // the match options (flags, ICMP type and code, DSCP, VLAN), management
  // matches and `reject`.
  explicit PolicyGen(uint64_t seed, bool wild = true, bool ct = true, bool options = false)
      : rng_(seed), wild_(wild), ct_(ct), options_(options) {}

  uint64_t below(uint64_t n) { return rng_() % n; }
  bool chance(unsigned percent) { return below(100) < percent; }

  pir::Cidr cidr(pir::Family f) {
    pir::Cidr c;
    unsigned bits = f == pir::Family::V4 ? 32 : 128;
    // Prefixes come from a small tree so that they nest: 10.x / 2001:db8::x.
    unsigned __int128 base =
        f == pir::Family::V4 ? 0x0a000000u : (static_cast<unsigned __int128>(0x20010db8u) << 96);
    unsigned __int128 v = base | (static_cast<unsigned __int128>(below(4)) << (bits - 10)) |
                          (static_cast<unsigned __int128>(below(4)) << (bits - 12)) | below(4);
    unsigned lens[] = {0, 8, 10, 12, bits - 2, bits};
    c.len = static_cast<uint8_t>(lens[below(6)]);
    if (c.len == 8 && f == pir::Family::V6) c.len = 32;
    unsigned host = bits - c.len;
    unsigned __int128 mask =
        host >= 128 ? ~static_cast<unsigned __int128>(0) : ((static_cast<unsigned __int128>(1) << host) - 1);
    c.addr = pir::Addr::from_value(f, v & ~mask);
    return c;
  }

  pir::Family family() { return chance(60) ? pir::Family::V4 : pir::Family::V6; }

  pir::AddrMatch addr(unsigned families) {
    pir::AddrMatch m;
    if (chance(35)) return m;
    m.any = false;
    m.negate = chance(20);
    unsigned n = 1 + below(chance(70) ? 1 : 3);
    if (wild_ && chance(3)) n = 0;
    for (unsigned i = 0; i < n; ++i) {
      pir::Family f = family();
      if (families == 1) f = pir::Family::V4;
      if (families == 2) f = pir::Family::V6;
      m.cidrs.push_back(cidr(f));
    }
    if (chance(20)) m.set = "s" + std::to_string(below(5));
    return m;
  }

  pir::PortMatch ports() {
    pir::PortMatch m;
    if (chance(50)) return m;
    m.any = false;
    unsigned n = 1 + below(3);
    if (wild_ && chance(3)) n = 0;
    static const uint16_t pool[] = {0, 22, 53, 80, 443, 1024, 8000, 8080, 65535};
    for (unsigned i = 0; i < n; ++i) {
      uint16_t a = pool[below(9)], b = pool[below(9)];
      if (a > b) std::swap(a, b);
      if (chance(50)) b = a;
      m.ranges.push_back({a, b});
    }
    if (chance(20)) m.set = "p" + std::to_string(below(3));
    return m;
  }

  std::string text() {
    static const char* parts[] = {"a", "b c", "\"q\"", "\\", "\n", "\t", "\x01", "caf\xc3\xa9", "}{", ""};
    std::string s;
    for (unsigned i = below(5); i > 0; --i) s += parts[below(10)];
    return s;
  }

  pir::Match match() {
    pir::Match m;
    static const pir::Proto protos[] = {pir::Proto::Any, pir::Proto::Tcp, pir::Proto::Udp,
                                        pir::Proto::Icmp, pir::Proto::Icmpv6};
    m.proto = protos[below(5)];
    unsigned fams = m.proto == pir::Proto::Icmp ? 1 : m.proto == pir::Proto::Icmpv6 ? 2 : 3;
    if (!wild_ && chance(50)) fams = chance(50) ? 1 : 2;
    m.src = addr(fams);
    m.dst = addr(fams);
    if (m.proto == pir::Proto::Tcp || m.proto == pir::Proto::Udp || (wild_ && chance(5))) {
      m.sport = chance(70) ? pir::PortMatch{} : ports();
      m.dport = ports();
    }
    if (options_) {
      if (chance(20)) m.proto = chance(30) ? pir::Proto::IcmpAny : pir::proto_number(static_cast<uint8_t>(1 + below(255)));
      if (chance(20)) m.family = static_cast<uint8_t>(1 + below(2));
      if (chance(20)) {
        m.tcp_mask = static_cast<uint8_t>(1 + below(255));
        m.tcp_flags = static_cast<uint8_t>(below(256)) & m.tcp_mask;
      }
      auto maybe = [&](int max) { return chance(20) ? static_cast<int>(below(max + 1)) : -1; };
      m.icmp_type = static_cast<int16_t>(maybe(255));
      m.icmp_code = static_cast<int16_t>(maybe(255));
      m.icmp6_type = static_cast<int16_t>(maybe(255));
      m.icmp6_code = static_cast<int16_t>(maybe(255));
      m.dscp = static_cast<int8_t>(maybe(63));
      m.vlan = static_cast<int16_t>(maybe(4095));
      m.vlan_inner = static_cast<int16_t>(maybe(4095));
      if (chance(20)) {
        static const char* kNames[] = {"eth0", "eth1", "lo", "wg0", "eth0.100"};
        for (const char* n : kNames)
          if (chance(50)) m.ifaces.push_back(n);
        std::sort(m.ifaces.begin(), m.ifaces.end());
        m.iface_negate = !m.ifaces.empty() && chance(50);
      }
    }
    return m;
  }

  std::string id(size_t i) {
    if (wild_ && chance(2)) return "odd id " + std::to_string(i);
    return "r" + std::to_string(i);
  }

  pir::Loc loc(size_t i) {
    if (!chance(90)) return {};
    return {chance(20) ? "my dir/p " + std::to_string(below(3)) + ".sen" : "p.sen", static_cast<uint32_t>(i + 1),
            static_cast<uint32_t>(1 + below(40))};
  }

  pir::FirewallRule rule(size_t i) {
    pir::FirewallRule r;
    r.id = id(i);
    r.action = static_cast<pir::FirewallAction>(below(options_ ? 4 : 3));
    r.match = match();
    if (ct_ && chance(20)) r.ct = static_cast<uint8_t>(1 + below(31));
    r.description = chance(30) ? text() : "";
    r.loc = loc(i);
    return r;
  }

  pir::RateRule rate_rule(size_t i) {
    pir::RateRule r;
    r.id = id(i);
    r.action = chance(50) ? pir::RateAction::Drop : pir::RateAction::Log;
    r.match = match();
    r.rate.count = 1 + below(100000);
    r.rate.unit = "smh"[below(3)];
    r.algorithm = static_cast<pir::RateAlgorithm>(1 + below(4));
    r.burst = pir::is_window(r.algorithm) ? 0 : 1 + below(1000);
    r.window_ns = pir::is_window(r.algorithm) ? (1 + below(60)) * 1000000000ull : 0;
    r.key = static_cast<pir::RateKey>(1 + below(4));
    if (r.key == pir::RateKey::Cidr) {
      r.v4_len = static_cast<uint8_t>(below(33));
      r.v6_len = static_cast<uint8_t>(below(129));
    }
    r.description = chance(30) ? text() : "";
    r.loc = loc(i);
    return r;
  }

  pir::Policy policy(size_t max_rules) {
    pir::Policy p;
    for (unsigned i = below(4); i > 0; --i) {
      pir::Set s;
      s.name = "s" + std::to_string(i);
      s.kind = static_cast<pir::SetKind>(below(3));
      if (s.kind == pir::SetKind::Cidr)
        for (unsigned k = below(4); k > 0; --k) s.cidrs.push_back(cidr(family()));
      else if (s.kind == pir::SetKind::Port)
        for (unsigned k = below(4); k > 0; --k) {
          uint16_t lo = static_cast<uint16_t>(below(65536));
          s.ports.push_back({lo, static_cast<uint16_t>(lo + below(65536 - lo))});
        }
      else
        for (unsigned k = below(4); k > 0; --k) s.ifaces.push_back(chance(80) ? "eth" + std::to_string(k) : "eth0.10" + std::to_string(k));
      if (chance(70)) s.loc = {"sets.sen", i, 5};
      p.sets.push_back(std::move(s));
    }
    if (chance(20)) {
      p.interface_set = "edge";
      for (unsigned k = below(3); k > 0; --k) p.interfaces.push_back("veth" + std::to_string(k));
    }
    if (!chance(5)) {
      auto fw = std::make_unique<pir::Firewall>();
      fw->default_action = chance(50) ? pir::FirewallAction::Allow : pir::FirewallAction::Deny;
      fw->mode = chance(80) ? pir::Mode::Enforce : pir::Mode::Audit;
      if (chance(50)) fw->loc = {"fw.sen", 1, 1};
      size_t n = below(max_rules + 1);
      if (options_)
        for (size_t i = below(3); i > 0; --i) fw->management.push_back({match(), loc(i)});
      for (size_t i = 0; i < n; ++i) fw->rules.push_back(rule(i));
      p.put(Poly<pir::Block>(std::move(fw)));
    }
    if (chance(40)) {
      auto rl = std::make_unique<pir::RateLimit>();
      rl->mode = chance(80) ? pir::Mode::Enforce : pir::Mode::Audit;
      size_t n = below(max_rules / 2 + 1);
      for (size_t i = 0; i < n; ++i) rl->rules.push_back(rate_rule(i));
      p.put(Poly<pir::Block>(std::move(rl)));
    }
    if (ct_ && chance(40)) {
      auto ct = std::make_unique<pir::Conntrack>();
      ct->accept_established = chance(70);
      for (auto& t : ct->timeouts_ns)
        if (chance(30)) t = below(1ull << 40);
      if (chance(50)) ct->loc = {"ct.sen", 3, 1};
      p.put(Poly<pir::Block>(std::move(ct)));
    }
    return p;
  }

 private:
  std::mt19937_64 rng_;
  bool wild_;
  bool ct_;
  bool options_;
};

}  // namespace sentinel::testgen
