// The decision trees against the reference evaluator: random policies
// (negations, lists, port ranges, both families, ct states), walked in C++
// exactly as the BPF walk takes them, under the compiler's parameters and
// under extreme ones that force deep trees and tiny leaves.
#include <catch2/catch.hpp>
#include <random>

#include "compiler/eval/domains/firewall.h"
#include "compiler/lower/plan/cls_tree.h"
#include "compiler/lower/plan/firewall.h"
#include "plan_walk.h"
#include "tests/unit/pir/policy_gen.h"

using namespace sentinel;
using u128 = unsigned __int128;

namespace {

// Addresses near the generator's prefixes (10.x and 2001:db8::x), or anywhere.
pir::Addr near_addr(std::mt19937_64& rng, pir::Family f) {
  const unsigned bits = f == pir::Family::V4 ? 32 : 128;
  u128 v;
  if (rng() % 8 == 0) {
    v = (u128(rng()) << 64) | rng();
    if (bits == 32) v &= 0xffffffffu;
  } else {
    v = f == pir::Family::V4 ? 0x0a000000u : (u128(0x20010db8u) << 96);
    v |= (u128(rng() % 4) << (bits - 10)) | (u128(rng() % 4) << (bits - 12)) | (rng() % 4);
  }
  return pir::Addr::from_value(f, v);
}

eval::Packet random_packet(std::mt19937_64& rng) {
  static const uint8_t protos[] = {6, 17, 1, 58, 47};
  static const uint16_t pool[] = {0, 22, 53, 80, 443, 1024, 8000, 8080, 65535, 1, 23, 79, 81};
  eval::Packet p;
  p.family = rng() % 5 < 3 ? pir::Family::V4 : pir::Family::V6;
  p.src = near_addr(rng, p.family);
  p.dst = near_addr(rng, p.family);
  p.proto = protos[rng() % 5];
  p.fragment = rng() % 16 == 0;
  if (p.has_ports()) {
    p.sport = rng() % 4 == 0 ? static_cast<uint16_t>(rng()) : pool[rng() % 13];
    p.dport = rng() % 4 == 0 ? static_cast<uint16_t>(rng()) : pool[rng() % 13];
  }
  return p;
}

// Every packet: the walk's rule is the evaluator's, within the step bound.
void check_plan(const pir::Firewall& fw, const dplan::ClassifierPlan& cls, std::mt19937_64& rng, int packets) {
  const uint32_t nrules = static_cast<uint32_t>(fw.rules.size());
  for (int i = 0; i < packets; ++i) {
    eval::Packet p = random_packet(rng);
    auto st = static_cast<pir::CtState>(rng() % 5);
    auto want = eval::firewall::decide(fw, p, st, false);
    uint32_t want_idx = want.rule < 0 ? nrules : static_cast<uint32_t>(want.rule);
    auto got = testing::plan_walk(cls, nrules, p, static_cast<uint8_t>(st));
    INFO(eval::format(p) << " ct " << pir::to_string(st));
    REQUIRE(got.rule == want_idx);
    REQUIRE(got.steps <= cls.steps);
  }
}

}  // namespace

TEST_CASE("trees agree with the evaluator on random policies", "[lower][cls]") {
  testgen::PolicyGen gen(0xc1a55, false, true);
  std::mt19937_64 rng(5);
  int tested = 0;
  for (int n = 0; n < 300; ++n) {
    pir::Policy pol = gen.policy(n < 200 ? 40 : 400);
    const pir::Firewall* fw = pol.get<pir::Firewall>();
    if (!fw) continue;
    auto plan = lower::lower_firewall(pol);
    INFO("policy " << n << ", " << fw->rules.size() << " rules");
    check_plan(*fw, plan.cls, rng, 300);
    // Extreme parameters: one record a leaf, one bit a cut, always split.
    for (const lower::cls::TreeParams params :
         {lower::cls::TreeParams{1, 1, 8.0, 0}, lower::cls::TreeParams{2, 3, 1.0, 0},
          lower::cls::TreeParams{1, 16, 64.0, 1000}}) {
      dplan::ClassifierPlan cls = plan.cls;
      lower::cls::build_trees(cls, params);
      check_plan(*fw, cls, rng, 100);
    }
    ++tested;
  }
  CHECK(tested > 250);
}

TEST_CASE("negated prefixes and wide port ranges stay one record", "[lower][cls]") {
  pir::Policy pol;
  auto fw = std::make_unique<pir::Firewall>();
  pir::FirewallRule r;
  r.id = "a";
  r.action = pir::FirewallAction::Deny;
  r.match.proto = pir::Proto::Tcp;
  r.match.src.any = false;
  r.match.src.negate = true;
  r.match.src.cidrs = {*pir::parse_cidr("fd00:252::/72")};
  r.match.dport.any = false;
  r.match.dport.ranges = {{1, 65534}};
  fw->rules.push_back(r);
  fw->default_action = pir::FirewallAction::Allow;
  pol.put(Poly<pir::Block>(std::move(fw)));
  auto plan = lower::lower_firewall(pol);
  // An IPv6 prefix makes an IPv6 rule: one record, negated, one range.
  REQUIRE(plan.cls.recs.size() == 1);
  CHECK(plan.cls.recs[0].family == 6);
  CHECK(plan.cls.recs[0].flags & SN_CLS_NEG_SRC);
  CHECK(plan.cls.recs[0].dport_lo == 1);
  CHECK(plan.cls.recs[0].dport_hi == 65534);
  std::mt19937_64 rng(9);
  check_plan(*pol.get<pir::Firewall>(), plan.cls, rng, 5000);
}
