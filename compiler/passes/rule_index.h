// An index of firewall rules by the aligned blocks of their fields, so that
// "which earlier rules could contain this?" costs a few hash lookups instead
// of a walk over every earlier rule.
//
// Each rule is filed, per dimension, under the maximal blocks of its fields
// (a CIDR set's own prefixes; `any` is the /0 block): singly for src, dst and
// dport, and once per (src block, dst block) pair in the pair dimension. A
// rule A can contain a box only if, in every field, one of A's blocks is an
// ancestor-or-self of the box's block there; so the rules filed at the
// ancestors of the query in any one dimension are a complete candidate list.
//
// One field alone rarely narrows much: a policy where a fifth of the rules say
// `from any` and most of the rest `to any` offers tens of thousands of
// candidates in both address dimensions. The pair dimension needs both
// prefixes to be ancestors at once, and a query walks only the (src length,
// dst length) pairs that occur among filed rules, usually a handful, with its
// own prefixes masked to each. A query counts the earlier rules each
// dimension offers and iterates the dimension with the fewest. Rules whose
// fields split into many blocks (a negated /128, a big set) go on a
// per-dimension list that every query of that dimension includes.
//
// Rules are filed in rule order, so every list is sorted and a search for the
// earliest match stops each list at the best found so far. Callers file only
// rules that can decide a packet: a rule covered by an earlier one never
// does, and whatever it covers, the earlier rule covers too.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <utility>
#include <vector>

#include "compiler/passes/match_space.h"

namespace sentinel::passes {

class RuleIndex {
 public:
  // src, dst, dport: the fields a query names. Any one dimension gives a
  // complete candidate list, so the source port, which rarely narrows
  // anything, is left out.
  static constexpr unsigned kDims = 3;
  // The (src, dst) pair dimension, searched beside the kDims single ones.
  static constexpr unsigned kPairDim = kDims;
  // Past this many distinct (src length, dst length) pairs in a family,
  // queries of that family leave the pair dimension out.
  static constexpr size_t kMaxPairLengths = 256;

  // In each field, one block the wanted rules must contain. Addresses are of
  // `family`; ports are 16-bit.
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
  // In the pair dimension, value/len is the src block and value2/len2 the
  // dst block; elsewhere value2 and len2 stay 0.
  struct Key {
    u128 value = 0, value2 = 0;
    uint8_t dim = 0, space = 0, len = 0, len2 = 0;
    bool operator==(const Key&) const = default;
  };
  // The keys live in keys_, beside their lists: a slot is 8 bytes, so the
  // table (several per rule) stays small enough to be cheap to set up.
  struct Slot {
    uint32_t list = UINT32_MAX;  // index into lists_ and keys_; UINT32_MAX when free
    uint32_t tag = 0;            // the hash's high half, to skip most key compares
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
  size_t find_slot(const Key& k, size_t h) const;
  const List* find(const Key& k) const;
  uint32_t intern(const Key& k);
  void file(const Key& k, uint32_t r) { lists_[intern(k)].push_back(r); }
  template <typename Fn>
  void for_ancestors(const Query& q, unsigned dim, Fn&& fn) const;
  template <typename Fn>
  void for_pair_ancestors(const Query& q, Fn&& fn) const;
  static uint64_t count_below(const List& l, uint32_t limit) {
    if (l.empty() || l.back() < limit) return l.size();
    return static_cast<uint64_t>(std::lower_bound(l.begin(), l.end(), limit) - l.begin());
  }

  const std::vector<MatchSpace>& spaces_;
  std::vector<Slot> slots_;
  std::vector<List> lists_;  // one per distinct key
  std::vector<Key> keys_;    // the key of each list
  std::vector<Block> scratch_[kDims][2];  // [dim][space]
  std::array<std::array<bool, 129>, kDims * 2> lengths_{};  // which lengths occur
  // Per family: the (src length, dst length) pairs that occur, and the same
  // as a 129x129 bitmap for the membership test when filing.
  std::vector<std::pair<uint8_t, uint8_t>> pair_lengths_[2];
  std::vector<bool> pair_seen_[2];
  std::array<List, kDims + 1> wide_{};
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
void RuleIndex::for_pair_ancestors(const Query& q, Fn&& fn) const {
  unsigned space = family_index(q.family), bits = family_bits(q.family);
  const Block& s = q.blocks[0];
  const Block& d = q.blocks[1];
  Key k;
  k.dim = static_cast<uint8_t>(kPairDim);
  k.space = static_cast<uint8_t>(space);
  for (auto [ls, ld] : pair_lengths_[space]) {
    if (ls > s.len || ld > d.len) continue;
    k.value = mask_to(s.value, ls, bits);
    k.value2 = mask_to(d.value, ld, bits);
    k.len = ls;
    k.len2 = ld;
    if (const List* l = find(k)) fn(*l);
  }
}

template <typename Fn>
void RuleIndex::for_candidates(const Query& q, uint32_t& limit, Fn&& fn) const {
  // The pair dimension first: it usually offers next to nothing, and then
  // the single dimensions need not even be counted.
  auto ancestors = [&](unsigned d, auto&& f) {
    if (d == kPairDim)
      for_pair_ancestors(q, f);
    else
      for_ancestors(q, d, f);
  };
  // With many distinct length pairs, walking them would cost more than the
  // single dimensions save: those are complete on their own.
  bool pairs = pair_lengths_[family_index(q.family)].size() <= kMaxPairLengths;
  static constexpr unsigned order[] = {kPairDim, 0, 1, 2};
  unsigned best_dim = kPairDim;
  uint64_t best = UINT64_MAX;
  for (unsigned i = pairs ? 0 : 1; i < std::size(order) && best > 0; ++i) {
    unsigned d = order[i];
    uint64_t n = count_below(wide_[d], limit);
    ancestors(d, [&](const List& l) { n += count_below(l, limit); });
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
  ancestors(best_dim, walk);
}

}  // namespace sentinel::passes
