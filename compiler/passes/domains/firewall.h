// The firewall's rules as the analyses see them: the packet states that can
// reach each rule, given conntrack's `established allow`.
#pragma once
#include <vector>

#include "compiler/passes/analyses.h"

namespace sentinel::passes {

std::vector<RuleRef> firewall_rules(const pir::Policy& p);

// W0203 and W0201 for the firewall's rules; analyze_firewall runs both.
void check_firewall_never_matching(const pir::Policy& p, const SourceManager& sm, DiagEngine& diags);
void check_firewall_shadowed(const pir::Policy& p, const SourceManager& sm, DiagEngine& diags);
// W0204 for rules that would drop what the anti-lockout guard keeps passing.
void check_firewall_lockout(const pir::Policy& p, const SourceManager& sm, DiagEngine& diags);

}  // namespace sentinel::passes
