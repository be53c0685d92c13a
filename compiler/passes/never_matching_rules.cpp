// W0203's facts: a rule that no packet can match. The test is the same
// MatchSpace the shadowing analysis uses (empty means no packet); the reasons
// are then read off the rule so the note says which field is to blame.
#include "compiler/passes/analyses.h"
#include "compiler/passes/match_space.h"

namespace sentinel::passes {

namespace {

const char* family_name(pir::Family f) { return f == pir::Family::V4 ? "IPv4" : "IPv6"; }

void explain_ports(const char* which, const pir::PortMatch& m, std::vector<std::string>& out) {
  if (m.any || !port_set(m).empty()) return;
  if (m.ranges.empty())
    out.push_back(std::string("the ") + which + " ports " + pir::source_text(m) + " hold no port");
  else
    out.push_back(std::string("the ") + which + " ports " + pir::source_text(m) +
                  " hold no port: every range is inverted");
}

void explain_addr(const char* which, const pir::AddrMatch& m, pir::Family f,
                  std::vector<std::string>& out) {
  if (!address_set(m, f).empty()) return;
  if (m.negate)
    out.push_back(std::string("the ") + which + " " + pir::source_text(m) + " excludes every " +
                  family_name(f) + " address");
  else
    out.push_back(std::string("the ") + which + " " + pir::source_text(m) + " has no " + family_name(f) +
                  " address");
}

std::vector<std::string> reasons(const pir::Match& r) {
  std::vector<std::string> out;
  if (r.has_ports() && r.proto != pir::Proto::Any && r.proto != pir::Proto::Tcp &&
      r.proto != pir::Proto::Udp)
    out.push_back(std::string("it has ports, but ") + pir::to_string(r.proto) +
                  " packets carry none");
  explain_ports("source", r.sport, out);
  explain_ports("destination", r.dport, out);
  for (const auto* m : {&r.src, &r.dst}) {
    if (!m->any && m->cidrs.empty())
      out.push_back(std::string("the ") + (m == &r.src ? "source " : "destination ") + pir::source_text(*m) +
                    (m->negate ? " lists no prefix, so it leaves no address family"
                               : " has no address"));
  }
  unsigned fams = r.families();
  if (fams == 0 && out.empty())
    out.push_back("its source, destination and protocol have no address family in common");
  for (unsigned i = 0; i < 2; ++i) {
    if (!(fams & (1u << i))) continue;
    explain_addr("source", r.src, family_of_index(i), out);
    explain_addr("destination", r.dst, family_of_index(i), out);
  }
  return out;
}

}  // namespace

std::vector<NeverMatching> find_never_matching_rules(const std::vector<RuleRef>& rules,
                                                     const std::string& unreachable_ct) {
  std::vector<NeverMatching> out;
  for (size_t i = 0; i < rules.size(); ++i) {
    const RuleRef& r = rules[i];
    if (!match_space(*r.match, r.ct).empty()) continue;
    auto why = reasons(*r.match);
    if (!(r.ct & kAllCtStates) && !unreachable_ct.empty()) why.push_back(unreachable_ct);
    if (why.empty()) why.push_back("no packet state it names reaches it");
    out.push_back({i, std::move(why)});
  }
  return out;
}

}  // namespace sentinel::passes
