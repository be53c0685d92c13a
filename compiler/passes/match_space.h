// The exact set of packets a rule matches, in a form where "rule A matches
// every packet rule B matches" is a handful of subset tests. It follows
// compiler/eval/match.cpp (the spec) field by field:
//   family ∈ fams, proto (any or equal), src ∈ src[f], dst ∈ dst[f], and for a
//   rule with ports: a TCP or UDP packet with its L4 header, sport ∈ sport,
//   dport ∈ dport; and the packet's connection state ∈ ct (firewall rules).
// A rule's packet set is then, per family, a product of those components, so
// for non-empty rules inclusion is inclusion of each component.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "compiler/passes/intervals.h"
#include "compiler/pir/pir.h"

namespace sentinel::passes {

inline unsigned family_bits(pir::Family f) { return f == pir::Family::V4 ? 32 : 128; }
inline unsigned family_index(pir::Family f) { return f == pir::Family::V4 ? 0 : 1; }
inline pir::Family family_of_index(unsigned i) { return i == 0 ? pir::Family::V4 : pir::Family::V6; }

// Every packet state (pir::CtState) as a bit: what a rule without `ct` matches.
inline constexpr uint8_t kAllCtStates = 0x1f;

// One concrete packet, as far as rules look at it.
struct Point {
  pir::Family family = pir::Family::V4;
  uint8_t proto = 6;
  u128 src = 0, dst = 0;
  bool l4 = true;  // carries ports: TCP or UDP and not a non-first fragment
  uint16_t sport = 0, dport = 0;
  uint8_t ct = 0;  // the packet's pir::CtState
};

class MatchSpace {
 public:
  // Families in which the rule matches some packet: bit 0 IPv4, bit 1 IPv6.
  // Zero means the rule can never match.
  unsigned fams = 0;
  pir::Proto proto = pir::Proto::Any;
  bool ports = false;  // has a port constraint
  uint8_t ct = kAllCtStates;  // bits of the packet states it matches
  // The match options beyond addresses, ports and protocol (flags, ICMP
  // type and code, dscp, vlan) as one comparable value, all -1 when none,
  // and the interfaces of its `on` (pir::Match). A rule with options covers
  // only rules with the same options, and is never taken to decide a
  // sampled point (which carries none).
  static constexpr std::array<int, 9> kNoExtra{-1, -1, -1, -1, -1, -1, -1, -1, -1};
  std::array<int, 9> extra = kNoExtra;
  std::vector<std::string> ifaces;
  bool iface_negate = false;
  bool has_extra() const { return extra != kNoExtra || !ifaces.empty(); }

  bool empty() const { return fams == 0; }
  // By family index; meaningful when the family's bit is set.
  Intervals src(unsigned i) const { return field(2 * i); }
  Intervals dst(unsigned i) const { return field(2 * i + 1); }
  // All of 0..65535 when the rule has no port constraint.
  Intervals sport() const { return ports ? field(4) : full_ports(); }
  Intervals dport() const { return ports ? field(5) : full_ports(); }

  // Every packet `b` matches, this matches too. Both must be non-empty.
  bool covers(const MatchSpace& b) const;
  bool matches(const Point& p) const;

 private:
  friend MatchSpace match_space(const pir::Match& r, uint8_t ct);
  static Intervals full_ports();
  Intervals field(unsigned f) const { return {ranges_.data() + at_[f], ranges_.data() + at_[f + 1]}; }

  // The six fields' ranges back to back (src4, dst4, src6, dst6, sport,
  // dport): one allocation per rule, which matters at 100,000 rules.
  std::vector<Range> ranges_;
  std::array<uint32_t, 7> at_{};
};

// Every packet of protocol `b` (in the families `b_fams`) has protocol `a`.
bool proto_covers(pir::Proto a, pir::Proto b, unsigned b_fams);

// The addresses of family `f` that `m` accepts, as the evaluator decides.
IntervalSet address_set(const pir::AddrMatch& m, pir::Family f);
// The ports `m` accepts; inverted ranges hold no port.
IntervalSet port_set(const pir::PortMatch& m);

// `ct`: the packet states the rule can see (kAllCtStates for rules without
// `ct`), less those that never reach it; none makes the space empty.
MatchSpace match_space(const pir::Match& m, uint8_t ct = kAllCtStates);

// The point as a packet in the text form of compiler/eval/packet.h.
std::string format_point(const Point& p);

}  // namespace sentinel::passes
