// PIR -> firewall dataplane plan: expands every rule into tuple-space
// entries (see sentinel/abi/firewall.h) while keeping exact first-match.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

#include "compiler/dplan/firewall_plan.h"
#include "compiler/pir/pir.h"

namespace sentinel::lower {

// The plan would not fit the ABI limits (too many tuples, too many entries).
// The message says which limit and by how much; it is meant for the user.
struct LowerError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Past this many key entries the key map would take more kernel memory than
// any sane firewall needs; it signals a rule with a cross product gone wild.
inline constexpr uint64_t kMaxFirewallEntries = 4u << 20;

// Throws LowerError when a limit is exceeded.
dplan::FirewallPlan lower_firewall(const pir::Policy& policy);

namespace detail {

// Minimal list of (value, prefix length) covering [lo, hi] in a `bits`-wide
// space (bits <= 128).
std::vector<std::pair<unsigned __int128, unsigned>> prefix_cover(unsigned __int128 lo,
                                                                 unsigned __int128 hi,
                                                                 unsigned bits);

// Minimal prefix list for a set of address prefixes of one family, or for its
// complement when `negate`. Overlaps and adjacent prefixes are merged first.
std::vector<pir::Cidr> address_cover(const std::vector<pir::Cidr>& cidrs, pir::Family family,
                                     bool negate);

// (value, mask) pairs covering the union of `ranges` exactly.
std::vector<std::pair<uint16_t, uint16_t>> port_cover(const std::vector<pir::PortRange>& ranges);

}  // namespace detail

}  // namespace sentinel::lower
