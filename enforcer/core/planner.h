// The dry-run plan: what applying a policy would change against the policy
// the live generation runs (read back from the kernel). Rules are matched by
// id, set elements by value; a rule that references a set is compared by the
// set's name, so a set edit shows once, as element lines.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "compiler/pir/pir.h"

namespace sentinel::enforcer::core {

struct PlanItem {
  char op = '+';      // '+', '-', '~'
  std::string kind;   // "rule", "set", "firewall"
  std::string id;     // rule id, set name, or "default" / "mode" / "firewall"
  std::string detail; // the rule text, the element, or what changed
};

struct Plan {
  std::optional<uint64_t> live_generation;
  int add = 0, change = 0, remove = 0;
  std::vector<PlanItem> items;  // firewall settings, sets, then rules
  bool empty() const { return add + change + remove == 0; }
};

// `live` is nullopt when nothing runs on the interface.
Plan diff_policies(const std::optional<pir::Policy>& live, const pir::Policy& next);

// "plan: 2 to add, 1 to change, 1 to remove (firewall)" or "plan: no changes",
// then one line per item.
std::string render_text(const Plan& p);
nlohmann::json render_json(const Plan& p);

// One rule as users write it: "allow tcp from @trusted to any port 22".
std::string describe_rule(const pir::Rule& r);

}  // namespace sentinel::enforcer::core
