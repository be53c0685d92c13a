// Property tests on random policies: the indexed search finds exactly what a
// pairwise search finds, and MatchSpace agrees with the reference evaluator
// both ways: packets it puts inside a rule match it, and every "does not
// cover" has a packet that proves it.
#include "tests/unit/passes/analyses_test_util.h"

#include <random>

#include "compiler/passes/match_space.h"
#include "tests/unit/pir/policy_gen.h"

using namespace sentinel;
using passes::Intervals;
using passes::MatchSpace;
using passes::u128;

namespace {

u128 pick(Intervals s, std::mt19937_64& rng) {
  const auto& r = s[rng() % s.size()];
  u128 width = r.hi - r.lo;
  u128 off = (static_cast<u128>(rng()) << 64 | rng());
  return width == ~static_cast<u128>(0) ? off : r.lo + off % (width + 1);
}

// A value of `b` outside `a`, if there is one.
std::optional<u128> outside(Intervals b, Intervals a) {
  for (const auto& r : b) {
    u128 v = r.lo;
    while (true) {
      if (!passes::contains(a, v)) return v;
      const auto* hit = &a.front();
      for (const auto& x : a)
        if (x.lo <= v && v <= x.hi) hit = &x;
      if (hit->hi >= r.hi) break;
      v = hit->hi + 1;
    }
  }
  return std::nullopt;
}

eval::Packet packet(pir::Family f, uint8_t proto, u128 src, u128 dst, bool l4, uint16_t sp, uint16_t dp) {
  eval::Packet p;
  p.family = f;
  p.proto = proto;
  p.src = pir::Addr::from_value(f, src);
  p.dst = pir::Addr::from_value(f, dst);
  p.fragment = !l4;
  p.sport = sp;
  p.dport = dp;
  return p;
}

uint8_t some_proto(const MatchSpace& m, pir::Family f) {
  if (m.proto != pir::Proto::Any) return static_cast<uint8_t>(m.proto);
  return m.ports ? 17 : (f == pir::Family::V4 ? 1 : 58);
}

// A random packet inside `m` (non-empty).
eval::Packet inside(const MatchSpace& m, std::mt19937_64& rng) {
  unsigned i = (m.fams == 3) ? rng() % 2 : (m.fams == 1 ? 0 : 1);
  pir::Family f = passes::family_of_index(i);
  uint8_t proto = some_proto(m, f);
  if (m.proto == pir::Proto::Any && rng() % 2) proto = 6;
  bool l4 = m.ports || rng() % 4 != 0;
  return packet(f, proto, pick(m.src(i), rng), pick(m.dst(i), rng), l4,
                static_cast<uint16_t>(pick(m.sport(), rng)), static_cast<uint16_t>(pick(m.dport(), rng)));
}

// A packet `b` matches and `a` does not, built from the first field where
// `b` reaches outside `a`.
std::optional<eval::Packet> counterexample(const MatchSpace& a, const MatchSpace& b, std::mt19937_64& rng) {
  for (unsigned i = 0; i < 2; ++i) {
    if (!(b.fams & (1u << i))) continue;
    pir::Family f = passes::family_of_index(i);
    auto base = [&] {
      auto p = packet(f, some_proto(b, f), b.src(i)[0].lo, b.dst(i)[0].lo, true,
                      uint16_t(b.sport()[0].lo), uint16_t(b.dport()[0].lo));
      if (b.proto == pir::Proto::Any) p.proto = 6;
      return p;
    };
    if (!(a.fams & (1u << i))) return base();
    if (a.proto != pir::Proto::Any && a.proto != b.proto) {
      auto p = base();
      if (b.proto == pir::Proto::Any) p.proto = a.proto == pir::Proto::Tcp ? 17 : 6;
      return p;
    }
    if (a.ports && !b.ports) {
      auto p = base();
      p.fragment = true;
      return p;
    }
    if (a.ports) {
      if (auto v = outside(b.sport(), a.sport())) {
        auto p = base();
        p.sport = uint16_t(*v);
        return p;
      }
      if (auto v = outside(b.dport(), a.dport())) {
        auto p = base();
        p.dport = uint16_t(*v);
        return p;
      }
    }
    if (auto v = outside(b.src(i), a.src(i))) {
      auto p = base();
      p.src = pir::Addr::from_value(f, *v);
      return p;
    }
    if (auto v = outside(b.dst(i), a.dst(i))) {
      auto p = base();
      p.dst = pir::Addr::from_value(f, *v);
      return p;
    }
  }
  (void)rng;
  return std::nullopt;
}

}  // namespace

TEST_CASE("the index finds what a pairwise search finds", "[random][shadowed]") {
  testgen::PolicyGen gen(2024, false, false);
  size_t findings = 0;
  for (int iter = 0; iter < 1500; ++iter) {
    pir::Policy p = gen.policy(30);
    testing::fw(p);
    const auto& rules = testing::fw(p).rules;
    std::vector<MatchSpace> spaces;
    for (const auto& r : rules) spaces.push_back(passes::match_space(r.match));
    std::vector<std::pair<size_t, size_t>> expected;
    for (size_t b = 0; b < rules.size(); ++b) {
      if (spaces[b].empty()) continue;
      for (size_t a = 0; a < b; ++a)
        if (!spaces[a].empty() && spaces[a].covers(spaces[b])) {
          expected.emplace_back(b, a);
          break;
        }
    }
    std::vector<std::pair<size_t, size_t>> got;
    for (const auto& s : passes::find_shadowed_rules(passes::firewall_rules(p))) got.emplace_back(s.rule, s.by);
    INFO(pir::print(p));
    REQUIRE(got == expected);
    findings += got.size();
    testutil::shadowed(p);  // checks every witness against the evaluator
  }
  // The generator nests its prefixes, so shadowing is common; make sure the
  // property was exercised.
  CHECK(findings > 1000);
}

TEST_CASE("match spaces agree with the reference evaluator", "[random][shadowed][never]") {
  testgen::PolicyGen gen(77, true, false);
  std::mt19937_64 rng(99);
  size_t covered = 0, separated = 0;
  for (int iter = 0; iter < 600; ++iter) {
    pir::Policy p = gen.policy(16);
    const auto& rules = testing::fw(p).rules;
    std::vector<MatchSpace> spaces;
    for (const auto& r : rules) spaces.push_back(passes::match_space(r.match));
    INFO(pir::print(p));
    for (size_t b = 0; b < rules.size(); ++b) {
      if (spaces[b].empty()) continue;
      for (int k = 0; k < 4; ++k) {
        auto pkt = inside(spaces[b], rng);
        INFO("rule " << rules[b].id << " packet " << eval::format(pkt));
        REQUIRE(eval::firewall::mismatch(rules[b], pkt).empty());
      }
      for (size_t a = 0; a < rules.size(); ++a) {
        if (a == b || spaces[a].empty()) continue;
        INFO("a " << rules[a].id << " b " << rules[b].id);
        if (spaces[a].covers(spaces[b])) {
          ++covered;
          for (int k = 0; k < 8; ++k) {
            auto pkt = inside(spaces[b], rng);
            INFO(eval::format(pkt));
            REQUIRE(eval::firewall::mismatch(rules[a], pkt).empty());
          }
        } else {
          ++separated;
          auto pkt = counterexample(spaces[a], spaces[b], rng);
          REQUIRE(pkt);
          INFO(eval::format(*pkt));
          CHECK(eval::firewall::mismatch(rules[b], *pkt).empty());
          CHECK_FALSE(eval::firewall::mismatch(rules[a], *pkt).empty());
        }
      }
    }
    // A rule W0203 reports is never matched by a packet of any other rule.
    for (const auto& n : passes::find_never_matching_rules(passes::firewall_rules(p))) {
      CHECK_FALSE(n.reasons.empty());
      for (size_t b = 0; b < rules.size(); ++b) {
        if (spaces[b].empty()) continue;
        auto pkt = inside(spaces[b], rng);
        CHECK_FALSE(eval::firewall::mismatch(rules[n.rule], pkt).empty());
      }
    }
  }
  CHECK(covered > 500);
  CHECK(separated > 500);
}
