// 100,000 generated rules, as the bench compiles them: the analyses must stay
// far from quadratic (the bench has to beat `nft -f` on the same rules).
#include "tests/unit/passes/analyses_test_util.h"

#include <chrono>
#include <ctime>
#include <random>
#include <utility>

#include "compiler/support/diag.h"

using namespace sentinel;

namespace {

// Thread CPU time: the tests share two cores with parallel builds, and wall
// time there measures the neighbours more than the analysis.
double cpu_ms() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

pir::AddrMatch one(pir::Family f, unsigned __int128 v, uint8_t len) {
  pir::AddrMatch m;
  m.any = false;
  m.cidrs.push_back({pir::Addr::from_value(f, v), len});
  return m;
}

pir::PortMatch port_range(uint16_t lo, uint16_t hi) {
  pir::PortMatch m;
  m.any = false;
  m.ranges.push_back({lo, hi});
  return m;
}

// Every 1000th rule denies telnet from anywhere; the rest have distinct /32
// (or /128) sources and mixed ports. A TCP rule whose only port is 23 after
// the first telnet rule is shadowed by it, and so are the later telnet rules.
struct Generated {
  pir::Policy policy;
  size_t expected_shadowed = 0;
};

Generated generate(uint32_t n) {
  Generated g;
  auto& fw = testing::fw(g.policy);
  fw.default_action = pir::FirewallAction::Deny;
  fw.rules.reserve(n);
  static const uint16_t ports[] = {22, 23, 80, 443, 8080, 53, 25, 3306};
  for (uint32_t i = 0; i < n; ++i) {
    pir::FirewallRule r;
    r.id = "r" + std::to_string(i);
    r.loc = {"big.sen", i + 1, 6};
    if (i % 1000 == 0) {
      r.action = pir::FirewallAction::Deny;
      r.match.proto = pir::Proto::Tcp;
      r.match.dport = port_range(23, 23);
      if (i > 0) ++g.expected_shadowed;
    } else {
      r.action = i % 3 ? pir::FirewallAction::Allow : pir::FirewallAction::Log;
      r.match.proto = i % 2 ? pir::Proto::Tcp : pir::Proto::Udp;
      if (i % 10 == 7)
        r.match.src = one(pir::Family::V6, (static_cast<unsigned __int128>(0x20010db8u) << 96) | i, 128);
      else
        r.match.src = one(pir::Family::V4, 0x0a000000u + i, 32);
      if (i % 5 == 0 && i % 10 != 7) r.match.dst = one(pir::Family::V4, 0xc0a80000u | ((i % 256) << 8), 24);
      uint16_t port = ports[(i / 2) % 8];
      if (i % 7 == 0)
        r.match.dport = port_range(1024, 2047);
      else
        r.match.dport = port_range(port, port);
      if (i % 11 == 0) r.match.sport = port_range(1024, 65535);
      if (r.match.proto == pir::Proto::Tcp && i % 7 != 0 && port == 23) ++g.expected_shadowed;
    }
    fw.rules.push_back(std::move(r));
  }
  return g;
}

}  // namespace

TEST_CASE("100,000 rules: shadowing is found exactly", "[scale][shadowed]") {
  Generated g = generate(100000);
  SourceManager sm;
  DiagEngine diags(sm);
  auto t0 = std::chrono::steady_clock::now();
  double c0 = cpu_ms();
  passes::check_firewall_shadowed(g.policy, sm, diags);
  double c1 = cpu_ms();
  auto t1 = std::chrono::steady_clock::now();
  passes::check_firewall_never_matching(g.policy, sm, diags);
  double c2 = cpu_ms();
  double shadow_wall = std::chrono::duration<double, std::milli>(t1 - t0).count();
  double shadow_ms = c1 - c0, never_ms = c2 - c1;
  WARN("100000 rules: shadowed " << shadow_ms << " ms cpu, " << shadow_wall << " ms wall ("
                                 << diags.all().size() << " warnings); never-matching " << never_ms
                                 << " ms cpu");
  CHECK(diags.all().size() == g.expected_shadowed);
  CHECK(g.expected_shadowed > 1000);
  for (const auto& d : diags.all()) {
    CHECK(d.code == DiagCode::W0201);
    CHECK(d.message.find("rule `r0` matches every packet") != std::string::npos);
  }
}

TEST_CASE("witnesses of a big policy are decided where the notes say", "[scale][shadowed]") {
  Generated g = generate(5000);
  auto found = passes::find_shadowed_rules(passes::firewall_rules(g.policy));
  REQUIRE(found.size() == g.expected_shadowed);
  for (const auto& s : found) {
    auto v = testing::fw_eval(g.policy, *eval::parse_packet(s.witness, nullptr));
    REQUIRE(v.rule == static_cast<int>(s.decided_by));
    CHECK(s.decided_by == 0);
  }
}

TEST_CASE("many rules with the same wide source shadow nothing", "[scale][shadowed]") {
  // Every rule is `from any`: the source index cannot narrow anything, the
  // destination and port dimensions must.
  pir::Policy p;
  testing::fw(p);
  for (uint32_t i = 0; i < 50000; ++i) {
    pir::FirewallRule r;
    r.id = "r" + std::to_string(i);
    r.match.proto = pir::Proto::Tcp;
    r.match.dst = one(pir::Family::V4, 0x0a000000u + i, 32);
    r.match.dport = port_range(static_cast<uint16_t>(1 + i % 5000), static_cast<uint16_t>(1 + i % 5000));
    testing::fw(p).rules.push_back(std::move(r));
  }
  double c0 = cpu_ms();
  auto found = passes::find_shadowed_rules(passes::firewall_rules(p));
  double ms = cpu_ms() - c0;
  WARN("50000 rules from any: " << ms << " ms cpu");
  CHECK(found.empty());
}

namespace {

// The policy bench/gen_rules.py writes, shape for shape (period 5, rule i is
// shape i % 5, j = i / 5 within its shape):
//   0  deny  tcp from 10.0.0.0+j+1/32                      to any port P
//   1  deny  udp from 10.128.0.0+(j<<8)/24                 to 172.(16+j%16).0.0/16 port LO..LO+99
//   2  allow tcp from 10.64.0.0+j+1/32 port 1024..65535    to any port 443
//   3  deny      from 2001:db8:0:j+1::/64
//   4  deny  udp                                           to 198.18.0.0+j+1/32 port 53
// A fifth of the rules are `from any` and three fifths `to any`, so neither
// address alone narrows the search. No rule covers another.
pir::Policy bench_policy(uint32_t n) {
  pir::Policy p;
  auto& fw = testing::fw(p);
  fw.default_action = pir::FirewallAction::Allow;
  fw.rules.reserve(n);
  std::mt19937 rng(1);
  const auto v4 = pir::Family::V4;
  const unsigned __int128 v6_base = static_cast<unsigned __int128>(0x20010db8u) << 96;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t j = i / 5;
    pir::FirewallRule r;
    r.id = "r" + std::to_string(i);
    r.loc = {"policy.sen", i + 6, 10};
    switch (i % 5) {
      case 0: {
        r.match.proto = pir::Proto::Tcp;
        r.match.src = one(v4, (10u << 24) | (j + 1), 32);
        auto port = static_cast<uint16_t>(1 + rng() % 1023);
        r.match.dport = port_range(port, port);
        break;
      }
      case 1: {
        r.match.proto = pir::Proto::Udp;
        r.match.src = one(v4, (10u << 24) | (128u << 16) | (j << 8), 24);
        r.match.dst = one(v4, (172u << 24) | ((16 + j % 16) << 16), 16);
        auto lo = static_cast<uint16_t>(128 * (8 + rng() % 492));
        r.match.dport = port_range(lo, static_cast<uint16_t>(lo + 99));
        break;
      }
      case 2:
        r.action = pir::FirewallAction::Allow;
        r.match.proto = pir::Proto::Tcp;
        r.match.src = one(v4, (10u << 24) | (64u << 16) | (j + 1), 32);
        r.match.sport = port_range(1024, 65535);
        r.match.dport = port_range(443, 443);
        break;
      case 3:
        r.match.src = one(pir::Family::V6, v6_base | (static_cast<unsigned __int128>(j + 1) << 64), 64);
        break;
      case 4:
        r.match.proto = pir::Proto::Udp;
        r.match.dst = one(v4, (198u << 24) | (18u << 16) | (j + 1), 32);
        r.match.dport = port_range(53, 53);
        break;
    }
    fw.rules.push_back(std::move(r));
  }
  return p;
}

}  // namespace

TEST_CASE("the bench's 100,000 rules draw no warning", "[scale][shadowed]") {
  pir::Policy p = bench_policy(100000);
  SourceManager sm;
  DiagEngine diags(sm);
  double c0 = cpu_ms();
  passes::check_firewall_shadowed(p, sm, diags);
  double c1 = cpu_ms();
  passes::check_firewall_never_matching(p, sm, diags);
  double c2 = cpu_ms();
  double shadow_ms = c1 - c0, never_ms = c2 - c1;
  WARN("bench policy, 100000 rules: shadowed " << shadow_ms << " ms cpu; never-matching " << never_ms
                                               << " ms cpu");
  CHECK(diags.all().empty());
}

TEST_CASE("a bench-shaped policy with shadowed rules keeps its findings", "[scale][shadowed]") {
  // Copies of earlier rules, and narrower rules under `to 198.18.0.x port 53`
  // and `from 10.128.x.0/24`, are covered by the earliest of those rules.
  pir::Policy p = bench_policy(2000);
  auto& rules = testing::fw(p).rules;
  std::vector<std::pair<std::string, std::string>> expected;
  for (uint32_t k = 0; k < 50; ++k) {
    uint32_t i = 10 * k + 4;  // a `to 198.18.0.x port 53` rule
    pir::FirewallRule copy = rules[i];
    copy.id = "c" + std::to_string(k);
    copy.match.src = one(pir::Family::V4, 0x0a000000u | (k << 8), 24);
    expected.push_back({copy.id, rules[i].id});
    rules.push_back(std::move(copy));
    uint32_t s = 10 * k + 1;  // a `from 10.128.x.0/24 to 172.x.0.0/16` rule
    pir::FirewallRule narrow = rules[s];
    narrow.id = "n" + std::to_string(k);
    narrow.match.src.cidrs[0].len = 28;
    narrow.match.dst.cidrs[0].len = 24;
    narrow.match.dport.ranges[0].hi = narrow.match.dport.ranges[0].lo;
    expected.push_back({narrow.id, rules[s].id});
    rules.push_back(std::move(narrow));
  }
  std::vector<std::pair<std::string, std::string>> found;
  for (const auto& s : passes::find_shadowed_rules(passes::firewall_rules(p))) {
    auto v = testing::fw_eval(p, *eval::parse_packet(s.witness, nullptr));
    CHECK(v.rule == static_cast<int>(s.decided_by));
    found.push_back({rules[s.rule].id, rules[s.by].id});
  }
  CHECK(found == expected);
}
