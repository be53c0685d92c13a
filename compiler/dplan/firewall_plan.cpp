// The firewall plan as `sentinelc build --dump-after=plan` prints it.
#include <fmt/format.h>

#include "compiler/dplan/firewall_plan.h"
#include "compiler/dplan/print_support.h"

namespace sentinel::dplan {

using detail::defines_line;
using detail::slot_text;

const char* action_name(uint32_t action) {
  switch (action) {
    case SN_FW_ALLOW: return "allow";
    case SN_FW_DENY: return "deny";
    case SN_FW_LOG: return "log";
  }
  return "?";
}

std::string FirewallPlan::print() const {
  std::string out;
  out += fmt::format("firewall plan: {} rules + default, {} records\n", config.nrules, cls.recs.size());
  static const char* ct_modes[] = {"off", "rules", "accept"};
  out += fmt::format("config: cls_steps {} nrules {} default {} mode {} ct {} next_slot {} "
                     "malformed_counter_key {:#018x} established_counter_key {:#018x}\n",
                     config.cls_steps, config.nrules, action_name(config.default_action),
                     config.mode == SN_FW_AUDIT ? "audit" : "enforce", config.ct_mode < 3 ? ct_modes[config.ct_mode] : "?",
                     slot_text(config.next_slot), config.malformed_counter_key, config.established_counter_key);
  out += defines_line(defines);
  out += "rules:\n";
  for (size_t i = 0; i < rules.size(); ++i)
    out += fmt::format("  {:>5} {:<24} {:<5} counter {:#018x}\n", i, i < rule_ids.size() ? rule_ids[i] : "?",
                       action_name(rules[i].action), rules[i].counter_key);
  return out + cls.print(rule_ids);
}

}  // namespace sentinel::dplan
