// The shared classifier: rules of any domain into tuple-space entries
// (sentinel/abi/classify.h) with exact first-match.
#include "compiler/lower/pir_to_plan.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <tuple>

namespace sentinel::lower {

using u128 = unsigned __int128;

namespace detail {

namespace {

u128 ones(unsigned k) {  // k low bits set, k <= 128
  return k >= 128 ? ~u128(0) : (u128(1) << k) - 1;
}

unsigned ctz128(u128 v, unsigned cap) {
  unsigned n = 0;
  while (n < cap && !(v & 1)) {
    v >>= 1;
    ++n;
  }
  return n;
}

// Sorted, merged, inclusive intervals; adjacent ones are joined so that the
// cover of the union is minimal.
std::vector<std::pair<u128, u128>> merge(std::vector<std::pair<u128, u128>> iv) {
  std::sort(iv.begin(), iv.end());
  std::vector<std::pair<u128, u128>> out;
  for (const auto& [lo, hi] : iv) {
    if (!out.empty() && (out.back().second == ~u128(0) || lo <= out.back().second + 1)) {
      out.back().second = std::max(out.back().second, hi);
    } else {
      out.emplace_back(lo, hi);
    }
  }
  return out;
}

// The gaps of merged intervals within [0, max].
std::vector<std::pair<u128, u128>> complement(const std::vector<std::pair<u128, u128>>& iv,
                                              u128 max) {
  std::vector<std::pair<u128, u128>> out;
  u128 next = 0;
  bool done = false;
  for (const auto& [lo, hi] : iv) {
    if (lo > next) out.emplace_back(next, lo - 1);
    if (hi == max) {
      done = true;
      break;
    }
    next = hi + 1;
  }
  if (!done) out.emplace_back(next, max);
  return out;
}

}  // namespace

std::vector<std::pair<u128, unsigned>> prefix_cover(u128 lo, u128 hi, unsigned bits) {
  std::vector<std::pair<u128, unsigned>> out;
  const u128 max = ones(bits);
  while (lo <= hi) {
    // The largest aligned block starting at lo that stays within hi.
    unsigned k = lo == 0 ? bits : ctz128(lo, bits);
    while (k > 0 && ones(k) > hi - lo) --k;
    out.emplace_back(lo, bits - k);
    u128 last = lo + ones(k);
    if (last >= hi || last == max) break;
    lo = last + 1;
  }
  return out;
}

std::vector<pir::Cidr> address_cover(const std::vector<pir::Cidr>& cidrs, pir::Family family,
                                     bool negate) {
  const unsigned bits = family == pir::Family::V4 ? 32 : 128;
  std::vector<std::pair<u128, u128>> iv;
  for (const auto& c : cidrs)
    if (c.addr.family == family) iv.emplace_back(c.first(), c.last());
  iv = merge(std::move(iv));
  if (negate) iv = complement(iv, ones(bits));
  std::vector<pir::Cidr> out;
  for (const auto& [lo, hi] : iv)
    for (const auto& [v, len] : prefix_cover(lo, hi, bits))
      out.push_back(pir::Cidr{pir::Addr::from_value(family, v), static_cast<uint8_t>(len)});
  return out;
}

std::vector<std::pair<uint16_t, uint16_t>> port_cover(const std::vector<pir::PortRange>& ranges) {
  std::vector<std::pair<u128, u128>> iv;
  for (const auto& r : ranges) iv.emplace_back(r.lo, r.hi);
  std::vector<std::pair<uint16_t, uint16_t>> out;
  for (const auto& [lo, hi] : merge(std::move(iv)))
    for (const auto& [v, len] : prefix_cover(lo, hi, 16))
      out.emplace_back(static_cast<uint16_t>(v), static_cast<uint16_t>(~ones(16 - len) & 0xffff));
  return out;
}

}  // namespace detail

namespace {

// A tuple's shape before ids are assigned. Ordering breaks min_rule ties.
struct Shape {
  uint8_t family, src_len, dst_len, proto_mask;
  uint16_t sport_mask, dport_mask;
  uint8_t needs_ports, ct_mask;
  auto operator<=>(const Shape&) const = default;
};

struct Entry {
  sn_cls_key key;  // key.tuple holds the shape index until ids are final
  uint32_t rule;
};

void prefix_words(const pir::Cidr& c, uint32_t out[4]) { std::memcpy(out, c.addr.bytes.data(), 16); }

void mask_words(unsigned bits, unsigned len, uint32_t out[4]) {
  uint8_t b[16] = {};
  for (unsigned i = 0; i < bits / 8; ++i) {
    unsigned take = len > i * 8 ? std::min(8u, len - i * 8) : 0;
    b[i] = static_cast<uint8_t>(take ? 0xff << (8 - take) : 0);
  }
  std::memcpy(out, b, 16);
}

std::vector<pir::Cidr> expand_addr(const pir::AddrMatch& m, pir::Family f) {
  if (m.any) return {pir::Cidr{pir::Addr::from_value(f, 0), 0}};
  return detail::address_cover(m.cidrs, f, m.negate);
}

std::vector<std::pair<uint16_t, uint16_t>> expand_ports(const pir::PortMatch& m) {
  if (m.any) return {{0, 0}};
  return detail::port_cover(m.ranges);
}

// The packet states a ct mask names, as key values (0: any state, one entry).
std::vector<uint8_t> expand_ct(uint8_t mask) {
  if (!mask) return {0};
  std::vector<uint8_t> out;
  for (uint8_t v = 0; v <= 4; ++v)
    if (mask & (1u << v)) out.push_back(v);
  return out;
}

}  // namespace

dplan::ClassifierPlan build_classifier(const std::string& domain, const std::vector<ClsRule>& rules) {
  dplan::ClassifierPlan plan;
  std::map<Shape, uint32_t> shape_index;
  std::vector<Shape> shapes;
  std::vector<uint32_t> shape_min;
  std::vector<Entry> entries;

  for (uint32_t ri = 0; ri < rules.size(); ++ri) {
    const pir::Match& r = *rules[ri].match;
    const unsigned fams = r.families();
    if (fams & 2) plan.v6 = true;
    const bool needs_ports = r.has_ports();
    const auto sports = expand_ports(r.sport);
    const auto dports = expand_ports(r.dport);
    const auto cts = expand_ct(rules[ri].ct);
    const uint8_t proto = static_cast<uint8_t>(r.proto);
    const uint8_t proto_mask = r.proto == pir::Proto::Any ? 0 : 0xff;
    const uint8_t ct_mask = rules[ri].ct ? 0xff : 0;
    for (pir::Family f : {pir::Family::V4, pir::Family::V6}) {
      if (!(fams & (f == pir::Family::V4 ? 1u : 2u))) continue;
      const auto srcs = expand_addr(r.src, f);
      const auto dsts = expand_addr(r.dst, f);
      // Sizes are bounded by the prefix cover (at most 2*128 per interval), so
      // the product cannot overflow 64 bits for any realistic rule; saturate anyway.
      uint64_t n = 1;
      for (uint64_t m : {srcs.size(), dsts.size(), sports.size(), dports.size(), cts.size()})
        n = (m && n > kMaxClassifierEntries / m) ? kMaxClassifierEntries + 1 : n * m;
      if (entries.size() + n > kMaxClassifierEntries)
        throw LowerError(domain + " rule `" + *rules[ri].id + "` expands the key map past " +
                         std::to_string(kMaxClassifierEntries) +
                         " entries; split its address or port lists into fewer, larger ranges");
      for (const auto& s : srcs)
        for (const auto& d : dsts)
          for (const auto& [spv, spm] : sports)
            for (const auto& [dpv, dpm] : dports)
              for (uint8_t ct : cts) {
                Shape sh{static_cast<uint8_t>(f), s.len, d.len, proto_mask, spm, dpm,
                         static_cast<uint8_t>(needs_ports), ct_mask};
                auto [it, fresh] = shape_index.try_emplace(sh, static_cast<uint32_t>(shapes.size()));
                if (fresh) {
                  shapes.push_back(sh);
                  shape_min.push_back(ri);
                }
                Entry e{};
                std::memset(&e.key, 0, sizeof e.key);
                e.key.tuple = it->second;
                e.key.family = static_cast<uint8_t>(f);
                e.key.proto = proto & proto_mask;
                e.key.sport = spv;
                e.key.dport = dpv;
                e.key.ct = ct;
                prefix_words(s, e.key.src);
                prefix_words(d, e.key.dst);
                e.rule = ri;
                entries.push_back(e);
              }
    }
  }

  if (shapes.size() > SN_MAX_TUPLES)
    throw LowerError(domain + " rules use " + std::to_string(shapes.size()) +
                     " distinct match shapes (tuples); the limit is " + std::to_string(SN_MAX_TUPLES) +
                     ": use fewer distinct prefix lengths and port ranges");

  // Tuple ids in ascending min_rule so the walk can stop early; shape breaks ties.
  std::vector<uint32_t> order(shapes.size());
  for (uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return std::tie(shape_min[a], shapes[a]) < std::tie(shape_min[b], shapes[b]);
  });
  std::vector<uint32_t> id_of(shapes.size());
  for (uint32_t id = 0; id < order.size(); ++id) {
    const Shape& sh = shapes[order[id]];
    id_of[order[id]] = id;
    sn_cls_tuple t{};
    t.min_rule = shape_min[order[id]];
    t.family = sh.family;
    t.proto_mask = sh.proto_mask;
    t.sport_mask = sh.sport_mask;
    t.dport_mask = sh.dport_mask;
    t.needs_ports = sh.needs_ports;
    t.ct_mask = sh.ct_mask;
    const unsigned bits = sh.family == 4 ? 32 : 128;
    mask_words(bits, sh.src_len, t.src_mask);
    mask_words(bits, sh.dst_len, t.dst_mask);
    plan.tuples.push_back(t);
  }

  // Keep, per masked key, the smallest rule index: sort by (key bytes, rule).
  for (auto& e : entries) e.key.tuple = id_of[e.key.tuple];
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    int c = std::memcmp(&a.key, &b.key, sizeof a.key);
    return c != 0 ? c < 0 : a.rule < b.rule;
  });
  plan.entries.reserve(entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    if (i > 0 && std::memcmp(&entries[i].key, &entries[i - 1].key, sizeof(sn_cls_key)) == 0) continue;
    plan.entries.push_back({entries[i].key, sn_cls_match{entries[i].rule}});
  }
  return plan;
}

}  // namespace sentinel::lower
