// 100,000 generated rules, as the bench compiles them: the analyses must stay
// far from quadratic (the bench has to beat `nft -f` on the same rules).
#include "tests/unit/passes/analyses_test_util.h"

#include <chrono>
#include <ctime>

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
  auto& fw = g.policy.firewall;
  fw.present = true;
  fw.default_action = pir::Action::Deny;
  fw.rules.reserve(n);
  static const uint16_t ports[] = {22, 23, 80, 443, 8080, 53, 25, 3306};
  for (uint32_t i = 0; i < n; ++i) {
    pir::Rule r;
    r.id = "r" + std::to_string(i);
    r.loc = {"big.sen", i + 1, 6};
    if (i % 1000 == 0) {
      r.action = pir::Action::Deny;
      r.proto = pir::Proto::Tcp;
      r.dport = port_range(23, 23);
      if (i > 0) ++g.expected_shadowed;
    } else {
      r.action = i % 3 ? pir::Action::Allow : pir::Action::Log;
      r.proto = i % 2 ? pir::Proto::Tcp : pir::Proto::Udp;
      if (i % 10 == 7)
        r.src = one(pir::Family::V6, (static_cast<unsigned __int128>(0x20010db8u) << 96) | i, 128);
      else
        r.src = one(pir::Family::V4, 0x0a000000u + i, 32);
      if (i % 5 == 0 && i % 10 != 7) r.dst = one(pir::Family::V4, 0xc0a80000u | ((i % 256) << 8), 24);
      uint16_t port = ports[(i / 2) % 8];
      if (i % 7 == 0)
        r.dport = port_range(1024, 2047);
      else
        r.dport = port_range(port, port);
      if (i % 11 == 0) r.sport = port_range(1024, 65535);
      if (r.proto == pir::Proto::Tcp && i % 7 != 0 && port == 23) ++g.expected_shadowed;
    }
    fw.rules.push_back(std::move(r));
  }
  return g;
}

}  // namespace

TEST_CASE("100,000 rules: shadowing is found quickly and exactly", "[scale][shadowed]") {
  Generated g = generate(100000);
  SourceManager sm;
  DiagEngine diags(sm);
  auto t0 = std::chrono::steady_clock::now();
  double c0 = cpu_ms();
  passes::check_shadowed_rules(g.policy, sm, diags);
  double c1 = cpu_ms();
  auto t1 = std::chrono::steady_clock::now();
  passes::check_never_matching_rules(g.policy, sm, diags);
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
  CHECK(shadow_ms < 500);
  CHECK(never_ms < 500);
}

TEST_CASE("witnesses of a big policy are decided where the notes say", "[scale][shadowed]") {
  Generated g = generate(5000);
  auto found = passes::find_shadowed_rules(g.policy);
  REQUIRE(found.size() == g.expected_shadowed);
  for (const auto& s : found) {
    auto v = eval::eval_firewall(g.policy, *eval::parse_packet(s.witness, nullptr));
    REQUIRE(v.rule == static_cast<int>(s.decided_by));
    CHECK(s.decided_by == 0);
  }
}

TEST_CASE("many rules with the same wide source stay fast", "[scale][shadowed]") {
  // Every rule is `from any`: the source index cannot narrow anything, the
  // destination and port dimensions must.
  pir::Policy p;
  p.firewall.present = true;
  for (uint32_t i = 0; i < 50000; ++i) {
    pir::Rule r;
    r.id = "r" + std::to_string(i);
    r.proto = pir::Proto::Tcp;
    r.dst = one(pir::Family::V4, 0x0a000000u + i, 32);
    r.dport = port_range(static_cast<uint16_t>(1 + i % 5000), static_cast<uint16_t>(1 + i % 5000));
    p.firewall.rules.push_back(std::move(r));
  }
  double c0 = cpu_ms();
  auto found = passes::find_shadowed_rules(p);
  double ms = cpu_ms() - c0;
  WARN("50000 rules from any: " << ms << " ms cpu");
  CHECK(found.empty());
  CHECK(ms < 500);
}
