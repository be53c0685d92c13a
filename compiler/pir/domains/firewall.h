// The firewall in the PIR: ordered rules, first match wins, a default.
#pragma once
#include <string>
#include <vector>

#include "compiler/pir/domains/conntrack.h"
#include "compiler/pir/pir.h"

namespace sentinel::pir {

// Reject drops like Deny and answers the sender: a TCP RST for TCP, an ICMP
// or ICMPv6 destination unreachable (port unreachable) for anything else.
enum class FirewallAction : uint8_t { Allow = 0, Deny = 1, Log = 2, Reject = 3 };
const char* to_string(FirewallAction a);

struct FirewallRule {
  std::string id;
  FirewallAction action = FirewallAction::Deny;
  Match match;
  uint8_t ct = 0;  // ct_bit()s of the states it matches; 0: any state
  std::string description;
  Loc loc;
  bool operator==(const FirewallRule&) const = default;
};

// A match the anti-lockout guard keeps passing: the enforcer's management
// access. Packets that match one pass before every rule (after conntrack's
// `established allow`), counted as `management`.
struct FirewallManagement {
  Match match;
  Loc loc;
  bool operator==(const FirewallManagement&) const = default;
};

// `management` without a match: SSH.
Match default_management_match();

struct Firewall : BlockOf<Firewall> {
  static constexpr DomainId kDomain = DomainId::firewall;
  FirewallAction default_action = FirewallAction::Allow;  // Allow or Deny
  Mode mode = Mode::Enforce;
  std::vector<FirewallManagement> management;  // the anti-lockout guard; empty: none
  std::vector<FirewallRule> rules;  // first match wins
  bool operator==(const Firewall&) const = default;

  void print(std::string& out) const override;
  void parse_header(TextLine& in) override;
  void parse_item(std::string_view keyword, TextLine& in) override;
};

}  // namespace sentinel::pir
