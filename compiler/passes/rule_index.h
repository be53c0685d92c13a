// An index of firewall rules by the aligned blocks of their fields, so that
// "which earlier rules could contain this?" costs a few hash lookups instead
// of a walk over every earlier rule.
//
// Each rule is filed, per dimension (src, dst, sport, dport), under the
// maximal blocks of that field's set (a CIDR set's own prefixes; `any` is
// the /0 block). A rule A can contain a box only if, in every dimension, one
// of A's blocks is an ancestor-or-self of the box's block there; so the rules
// filed at the ancestors of the query block in any one dimension are a
// complete candidate list. The query walks only prefix lengths that occur,
// and iterates the dimension with the fewest candidates. Rules whose field
// splits into many blocks (a negated /128, a big set) are kept on a short
// per-dimension list that every query includes.
#pragma once
#include <array>
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "compiler/passes/match_space.h"

namespace sentinel::passes {

class RuleIndex {
 public:
  static constexpr unsigned kDims = 4;  // src, dst, sport, dport

  // A query: in each dimension, one block the wanted rules must contain.
  // Addresses use `family`; ports are 16-bit.
  struct Query {
    pir::Family family = pir::Family::V4;
    std::array<Block, kDims> blocks{};
  };

  explicit RuleIndex(const std::vector<MatchSpace>& spaces) : spaces_(spaces) {}

  // Files rule `r` (a non-empty space) under its blocks.
  void insert(uint32_t r);

  // Calls fn(rule) for a superset of the filed rules that contain the query.
  template <typename Fn>
  void for_candidates(const Query& q, Fn&& fn) const;

  // A query for the box of `m` (non-empty): its first block in each field.
  static Query box_query(const MatchSpace& m);
  static Query point_query(const Point& p);

 private:
  struct Key {
    u128 value;
    uint8_t dim, space, len;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const {
      auto lo = static_cast<uint64_t>(k.value), hi = static_cast<uint64_t>(k.value >> 64);
      uint64_t h = (lo ^ (hi * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
      h ^= (uint64_t(k.dim) << 16 | uint64_t(k.space) << 8 | k.len) * 0xc4ceb9fe1a85ec53ull;
      return static_cast<size_t>(h ^ (h >> 29));
    }
  };
  struct Bucket {
    uint32_t head = UINT32_MAX;  // newest entry; entries chain to older ones
    uint32_t count = 0;
  };
  struct Entry {
    uint32_t rule, next;
  };

  static unsigned space_of(unsigned dim, pir::Family f) {
    return dim < 2 ? family_index(f) : 0;
  }
  static unsigned bits_of(unsigned dim, pir::Family f) {
    return dim < 2 ? family_bits(f) : 16;
  }
  // Slot of (dim, space) in `lengths_`.
  static unsigned slot(unsigned dim, unsigned space) { return dim * 2 + space; }
  static u128 mask_to(u128 v, unsigned len, unsigned bits) {
    return len == 0 ? 0 : v & ~max_value(bits - len);
  }

  void file(uint32_t r, unsigned dim, unsigned space, const std::vector<Block>& blocks);
  template <typename Fn>
  void for_ancestors(const Query& q, unsigned dim, Fn&& fn) const;

  const std::vector<MatchSpace>& spaces_;
  std::unordered_map<Key, Bucket, KeyHash> buckets_;
  std::vector<Entry> entries_;
  // Which prefix lengths occur per (dim, space): queries skip the others.
  std::array<std::array<bool, 129>, kDims * 2> lengths_{};
  std::array<std::vector<uint32_t>, kDims> wide_;
};

template <typename Fn>
void RuleIndex::for_ancestors(const Query& q, unsigned dim, Fn&& fn) const {
  unsigned space = space_of(dim, q.family), bits = bits_of(dim, q.family);
  const auto& present = lengths_[slot(dim, space)];
  const Block& b = q.blocks[dim];
  for (unsigned len = 0; len <= b.len; ++len) {
    if (!present[len]) continue;
    auto it = buckets_.find(Key{mask_to(b.value, len, bits), static_cast<uint8_t>(dim),
                                static_cast<uint8_t>(space), static_cast<uint8_t>(len)});
    if (it != buckets_.end()) fn(it->second);
  }
}

template <typename Fn>
void RuleIndex::for_candidates(const Query& q, Fn&& fn) const {
  unsigned best_dim = 0;
  uint64_t best = UINT64_MAX;
  for (unsigned d = 0; d < kDims; ++d) {
    uint64_t n = wide_[d].size();
    for_ancestors(q, d, [&](const Bucket& b) { n += b.count; });
    if (n < best) {
      best = n;
      best_dim = d;
    }
    if (best == 0) return;
  }
  for (uint32_t r : wide_[best_dim]) fn(r);
  for_ancestors(q, best_dim, [&](const Bucket& b) {
    for (uint32_t e = b.head; e != UINT32_MAX; e = entries_[e].next) fn(entries_[e].rule);
  });
}

}  // namespace sentinel::passes
