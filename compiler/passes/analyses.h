// Analyses of rule lists: they read the PIR and report, they never change
// it. They work on any domain whose rules match packets first-match; each
// domain's passes/domains/<domain>.cpp runs them on its rules and words the
// warnings for its own actions.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/pir/pir.h"
#include "compiler/support/diag.h"
#include "compiler/support/source.h"

namespace sentinel::passes {

// One rule as the analyses see it.
struct RuleRef {
  std::string_view id;
  const pir::Match* match = nullptr;
  uint8_t ct = 0x1f;  // bits of the packet states that reach the rule and it matches
  const pir::Loc* loc = nullptr;
};

// E0132 past lower::kMaxPolicyRules rules, E0131 at the rule whose records
// take `domain` past lower::kMaxClassifierEntries: the kernel's limits,
// reported by `check` before `build` meets them.
void check_rule_limits(const std::vector<RuleRef>& rules, std::string_view domain, const SourceManager& sm,
                       DiagEngine& diags);

// The facts behind W0201, for explain, diff and tests.
struct Shadowing {
  size_t rule;        // the rule that is never reached
  size_t by;          // the earliest rule that matches every packet `rule` matches
  std::string witness;  // a packet `rule` matches, in the text form of compiler/eval/packet.h
  size_t decided_by;  // the rule that decides `witness`: `by`, or an earlier one
  uint8_t witness_ct = 0;  // the witness's connection state (pir::CtState)
};
std::vector<Shadowing> find_shadowed_rules(const std::vector<RuleRef>& rules);

// The facts behind W0203: rules that no packet matches, with why.
struct NeverMatching {
  size_t rule;
  std::vector<std::string> reasons;
};
// `unreachable_ct`: why packet states a rule names cannot reach it, when some
// cannot (the firewall's `established allow`).
std::vector<NeverMatching> find_never_matching_rules(const std::vector<RuleRef>& rules,
                                                     const std::string& unreachable_ct = {});

// The per-domain analyses, one per domain in passes/domains/<domain>.cpp.
#define SN_DOMAIN(name) \
  void analyze_##name(const pir::Policy& p, const pir::Block& b, const SourceManager& sm, DiagEngine& diags);
#include "compiler/domains/domains.def"
#undef SN_DOMAIN

}  // namespace sentinel::passes
