// The syntax tree of policy files: what the user wrote, with a span on every
// node and every literal so that a diagnostic can point at the exact element.
// Literal values are decoded by the parser (that needs no context); whether
// they are acceptable is decided, and reported, by sema.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "compiler/pir/addr.h"
#include "compiler/pir/pir.h"
#include "compiler/support/source.h"

namespace sentinel::ast {

struct Name {
  std::string text;
  Span span;
  bool operator==(const Name&) const = default;
};

// `10.0.0.0/8`, `2001:db8::/32`, `10.0.0.1`. `value` is empty when the text
// is not a valid address or prefix; it is masked when `host_bits` is set.
struct CidrLit {
  std::string text;
  Span span;
  std::optional<pir::Cidr> value;
  bool host_bits = false;
  bool operator==(const CidrLit&) const = default;
};

// A decimal number as written. Values that do not fit saturate to
// UINT64_MAX, so that range checks still see them as out of range.
struct Number {
  uint64_t value = 0;
  Span span;
  bool operator==(const Number&) const = default;
};

// `22` or `8000..8099`.
struct PortLit {
  Number lo;
  std::optional<Number> hi;
  Span span;
  bool operator==(const PortLit&) const = default;
};

// `@name`; the span covers the `@` and the name.
struct SetRef {
  Name name;
  Span span;
  bool operator==(const SetRef&) const = default;
};

struct SetDecl {
  Name name;
  pir::SetKind kind = pir::SetKind::Cidr;
  std::vector<CidrLit> cidrs;  // kind == Cidr
  std::vector<PortLit> ports;  // kind == Port
  Span span;                   // from `set` to the closing brace
  bool operator==(const SetDecl&) const = default;
};

using AddrElem = std::variant<CidrLit, SetRef>;
using PortElem = std::variant<PortLit, SetRef>;

// `any`, or an optionally negated element or `{ list }`.
struct AddrExpr {
  bool any = true;
  bool negate = false;
  std::vector<AddrElem> elems;
  Span span;
  bool operator==(const AddrExpr&) const = default;
};

struct PortExpr {
  std::vector<PortElem> elems;
  Span span;
  bool operator==(const PortExpr&) const = default;
};

// `from ADDR [port PORTS]` or `to ADDR [port PORTS]`.
struct Endpoint {
  AddrExpr addr;
  std::optional<PortExpr> ports;
  Span span;  // the whole clause
  bool operator==(const Endpoint&) const = default;
};

struct Rule {
  Name id;
  pir::Action action = pir::Action::Deny;
  Span action_span;
  std::optional<pir::Proto> proto;  // empty when not written (any)
  Span proto_span;
  std::optional<Endpoint> from, to;
  std::optional<std::string> description;  // unescaped
  Span description_span;
  Span span;  // the whole rule
  bool operator==(const Rule&) const = default;
};

struct DefaultSetting {
  pir::Action action = pir::Action::Allow;
  Span span;
  bool operator==(const DefaultSetting&) const = default;
};
struct ModeSetting {
  pir::Mode mode = pir::Mode::Enforce;
  Span span;
  bool operator==(const ModeSetting&) const = default;
};

struct Firewall {
  std::vector<DefaultSetting> defaults;  // more than one is an error
  std::vector<ModeSetting> modes;        // more than one is an error
  std::vector<Rule> rules;
  Span span;  // the `firewall` keyword
  bool operator==(const Firewall&) const = default;
};

struct File {
  uint32_t file = 0;  // SourceManager id
  std::vector<SetDecl> sets;
  std::vector<Firewall> firewalls;  // more than one across all files is an error
  bool operator==(const File&) const = default;
};

}  // namespace sentinel::ast
