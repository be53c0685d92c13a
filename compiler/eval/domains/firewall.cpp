#include "compiler/eval/domains/firewall.h"

#include <map>

#include "compiler/eval/match.h"

namespace sentinel::eval {

namespace firewall {

std::string reject_answer(const Packet& p) {
  bool v4 = p.family == pir::Family::V4;
  if (p.fragment || is_icmp_error(p)) return {};
  if (v4 ? (p.dst.bytes[0] >= 224 || p.dst == *pir::parse_addr("255.255.255.255")) : p.dst.bytes[0] == 0xff)
    return {};
  if (p.proto == 6) return (p.tcp_flags & kRst) ? "" : "tcp-rst";
  return v4 ? "icmp-unreachable" : "icmpv6-unreachable";
}

std::string mismatch(const pir::FirewallRule& r, const Packet& pkt, pir::CtState ct) {
  std::string why = eval::mismatch(r.match, pkt);
  if (!why.empty()) return why;
  if (r.ct && !(r.ct & pir::ct_bit(ct)))
    return std::string("connection state is ") + pir::to_string(ct) + ", not " + pir::ct_text(r.ct);
  return {};
}

Decision decide(const pir::Firewall& fw, const Packet& pkt, pir::CtState ct, bool accept_established,
                bool trace) {
  Decision d;
  d.action = fw.default_action;
  if (accept_established && (ct == pir::CtState::Established || ct == pir::CtState::Related)) {
    d.established = true;
    d.action = pir::FirewallAction::Allow;
    return d;
  }
  for (const auto& m : fw.management) {
    if (eval::mismatch(m.match, pkt).empty()) {
      d.management = true;
      d.action = pir::FirewallAction::Allow;
      return d;
    }
  }
  for (size_t i = 0; i < fw.rules.size(); ++i) {
    std::string why = mismatch(fw.rules[i], pkt, ct);
    if (why.empty()) {
      d.rule = static_cast<int>(i);
      d.action = fw.rules[i].action;
      break;
    }
    if (trace) d.misses.push_back({i, fw.rules[i].id, std::move(why)});
  }
  d.dropped = (d.action == pir::FirewallAction::Deny || d.action == pir::FirewallAction::Reject) &&
              fw.mode == pir::Mode::Enforce;
  return d;
}

}  // namespace firewall

namespace {

// `reject`'s budget: per source address, the theoretical arrival time of
// its next answer (GCRA), as the kernel keeps it.
struct FirewallState : DomainState {
  std::map<pir::Addr, uint64_t> tat;
  bool take(const pir::Addr& src, uint64_t now) {
    auto it = tat.find(src);
    if (it == tat.end()) {
      tat[src] = now + firewall::kRejectIntervalNs;
      return true;
    }
    uint64_t t = std::max(it->second, now);
    if (t - now > firewall::kRejectIntervalNs * (firewall::kRejectBurst - 1)) return false;
    it->second = t + firewall::kRejectIntervalNs;
    return true;
  }
};

void xdp(StageCtx& c) {
  const auto& fw = static_cast<const pir::Firewall&>(c.block);
  const auto* ct = c.policy.get<pir::Conntrack>();
  auto d = firewall::decide(fw, c.pkt, c.verdict.ct, ct && ct->accept_established, c.trace);
  DomainResult r;
  r.domain = DomainId::firewall;
  r.rule = d.rule;
  r.action = pir::to_string(d.action);
  r.dropped = d.dropped;
  r.misses = std::move(d.misses);
  if (d.management) {
    r.rule_id = firewall::kManagementId;
    r.note = "management access: passed before the rules by the anti-lockout guard";
  } else if (d.established) {
    r.rule_id = firewall::kEstablishedId;
    r.note = std::string("connection state ") + pir::to_string(c.verdict.ct) +
             ": passed before the rules (conntrack `established allow`)";
  } else if (d.rule < 0) {
    r.rule_id = firewall::kDefaultId;
    r.note = "no rule matched: the default";
  } else {
    r.rule_id = fw.rules[d.rule].id;
    r.where = fw.rules[d.rule].loc;
  }
  if ((d.action == pir::FirewallAction::Deny || d.action == pir::FirewallAction::Reject) &&
      fw.mode == pir::Mode::Audit)
    r.note = "audit mode: would drop, passes and is reported";
  r.counted = {r.rule_id};
  if (d.action == pir::FirewallAction::Reject && d.dropped) {
    std::string answer = firewall::reject_answer(c.pkt);
    if (answer.empty()) {
      r.note = "rejected: dropped without an answer (a RST, an ICMP error, a fragment or multicast)";
    } else if (!static_cast<FirewallState*>(c.state)->take(c.pkt.src, c.now_ns)) {
      r.note = "rejected: the source is over its answer budget; dropped without an answer";
    } else {
      c.verdict.answer = answer;
      r.note = "rejected: answered with " + answer;
    }
  }
  c.verdict.dropped = d.dropped;
  c.verdict.results.push_back(std::move(r));
}

}  // namespace

const DomainEval firewall_eval = {{{Hook::Xdp, 10, &xdp}},
                                  [] { return std::unique_ptr<DomainState>(std::make_unique<FirewallState>()); }};

}  // namespace sentinel::eval
