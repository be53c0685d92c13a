// Policies for analysis tests, written in the PIR text (compiler/pir/print.cpp)
// so that each case reads as its rules.
#pragma once
#include <catch2/catch.hpp>

#include <string>

#include "tests/support/fw_eval.h"
#include "compiler/passes/analyses.h"
#include "compiler/passes/domains/firewall.h"
#include "compiler/pir/pir.h"

namespace sentinel::testutil {

inline pir::Policy policy(const std::string& rules) {
  std::string err;
  auto p = pir::parse("pir 2\nfirewall default allow mode enforce\n" + rules, &err);
  INFO(err);
  REQUIRE(p);
  return *p;
}

// The rule a packet reaches in the reference evaluator, by id.
inline std::string decided_by(const pir::Policy& p, const std::string& packet) {
  std::string err;
  auto pkt = eval::parse_packet(packet, &err);
  INFO(packet << ": " << err);
  REQUIRE(pkt);
  return testing::rule_id(p, testing::fw_eval(p, *pkt));
}

inline bool matches(const pir::FirewallRule& r, const std::string& packet) {
  auto pkt = eval::parse_packet(packet, nullptr);
  REQUIRE(pkt);
  return eval::firewall::mismatch(r, *pkt).empty();
}

// "b<-a" for each finding, checking each witness against the evaluator on the way.
inline std::vector<std::string> shadowed(const pir::Policy& p) {
  std::vector<std::string> out;
  for (const auto& s : passes::find_shadowed_rules(passes::firewall_rules(p))) {
    const auto& rules = testing::fw(p).rules;
    INFO("witness " << s.witness << " for " << rules[s.rule].id);
    CHECK(matches(rules[s.rule], s.witness));
    CHECK(matches(rules[s.by], s.witness));
    CHECK(decided_by(p, s.witness) == rules[s.decided_by].id);
    CHECK(s.decided_by <= s.by);
    out.push_back(rules[s.rule].id + "<-" + rules[s.by].id);
  }
  return out;
}

}  // namespace sentinel::testutil
