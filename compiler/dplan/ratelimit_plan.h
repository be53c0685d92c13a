// The rate limiter's dataplane plan (sentinel/abi/ratelimit.h). Built by
// compiler/lower/plan/ratelimit.cpp.
#pragma once
#include <string>
#include <vector>

#include "compiler/dplan/classifier.h"

extern "C" {
#include "sentinel/abi/ratelimit.h"
}

namespace sentinel::dplan {

struct RateLimitPlan {
  sn_rl_config config{};  // next_slot is the backend's to set
  ClassifierPlan cls;
  std::vector<sn_rl_rule> rules;
  std::vector<std::string> rule_ids;
  std::vector<std::string> defines;  // SN_RL_IPV6
  std::vector<uint64_t> counter_keys;
  std::string print() const;
};

}  // namespace sentinel::dplan
