// The firewall's reference decision for a stateless packet, as the tests of
// the firewall alone need it (no conntrack block: every packet untracked).
#pragma once
#include <string>

#include "compiler/eval/domains/firewall.h"
#include "tests/support/test_policy.h"

namespace sentinel::testing {

inline eval::firewall::Decision fw_eval(const pir::Policy& p, const eval::Packet& pkt, bool trace = false) {
  return eval::firewall::decide(fw(p), pkt, pir::CtState::Untracked, false, trace);
}

inline std::string rule_id(const pir::Policy& p, const eval::firewall::Decision& d) {
  return d.rule < 0 ? eval::firewall::kDefaultId : fw(p).rules[d.rule].id;
}

}  // namespace sentinel::testing
