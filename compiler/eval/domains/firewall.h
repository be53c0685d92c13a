// The firewall's semantics: the first rule that matches the packet (its
// fields and, with connection tracking, its state) decides; otherwise the
// default. With conntrack's `established allow`, established and related
// packets pass before any rule.
#pragma once
#include <string>
#include <vector>

#include "compiler/eval/eval.h"
#include "compiler/pir/domains/firewall.h"

namespace sentinel::eval::firewall {

struct Decision {
  int rule = -1;            // -1: the default (or `established`)
  bool established = false; // passed before the rules by `established allow`
  bool management = false;  // passed before the rules by the anti-lockout guard
  pir::FirewallAction action = pir::FirewallAction::Allow;
  bool dropped = false;     // what XDP does: deny or reject in enforce mode
  std::string answer;       // reject in enforce mode: the answer sent (reject_answer), or "" when none
  std::vector<Miss> misses; // when tracing
};

// Why `r` does not match a packet in state `ct`; empty when it matches.
std::string mismatch(const pir::FirewallRule& r, const Packet& pkt, pir::CtState ct = pir::CtState::Untracked);

Decision decide(const pir::Firewall& fw, const Packet& pkt, pir::CtState ct, bool accept_established,
                bool trace = false);

// The pseudo-rules the firewall counts besides its rules; no rule may take
// these ids (sema).
inline constexpr const char* kDefaultId = "default";
inline constexpr const char* kEstablishedId = "established";
inline constexpr const char* kMalformedId = "malformed";
inline constexpr const char* kManagementId = "management";

// `reject` answers each source at most once per kRejectIntervalNs, in
// bursts of up to kRejectBurst (a token bucket per source address; over it,
// the packet is only dropped).
inline constexpr uint64_t kRejectIntervalNs = 100'000'000;
inline constexpr uint32_t kRejectBurst = 10;

// The answer `reject` sends for a packet, when it may send one at all:
// "tcp-rst", "icmp-unreachable", "icmpv6-unreachable"; empty when none
// (a RST, an ICMP error, a non-first fragment, multicast or broadcast).
std::string reject_answer(const Packet& pkt);

}  // namespace sentinel::eval::firewall
