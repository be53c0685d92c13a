// The firewall block as written.
#pragma once
#include "compiler/ast/ast.h"
#include "compiler/pir/domains/firewall.h"

namespace sentinel::ast {

struct FwDefault {
  pir::FirewallAction action = pir::FirewallAction::Allow;
  Span span;
  bool operator==(const FwDefault&) const = default;
};

// One state of a `ct` clause.
struct CtStateLit {
  pir::CtState state = pir::CtState::New;
  Span span;
  bool operator==(const CtStateLit&) const = default;
};

struct FwRule {
  Name id;
  pir::FirewallAction action = pir::FirewallAction::Deny;
  Span action_span;
  Match match;
  std::vector<CtStateLit> ct;  // empty: any state
  Span ct_span;                // the whole `ct ...` clause
  std::optional<std::string> description;  // unescaped
  Span description_span;
  Span span;  // the whole rule
  bool operator==(const FwRule&) const = default;
};

// `management [MATCH]`: traffic the anti-lockout guard keeps passing.
struct FwManagement {
  Match match;  // empty: SSH, `tcp to any port 22`
  Span span;
  bool operator==(const FwManagement&) const = default;
};

struct FirewallBlock : BlockOf<FirewallBlock> {
  static constexpr DomainId kDomain = DomainId::firewall;
  std::vector<FwDefault> defaults;  // more than one is an error
  std::vector<ModeSetting> modes;   // more than one is an error
  std::vector<FwManagement> management;
  std::vector<FwRule> rules;
  bool operator==(const FirewallBlock&) const = default;
};

}  // namespace sentinel::ast
