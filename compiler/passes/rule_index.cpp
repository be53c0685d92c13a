#include "compiler/passes/rule_index.h"

namespace sentinel::passes {

namespace {
// Past this many blocks in one field a rule goes on the dimension's wide list:
// a negated /128 splits into 128 blocks, a negated /32 into 32.
constexpr size_t kMaxBlocks = 160;
// Past this many (src block, dst block) pairs in one family a rule goes on the
// pair dimension's wide list instead: a three-prefix set to `any` files three
// pairs, a negated /32 to a negated /32 would file 1024.
constexpr size_t kMaxPairs = 64;
}  // namespace

size_t RuleIndex::hash(const Key& k) {
  auto lo = static_cast<uint64_t>(k.value), hi = static_cast<uint64_t>(k.value >> 64);
  auto lo2 = static_cast<uint64_t>(k.value2), hi2 = static_cast<uint64_t>(k.value2 >> 64);
  uint64_t h = lo ^ (hi * 0x9e3779b97f4a7c15ull) ^ ((lo2 ^ (hi2 * 0xbf58476d1ce4e5b9ull)) * 0x94d049bb133111ebull) ^
               ((uint64_t(k.dim) << 24 | uint64_t(k.space) << 16 | uint64_t(k.len) << 8 | k.len2) *
                0xc4ceb9fe1a85ec53ull);
  // murmur3's finalizer: every input bit reaches the low bits used as index.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  return static_cast<size_t>(h ^ (h >> 33));
}

size_t RuleIndex::find_slot(const Key& k, size_t h) const {
  size_t mask = slots_.size() - 1;
  auto tag = static_cast<uint32_t>(h >> 32);
  for (size_t i = h & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.list == UINT32_MAX || (s.tag == tag && keys_[s.list] == k)) return i;
  }
}

const RuleIndex::List* RuleIndex::find(const Key& k) const {
  const Slot& s = slots_[find_slot(k, hash(k))];
  return s.list == UINT32_MAX ? nullptr : &lists_[s.list];
}

uint32_t RuleIndex::intern(const Key& k) {
  size_t h = hash(k);
  size_t i = find_slot(k, h);
  if (slots_[i].list != UINT32_MAX) return slots_[i].list;
  if ((lists_.size() + 1) * 2 > slots_.size()) {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (s.list == UINT32_MAX) continue;
      size_t j = hash(keys_[s.list]) & mask;
      while (slots_[j].list != UINT32_MAX) j = (j + 1) & mask;
      slots_[j] = s;
    }
    i = find_slot(k, h);
  }
  slots_[i] = {static_cast<uint32_t>(lists_.size()), static_cast<uint32_t>(h >> 32)};
  lists_.push_back({});
  keys_.push_back(k);
  return slots_[i].list;
}

RuleIndex::RuleIndex(const std::vector<MatchSpace>& spaces) : spaces_(spaces) {
  // Usually about two distinct keys per rule (its source and its address
  // pair): size for that up front rather than rehash and move lists while
  // filing.
  size_t slots = 1024;
  while (slots < spaces.size() * 4) slots *= 2;
  slots_.resize(slots);
  lists_.reserve(spaces.size() * 2 + 64);
  keys_.reserve(spaces.size() * 2 + 64);
  for (auto& seen : pair_seen_) seen.assign(129 * 129, false);
}

void RuleIndex::insert(uint32_t r) {
  const MatchSpace& m = spaces_[r];
  // The blocks of each field, per address family for src and dst.
  bool fits[kDims] = {true, true, true};
  for (unsigned dim = 0; dim < kDims; ++dim) {
    scratch_[dim][0].clear();
    scratch_[dim][1].clear();
    if (dim < 2) {
      for (unsigned i = 0; i < 2 && fits[dim]; ++i)
        if (m.fams & (1u << i))
          fits[dim] = decompose(dim == 0 ? m.src(i) : m.dst(i), family_bits(family_of_index(i)), kMaxBlocks,
                                scratch_[dim][i]);
    } else {
      fits[dim] = decompose(m.dport(), 16, kMaxBlocks, scratch_[dim][0]);
    }
  }

  for (unsigned dim = 0; dim < kDims; ++dim) {
    if (!fits[dim]) {
      wide_[dim].push_back(r);
      continue;
    }
    for (unsigned space = 0; space < 2; ++space)
      for (const Block& b : scratch_[dim][space]) {
        lengths_[slot(dim, space)][b.len] = true;
        file(Key{b.value, 0, static_cast<uint8_t>(dim), static_cast<uint8_t>(space), b.len, 0}, r);
      }
  }

  bool pairs_fit = fits[0] && fits[1];
  for (unsigned space = 0; space < 2 && pairs_fit; ++space)
    pairs_fit = scratch_[0][space].size() * scratch_[1][space].size() <= kMaxPairs;
  if (!pairs_fit) {
    wide_[kPairDim].push_back(r);
    return;
  }
  for (unsigned space = 0; space < 2; ++space)
    for (const Block& s : scratch_[0][space])
      for (const Block& d : scratch_[1][space]) {
        size_t at = size_t(s.len) * 129 + d.len;
        if (!pair_seen_[space][at]) {
          pair_seen_[space][at] = true;
          pair_lengths_[space].emplace_back(s.len, d.len);
        }
        file(Key{s.value, d.value, static_cast<uint8_t>(kPairDim), static_cast<uint8_t>(space), s.len, d.len}, r);
      }
}

RuleIndex::Query RuleIndex::box_query(const MatchSpace& m) {
  Query q;
  unsigned i = (m.fams & 1u) ? 0 : 1;
  q.family = family_of_index(i);
  unsigned bits = family_bits(q.family);
  auto first = [](Intervals s, unsigned w) { return first_block(s.front().lo, s.front().hi, w); };
  q.blocks[0] = first(m.src(i), bits);
  q.blocks[1] = first(m.dst(i), bits);
  q.blocks[2] = first(m.dport(), 16);
  return q;
}

RuleIndex::Query RuleIndex::point_query(const Point& p) {
  Query q;
  q.family = p.family;
  uint8_t bits = static_cast<uint8_t>(family_bits(p.family));
  q.blocks[0] = {p.src, bits};
  q.blocks[1] = {p.dst, bits};
  // A packet without ports is matched only by rules without a port
  // constraint, which are filed under the /0 port block.
  q.blocks[2] = p.l4 ? Block{p.dport, 16} : Block{0, 0};
  return q;
}

}  // namespace sentinel::passes
