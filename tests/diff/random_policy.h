// Random policies for differential testing, written in the policy language
// so that they go through the whole front end (sema rejects what the
// language does not allow; the test draws again): nested and overlapping
// prefixes of both families, negations, sets, port ranges that share
// boundaries, every protocol (by keyword, name and number) and action
// (`reject` included), family constraints, interface scope (`on`), the match options (TCP flags,
// ICMP type and code, DSCP, VLAN ids), both defaults and modes; rate
// limits with every algorithm and key, small rates and bursts that traffic
// exceeds; connection tracking in both modes with short timeouts, and
// firewall rules that match connection states.
#pragma once
#include <random>
#include <string>

namespace sentinel::testing {

struct RandomPolicyOptions {
  bool firewall = true;
  bool ratelimit = false;
  bool conntrack = false;
  size_t max_firewall_rules = 30;
  size_t max_rate_rules = 6;
  // Match options checked in the classifier's leaves: TCP flags, ICMP type
  // and code, DSCP, VLAN ids, `proto icmp-any`.
  bool match_options = true;
};

std::string random_policy_text(std::mt19937_64& rng, const RandomPolicyOptions& o);

}  // namespace sentinel::testing
