#include <catch2/catch.hpp>
#include <chrono>
#include <random>

#include "tests/support/fw_eval.h"
#include "compiler/lower/pir_to_plan.h"
#include "compiler/lower/plan/firewall.h"
#include "plan_walk.h"
#include "tests/support/test_policy.h"

using namespace sentinel;
using lower::lower_firewall;
using u128 = unsigned __int128;

namespace {

using testing::addrs;
using testing::cidr;
using testing::ports;
using testing::rule;
using testing::sample_policy;

// Exact cover check over a small space: every value in [0, 2^bits) is
// covered iff it lies in [lo, hi], and no two prefixes overlap.
void check_cover(u128 lo, u128 hi, unsigned bits) {
  auto cov = lower::detail::prefix_cover(lo, hi, bits);
  std::vector<int> hits(1u << bits, 0);
  for (auto [v, len] : cov) {
    u128 size = u128(1) << (bits - len);
    REQUIRE((v & (size - 1)) == 0);
    for (u128 x = v; x < v + size; ++x) hits[static_cast<size_t>(x)]++;
  }
  for (u128 x = 0; x < (u128(1) << bits); ++x)
    REQUIRE(hits[static_cast<size_t>(x)] == (x >= lo && x <= hi ? 1 : 0));
}

}  // namespace

TEST_CASE("prefix cover is exact and minimal", "[lower]") {
  for (unsigned lo = 0; lo < 64; ++lo)
    for (unsigned hi = lo; hi < 64; ++hi) check_cover(lo, hi, 6);
  CHECK(lower::detail::prefix_cover(0, 0xffffffff, 32).size() == 1);
  CHECK(lower::detail::prefix_cover(0, ~u128(0), 128).size() == 1);
  CHECK(lower::detail::prefix_cover(1, ~u128(0), 128).size() == 128);
  // Port lists become disjoint ranges: overlapping and adjacent ones merge.
  auto p = lower::detail::port_ranges({{1024, 65535}, {80, 80}, {81, 90}, {85, 86}});
  REQUIRE(p.size() == 2);
  CHECK(p[0] == std::pair<uint16_t, uint16_t>{80, 90});
  CHECK(p[1] == std::pair<uint16_t, uint16_t>{1024, 65535});
  CHECK(lower::detail::port_ranges({{0, 99}, {100, 255}, {50, 60}}).size() == 1);
}

TEST_CASE("negated address sets become the minimal complement", "[lower]") {
  auto c = lower::detail::address_cover({cidr("10.0.0.0/8")}, pir::Family::V4, true);
  CHECK(c.size() == 8);
  for (const auto& x : c) CHECK_FALSE(x.contains(*pir::parse_addr("10.1.2.3")));
  CHECK(lower::detail::address_cover({cidr("0.0.0.0/0")}, pir::Family::V4, true).empty());
  auto v6 = lower::detail::address_cover({cidr("2001:db8::/32"), cidr("10.0.0.0/8")},
                                         pir::Family::V6, true);
  CHECK(v6.size() == 32);
  // A negated list of only IPv4 prefixes leaves every IPv6 address.
  auto all6 = lower::detail::address_cover({cidr("10.0.0.0/8")}, pir::Family::V6, true);
  REQUIRE(all6.size() == 1);
  CHECK(all6[0].len == 0);
}

TEST_CASE("sample policy lowers to the expected shapes", "[lower]") {
  auto plan = lower_firewall(sample_policy());
  CHECK(plan.config.nrules == 5);
  CHECK(plan.rules.size() == 6);
  CHECK(plan.rule_ids.back() == "default");
  CHECK(plan.rules.back().action == SN_FW_DENY);
  CHECK(plan.rules[3].action == SN_FW_LOG);
  CHECK(plan.rules[0].counter_key == dplan::counter_key("firewall", "ssh"));
  CHECK(plan.config.cls_steps == plan.cls.steps);
  CHECK(plan.config.default_action == SN_FW_DENY);
  CHECK(plan.config.ct_mode == SN_FW_CT_OFF);
  CHECK(plan.config.next_slot == SN_NO_SLOT);
  CHECK(plan.config.malformed_counter_key == dplan::counter_key("firewall", "malformed"));
  CHECK(plan.defines == std::vector<std::string>{"SN_FW_IPV6"});
  CHECK(plan.cls.v6);
  // Every counter the program may touch: the rules, the default, malformed.
  CHECK(plan.counter_keys.size() == 7);
  // Records in rule order, padding zero, no connection states.
  for (size_t i = 1; i < plan.cls.recs.size(); ++i) CHECK(plan.cls.recs[i - 1].rule <= plan.cls.recs[i].rule);
  for (const auto& r : plan.cls.recs) {
    CHECK(r.pad == 0);
    CHECK(r.pad2 == 0);
    CHECK(r.ct_states == 0);
    CHECK(r.x.has == 0);
  }
  // Roots: the family's trees in ascending min_rule, unused ones empty.
  REQUIRE(plan.cls.nodes.size() >= 2 * SN_CLS_MAX_TREES);
  for (uint32_t f = 0; f < 2; ++f)
    for (uint32_t t = 1; t < SN_CLS_MAX_TREES; ++t)
      CHECK(plan.cls.nodes[f * SN_CLS_MAX_TREES + t - 1].min_rule <= plan.cls.nodes[f * SN_CLS_MAX_TREES + t].min_rule);
  // A policy with IPv4 rules only needs no IPv6 code.
  pir::Policy v4;
  auto r = rule("a", pir::FirewallAction::Deny);
  r.match.src = addrs({"10.0.0.0/8"});
  testing::fw(v4).rules = {r};
  CHECK(lower_firewall(v4).defines.empty());
  CHECK_FALSE(lower_firewall(v4).cls.v6);
}

TEST_CASE("plan walk agrees with the reference evaluator", "[lower]") {
  auto pol = sample_policy();
  auto plan = lower_firewall(pol);
  std::mt19937_64 rng(42);
  const char* v4pool[] = {"10.0.0.53", "10.9.9.9", "192.168.1.1", "8.8.8.8", "172.16.0.1"};
  const char* v6pool[] = {"2001:db8::1", "2001:db9::1", "fe80::1", "::1"};
  const uint16_t portpool[] = {22, 80, 443, 8000, 8099, 8100, 53, 1023, 1024, 65535, 0};
  const uint8_t protos[] = {6, 17, 1, 58, 47};
  for (int i = 0; i < 20000; ++i) {
    eval::Packet p;
    bool v6 = rng() & 1;
    p.family = v6 ? pir::Family::V6 : pir::Family::V4;
    p.src = *pir::parse_addr(v6 ? v6pool[rng() % 4] : v4pool[rng() % 5]);
    p.dst = *pir::parse_addr(v6 ? v6pool[rng() % 4] : v4pool[rng() % 5]);
    p.proto = protos[rng() % 5];
    p.fragment = (rng() % 8) == 0;
    if (p.has_ports()) {
      p.sport = portpool[rng() % 11];
      p.dport = portpool[rng() % 11];
    }
    auto want = testing::fw_eval(pol, p);
    uint32_t got = testing::plan_classify(plan.cls, plan.config.nrules, p);
    uint32_t want_idx = want.rule < 0 ? plan.config.nrules : static_cast<uint32_t>(want.rule);
    INFO(eval::format(p));
    REQUIRE(got == want_idx);
  }
}

namespace {

// n rules of one shape: deny tcp from 10.x.y.0/24 to any port 1000+i%50.
pir::Policy generated(size_t n) {
  pir::Policy pol;
  testing::fw(pol).rules.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    auto r = rule("r" + std::to_string(i), pir::FirewallAction::Deny, pir::Proto::Tcp);
    pir::Cidr c;
    c.addr = pir::Addr::from_value(pir::Family::V4, (u128(10) << 24) | (u128(i) << 8));
    c.len = 24;
    r.match.src.any = false;
    r.match.src.cidrs = {c};
    r.match.dport = ports({{static_cast<uint16_t>(1000 + i % 50), static_cast<uint16_t>(1000 + i % 50)}});
    testing::fw(pol).rules.push_back(std::move(r));
  }
  return pol;
}

}  // namespace

TEST_CASE("the classifier has no shape limit and stays shallow on 100000 rules", "[lower]") {
  auto t0 = std::chrono::steady_clock::now();
  auto big = lower_firewall(generated(100000));
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  WARN("lower_firewall on 100000 rules: " << ms << " ms, " << big.cls.recs.size() << " records, "
                                          << big.cls.nodes.size() << " nodes, at most " << big.cls.steps << " steps");
  CHECK(big.cls.recs.size() == 100000);
  // Every rule is one /24 and one port: cuts separate them all.
  uint32_t worst = 0;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 2000; ++i) {
    size_t k = rng() % 100000;
    eval::Packet p;
    p.family = pir::Family::V4;
    p.src = pir::Addr::from_value(pir::Family::V4, (u128(10) << 24) | (u128(k) << 8) | 5);
    p.dst = *pir::parse_addr("192.0.2.1");
    p.proto = 6;
    p.sport = 40000;
    p.dport = static_cast<uint16_t>(1000 + k % 50);
    auto w = testing::plan_walk(big.cls, big.config.nrules, p);
    REQUIRE(w.rule == k);
    worst = std::max(worst, w.steps);
  }
  CHECK(worst <= 12);
  CHECK(worst <= big.cls.steps);
}

TEST_CASE("limits give clear errors", "[lower]") {
  SECTION("too many entries") {
    pir::Policy pol;
    auto r = rule("wild", pir::FirewallAction::Deny, pir::Proto::Udp);
    std::vector<pir::PortRange> odd, few;
    for (uint32_t p = 1; p < 65536; p += 2) odd.push_back({uint16_t(p), uint16_t(p)});
    for (uint32_t p = 1; p < 400; p += 2) few.push_back({uint16_t(p), uint16_t(p)});
    r.match.sport = ports(odd);
    r.match.dport = ports(few);
    testing::fw(pol).rules = {r};
    CHECK_THROWS_WITH(lower_firewall(pol), Catch::Contains("rule `wild` expands the classifier"));
  }
}
