#include "compiler/passes/rule_index.h"

namespace sentinel::passes {

namespace {
// Past this many blocks in one field a rule goes on the dimension's wide list:
// a negated /128 splits into 128 blocks, a negated /32 into 32.
constexpr size_t kMaxBlocks = 160;
}  // namespace

size_t RuleIndex::hash(const Key& k) {
  auto lo = static_cast<uint64_t>(k.value), hi = static_cast<uint64_t>(k.value >> 64);
  uint64_t h = (lo ^ (hi * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;
  h ^= (uint64_t(k.dim) << 16 | uint64_t(k.space) << 8 | k.len) * 0xc4ceb9fe1a85ec53ull;
  return static_cast<size_t>(h ^ (h >> 31));
}

size_t RuleIndex::find_slot(const Key& k) const {
  size_t mask = keys_.size() - 1;
  for (size_t i = hash(k) & mask;; i = (i + 1) & mask) {
    const Key& s = keys_[i];
    if (!s.used || (s.value == k.value && s.len == k.len && s.dim == k.dim && s.space == k.space))
      return i;
  }
}

const RuleIndex::List* RuleIndex::find(const Key& k) const {
  size_t i = find_slot(k);
  return keys_[i].used ? &lists_[i] : nullptr;
}

RuleIndex::RuleIndex(const std::vector<MatchSpace>& spaces) {
  // Pass 1: every (block, rule) filing, in rule order; wide rules apart.
  struct Filing {
    Key key;
    uint32_t rule;
  };
  std::vector<Filing> filings;
  filings.reserve(spaces.size() * kDims);
  std::array<std::vector<uint32_t>, kDims> wide;
  std::vector<Block> blocks[2];
  for (uint32_t r = 0; r < spaces.size(); ++r) {
    const MatchSpace& m = spaces[r];
    if (m.empty()) continue;
    for (unsigned dim = 0; dim < kDims; ++dim) {
      bool fits = true;
      blocks[0].clear();
      blocks[1].clear();
      if (dim < 2) {
        for (unsigned i = 0; i < 2 && fits; ++i)
          if (m.fams & (1u << i))
            fits = decompose(dim == 0 ? m.src[i] : m.dst[i], family_bits(family_of_index(i)),
                             kMaxBlocks, blocks[i]);
      } else {
        fits = decompose(dim == 2 ? m.sport : m.dport, 16, kMaxBlocks, blocks[0]);
      }
      if (!fits) {
        wide[dim].push_back(r);
        continue;
      }
      for (unsigned space = 0; space < 2; ++space)
        for (const Block& b : blocks[space]) {
          lengths_[slot(dim, space)][b.len] = true;
          filings.push_back({Key{b.value, static_cast<uint8_t>(dim), static_cast<uint8_t>(space), b.len, 1}, r});
        }
    }
  }

  // Pass 2: a slot per distinct key, then each list's place in rules_.
  size_t cap = 16;
  while (cap < filings.size() * 2) cap *= 2;
  keys_.assign(cap, Key{});
  lists_.assign(cap, List{});
  std::vector<uint32_t> slot_of(filings.size());
  for (size_t i = 0; i < filings.size(); ++i) {
    size_t s = find_slot(filings[i].key);
    keys_[s] = filings[i].key;
    ++lists_[s].end;  // a count for now
    slot_of[i] = static_cast<uint32_t>(s);
  }
  uint32_t at = 0;
  for (auto& w : wide) at += static_cast<uint32_t>(w.size());
  for (auto& l : lists_) {
    uint32_t n = l.end;
    l.begin = l.end = at;
    at += n;
  }
  rules_.resize(at);
  // Pass 3: scatter in filing order, which keeps every list in rule order.
  uint32_t w_at = 0;
  for (unsigned d = 0; d < kDims; ++d) {
    wide_[d] = {w_at, w_at + static_cast<uint32_t>(wide[d].size())};
    std::copy(wide[d].begin(), wide[d].end(), rules_.begin() + w_at);
    w_at = wide_[d].end;
  }
  for (size_t i = 0; i < filings.size(); ++i) rules_[lists_[slot_of[i]].end++] = filings[i].rule;
}

RuleIndex::Query RuleIndex::box_query(const MatchSpace& m) {
  Query q;
  unsigned i = (m.fams & 1u) ? 0 : 1;
  q.family = family_of_index(i);
  unsigned bits = family_bits(q.family);
  auto first = [](const IntervalSet& s, unsigned w) {
    const Range& r = s.ranges().front();
    return first_block(r.lo, r.hi, w);
  };
  q.blocks[0] = first(m.src[i], bits);
  q.blocks[1] = first(m.dst[i], bits);
  q.blocks[2] = first(m.sport, 16);
  q.blocks[3] = first(m.dport, 16);
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
  q.blocks[2] = p.l4 ? Block{p.sport, 16} : Block{0, 0};
  q.blocks[3] = p.l4 ? Block{p.dport, 16} : Block{0, 0};
  return q;
}

}  // namespace sentinel::passes
