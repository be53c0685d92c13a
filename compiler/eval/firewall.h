// The reference evaluator for the firewall: the spec of first-match semantics
// in plain code. No maps, no cleverness; the compiled XDP program is checked
// against it packet by packet.
#pragma once
#include <string>
#include <vector>

#include "compiler/eval/packet.h"
#include "compiler/pir/pir.h"

namespace sentinel::eval {

// Why a rule did not match a packet: the first field that failed.
struct Miss {
  size_t rule;
  std::string reason;
};

struct FirewallVerdict {
  int rule = -1;  // index of the deciding rule; -1 for the default
  pir::Action action = pir::Action::Allow;
  bool dropped = false;  // what XDP does: deny in enforce mode
  std::vector<Miss> misses;  // filled when tracing: every earlier rule and why
  const std::string& rule_id(const pir::Policy& p) const;
};

// The reason `rule` does not match `pkt`, or empty when it matches.
std::string firewall_mismatch(const pir::Rule& rule, const Packet& pkt);

FirewallVerdict eval_firewall(const pir::Policy& policy, const Packet& pkt, bool trace = false);

}  // namespace sentinel::eval
