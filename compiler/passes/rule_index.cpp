#include "compiler/passes/rule_index.h"

namespace sentinel::passes {

namespace {
// Past this many blocks in one field a rule goes on the dimension's wide list:
// a negated /128 splits into 128 blocks, a negated /32 into 32.
constexpr size_t kMaxBlocks = 160;
}  // namespace

void RuleIndex::file(uint32_t r, unsigned dim, unsigned space, const std::vector<Block>& blocks) {
  auto& present = lengths_[slot(dim, space)];
  for (const Block& b : blocks) {
    present[b.len] = true;
    Bucket& bucket = buckets_[Key{b.value, static_cast<uint8_t>(dim), static_cast<uint8_t>(space), b.len}];
    entries_.push_back({r, bucket.head});
    bucket.head = static_cast<uint32_t>(entries_.size() - 1);
    ++bucket.count;
  }
}

void RuleIndex::insert(uint32_t r) {
  const MatchSpace& m = spaces_[r];
  std::vector<Block> blocks[2];
  for (unsigned dim = 0; dim < kDims; ++dim) {
    bool fits = true;
    blocks[0].clear();
    blocks[1].clear();
    if (dim < 2) {
      for (unsigned i = 0; i < 2 && fits; ++i) {
        if (!(m.fams & (1u << i))) continue;
        const IntervalSet& s = dim == 0 ? m.src[i] : m.dst[i];
        fits = decompose(s, family_bits(family_of_index(i)), kMaxBlocks, blocks[i]);
      }
    } else {
      fits = decompose(dim == 2 ? m.sport : m.dport, 16, kMaxBlocks, blocks[0]);
    }
    if (!fits) {
      wide_[dim].push_back(r);
      continue;
    }
    file(r, dim, 0, blocks[0]);
    if (dim < 2) file(r, dim, 1, blocks[1]);
  }
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
