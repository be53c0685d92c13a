// Printing what every plan shares: the classifier's tuples and entries.
#include <fmt/format.h>

#include <bit>
#include <cstring>

#include "compiler/dplan/classifier.h"
#include "compiler/dplan/print_support.h"
#include "compiler/pir/addr.h"

namespace sentinel::dplan {

namespace {

unsigned mask_len(const uint32_t words[4], unsigned bits) {
  uint8_t b[16];
  std::memcpy(b, words, 16);
  unsigned n = 0;
  for (unsigned i = 0; i < bits / 8; ++i) n += std::popcount(b[i]);
  return n;
}

std::string port_text(uint16_t v, uint16_t mask) {
  if (mask == 0) return "any";
  if (mask == 0xffff) return std::to_string(v);
  unsigned host = std::countr_zero(static_cast<uint16_t>(mask));
  if (static_cast<uint16_t>(mask | ((1u << host) - 1)) == 0xffff)
    return fmt::format("{}..{}", v, v | ((1u << host) - 1));
  return fmt::format("{:#06x}/{:#06x}", v, mask);
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

const char* ct_text(uint8_t ct) {
  static const char* names[] = {"untracked", "new", "established", "related", "invalid"};
  return ct < 5 ? names[ct] : "?";
}

pir::Addr to_addr(uint8_t family, const uint32_t words[4]) {
  pir::Addr a;
  a.family = family == 6 ? pir::Family::V6 : pir::Family::V4;
  std::memcpy(a.bytes.data(), words, 16);
  return a;
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

std::string format_tuple(const sn_cls_tuple& t) {
  unsigned bits = t.family == 6 ? 128 : 32;
  return fmt::format("v{} src/{} dst/{} proto {} sport-mask {:#06x} dport-mask {:#06x}{}{} min_rule {}", t.family,
                     mask_len(t.src_mask, bits), mask_len(t.dst_mask, bits), t.proto_mask ? "exact" : "any",
                     t.sport_mask, t.dport_mask, t.needs_ports ? " needs-ports" : "", t.ct_mask ? " ct" : "",
                     t.min_rule);
}

std::string format_entry(const sn_cls_key& k, const sn_cls_match& m, const sn_cls_tuple* t) {
  std::string ct = k.ct ? fmt::format(" ct {}", ct_text(k.ct)) : "";
  if (!t)
    return fmt::format("t{} v{} {} {} port {} -> {} port {}{} => rule {}", k.tuple, k.family,
                       k.proto ? proto_text(k.proto, 0xff) : "*", pir::format(to_addr(k.family, k.src)), k.sport,
                       pir::format(to_addr(k.family, k.dst)), k.dport, ct, m.rule);
  unsigned bits = k.family == 6 ? 128 : 32;
  return fmt::format("t{} {} {}/{} port {} -> {}/{} port {}{} => rule {}", k.tuple, proto_text(k.proto, t->proto_mask),
                     pir::format(to_addr(k.family, k.src)), mask_len(t->src_mask, bits),
                     port_text(k.sport, t->sport_mask), pir::format(to_addr(k.family, k.dst)),
                     mask_len(t->dst_mask, bits), port_text(k.dport, t->dport_mask), ct, m.rule);
}

std::string ClassifierPlan::print(const std::vector<std::string>& rule_ids) const {
  std::string out = "tuples:\n";
  for (size_t i = 0; i < tuples.size(); ++i) out += fmt::format("  {:>5} {}\n", i, format_tuple(tuples[i]));
  out += "entries:\n";
  for (const auto& [k, m] : entries) {
    const sn_cls_tuple* t = k.tuple < tuples.size() ? &tuples[k.tuple] : nullptr;
    out += "  " + format_entry(k, m, t);
    if (m.rule < rule_ids.size()) out += " (" + rule_ids[m.rule] + ")";
    out += "\n";
  }
  return out;
}

}  // namespace sentinel::dplan
