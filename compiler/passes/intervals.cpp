#include "compiler/passes/intervals.h"

#include <algorithm>

namespace sentinel::passes {

namespace {

unsigned ctz128(u128 v, unsigned bits) {
  if (v == 0) return bits;
  auto low = static_cast<uint64_t>(v);
  if (low) return static_cast<unsigned>(__builtin_ctzll(low));
  return 64 + static_cast<unsigned>(__builtin_ctzll(static_cast<uint64_t>(v >> 64)));
}

unsigned floor_log2(u128 v) {  // v > 0
  auto high = static_cast<uint64_t>(v >> 64);
  if (high) return 127 - static_cast<unsigned>(__builtin_clzll(high));
  return 63 - static_cast<unsigned>(__builtin_clzll(static_cast<uint64_t>(v)));
}

}  // namespace

void IntervalSet::normalize() {
  if (ranges_.size() < 2) return;
  std::sort(ranges_.begin(), ranges_.end(), [](const Range& a, const Range& b) { return a.lo < b.lo; });
  size_t w = 0;
  for (size_t i = 1; i < ranges_.size(); ++i) {
    Range& cur = ranges_[w];
    const Range& nx = ranges_[i];
    // Adjacent ranges merge too: cur.hi + 1 cannot overflow unless cur ends at the top.
    if (nx.lo <= cur.hi || nx.lo - 1 == cur.hi) {
      cur.hi = std::max(cur.hi, nx.hi);
    } else {
      ranges_[++w] = nx;
    }
  }
  ranges_.resize(w + 1);
}

IntervalSet IntervalSet::complement(unsigned bits) const {
  IntervalSet out;
  u128 next = 0;
  bool open = true;  // whether values from `next` on are still uncovered
  for (const auto& r : ranges_) {
    if (r.lo > next) out.ranges_.push_back({next, r.lo - 1});
    if (r.hi == max_value(bits)) {
      open = false;
      break;
    }
    next = r.hi + 1;
  }
  if (open) out.ranges_.push_back({next, max_value(bits)});
  return out;
}

bool contains(Intervals s, u128 v) {
  auto it = std::upper_bound(s.begin(), s.end(), v, [](u128 x, const Range& r) { return x < r.lo; });
  return it != s.begin() && std::prev(it)->hi >= v;
}

bool subset(Intervals a, Intervals b) {
  // Both are normalized, so each range of `a` must sit inside one of `b`'s.
  size_t j = 0;
  for (const auto& r : a) {
    while (j < b.size() && b[j].hi < r.lo) ++j;
    if (j == b.size() || b[j].lo > r.lo || b[j].hi < r.hi) return false;
  }
  return true;
}

Block first_block(u128 lo, u128 hi, unsigned bits) {
  unsigned k = ctz128(lo, bits);
  u128 span = hi - lo;  // the block may hold span + 1 values
  if (span != max_value(128)) k = std::min(k, floor_log2(span + 1));
  k = std::min(k, bits);
  return {lo, static_cast<uint8_t>(bits - k)};
}

bool decompose(Intervals s, unsigned bits, size_t cap, std::vector<Block>& out) {
  size_t n = 0;
  for (const auto& r : s) {
    u128 lo = r.lo;
    while (true) {
      if (++n > cap) return false;
      Block b = first_block(lo, r.hi, bits);
      out.push_back(b);
      u128 end = lo + (max_value(bits - b.len));  // last value of the block
      if (end >= r.hi) break;
      lo = end + 1;
    }
  }
  return true;
}

}  // namespace sentinel::passes
