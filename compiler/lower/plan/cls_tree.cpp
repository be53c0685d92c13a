// Decision trees with bit cuts over classifier records. A node's region is
// a prefix in each of five dimensions (source, destination, source port,
// destination port, protocol); a cut takes the next `b` bits of one
// dimension and makes 2^b children. The cut is chosen per node: the one
// whose fullest child holds the fewest records, among those that copy
// records into children no more than `space` times in all (HiCuts' rule).
// Records after one that covers the whole region of a node are dropped
// there: they can never be the first match inside it. Siblings whose
// records are the same and span their whole region in the cut dimension
// share one subtree.
#include "compiler/lower/plan/cls_tree.h"

#include <algorithm>
#include <cstring>
#include <map>

namespace sentinel::lower::cls {

namespace {

using u128 = unsigned __int128;
constexpr int kDims = 5;  // source, destination, source port, destination port, protocol

u128 ones(unsigned k) { return k >= 128 ? ~u128(0) : (u128(1) << k) - 1; }

// A record's value set in one dimension: one or two inclusive intervals
// (two for a negated prefix, none for a negated /0).
struct Span {
  u128 lo[2], hi[2];
  uint8_t n;
};

// Every record's spans, dimension by dimension (each pass over the records
// of a node reads one dimension), and whether it constrains nothing beyond
// the five dimensions.
struct Spans {
  std::vector<Span> dim[kDims];
  std::vector<uint8_t> simple;
  explicit Spans(size_t n) : simple(n, 0) {
    for (auto& d : dim) d.resize(n);
  }
};

Span prefix_span(u128 v, unsigned len, bool neg, unsigned width) {
  const u128 lo = v, hi = v | ones(width - len);
  Span s{};
  if (!neg) {
    s.lo[0] = lo;
    s.hi[0] = hi;
    s.n = 1;
    return s;
  }
  if (lo > 0) {
    s.lo[s.n] = 0;
    s.hi[s.n++] = lo - 1;
  }
  if (hi < ones(width)) {
    s.lo[s.n] = hi + 1;
    s.hi[s.n++] = ones(width);
  }
  return s;
}

Span range_span(u128 lo, u128 hi) {
  Span s{};
  s.lo[0] = lo;
  s.hi[0] = hi;
  s.n = 1;
  return s;
}

struct Region {
  u128 val[kDims] = {};
  uint8_t len[kDims] = {};
};

struct Cut {
  int dim = -1;
  unsigned bits = 0;
};

// A record's children under a cut: one range per interval it keeps.
struct Kids {
  uint32_t a[2], c[2];
  uint8_t n;
};

class Builder {
 public:
  Builder(dplan::ClassifierPlan& plan, const TreeParams& p, uint8_t family, Spans& spans)
      : plan_(plan), p_(p), spans_(spans) {
    const unsigned aw = family == 6 ? 128 : 32;
    width_[0] = width_[1] = aw;
    width_[2] = width_[3] = 16;
    width_[4] = 8;
  }

  void add_span(uint32_t rec) {
    const sn_cls_rec& r = plan_.recs[rec];
    spans_.dim[0][rec] =
        prefix_span(dplan::rec_addr_value(r.src, r.family), r.src_len, r.flags & SN_CLS_NEG_SRC, width_[0]);
    spans_.dim[1][rec] =
        prefix_span(dplan::rec_addr_value(r.dst, r.family), r.dst_len, r.flags & SN_CLS_NEG_DST, width_[1]);
    spans_.dim[2][rec] = range_span(r.sport_lo, r.sport_hi);
    spans_.dim[3][rec] = range_span(r.dport_lo, r.dport_hi);
    spans_.dim[4][rec] = r.proto_mask ? range_span(r.proto, r.proto) : range_span(0, 255);
    spans_.simple[rec] = r.ct_states == 0 && !(r.flags & SN_CLS_NEEDS_PORTS) && r.x.has == 0;
  }

  // The subtree of `ids` (ascending rule) in region `r`; `cost` gets the
  // most walk steps a packet can take in it.
  sn_cls_node build(std::vector<uint32_t> ids, const Region& r, unsigned depth, uint32_t& cost) {
    for (size_t i = 0; i < ids.size(); ++i)
      if (covers(ids[i], r)) {
        ids.resize(i + 1);
        break;
      }
    if (ids.size() <= kPruneAt) prune(ids, r);
    if (ids.empty()) {
      cost = 1;
      return empty_leaf();
    }
    const uint32_t min_rule = plan_.recs[ids[0]].rule;
    Cut cut;
    if (ids.size() > p_.leaf_size) cut = choose(ids, r);
    if (cut.dim < 0) return leaf(ids, depth, min_rule, cost);

    const int d = cut.dim;
    const unsigned b = cut.bits, shift = width_[d] - r.len[d] - b;
    const uint32_t nchild = 1u << b;
    std::vector<std::vector<uint32_t>> kids(nchild);
    std::vector<uint32_t> partial(nchild, 0);
    const u128 rlo = lo(r, d), rhi = hi(r, d);
    for (uint32_t id : ids) {
      const Span& s = spans_.dim[d][id];
      for (unsigned i = 0; i < s.n; ++i) {
        const u128 a = std::max(s.lo[i], rlo), c = std::min(s.hi[i], rhi);
        if (a > c) continue;
        const uint32_t ca = static_cast<uint32_t>((a >> shift) & ones(b));
        const uint32_t cc = static_cast<uint32_t>((c >> shift) & ones(b));
        for (uint32_t k = ca; k <= cc; ++k)
          if (kids[k].empty() || kids[k].back() != id) kids[k].push_back(id);
        if (a & ones(shift)) ++partial[ca];
        if ((c & ones(shift)) != ones(shift)) ++partial[cc];
      }
    }

    const uint32_t base = static_cast<uint32_t>(plan_.nodes.size());
    plan_.nodes.resize(base + nchild);
    ++nodes_;
    std::map<std::vector<uint32_t>, std::pair<sn_cls_node, uint32_t>> shared;
    uint32_t worst = 0;
    for (uint32_t k = 0; k < nchild; ++k) {
      sn_cls_node child;
      uint32_t child_cost = 1;
      auto it = partial[k] ? shared.end() : shared.find(kids[k]);
      if (kids[k].empty()) {
        child = empty_leaf();
      } else if (it != shared.end()) {
        child = it->second.first;
        child_cost = it->second.second;
      } else {
        Region cr = r;
        cr.val[d] = r.val[d] | (u128(k) << shift);
        cr.len[d] = static_cast<uint8_t>(r.len[d] + b);
        child = build(kids[k], cr, depth + 1, child_cost);
        if (!partial[k]) shared.emplace(std::move(kids[k]), std::make_pair(child, child_cost));
      }
      std::vector<uint32_t>().swap(kids[k]);
      plan_.nodes[base + k] = child;
      worst = std::max(worst, child_cost);
    }
    cost = 1 + worst;
    depth_ = std::max(depth_, depth + 1);

    sn_cls_node n{};
    n.base = base;
    n.min_rule = min_rule;
    n.bits = static_cast<uint8_t>(b);
    if (d < 2) {
      n.word = static_cast<uint8_t>((d == 0 ? SN_CLS_W_SRC : SN_CLS_W_DST) + r.len[d] / 32);
      n.shift = static_cast<uint8_t>(32 - r.len[d] % 32 - b);
    } else {
      n.word = static_cast<uint8_t>(d == 2 ? SN_CLS_W_SPORT : d == 3 ? SN_CLS_W_DPORT : SN_CLS_W_PROTO);
      n.shift = static_cast<uint8_t>(shift);
    }
    return n;
  }

  uint32_t nodes() const { return nodes_; }
  uint32_t depth() const { return depth_; }
  uint32_t max_leaf() const { return max_leaf_; }

 private:
  u128 lo(const Region& r, int d) const { return r.val[d]; }
  u128 hi(const Region& r, int d) const { return r.val[d] | ones(width_[d] - r.len[d]); }

  // Drops each record that an earlier one shadows inside region `r`: the
  // earlier one matches every packet of the region that the later one
  // matches. Quadratic, so only for small nodes.
  static constexpr size_t kPruneAt = 64;
  void prune(std::vector<uint32_t>& ids, const Region& r) const {
    std::vector<uint32_t> kept;
    kept.reserve(ids.size());
    for (uint32_t j : ids) {
      bool shadowed = false;
      for (uint32_t i : kept)
        if (shadows(i, j, r)) {
          shadowed = true;
          break;
        }
      if (!shadowed) kept.push_back(j);
    }
    ids.swap(kept);
  }

  bool shadows(uint32_t i, uint32_t j, const Region& r) const {
    const sn_cls_rec& a = plan_.recs[i];
    const sn_cls_rec& b = plan_.recs[j];
    if (a.ct_states && (!b.ct_states || (b.ct_states & ~a.ct_states))) return false;
    if ((a.flags & SN_CLS_NEEDS_PORTS) && !(b.flags & SN_CLS_NEEDS_PORTS)) return false;
    if (a.x.has && std::memcmp(&a.x, &b.x, sizeof a.x) != 0) return false;
    for (int d = 0; d < kDims; ++d) {
      const Span& sa = spans_.dim[d][i];
      const Span& sb = spans_.dim[d][j];
      for (unsigned k = 0; k < sb.n; ++k) {
        const u128 x = std::max(sb.lo[k], lo(r, d)), y = std::min(sb.hi[k], hi(r, d));
        if (x > y) continue;
        bool inside = false;
        for (unsigned m = 0; m < sa.n; ++m) inside = inside || (sa.lo[m] <= x && sa.hi[m] >= y);
        if (!inside) return false;
      }
    }
    return true;
  }

  bool covers(uint32_t id, const Region& r) const {
    if (!spans_.simple[id]) return false;
    for (int d = 0; d < kDims; ++d) {
      const Span& s = spans_.dim[d][id];
      bool in = false;
      for (unsigned i = 0; i < s.n; ++i) in = in || (s.lo[i] <= lo(r, d) && s.hi[i] >= hi(r, d));
      if (!in) return false;
    }
    return true;
  }

  // Copies a small node may make beyond the space factor: small nodes are
  // cheap, and without it they could not cut past a few wide records.
  static constexpr double kSlack = 16;
  // Nodes this small may copy four times as much: their copies are few in
  // all, and a leaf of many records costs every packet that reaches it.
  static constexpr uint64_t kSmall = 128;

  // The cut whose fullest child is smallest within the space budget, or
  // dim -1 when no cut separates the records.
  Cut choose(const std::vector<uint32_t>& ids, const Region& r) const {
    const uint64_t n = ids.size();
    const double budget = (n <= kSmall ? 4 : 1) * p_.space * static_cast<double>(n) + kSlack;
    Cut best;
    uint64_t best_max = n, best_sum = 0;
    std::vector<Kids> ranges;
    std::vector<int64_t> diff;
    for (int d = 0; d < kDims; ++d) {
      const unsigned rem = width_[d] - r.len[d];
      if (rem == 0) continue;
      unsigned lim = std::min(rem, p_.max_bits);
      if (d < 2) lim = std::min(lim, 32 - r.len[d] % 32u);
      // Each record's children at the finest cut, one range per interval;
      // coarser cuts shift them.
      const unsigned shift = width_[d] - r.len[d] - lim;
      const u128 rlo = lo(r, d), rhi = hi(r, d);
      ranges.clear();
      const std::vector<Span>& dim = spans_.dim[d];
      for (uint32_t id : ids) {
        const Span& s = dim[id];
        Kids k{};
        for (unsigned i = 0; i < s.n; ++i) {
          const u128 a = std::max(s.lo[i], rlo), c = std::min(s.hi[i], rhi);
          if (a > c) continue;
          k.a[k.n] = static_cast<uint32_t>((a >> shift) & ones(lim));
          k.c[k.n] = static_cast<uint32_t>((c >> shift) & ones(lim));
          ++k.n;
        }
        ranges.push_back(k);
      }
      for (unsigned b = lim; b >= 1; --b) {
        const unsigned down = lim - b;
        const uint32_t nchild = 1u << b;
        if (static_cast<double>(nchild) / 4 > p_.space * static_cast<double>(n)) continue;
        diff.assign(nchild + 1, 0);
        for (const Kids& k : ranges) {
          if (k.n == 0) continue;
          uint32_t a = k.a[0] >> down, c = k.c[0] >> down;
          if (k.n == 2) {
            const uint32_t a1 = k.a[1] >> down, c1 = k.c[1] >> down;
            if (a1 <= c) {  // the two intervals of a negated prefix meet in one child
              c = std::max(c, c1);
            } else {
              ++diff[a1];
              --diff[c1 + 1];
            }
          }
          ++diff[a];
          --diff[c + 1];
        }
        uint64_t sum = 0, mx = 0;
        int64_t run = 0;
        for (uint32_t k = 0; k < nchild; ++k) {
          run += diff[k];
          sum += static_cast<uint64_t>(run);
          mx = std::max<uint64_t>(mx, static_cast<uint64_t>(run));
        }
        if (static_cast<double>(sum) + nchild / 4.0 > budget) continue;
        if (mx < best_max || (mx == best_max && best.dim >= 0 && sum < best_sum)) {
          best = {d, b};
          best_max = mx;
          best_sum = sum;
        }
      }
    }
    return best;
  }

  sn_cls_node empty_leaf() const {
    sn_cls_node n{};
    n.min_rule = SN_CLS_NO_RULE;
    n.word = SN_CLS_LEAF;
    return n;
  }

  sn_cls_node leaf(const std::vector<uint32_t>& ids, unsigned depth, uint32_t min_rule, uint32_t& cost) {
    sn_cls_node n{};
    n.base = static_cast<uint32_t>(plan_.leaves.size());
    n.count = static_cast<uint32_t>(ids.size());
    n.min_rule = min_rule;
    n.word = SN_CLS_LEAF;
    plan_.leaves.insert(plan_.leaves.end(), ids.begin(), ids.end());
    cost = 1 + n.count;
    ++nodes_;
    depth_ = std::max(depth_, depth);
    max_leaf_ = std::max(max_leaf_, n.count);
    return n;
  }

  dplan::ClassifierPlan& plan_;
  const TreeParams& p_;
  unsigned width_[kDims];
  Spans& spans_;
  uint32_t nodes_ = 0, depth_ = 0, max_leaf_ = 0;
};

// Narrow: a prefix that is not negated and at least half the address long.
bool narrow(uint8_t len, bool neg, unsigned width) { return !neg && len >= width / 2; }

}  // namespace

void build_trees(dplan::ClassifierPlan& plan, const TreeParams& params) {
  sn_cls_node empty{};
  empty.min_rule = SN_CLS_NO_RULE;
  empty.word = SN_CLS_LEAF;
  plan.nodes.assign(2 * SN_CLS_MAX_TREES, empty);
  plan.leaves.clear();
  plan.trees.clear();
  plan.steps = 1;

  for (uint8_t family : {uint8_t{4}, uint8_t{6}}) {
    const unsigned width = family == 6 ? 128 : 32;
    std::vector<uint32_t> all;
    for (uint32_t i = 0; i < plan.recs.size(); ++i)
      if (plan.recs[i].family == family) all.push_back(i);
    if (all.empty()) continue;

    std::vector<std::pair<std::string, std::vector<uint32_t>>> groups;
    if (all.size() <= params.one_tree) {
      groups.emplace_back("all", all);
    } else {
      std::vector<uint32_t> src, dst, wide;
      for (uint32_t i : all) {
        const sn_cls_rec& r = plan.recs[i];
        if (narrow(r.src_len, r.flags & SN_CLS_NEG_SRC, width))
          src.push_back(i);
        else if (narrow(r.dst_len, r.flags & SN_CLS_NEG_DST, width))
          dst.push_back(i);
        else
          wide.push_back(i);
      }
      for (auto* g : {&src, &dst, &wide}) {
        const char* name = g == &src ? "src-narrow" : g == &dst ? "dst-narrow" : "wide";
        if (!g->empty()) groups.emplace_back(name, std::move(*g));
      }
      std::sort(groups.begin(), groups.end(),
                [&](const auto& a, const auto& b) { return a.second.front() < b.second.front(); });
    }

    Spans spans(plan.recs.size());
    for (size_t t = 0; t < groups.size(); ++t) {
      Builder b(plan, params, family, spans);
      for (uint32_t i : groups[t].second) b.add_span(i);
      uint32_t cost = 0;
      const uint32_t leaves_before = static_cast<uint32_t>(plan.leaves.size());
      sn_cls_node root = b.build(groups[t].second, Region{}, 0, cost);
      plan.nodes[(family == 6 ? SN_CLS_MAX_TREES : 0) + t] = root;
      plan.steps += cost;
      plan.trees.push_back({family, groups[t].first, static_cast<uint32_t>(groups[t].second.size()), b.nodes(),
                            static_cast<uint32_t>(plan.leaves.size()) - leaves_before, b.depth(), b.max_leaf(),
                            root.min_rule});
    }
  }
}

}  // namespace sentinel::lower::cls
