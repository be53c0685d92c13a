// E0131 and E0132: the limits a policy can meet in the kernel, reported by
// `check` with the rule that meets them, before `build` would refuse it.
#include <set>

#include "compiler/lower/pir_to_plan.h"
#include "compiler/passes/analyses.h"
#include "compiler/passes/rule_span.h"

namespace sentinel::passes {

void check_rule_limits(const std::vector<RuleRef>& rules, std::string_view domain, const SourceManager& sm,
                       DiagEngine& diags) {
  RuleSpans spans(sm);
  auto span = [&](const RuleRef& r) { return spans.of(*r.loc, r.id.size()); };
  if (rules.size() > lower::kMaxPolicyRules) {
    const RuleRef& r = rules[lower::kMaxPolicyRules];
    auto& d = diags.report(DiagCode::E0132, span(r),
                           std::string(domain) + " has " + std::to_string(rules.size()) + " rules; at most " +
                               std::to_string(lower::kMaxPolicyRules) + " fit");
    d.notes.push_back({{}, "rule `" + std::string(r.id) + "` is the first past the limit"});
    d.notes.push_back({{}, "every rule has its counters in the kernel, and two generations share them"});
    d.help = "split the policy across hosts, or merge rules with sets";
    return;
  }
  std::set<std::string_view> ifaces;
  for (const RuleRef& r : rules) {
    for (const auto& i : r.match->ifaces) ifaces.insert(i);
    if (ifaces.size() <= SN_CLS_MAX_IFACES) continue;
    auto& d = diags.report(DiagCode::E0134, span(r),
                           std::string(domain) + " rules name more than " + std::to_string(SN_CLS_MAX_IFACES) +
                               " interfaces, from rule `" + std::string(r.id) + "` on");
    d.notes.push_back({{}, "each interface a rule names is one bit of a record's interface mask"});
    d.help = "scope the whole block with `on @group`, or use `on !...` for the few interfaces a rule excludes";
    return;
  }
  uint64_t total = 0;
  for (const RuleRef& r : rules) {
    const uint64_t n = lower::classifier_records(*r.match);
    total += n;
    if (n <= lower::kMaxClassifierEntries && total <= lower::kMaxClassifierEntries) continue;
    const bool alone = n > lower::kMaxClassifierEntries;
    auto& d = diags.report(DiagCode::E0131, span(r),
                           alone ? "rule `" + std::string(r.id) + "` expands into more than " +
                                       std::to_string(lower::kMaxClassifierEntries) + " classifier records"
                                 : std::string(domain) + " rules expand into more than " +
                                       std::to_string(lower::kMaxClassifierEntries) +
                                       " classifier records, from rule `" + std::string(r.id) + "` on");
    d.notes.push_back({{}, "a rule is one record per combination of its address prefixes, port ranges and "
                           "protocols in each family"});
    d.help = "split long address or port lists into fewer, larger ranges";
    return;
  }
}

}  // namespace sentinel::passes
