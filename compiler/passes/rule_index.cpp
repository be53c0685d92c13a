#include "compiler/passes/rule_index.h"

namespace sentinel::passes {

namespace {
// Past this many blocks in one field a rule goes on the dimension's wide list:
// a negated /128 splits into 128 blocks, a negated /32 into 32.
constexpr size_t kMaxBlocks = 160;
}  // namespace

size_t RuleIndex::hash(const Key& k) {
  auto lo = static_cast<uint64_t>(k.value), hi = static_cast<uint64_t>(k.value >> 64);
  uint64_t h = lo ^ (hi * 0x9e3779b97f4a7c15ull) ^
               ((uint64_t(k.dim) << 16 | uint64_t(k.space) << 8 | k.len) * 0xc4ceb9fe1a85ec53ull);
  // murmur3's finalizer: every input bit reaches the low bits used as index.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  return static_cast<size_t>(h ^ (h >> 33));
}

size_t RuleIndex::find_slot(const Key& k) const {
  size_t mask = slots_.size() - 1;
  for (size_t i = hash(k) & mask;; i = (i + 1) & mask)
    if (slots_[i].list == UINT32_MAX || slots_[i].key == k) return i;
}

const RuleIndex::List* RuleIndex::find(const Key& k) const {
  const Slot& s = slots_[find_slot(k)];
  return s.list == UINT32_MAX ? nullptr : &lists_[s.list];
}

uint32_t RuleIndex::intern(const Key& k) {
  size_t i = find_slot(k);
  if (slots_[i].list != UINT32_MAX) return slots_[i].list;
  if ((lists_.size() + 1) * 2 > slots_.size()) {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    for (const Slot& s : old)
      if (s.list != UINT32_MAX) slots_[find_slot(s.key)] = s;
    i = find_slot(k);
  }
  slots_[i] = {k, static_cast<uint32_t>(lists_.size())};
  lists_.push_back({});
  return slots_[i].list;
}

RuleIndex::RuleIndex(const std::vector<MatchSpace>& spaces) : spaces_(spaces) {
  // Usually about one distinct block per rule (its source): size for that
  // up front rather than rehash and move lists while filing.
  size_t slots = 1024;
  while (slots < spaces.size() * 2) slots *= 2;
  slots_.resize(slots);
  lists_.reserve(spaces.size() + 64);
}

void RuleIndex::insert(uint32_t r) {
  const MatchSpace& m = spaces_[r];
  for (unsigned dim = 0; dim < kDims; ++dim) {
    bool fits = true;
    scratch_[0].clear();
    scratch_[1].clear();
    if (dim < 2) {
      for (unsigned i = 0; i < 2 && fits; ++i)
        if (m.fams & (1u << i))
          fits = decompose(dim == 0 ? m.src(i) : m.dst(i), family_bits(family_of_index(i)), kMaxBlocks,
                           scratch_[i]);
    } else {
      fits = decompose(m.dport(), 16, kMaxBlocks, scratch_[0]);
    }
    if (!fits) {
      wide_[dim].push_back(r);
      continue;
    }
    for (unsigned space = 0; space < 2; ++space)
      for (const Block& b : scratch_[space]) {
        lengths_[slot(dim, space)][b.len] = true;
        lists_[intern(Key{b.value, static_cast<uint8_t>(dim), static_cast<uint8_t>(space), b.len})].push_back(r);
      }
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
