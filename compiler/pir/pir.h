// Policy IR: typed, resolved, domain-neutral at the top level. Every stage
// after sema works on this; it prints to text and parses back losslessly
// (parse(print(p)) == p; the form is described in print.cpp), which is how
// bundles carry the policy and how the enforcer reads the live policy back
// from the kernel.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compiler/pir/addr.h"

namespace sentinel::pir {

// Source location carried for explain, diff and diagnostics after sema.
struct Loc {
  std::string file;
  uint32_t line = 0;
  uint32_t col = 0;
  bool operator==(const Loc&) const = default;
};

enum class SetKind : uint8_t { Cidr, Port };

struct Set {
  std::string name;
  SetKind kind = SetKind::Cidr;
  std::vector<Cidr> cidrs;       // kind == Cidr, in source order, deduplicated
  std::vector<PortRange> ports;  // kind == Port
  Loc loc;
  bool operator==(const Set&) const = default;
};

// An address constraint. `any` matches every address of the rule's families.
// Otherwise the packet address must lie in one of `cidrs` (of its own family),
// or, with `negate`, in none of them.
struct AddrMatch {
  bool any = true;
  bool negate = false;
  std::vector<Cidr> cidrs;  // resolved: literal elements and set elements
  std::string set;          // the set it came from, for printing; empty for literals
  bool operator==(const AddrMatch&) const = default;
};

struct PortMatch {
  bool any = true;
  std::vector<PortRange> ranges;
  std::string set;
  bool operator==(const PortMatch&) const = default;
};

enum class Proto : uint8_t { Any = 0, Icmp = 1, Tcp = 6, Udp = 17, Icmpv6 = 58 };
enum class Action : uint8_t { Allow = 0, Deny = 1, Log = 2 };
enum class Mode : uint8_t { Enforce = 0, Audit = 1 };

struct Rule {
  std::string id;
  Action action = Action::Deny;
  Proto proto = Proto::Any;
  AddrMatch src, dst;
  PortMatch sport, dport;
  std::string description;
  Loc loc;
  bool operator==(const Rule&) const = default;
  // The families this rule can match: bit 0 IPv4, bit 1 IPv6. Derived from
  // the address constraints and the protocol; sema rejects rules where it is 0.
  unsigned families() const;
  bool has_ports() const { return !sport.any || !dport.any; }
};

struct Firewall {
  bool present = false;
  Action default_action = Action::Allow;  // Allow or Deny
  Mode mode = Mode::Enforce;
  std::vector<Rule> rules;  // first match wins
  Loc loc;
  bool operator==(const Firewall&) const = default;
};

struct Policy {
  std::vector<Set> sets;  // sorted by name
  Firewall firewall;
  bool operator==(const Policy&) const = default;
  const Set* find_set(std::string_view name) const;
};

const char* to_string(Proto p);
const char* to_string(Action a);
const char* to_string(Mode m);

// A match as the policy language writes it: `any`, `@trusted`, `!10.0.0.0/8`,
// `{80, 8000..8099}`. For messages: explain, diagnostics, plans.
std::string source_text(const AddrMatch& m);
std::string source_text(const PortMatch& m);

// Canonical text. Deterministic: the same policy always prints the same bytes.
std::string print(const Policy& p);
// Parses the text print() produces. On failure returns nullopt and sets
// `error` to "line N: problem".
std::optional<Policy> parse(std::string_view text, std::string* error);

}  // namespace sentinel::pir
