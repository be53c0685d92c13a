// An index of firewall rules by the aligned blocks of their fields, so that
// "which earlier rules could contain this?" costs a few hash lookups instead
// of a walk over every earlier rule.
//
// Each rule is filed, per dimension (src, dst, dport), under the
// maximal blocks of that field's set (a CIDR set's own prefixes; `any` is
// the /0 block). A rule A can contain a box only if, in every dimension, one
// of A's blocks is an ancestor-or-self of the box's block there; so the rules
// filed at the ancestors of the query block in any one dimension are a
// complete candidate list. A query walks only the prefix lengths that occur,
// counts the earlier rules each dimension offers, and iterates the dimension
// with the fewest. Rules whose field splits into many blocks (a negated /128,
// a big set) go on a per-dimension list that every query includes.
//
// Rules are filed in rule order, so every list is sorted and a search for the
// earliest match stops each list at the best found so far. Callers file only
// rules that can decide a packet: a rule covered by an earlier one never
// does, and whatever it covers, the earlier rule covers too.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <vector>

#include "compiler/passes/match_space.h"

namespace sentinel::passes {

class RuleIndex {
 public:
  // src, dst, dport. Any one dimension gives a complete candidate list, so
  // the source port, which rarely narrows anything, is left out.
  static constexpr unsigned kDims = 3;

  // In each dimension, one block the wanted rules must contain. Addresses
  // are of `family`; ports are 16-bit.
  struct Query {
    pir::Family family = pir::Family::V4;
    std::array<Block, kDims> blocks{};
  };

  // `spaces` must outlive the index.
  explicit RuleIndex(const std::vector<MatchSpace>& spaces);

  // Files rule `r` (a non-empty space, after every rule filed so far).
  void insert(uint32_t r);

  // Calls fn(rule) for a superset of the filed rules below `limit` that
  // contain the query, in increasing order within each list; a list stops at
  // `limit`, which fn may lower (to the best match found so far).
  template <typename Fn>
  void for_candidates(const Query& q, uint32_t& limit, Fn&& fn) const;

  // The box of a non-empty space: its first block in each field.
  static Query box_query(const MatchSpace& m);
  static Query point_query(const Point& p);

 private:
  struct Key {
    u128 value = 0;
    uint8_t dim = 0, space = 0, len = 0;
    bool operator==(const Key&) const = default;
  };
  struct Slot {
    Key key;
    uint32_t list = UINT32_MAX;  // index into lists_; UINT32_MAX when free
  };
  using List = std::vector<uint32_t>;  // rules, in order

  static unsigned space_of(unsigned dim, pir::Family f) { return dim < 2 ? family_index(f) : 0; }
  static unsigned bits_of(unsigned dim, pir::Family f) { return dim < 2 ? family_bits(f) : 16; }
  static unsigned slot(unsigned dim, unsigned space) { return dim * 2 + space; }
  static u128 mask_to(u128 v, unsigned len, unsigned bits) {
    return len == 0 ? 0 : v & ~max_value(bits - len);
  }
  static size_t hash(const Key& k);

  // Open addressing over slots_, a power of two long and at most half full.
  size_t find_slot(const Key& k) const;
  const List* find(const Key& k) const;
  uint32_t intern(const Key& k);
  template <typename Fn>
  void for_ancestors(const Query& q, unsigned dim, Fn&& fn) const;
  static uint64_t count_below(const List& l, uint32_t limit) {
    if (l.empty() || l.back() < limit) return l.size();
    return static_cast<uint64_t>(std::lower_bound(l.begin(), l.end(), limit) - l.begin());
  }

  const std::vector<MatchSpace>& spaces_;
  std::vector<Slot> slots_;
  std::vector<List> lists_;  // one per distinct key
  std::vector<Block> scratch_[2];
  std::array<std::array<bool, 129>, kDims * 2> lengths_{};  // which lengths occur
  std::array<List, kDims> wide_{};
};

template <typename Fn>
void RuleIndex::for_ancestors(const Query& q, unsigned dim, Fn&& fn) const {
  unsigned space = space_of(dim, q.family), bits = bits_of(dim, q.family);
  const auto& present = lengths_[slot(dim, space)];
  const Block& b = q.blocks[dim];
  Key k;
  k.dim = static_cast<uint8_t>(dim);
  k.space = static_cast<uint8_t>(space);
  for (unsigned len = 0; len <= b.len; ++len) {
    if (!present[len]) continue;
    k.value = mask_to(b.value, len, bits);
    k.len = static_cast<uint8_t>(len);
    if (const List* l = find(k)) fn(*l);
  }
}

template <typename Fn>
void RuleIndex::for_candidates(const Query& q, uint32_t& limit, Fn&& fn) const {
  unsigned best_dim = 0;
  uint64_t best = UINT64_MAX;
  for (unsigned d = 0; d < kDims && best > 0; ++d) {
    uint64_t n = count_below(wide_[d], limit);
    for_ancestors(q, d, [&](const List& l) { n += count_below(l, limit); });
    if (n < best) {
      best = n;
      best_dim = d;
    }
  }
  if (best == 0) return;
  auto walk = [&](const List& l) {
    for (size_t i = 0; i < l.size() && l[i] < limit; ++i) fn(l[i]);
  };
  walk(wide_[best_dim]);
  for_ancestors(q, best_dim, walk);
}

}  // namespace sentinel::passes
