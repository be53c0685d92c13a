// The rate-limit plan as `sentinelc build --dump-after=plan` prints it.
#include <fmt/format.h>

#include "compiler/dplan/ratelimit_plan.h"
#include "compiler/dplan/print_support.h"

namespace sentinel::dplan {

using detail::defines_line;
using detail::slot_text;

std::string RateLimitPlan::print() const {
  static const char* algs[] = {"?", "token-bucket", "leaky-bucket", "fixed-window", "sliding-window"};
  static const char* keys[] = {"?", "source", "cidr", "port", "global"};
  std::string out = fmt::format("ratelimit plan: {} rules, {} records\n", config.nrules, cls.recs.size());
  out += fmt::format("config: cls_steps {} nrules {} mode {} next_slot {} contended_counter_key {:#018x}\n",
                     config.cls_steps, config.nrules, config.mode == SN_RL_AUDIT ? "audit" : "enforce",
                     slot_text(config.next_slot), config.contended_counter_key);
  out += defines_line(defines);
  out += "rules:\n";
  for (size_t i = 0; i < rules.size(); ++i) {
    const auto& r = rules[i];
    out += fmt::format("  {:>5} {:<24} {} {} key {}/{}/{} {} interval {} tolerance {} bucket {:#018x} counters "
                       "{:#018x} {:#018x}\n",
                       i, i < rule_ids.size() ? rule_ids[i] : "?", r.action == SN_RL_LOG ? "log" : "drop",
                       r.algorithm < 5 ? algs[r.algorithm] : "?", r.key < 5 ? keys[r.key] : "?", r.v4_len, r.v6_len,
                       r.algorithm >= SN_RL_FIXED_WINDOW ? "window" : "gcra", r.interval, r.tolerance, r.bucket_id,
                       r.counter_key, r.pass_counter_key);
  }
  return out + cls.print(rule_ids);
}

}  // namespace sentinel::dplan
