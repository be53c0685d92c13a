// The shared classifier: rules of any domain into records, one per
// combination of family, address prefix, port range and protocol they
// match, then into decision trees (cls_tree.cpp) with exact first match.
#include "compiler/lower/pir_to_plan.h"

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <string>

#include "compiler/lower/plan/cls_match.h"
#include "compiler/lower/plan/cls_tree.h"

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

std::vector<std::pair<uint16_t, uint16_t>> port_ranges(const std::vector<pir::PortRange>& ranges) {
  std::vector<std::pair<u128, u128>> iv;
  for (const auto& r : ranges) iv.emplace_back(r.lo, r.hi);
  std::vector<std::pair<uint16_t, uint16_t>> out;
  for (const auto& [lo, hi] : merge(std::move(iv)))
    out.emplace_back(static_cast<uint16_t>(lo), static_cast<uint16_t>(hi));
  return out;
}

}  // namespace detail

namespace {

// One address alternative of a record: a prefix in host-order words.
struct AddrAlt {
  uint32_t words[4] = {};
  uint8_t len = 0;
  bool neg = false;
};

AddrAlt alt_of(const pir::Cidr& c, bool neg) {
  AddrAlt a;
  dplan::rec_addr_words(c.first(), c.addr.family == pir::Family::V4 ? 4 : 6, a.words);
  a.len = c.len;
  a.neg = neg;
  return a;
}

// A negated single prefix stays one record with the negation flag; a
// negated list becomes the prefixes of its complement.
std::vector<AddrAlt> expand_addr(const pir::AddrMatch& m, pir::Family f) {
  if (m.any) return {AddrAlt{}};
  std::vector<pir::Cidr> mine;
  for (const auto& c : m.cidrs)
    if (c.addr.family == f) mine.push_back(c);
  if (m.negate && mine.empty()) return {AddrAlt{}};
  if (m.negate && mine.size() == 1) return {alt_of(mine[0], true)};
  std::vector<AddrAlt> out;
  for (const auto& c : detail::address_cover(m.cidrs, f, m.negate)) out.push_back(alt_of(c, false));
  return out;
}

std::vector<std::pair<uint16_t, uint16_t>> expand_ports(const pir::PortMatch& m) {
  if (m.any) return {{0, 0xffff}};
  return detail::port_ranges(m.ranges);
}

// The product of the alternatives' counts: the records of one family,
// capped at kMaxClassifierEntries + 1 so that it cannot overflow.
uint64_t product(std::initializer_list<uint64_t> counts) {
  uint64_t n = 1;
  for (uint64_t m : counts) n = (m && n > kMaxClassifierEntries / m) ? kMaxClassifierEntries + 1 : n * m;
  return n;
}

}  // namespace

uint64_t classifier_records(const pir::Match& r) {
  const unsigned fams = r.families();
  const uint64_t sports = expand_ports(r.sport).size(), dports = expand_ports(r.dport).size();
  uint64_t total = 0;
  for (pir::Family f : {pir::Family::V4, pir::Family::V6}) {
    if (!(fams & (f == pir::Family::V4 ? 1u : 2u))) continue;
    total += product({expand_addr(r.src, f).size(), expand_addr(r.dst, f).size(), sports, dports,
                      cls_protos(r, f).size()});
    total = std::min<uint64_t>(total, kMaxClassifierEntries + 1);
  }
  return total;
}

dplan::ClassifierPlan build_classifier(const std::string& domain, const std::vector<ClsRule>& rules) {
  dplan::ClassifierPlan plan;
  {
    std::vector<const pir::Match*> matches;
    for (const auto& r : rules) matches.push_back(r.match);
    plan.ifaces = cls_iface_slots(matches);
    if (plan.ifaces.size() > SN_CLS_MAX_IFACES)
      throw LowerError(domain + " rules name " + std::to_string(plan.ifaces.size()) + " interfaces; at most " +
                       std::to_string(SN_CLS_MAX_IFACES) + " fit");
  }
  for (uint32_t ri = 0; ri < rules.size(); ++ri) {
    const pir::Match& r = *rules[ri].match;
    const unsigned fams = r.families();
    if (fams & 2) plan.v6 = true;
    const auto sports = expand_ports(r.sport);
    const auto dports = expand_ports(r.dport);
    for (pir::Family f : {pir::Family::V4, pir::Family::V6}) {
      if (!(fams & (f == pir::Family::V4 ? 1u : 2u))) continue;
      const auto srcs = expand_addr(r.src, f);
      const auto dsts = expand_addr(r.dst, f);
      const auto protos = cls_protos(r, f);
      const sn_cls_extra extra = cls_extra(r, f, plan.ifaces);
      const uint64_t n = product({srcs.size(), dsts.size(), sports.size(), dports.size(), protos.size()});
      if (plan.recs.size() + n > kMaxClassifierEntries)
        throw LowerError(domain + " rule `" + *rules[ri].id + "` expands the classifier past " +
                         std::to_string(kMaxClassifierEntries) +
                         " records; split its address or port lists into fewer, larger ranges");
      for (const auto& s : srcs)
        for (const auto& d : dsts)
          for (const auto& [splo, sphi] : sports)
            for (const auto& [dplo, dphi] : dports)
              for (const auto& [proto, proto_mask] : protos) {
                sn_cls_rec rec{};
                rec.rule = ri;
                rec.family = static_cast<uint8_t>(f);
                rec.proto = proto & proto_mask;
                rec.proto_mask = proto_mask;
                rec.flags = static_cast<uint8_t>((s.neg ? SN_CLS_NEG_SRC : 0) | (d.neg ? SN_CLS_NEG_DST : 0) |
                                                 (r.has_ports() ? SN_CLS_NEEDS_PORTS : 0));
                rec.ct_states = rules[ri].ct;
                rec.src_len = s.len;
                rec.dst_len = d.len;
                rec.sport_lo = splo;
                rec.sport_hi = sphi;
                rec.dport_lo = dplo;
                rec.dport_hi = dphi;
                std::memcpy(rec.src, s.words, sizeof rec.src);
                std::memcpy(rec.dst, d.words, sizeof rec.dst);
                rec.x = extra;
                plan.recs.push_back(rec);
              }
    }
  }
  cls::build_trees(plan);
  return plan;
}

}  // namespace sentinel::lower
