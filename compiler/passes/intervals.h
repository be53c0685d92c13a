// Sets of integers as sorted interval lists: the exact form of an address or
// port constraint, in which "covers" is a subset test. Addresses are values of
// their family's width (32 or 128 bits), ports of 16 bits.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace sentinel::passes {

using u128 = unsigned __int128;

inline u128 max_value(unsigned bits) {
  return bits >= 128 ? ~static_cast<u128>(0) : (static_cast<u128>(1) << bits) - 1;
}

struct Range {
  u128 lo = 0, hi = 0;  // inclusive
};

// An aligned block: the values sharing the top `len` bits of `value`, i.e. a
// CIDR prefix (or a port prefix). Host bits of `value` are clear.
struct Block {
  u128 value = 0;
  uint8_t len = 0;
};

// A normalized interval list held elsewhere: sorted, disjoint, never adjacent.
using Intervals = std::span<const Range>;

bool contains(Intervals s, u128 v);
bool subset(Intervals a, Intervals b);

// Builds a normalized interval list.
class IntervalSet {
 public:
  static IntervalSet full(unsigned bits) {
    IntervalSet s;
    s.ranges_.push_back({0, max_value(bits)});
    return s;
  }
  // Add in any order, then normalize() once.
  void add(u128 lo, u128 hi) { ranges_.push_back({lo, hi}); }
  // Sorts and merges overlapping and adjacent ranges.
  void normalize();
  IntervalSet complement(unsigned bits) const;

  bool empty() const { return ranges_.empty(); }
  bool contains(u128 v) const { return passes::contains(ranges_, v); }
  bool subset_of(const IntervalSet& o) const { return subset(ranges_, o.ranges_); }
  const std::vector<Range>& ranges() const { return ranges_; }

 private:
  std::vector<Range> ranges_;  // sorted, disjoint, never adjacent
};

// The largest aligned block that starts at `lo` and ends at or before `hi`.
Block first_block(u128 lo, u128 hi, unsigned bits);

// Appends the maximal aligned blocks whose disjoint union is `s`. Any aligned
// block inside `s` lies inside exactly one of them, which is what makes them
// index keys. Returns false (and appends nothing more) past `cap` blocks.
bool decompose(Intervals s, unsigned bits, size_t cap, std::vector<Block>& out);

}  // namespace sentinel::passes
