// The syntax tree of policy files: what the user wrote, with a span on every
// node and every literal so that a diagnostic can point at the exact element.
// Literal values are decoded by the parser (that needs no context); whether
// they are acceptable is decided, and reported, by sema.
//
// This header holds what every domain shares (sets, literals, matches,
// settings) and the base of a domain block; each domain's block lives in
// ast/domains/<domain>.h.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "compiler/domains/domain_id.h"
#include "compiler/pir/addr.h"
#include "compiler/pir/pir.h"
#include "compiler/support/poly.h"
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

// An interface name in an `iface` set: a name or a string (`"eth0.100"`).
struct IfaceName {
  std::string text;
  Span span;
  bool operator==(const IfaceName&) const = default;
};

// `100/s`: count per unit; count saturates like Number.
struct RateLit {
  uint64_t count = 0;
  char unit = 's';  // 's', 'm' or 'h'
  Span span;
  bool operator==(const RateLit&) const = default;
};

// `30s`, `500ms`: nanoseconds, saturating at UINT64_MAX.
struct DurationLit {
  uint64_t ns = 0;
  Span span;
  bool operator==(const DurationLit&) const = default;
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
  std::vector<CidrLit> cidrs;    // kind == Cidr
  std::vector<PortLit> ports;    // kind == Port
  std::vector<IfaceName> ifaces; // kind == Iface
  Span span;                     // from `set` to the closing brace
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
// `on eth0`, `on !{eth0, @uplinks}`: the interfaces a packet arrives on.
using IfaceElem = std::variant<IfaceName, SetRef>;
struct IfaceMatch {
  bool negate = false;
  std::vector<IfaceElem> elems;
  Span span;  // from `on`
  bool operator==(const IfaceMatch&) const = default;
};

struct Endpoint {
  AddrExpr addr;
  std::optional<PortExpr> ports;
  Span span;  // the whole clause
  bool operator==(const Endpoint&) const = default;
};

// A name or a number where the language takes either: `proto gre` or
// `proto 47`, `type echo-request` or `type 8`, `dscp ef` or `dscp 46`.
struct NameOrNumber {
  std::string text;               // the name; empty for a number
  std::optional<Number> number;   // set for a number
  Span span;
  bool operator==(const NameOrNumber&) const = default;
};

// `flags S/SA`: the flag letters as written.
struct TcpFlagsLit {
  Name set;
  std::optional<Name> mask;
  Span span;
  bool operator==(const TcpFlagsLit&) const = default;
};

// `type NAME|N [code NAME|N]`, or `code N` alone.
struct IcmpLit {
  std::optional<NameOrNumber> type, code;
  Span span;
  bool operator==(const IcmpLit&) const = default;
};

// `vlan N` or `vlan OUTER:INNER`.
struct VlanLit {
  Number id;
  std::optional<Number> inner;
  Span span;
  bool operator==(const VlanLit&) const = default;
};

// What a rule matches:
// `[ipv4|ipv6] [PROTO] [from ...] [to ...] [flags ..] [type .. code ..] [dscp ..] [vlan ..] [on ..]`,
// shared by every domain whose rules match packets. Options written twice
// are kept in order (sema reports the second).
struct Match {
  std::optional<uint8_t> family;    // 1 `ipv4`, 2 `ipv6`
  Span family_span;
  std::optional<pir::Proto> proto;  // empty when not written (any), or when `proto_lit`
  std::optional<NameOrNumber> proto_lit;  // `proto NAME|N`; sema resolves it
  Span proto_span;
  std::optional<Endpoint> from, to;
  std::vector<TcpFlagsLit> flags;
  std::vector<IcmpLit> icmp;
  std::vector<NameOrNumber> dscp;
  std::vector<VlanLit> vlan;
  std::vector<IfaceMatch> iface;  // `on`; sema resolves its sets
  bool operator==(const Match&) const = default;
};

struct ModeSetting {
  pir::Mode mode = pir::Mode::Enforce;
  Span span;
  bool operator==(const ModeSetting&) const = default;
};

// A domain block: `KEYWORD [on @group] { ... }`. Each domain derives its
// block from BlockOf<itself> and is told apart by `domain`.
struct Block {
  DomainId domain{};
  Span span;                    // the block keyword
  std::optional<SetRef> scope;  // `on @group`: the interfaces it runs on
  virtual ~Block() = default;
  virtual std::unique_ptr<Block> clone() const = 0;
  virtual bool equals(const Block& other) const = 0;
  bool operator==(const Block&) const = default;
};

template <class Derived>
struct BlockOf : PolyImpl<Derived, Block> {
  BlockOf() { this->domain = Derived::kDomain; }
  bool operator==(const BlockOf&) const = default;
};

// The block as its domain's type, or nullptr when it belongs to another.
template <class T>
const T* as(const Block& b) {
  return b.domain == T::kDomain ? static_cast<const T*>(&b) : nullptr;
}

struct File {
  uint32_t file = 0;  // SourceManager id
  std::vector<SetDecl> sets;
  std::vector<Poly<Block>> blocks;  // in source order
  bool operator==(const File&) const = default;
};

}  // namespace sentinel::ast

namespace sentinel {
class DiagEngine;
}

namespace sentinel::ast {

// The protocol a match names (a keyword, or `proto NAME|N`); nullopt when
// `proto` names an unknown protocol (E0125 when `diags`).
std::optional<pir::Proto> resolve_proto(const Match& m, DiagEngine* diags = nullptr);

// The match options (`ipv4`/`ipv6`, flags, ICMP type and code, dscp, vlan)
// of `m` into `out`, whose protocol is already set. With `diags`, reports
// what does not check out (E0111, E0126..E0130); returns false then. Sema
// and the lowering both call it, so they cannot disagree.
bool resolve_match_options(const Match& m, pir::Match& out, DiagEngine* diags = nullptr);

}  // namespace sentinel::ast
