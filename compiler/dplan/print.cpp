// Printing what every plan shares: the classifier's trees and records.
#include <fmt/format.h>

#include <cstring>

#include "compiler/dplan/classifier.h"
#include "compiler/dplan/print_support.h"
#include "compiler/pir/addr.h"

namespace sentinel::dplan {

namespace {

const char* ct_text(uint8_t ct) {
  static const char* names[] = {"untracked", "new", "established", "related", "invalid"};
  return ct < 5 ? names[ct] : "?";
}

std::string proto_text(uint8_t proto, uint8_t mask) {
  if (mask == 0) return "any";
  switch (proto) {
    case 1: return "icmp";
    case 6: return "tcp";
    case 17: return "udp";
    case 58: return "icmpv6";
  }
  return fmt::format("proto {}", proto);
}

std::string ports_text(uint16_t lo, uint16_t hi) {
  if (lo == 0 && hi == 0xffff) return "any";
  if (lo == hi) return std::to_string(lo);
  return fmt::format("{}..{}", lo, hi);
}

std::string prefix_text(uint8_t family, const uint32_t words[4], uint8_t len, bool neg) {
  if (len == 0 && !neg) return "any";
  pir::Addr a = pir::Addr::from_value(family == 6 ? pir::Family::V6 : pir::Family::V4, rec_addr_value(words, family));
  return fmt::format("{}{}/{}", neg ? "!" : "", pir::format(a), len);
}

std::string ct_states_text(uint8_t states) {
  std::string out;
  for (uint8_t v = 0; v < 5; ++v)
    if (states & (1u << v)) out += (out.empty() ? "" : ",") + std::string(ct_text(v));
  return out;
}

const char* word_text(uint8_t w) {
  static const char* names[] = {"src0", "src1", "src2", "src3", "dst0", "dst1", "dst2", "dst3", "sport", "dport", "proto"};
  return w <= SN_CLS_W_PROTO ? names[w] : "?";
}

}  // namespace

namespace detail {

std::string defines_line(const std::vector<std::string>& defines) {
  std::string out = "defines:";
  for (const auto& d : defines) out += " " + d;
  return out + (defines.empty() ? " (none)\n" : "\n");
}

std::string slot_text(uint32_t slot) { return slot == SN_NO_SLOT ? "none" : std::to_string(slot); }

}  // namespace detail

std::string format_node(const sn_cls_node& n) {
  if (n.word == SN_CLS_LEAF) {
    if (n.count == 0) return "leaf empty";
    return fmt::format("leaf {} records at {} min_rule {}", n.count, n.base, n.min_rule);
  }
  return fmt::format("cut ({} >> {}) & {:#x} -> children at {} min_rule {}", word_text(n.word), n.shift,
                     (1u << n.bits) - 1, n.base, n.min_rule);
}

std::string format_rec(const sn_cls_rec& r) {
  std::string out = fmt::format("v{} {} {} port {} -> {} port {}", r.family, proto_text(r.proto, r.proto_mask),
                                prefix_text(r.family, r.src, r.src_len, r.flags & SN_CLS_NEG_SRC),
                                ports_text(r.sport_lo, r.sport_hi),
                                prefix_text(r.family, r.dst, r.dst_len, r.flags & SN_CLS_NEG_DST),
                                ports_text(r.dport_lo, r.dport_hi));
  if (r.flags & SN_CLS_NEEDS_PORTS) out += " needs-ports";
  if (r.ct_states) out += " ct " + ct_states_text(r.ct_states);
  if (r.x.has) out += fmt::format(" extra {:#x}", r.x.has);
  return out + fmt::format(" => rule {}", r.rule);
}

uint64_t ClassifierPlan::bytes() const {
  return nodes.size() * sizeof(sn_cls_node) + leaves.size() * sizeof(uint32_t) + recs.size() * sizeof(sn_cls_rec);
}

std::string ClassifierPlan::print(const std::vector<std::string>& rule_ids) const {
  std::string out = fmt::format("classifier: {} records, {} nodes, {} leaf slots, at most {} steps\n", recs.size(),
                                nodes.size(), leaves.size(), steps);
  out += "trees:\n";
  for (const auto& t : trees)
    out += fmt::format("  v{} {}: {} records, {} nodes, depth {}, largest leaf {}, min_rule {}\n", t.family, t.group,
                       t.records, t.nodes, t.depth, t.max_leaf, t.min_rule);
  out += "nodes:\n";
  for (size_t i = 0; i < nodes.size(); ++i) {
    std::string line = format_node(nodes[i]);
    if (nodes[i].word == SN_CLS_LEAF && nodes[i].count) {
      line += ":";
      for (uint32_t k = 0; k < nodes[i].count && k < 16; ++k) line += fmt::format(" {}", leaves[nodes[i].base + k]);
      if (nodes[i].count > 16) line += " ...";
    }
    out += fmt::format("  {:>5} {}\n", i, line);
  }
  out += "records:\n";
  for (size_t i = 0; i < recs.size(); ++i) {
    out += fmt::format("  {:>5} {}", i, format_rec(recs[i]));
    if (recs[i].rule < rule_ids.size()) out += " (" + rule_ids[recs[i].rule] + ")";
    out += "\n";
  }
  return out;
}

}  // namespace sentinel::dplan
