// The rate-limiting block as written.
#pragma once
#include "compiler/ast/ast.h"
#include "compiler/pir/domains/ratelimit.h"

namespace sentinel::ast {

// `per source [/N [/M]]`, `per port`, `global`.
struct RlKey {
  pir::RateKey kind = pir::RateKey::Source;
  std::vector<Number> lens;  // the prefix lengths after `source`, at most two
  Span span;
  bool operator==(const RlKey&) const = default;
};

struct RlRule {
  Name id;
  pir::RateAction action = pir::RateAction::Drop;
  Span action_span;
  Match match;
  RateLit rate;
  // Options may be written in any order; each at most once (sema).
  std::vector<Number> bursts;
  std::vector<RlKey> keys;
  std::vector<Name> algorithms;
  std::vector<DurationLit> windows;
  std::optional<std::string> description;
  Span description_span;
  Span span;
  bool operator==(const RlRule&) const = default;
};

struct RateLimitBlock : BlockOf<RateLimitBlock> {
  static constexpr DomainId kDomain = DomainId::ratelimit;
  std::vector<ModeSetting> modes;
  std::vector<RlRule> rules;
  bool operator==(const RateLimitBlock&) const = default;
};

}  // namespace sentinel::ast
