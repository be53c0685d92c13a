// W0201 and W0203 for rate-limit rules: a rule an earlier one covers never
// charges a packet; one that matches nothing never does either.
#include "compiler/passes/analyses.h"
#include "compiler/passes/rule_span.h"
#include "compiler/pir/domains/ratelimit.h"

namespace sentinel::passes {

void analyze_ratelimit(const pir::Policy&, const pir::Block& b, const SourceManager& sm, DiagEngine& diags) {
  const auto& rules = static_cast<const pir::RateLimit&>(b).rules;
  RuleSpans spans(sm);
  auto span = [&](const pir::RateRule& r) { return spans.of(r.loc, r.id.size()); };
  std::vector<RuleRef> refs;
  for (const auto& r : rules) refs.push_back({r.id, &r.match, 0x1f, &r.loc});
  check_rule_limits(refs, "the ratelimit block", sm, diags);

  for (const NeverMatching& n : find_never_matching_rules(refs)) {
    const auto& r = rules[n.rule];
    auto& d = diags.report(DiagCode::W0203, span(r), "rate-limit rule `" + r.id + "` can never match");
    for (const auto& why : n.reasons) d.notes.push_back({{}, why});
  }
  for (const Shadowing& s : find_shadowed_rules(refs)) {
    const auto& a = rules[s.by];
    const auto& r = rules[s.rule];
    auto& d = diags.report(DiagCode::W0201, span(r),
                           "rate-limit rule `" + r.id + "` is never reached: rule `" + a.id +
                               "` matches every packet it matches");
    d.notes.push_back({span(a), "`" + a.id + "` is defined here"});
    d.notes.push_back({{}, "for example " + s.witness + " is charged to `" + rules[s.decided_by].id + "`"});
    d.help = "the first matching rule charges a packet: move `" + r.id + "` above `" + a.id +
             "` if it should apply, or remove it";
  }
}

}  // namespace sentinel::passes
