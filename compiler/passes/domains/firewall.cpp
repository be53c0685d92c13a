// W0201 and W0203 for firewall rules, worded with their actions.
#include "compiler/passes/domains/firewall.h"

#include "compiler/passes/match_space.h"
#include "compiler/passes/rule_span.h"
#include "compiler/pir/domains/firewall.h"

namespace sentinel::passes {

namespace {

const char* verb(pir::FirewallAction a) {
  switch (a) {
    case pir::FirewallAction::Allow: return "allows";
    case pir::FirewallAction::Deny: return "denies";
    case pir::FirewallAction::Log: return "logs";
    case pir::FirewallAction::Reject: return "rejects";
  }
  return "decides";
}

// Established and related packets pass before the rules under conntrack's
// `established allow`: no rule sees them.
uint8_t reachable(const pir::Policy& p) {
  const auto* ct = p.get<pir::Conntrack>();
  if (!ct || !ct->accept_established) return kAllCtStates;
  return kAllCtStates & ~(pir::ct_bit(pir::CtState::Established) | pir::ct_bit(pir::CtState::Related));
}

}  // namespace

std::vector<RuleRef> firewall_rules(const pir::Policy& p) {
  std::vector<RuleRef> out;
  const auto* fw = p.get<pir::Firewall>();
  if (!fw) return out;
  uint8_t reach = reachable(p);
  out.reserve(fw->rules.size());
  for (const auto& r : fw->rules)
    out.push_back({r.id, &r.match, static_cast<uint8_t>((r.ct ? r.ct : kAllCtStates) & reach), &r.loc});
  return out;
}

void check_firewall_never_matching(const pir::Policy& p, const SourceManager& sm, DiagEngine& diags) {
  const auto& rules = p.get<pir::Firewall>()->rules;
  RuleSpans spans(sm);
  auto span = [&](const pir::FirewallRule& r) { return spans.of(r.loc, r.id.size()); };
  std::vector<RuleRef> refs = firewall_rules(p);
  for (const NeverMatching& n :
       find_never_matching_rules(refs, "established and related packets pass before the rules "
                                       "(conntrack `established allow`)")) {
    const auto& r = rules[n.rule];
    auto& d = diags.report(DiagCode::W0203, span(r), "rule `" + r.id + "` can never match");
    for (const auto& why : n.reasons) d.notes.push_back({{}, why});
    // Only its `ct` states keep the rule from matching: say the two ways out.
    if (r.ct && !(r.ct & reachable(p)) && n.reasons.size() == 1)
      d.help = "remove the rule, or write `established rules` in the conntrack block so that the rules see "
               "established and related packets";
  }
}

void check_firewall_shadowed(const pir::Policy& p, const SourceManager& sm, DiagEngine& diags) {
  const auto& rules = p.get<pir::Firewall>()->rules;
  RuleSpans spans(sm);
  auto span = [&](const pir::FirewallRule& r) { return spans.of(r.loc, r.id.size()); };
  std::vector<RuleRef> refs = firewall_rules(p);
  bool tracked = p.get<pir::Conntrack>() != nullptr;
  for (const Shadowing& s : find_shadowed_rules(refs)) {
    const auto& a = rules[s.by];
    const auto& r = rules[s.rule];
    auto& d = diags.report(DiagCode::W0201, span(r),
                           "rule `" + r.id + "` is never reached: rule `" + a.id +
                               "` matches every packet it matches");
    d.notes.push_back({span(a), "`" + a.id + "` is defined here"});
    std::string state = tracked ? std::string(" in state ") + pir::to_string(static_cast<pir::CtState>(s.witness_ct))
                                : "";
    d.notes.push_back({{}, "for example " + s.witness + state + " is decided by `" + rules[s.decided_by].id + "`"});
    if (a.action == r.action) {
      d.notes.push_back({{}, "`" + r.id + "` is redundant: `" + a.id + "` already " + verb(a.action) +
                                 " these packets"});
      d.help = "remove `" + r.id + "`";
    } else {
      d.notes.push_back({{}, "the rules conflict: `" + a.id + "` " + verb(a.action) + " the packets `" + r.id +
                                 "` would " + pir::to_string(r.action)});
      d.help = "move `" + r.id + "` above `" + a.id + "` if it should win, or remove it";
    }
  }
}

namespace {

bool overlap(const IntervalSet& a, const IntervalSet& b, unsigned bits) {
  return !a.empty() && !b.empty() && !a.subset_of(b.complement(bits));
}

// Some packet matches both `a` and `b` (connection states aside).
bool intersects(const pir::Match& a, const pir::Match& b) {
  auto both = [](int x, int y) { return x < 0 || y < 0 || x == y; };
  if ((a.tcp_flags ^ b.tcp_flags) & a.tcp_mask & b.tcp_mask) return false;
  if (!both(a.icmp_type, b.icmp_type) || !both(a.icmp_code, b.icmp_code) || !both(a.icmp6_type, b.icmp6_type) ||
      !both(a.icmp6_code, b.icmp6_code) || !both(a.dscp, b.dscp) || !both(a.vlan, b.vlan) ||
      !both(a.vlan_inner, b.vlan_inner))
    return false;
  if (!pir::ifaces_meet(a, b)) return false;
  if ((a.has_ports() || b.has_ports()) && !overlap(port_set(a.sport), port_set(b.sport), 16)) return false;
  if ((a.has_ports() || b.has_ports()) && !overlap(port_set(a.dport), port_set(b.dport), 16)) return false;
  unsigned fams = a.families() & b.families();
  for (pir::Family f : {pir::Family::V4, pir::Family::V6}) {
    if (!(fams & (f == pir::Family::V4 ? 1u : 2u))) continue;
    uint8_t pa = pir::proto_in(a.proto, f), pb = pir::proto_in(b.proto, f);
    if (pa && pb && pa != pb) continue;
    uint8_t proto = pa ? pa : pb;
    if ((a.has_ports() || b.has_ports()) && proto && proto != 6 && proto != 17) continue;
    if (a.tcp_mask || b.tcp_mask) {
      if (proto && proto != 6) continue;
    }
    unsigned bits = family_bits(f);
    if (overlap(address_set(a.src, f), address_set(b.src, f), bits) &&
        overlap(address_set(a.dst, f), address_set(b.dst, f), bits))
      return true;
  }
  return false;
}

}  // namespace

// W0204: a rule that drops traffic the anti-lockout guard keeps passing,
// where no earlier rule already passes all of that traffic.
void check_firewall_lockout(const pir::Policy& p, const SourceManager& sm, DiagEngine& diags) {
  const auto& fw = *p.get<pir::Firewall>();
  if (fw.management.empty()) return;
  RuleSpans spans(sm);
  for (const auto& m : fw.management) {
    MatchSpace ms = match_space(m.match);
    if (ms.empty()) continue;
    for (const auto& r : fw.rules) {
      bool passes = r.action == pir::FirewallAction::Allow || r.action == pir::FirewallAction::Log;
      if (passes) {
        if (!r.ct && match_space(r.match).covers(ms)) break;
        continue;
      }
      if (!intersects(r.match, m.match)) continue;
      auto& d = diags.report(DiagCode::W0204, spans.of(r.loc, r.id.size()),
                             "rule `" + r.id + "` would cut management access (" + pir::source_text(m.match) + ")");
      d.notes.push_back({spans.of(m.loc, 10), "the anti-lockout guard keeps this traffic passing, before every rule"});
      d.help = "narrow `" + r.id + "` so that it leaves management access alone, or change the `management` setting";
    }
  }
}

void analyze_firewall(const pir::Policy& p, const pir::Block&, const SourceManager& sm, DiagEngine& diags) {
  check_rule_limits(firewall_rules(p), "the firewall", sm, diags);
  check_firewall_never_matching(p, sm, diags);
  check_firewall_shadowed(p, sm, diags);
  check_firewall_lockout(p, sm, diags);
}

}  // namespace sentinel::passes
