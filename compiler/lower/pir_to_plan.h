// PIR -> dataplane plans: what every domain's lowering (lower/plan/<domain>.h)
// shares, above all the classifier (lower/plan/classifier.cpp) that expands
// rules into records and decision trees with exact first match.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "compiler/dplan/classifier.h"
#include "compiler/pir/pir.h"

namespace sentinel::lower {

// The plan would not fit the ABI limits (too many records).
// The message says which limit and by how much; it is meant for the user.
struct LowerError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Past this many records the classifier would take more kernel memory than
// any sane policy needs; it signals a rule with a cross product gone wild.
inline constexpr uint64_t kMaxClassifierEntries = 4u << 20;

// One rule for the classifier: its match and the packet states it matches
// (ct_bit()s; 0: any state).
struct ClsRule {
  const std::string* id;
  const pir::Match* match;
  uint8_t ct = 0;
};

// Throws LowerError naming `domain` and the rule when a limit is exceeded.
dplan::ClassifierPlan build_classifier(const std::string& domain, const std::vector<ClsRule>& rules);

namespace detail {

// Minimal list of (value, prefix length) covering [lo, hi] in a `bits`-wide
// space (bits <= 128).
std::vector<std::pair<unsigned __int128, unsigned>> prefix_cover(unsigned __int128 lo, unsigned __int128 hi,
                                                                 unsigned bits);

// Minimal prefix list for a set of address prefixes of one family, or for its
// complement when `negate`. Overlaps and adjacent prefixes are merged first.
std::vector<pir::Cidr> address_cover(const std::vector<pir::Cidr>& cidrs, pir::Family family, bool negate);

// The union of `ranges` as sorted, disjoint, non-adjacent ranges.
std::vector<std::pair<uint16_t, uint16_t>> port_ranges(const std::vector<pir::PortRange>& ranges);

}  // namespace detail

}  // namespace sentinel::lower
