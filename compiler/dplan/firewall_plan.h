// The firewall's dataplane plan: exactly what goes into the kernel, as ABI
// structs. Built from PIR by compiler/lower/plan/firewall.cpp; written to
// map images by the backend; printed by `sentinelc build --dump-after=plan`.
#pragma once
#include <string>
#include <vector>

#include "compiler/dplan/classifier.h"

extern "C" {
#include "sentinel/abi/firewall.h"
}

namespace sentinel::dplan {

struct FirewallPlan {
  sn_fw_config config{};  // next_slot is the backend's to set
  ClassifierPlan cls;
  std::vector<sn_fw_rule> rules;      // config.nrules + 1; the last is the default
  std::vector<std::string> rule_ids;  // parallel to rules; the last is "default"
  std::vector<std::string> defines;   // program variant switches, sorted (SN_FW_CT, SN_FW_IPV6)
  std::vector<uint64_t> counter_keys; // every counter the program may touch
  std::string print() const;
};

const char* action_name(uint32_t action);  // "allow", "deny", "log" or "?"

}  // namespace sentinel::dplan
