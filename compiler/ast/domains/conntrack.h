// The connection-tracking block as written.
#pragma once
#include "compiler/ast/ast.h"
#include "compiler/pir/domains/conntrack.h"

namespace sentinel::ast {

// `established allow` or `established rules`.
struct CtEstablished {
  bool accept = true;
  Span span;
  bool operator==(const CtEstablished&) const = default;
};

// `timeout NAME DURATION`.
struct CtTimeout {
  Name name;
  DurationLit value;
  Span span;
  bool operator==(const CtTimeout&) const = default;
};

struct ConntrackBlock : BlockOf<ConntrackBlock> {
  static constexpr DomainId kDomain = DomainId::conntrack;
  std::vector<CtEstablished> established;
  std::vector<CtTimeout> timeouts;
  bool operator==(const ConntrackBlock&) const = default;
};

}  // namespace sentinel::ast
