// W0201's facts: a rule that one earlier rule fully covers is never reached.
// The wording is each domain's (passes/domains/).
//
// Pairwise checks are quadratic and the bench compiles 100,000 rules, so the
// earlier rules sit in a RuleIndex: for each rule only the few that could
// contain it are checked exactly (MatchSpace::covers). Only a single earlier
// rule counts; a rule covered by the union of several is not reported.
#include <algorithm>
#include <optional>

#include "compiler/passes/analyses.h"
#include "compiler/passes/match_space.h"
#include "compiler/passes/rule_index.h"

namespace sentinel::passes {

namespace {

// Values worth showing from a set: `preferred` when the set holds it, then
// a host rather than a network address where possible, then the edges.
std::vector<u128> sample_values(Intervals s, size_t max, std::optional<u128> preferred = {}) {
  std::vector<u128> out;
  auto push = [&](u128 v) {
    if (out.size() < max && std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
  };
  if (preferred && contains(s, *preferred)) push(*preferred);
  const Range& first = s.front();
  const Range& last = s.back();
  if (first.hi > first.lo) push(first.lo + 1);
  push(first.lo);
  push(last.hi);
  push(last.lo);
  return out;
}

// Documentation addresses (RFC 5737, RFC 3849) stand for "any address" in a
// witness better than 0.0.0.1 does.
u128 example_addr(pir::Family f, bool dst) {
  if (f == pir::Family::V4) return dst ? 0xc6336401u : 0xc0000201u;  // 198.51.100.1, 192.0.2.1
  return (static_cast<u128>(0x20010db8u) << 96) | (dst ? 2 : 1);      // 2001:db8::2, 2001:db8::1
}

std::vector<uint16_t> sample_ports(Intervals s, uint16_t preferred) {
  std::vector<uint16_t> out;
  if (contains(s, preferred)) out.push_back(preferred);
  for (u128 v : sample_values(s, 3))
    if (std::find(out.begin(), out.end(), static_cast<uint16_t>(v)) == out.end())
      out.push_back(static_cast<uint16_t>(v));
  return out;
}

// The protocols and L4 shapes of packets `b` matches, most telling first.
struct Shape {
  uint8_t proto;
  bool l4;
};
std::vector<Shape> sample_shapes(const MatchSpace& b, pir::Family f) {
  switch (b.proto) {
    case pir::Proto::Tcp: return b.ports ? std::vector<Shape>{{6, true}} : std::vector<Shape>{{6, true}, {6, false}};
    case pir::Proto::Udp: return b.ports ? std::vector<Shape>{{17, true}} : std::vector<Shape>{{17, true}, {17, false}};
    case pir::Proto::Icmp: return {{1, false}};
    case pir::Proto::Icmpv6: return {{58, false}};
    case pir::Proto::IcmpAny: return {{f == pir::Family::V4 ? uint8_t(1) : uint8_t(58), false}};
    case pir::Proto::Any: break;
    default: return {{static_cast<uint8_t>(b.proto), false}};
  }
  if (b.ports) return {{6, true}, {17, true}};
  return {{6, true}, {17, true}, {f == pir::Family::V4 ? uint8_t(1) : uint8_t(58), false}, {6, false}, {47, false}};
}

// What covers() needs first, packed so that rejecting a candidate touches
// one small record: most candidates fail here.
struct Summary {
  uint8_t fams = 0;
  pir::Proto proto = pir::Proto::Any;
  bool ports = false;
  uint16_t sport_lo = 0, sport_hi = 0, dport_lo = 0, dport_hi = 0;

  explicit Summary(const MatchSpace& m)
      : fams(static_cast<uint8_t>(m.fams)), proto(m.proto), ports(m.ports) {
    if (m.empty()) return;
    sport_lo = static_cast<uint16_t>(m.sport().front().lo);
    sport_hi = static_cast<uint16_t>(m.sport().back().hi);
    dport_lo = static_cast<uint16_t>(m.dport().front().lo);
    dport_hi = static_cast<uint16_t>(m.dport().back().hi);
  }
  // Necessary for `this` to cover `b`: the hulls of b's ports lie in ours.
  bool may_cover(const Summary& b) const {
    return (b.fams & fams) == b.fams && proto_covers(proto, b.proto, b.fams) &&
           (!ports || (b.ports && sport_lo <= b.sport_lo && b.sport_hi <= sport_hi &&
                       dport_lo <= b.dport_lo && b.dport_hi <= dport_hi));
  }
};

class ShadowFinder {
 public:
  explicit ShadowFinder(const std::vector<RuleRef>& rules)
      : spaces_(spaces_of(rules)), summaries_(spaces_.begin(), spaces_.end()), index_(spaces_) {}

  std::vector<Shadowing> run() {
    std::vector<Shadowing> out;
    for (uint32_t b = 0; b < spaces_.size(); ++b) {
      const MatchSpace& sb = spaces_[b];
      // Rules that never match are W0203's business, not shadowed ones.
      if (sb.empty()) continue;
      uint32_t by = b;
      index_.for_candidates(RuleIndex::box_query(sb), by, [&](uint32_t a) {
        if (summaries_[a].may_cover(summaries_[b]) && spaces_[a].covers(sb)) by = a;
      });
      if (by != b)
        out.push_back(witness(b, by));
      else
        index_.insert(b);
    }
    return out;
  }

 private:
  static std::vector<MatchSpace> spaces_of(const std::vector<RuleRef>& rules) {
    std::vector<MatchSpace> out;
    out.reserve(rules.size());
    for (const auto& r : rules) out.push_back(match_space(*r.match, r.ct));
    return out;
  }

  // The earliest rule up to `last` that matches `p`.
  uint32_t decider(const Point& p, uint32_t last) const {
    uint32_t best = last + 1;
    index_.for_candidates(RuleIndex::point_query(p), best, [&](uint32_t r) {
      if (spaces_[r].matches(p)) best = r;
    });
    return best;
  }

  // A packet of `b` that `by` decides when one is easy to find; otherwise a
  // packet of `b`, named with the earlier rule that takes it.
  Shadowing witness(uint32_t b, uint32_t by) const {
    const MatchSpace& sb = spaces_[b];
    std::optional<Point> fallback;
    uint32_t fallback_decider = by;
    int budget = 256;
    uint8_t ct = 0;  // the first packet state b matches
    while (!(sb.ct & (1u << ct))) ++ct;
    for (unsigned i = 0; i < 2; ++i) {
      if (!(sb.fams & (1u << i))) continue;
      pir::Family f = family_of_index(i);
      for (Shape shape : sample_shapes(sb, f)) {
        for (u128 src : sample_values(sb.src(i), 4, example_addr(f, false))) {
          for (u128 dst : sample_values(sb.dst(i), 4, example_addr(f, true))) {
            for (uint16_t sport : shape.l4 ? sample_ports(sb.sport(), 1024) : std::vector<uint16_t>{0}) {
              for (uint16_t dport : shape.l4 ? sample_ports(sb.dport(), 80) : std::vector<uint16_t>{0}) {
                Point p{f, shape.proto, src, dst, shape.l4, sport, dport, ct};
                uint32_t d = decider(p, by);
                if (d == by) return {b, by, format_point(p), by, ct};
                if (!fallback) {
                  fallback = p;
                  fallback_decider = d;
                }
                if (--budget == 0) return {b, by, format_point(*fallback), fallback_decider, ct};
              }
            }
          }
        }
      }
    }
    return {b, by, format_point(*fallback), fallback_decider, ct};
  }

  std::vector<MatchSpace> spaces_;
  std::vector<Summary> summaries_;
  RuleIndex index_;
};

}  // namespace

std::vector<Shadowing> find_shadowed_rules(const std::vector<RuleRef>& rules) {
  return ShadowFinder(rules).run();
}

}  // namespace sentinel::passes
