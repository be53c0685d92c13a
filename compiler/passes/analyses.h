// Firewall analyses: they read the PIR and report, they never change it.
#pragma once
#include <cstddef>
#include <string>
#include <vector>

#include "compiler/pir/pir.h"
#include "compiler/support/diag.h"
#include "compiler/support/source.h"

namespace sentinel::passes {

// Warnings land on the rule's span: pir::Loc (file path, line, col of the rule's ID token) is mapped
// back to a SourceManager file by path and to a byte offset; span length = the rule id's length.
void check_shadowed_rules(const pir::Policy&, const SourceManager&, DiagEngine&);
void check_never_matching_rules(const pir::Policy&, const SourceManager&, DiagEngine&);

// The facts behind W0201, for explain, diff and tests.
struct Shadowing {
  size_t rule;        // the rule that is never reached
  size_t by;          // the earliest rule that matches every packet `rule` matches
  std::string witness;  // a packet `rule` matches, in the text form of compiler/eval/packet.h
  size_t decided_by;  // the rule that decides `witness`: `by`, or an earlier one
};
std::vector<Shadowing> find_shadowed_rules(const pir::Policy&);

// The facts behind W0203: rules that no packet matches, with why.
struct NeverMatching {
  size_t rule;
  std::vector<std::string> reasons;
};
std::vector<NeverMatching> find_never_matching_rules(const pir::Policy&);

}  // namespace sentinel::passes
