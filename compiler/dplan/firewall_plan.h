// The firewall's dataplane plan: exactly what goes into the kernel, as ABI
// structs. Built from PIR by compiler/lower/pir_to_plan; written to map
// images by the backend; printed by `sentinelc build --dump-after=plan`.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

extern "C" {
#include "sentinel/abi/firewall.h"
}

namespace sentinel::dplan {

struct FirewallPlan {
  sn_fw_config config{};
  std::vector<sn_fw_tuple> tuples;  // ascending min_rule; index = tuple id
  std::vector<std::pair<sn_fw_key, sn_fw_match>> entries;  // sorted by key bytes
  std::vector<sn_fw_rule> rules;      // config.nrules + 1; the last is the default
  std::vector<std::string> rule_ids;  // parallel to rules; the last is "default"
  std::vector<std::string> defines;   // program variant switches, sorted (e.g. SN_FW_IPV6)
  std::string print() const;
};

// One-line readable forms, shared by the plan dump and `sentinelc inspect`.
// Masks are printed as prefix lengths; port masks that are not a prefix
// print as value/mask.
std::string format_tuple(const sn_fw_tuple& t);
// With its tuple, prefixes print with lengths and ports as ranges.
std::string format_entry(const sn_fw_key& k, const sn_fw_match& m,
                         const sn_fw_tuple* tuple = nullptr);
const char* action_name(uint32_t action);  // "allow", "deny", "log" or "?"

// Stable FNV-1a 64 of "<domain>/<id>": the key of a rule's counters.
uint64_t counter_key(std::string_view domain, std::string_view rule_id);

}  // namespace sentinel::dplan
