#include <fmt/format.h>

#include <bit>
#include <cstring>

#include "compiler/dplan/conntrack_plan.h"
#include "compiler/dplan/firewall_plan.h"
#include "compiler/dplan/ratelimit_plan.h"
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

std::string defines_line(const std::vector<std::string>& defines) {
  std::string out = "defines:";
  for (const auto& d : defines) out += " " + d;
  return out + (defines.empty() ? " (none)\n" : "\n");
}

std::string slot_text(uint32_t slot) { return slot == SN_NO_SLOT ? "none" : std::to_string(slot); }

}  // namespace

const char* action_name(uint32_t action) {
  switch (action) {
    case SN_FW_ALLOW: return "allow";
    case SN_FW_DENY: return "deny";
    case SN_FW_LOG: return "log";
  }
  return "?";
}

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

std::string FirewallPlan::print() const {
  std::string out;
  out += fmt::format("firewall plan: {} rules + default, {} tuples, {} entries\n", config.nrules, cls.tuples.size(),
                     cls.entries.size());
  static const char* ct_modes[] = {"off", "rules", "accept"};
  out += fmt::format("config: ntuples {} nrules {} default {} mode {} ct {} next_slot {} "
                     "malformed_counter_key {:#018x} established_counter_key {:#018x}\n",
                     config.ntuples, config.nrules, action_name(config.default_action),
                     config.mode == SN_FW_AUDIT ? "audit" : "enforce", config.ct_mode < 3 ? ct_modes[config.ct_mode] : "?",
                     slot_text(config.next_slot), config.malformed_counter_key, config.established_counter_key);
  out += defines_line(defines);
  out += "rules:\n";
  for (size_t i = 0; i < rules.size(); ++i)
    out += fmt::format("  {:>5} {:<24} {:<5} counter {:#018x}\n", i, i < rule_ids.size() ? rule_ids[i] : "?",
                       action_name(rules[i].action), rules[i].counter_key);
  return out + cls.print(rule_ids);
}

std::string RateLimitPlan::print() const {
  static const char* algs[] = {"?", "token-bucket", "leaky-bucket", "fixed-window", "sliding-window"};
  static const char* keys[] = {"?", "source", "cidr", "port", "global"};
  std::string out = fmt::format("ratelimit plan: {} rules, {} tuples, {} entries\n", config.nrules, cls.tuples.size(),
                                cls.entries.size());
  out += fmt::format("config: ntuples {} nrules {} mode {} next_slot {} contended_counter_key {:#018x}\n",
                     config.ntuples, config.nrules, config.mode == SN_RL_AUDIT ? "audit" : "enforce",
                     slot_text(config.next_slot), config.contended_counter_key);
  out += defines_line(defines);
  out += "rules:\n";
  for (size_t i = 0; i < rules.size(); ++i) {
    const auto& r = rules[i];
    out += fmt::format("  {:>5} {:<24} {} {} key {}/{}/{} {} interval {} tolerance {} bucket {:#018x} counters "
                       "{:#018x} {:#018x}\n",
                       i, i < rule_ids.size() ? rule_ids[i] : "?", r.action == SN_RL_LOG ? "log" : "drop",
                       r.algorithm < 5 ? algs[r.algorithm] : "?", r.key < 5 ? keys[r.key] : "?", r.v4_len, r.v6_len,
                       r.algorithm >= SN_RL_FIXED_WINDOW ? "window" : "gcra", r.interval, r.tolerance, r.bucket_id,
                       r.counter_key, r.pass_counter_key);
  }
  return out + cls.print(rule_ids);
}

std::string ConntrackPlan::print() const {
  static const char* names[] = {"tcp-syn", "tcp-established", "tcp-closing", "tcp-close",
                                "udp", "udp-stream", "icmp", "other"};
  std::string out = "conntrack plan:\n";
  for (int i = 0; i < SN_CT_NTIMEOUTS; ++i) out += fmt::format("  timeout {:<16} {} ns\n", names[i], config.timeout_ns[i]);
  out += fmt::format("  created_counter_key {:#018x}\n", config.created_counter_key);
  return out;
}

}  // namespace sentinel::dplan
