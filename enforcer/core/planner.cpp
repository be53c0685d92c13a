#include "enforcer/core/planner.h"

#include <algorithm>
#include <map>
#include <set>

namespace sentinel::enforcer::core {
namespace {

// A set reference is the same constraint whatever the set holds: element
// changes are reported on the set itself.
bool same_addr(const pir::AddrMatch& a, const pir::AddrMatch& b) {
  if (!a.set.empty() || !b.set.empty())
    return a.set == b.set && a.negate == b.negate && a.any == b.any;
  return a == b;
}

bool same_ports(const pir::PortMatch& a, const pir::PortMatch& b) {
  if (!a.set.empty() || !b.set.empty()) return a.set == b.set && a.any == b.any;
  return a == b;
}

std::vector<std::string> set_elements(const pir::Set& s) {
  std::vector<std::string> out;
  for (const auto& c : s.cidrs) out.push_back(pir::format(c));
  for (const auto& p : s.ports) out.push_back(pir::format(p));
  return out;
}

void diff_sets(const std::vector<pir::Set>& live, const std::vector<pir::Set>& next, Plan& p) {
  std::map<std::string, const pir::Set*> a, b;
  for (const auto& s : live) a[s.name] = &s;
  for (const auto& s : next) b[s.name] = &s;
  std::set<std::string> names;
  for (const auto& [n, s] : a) names.insert(n);
  for (const auto& [n, s] : b) names.insert(n);
  for (const auto& n : names) {
    std::vector<std::string> old_e, new_e;
    if (a.count(n)) old_e = set_elements(*a[n]);
    if (b.count(n)) new_e = set_elements(*b[n]);
    if (a.count(n) && b.count(n) && a[n]->kind != b[n]->kind) {
      // A kind change replaces every element.
    } else {
      std::set<std::string> o(old_e.begin(), old_e.end()), nn(new_e.begin(), new_e.end());
      std::vector<std::string> keep_o, keep_n;
      for (const auto& e : old_e)
        if (!nn.count(e)) keep_o.push_back(e);
      for (const auto& e : new_e)
        if (!o.count(e)) keep_n.push_back(e);
      old_e = keep_o;
      new_e = keep_n;
    }
    for (const auto& e : old_e) p.items.push_back({'-', "set", n, e}), ++p.remove;
    for (const auto& e : new_e) p.items.push_back({'+', "set", n, e}), ++p.add;
  }
}

void diff_rules(const std::vector<pir::Rule>& live, const std::vector<pir::Rule>& next, Plan& p) {
  std::map<std::string, size_t> a, b;
  for (size_t i = 0; i < live.size(); ++i) a[live[i].id] = i;
  for (size_t i = 0; i < next.size(); ++i) b[next[i].id] = i;
  // Order among the rules both sides have: only a relative move changes
  // first-match results, an insertion above does not move a rule.
  std::vector<std::string> common_old, common_new;
  for (const auto& r : live)
    if (b.count(r.id)) common_old.push_back(r.id);
  for (const auto& r : next)
    if (a.count(r.id)) common_new.push_back(r.id);
  std::map<std::string, size_t> rank_old, rank_new;
  for (size_t i = 0; i < common_old.size(); ++i) rank_old[common_old[i]] = i;
  for (size_t i = 0; i < common_new.size(); ++i) rank_new[common_new[i]] = i;

  for (const auto& r : live)
    if (!b.count(r.id)) p.items.push_back({'-', "rule", r.id, describe_rule(r)}), ++p.remove;
  for (size_t i = 0; i < next.size(); ++i) {
    const pir::Rule& n = next[i];
    auto it = a.find(n.id);
    if (it == a.end()) {
      p.items.push_back({'+', "rule", n.id, describe_rule(n)});
      ++p.add;
      continue;
    }
    const pir::Rule& o = live[it->second];
    std::vector<std::string> what;
    auto field = [&](const char* name, const std::string& x, const std::string& y) {
      if (x != y) what.push_back(std::string(name) + " " + x + " -> " + y);
    };
    field("action", pir::to_string(o.action), pir::to_string(n.action));
    field("proto", pir::to_string(o.proto), pir::to_string(n.proto));
    if (!same_addr(o.src, n.src)) field("from", pir::source_text(o.src), pir::source_text(n.src));
    if (!same_ports(o.sport, n.sport)) field("from port", pir::source_text(o.sport), pir::source_text(n.sport));
    if (!same_addr(o.dst, n.dst)) field("to", pir::source_text(o.dst), pir::source_text(n.dst));
    if (!same_ports(o.dport, n.dport)) field("to port", pir::source_text(o.dport), pir::source_text(n.dport));
    if (o.description != n.description)
      what.push_back("description \"" + o.description + "\" -> \"" + n.description + "\"");
    if (rank_old[n.id] != rank_new[n.id])
      what.push_back("moved: position " + std::to_string(it->second + 1) + " -> " +
                     std::to_string(i + 1));
    if (what.empty()) continue;
    std::string d;
    for (size_t k = 0; k < what.size(); ++k) d += (k ? "; " : "") + what[k];
    p.items.push_back({'~', "rule", n.id, d});
    ++p.change;
  }
}

}  // namespace

std::string describe_rule(const pir::Rule& r) {
  std::string s = pir::to_string(r.action);
  if (r.proto != pir::Proto::Any) s += std::string(" ") + pir::to_string(r.proto);
  if (!(r.src.any && r.src.set.empty() && r.src.cidrs.empty()) || !r.sport.any) {
    s += " from " + pir::source_text(r.src);
    if (!r.sport.any || !r.sport.set.empty()) s += " port " + pir::source_text(r.sport);
  }
  if (!(r.dst.any && r.dst.set.empty() && r.dst.cidrs.empty()) || !r.dport.any) {
    s += " to " + pir::source_text(r.dst);
    if (!r.dport.any || !r.dport.set.empty()) s += " port " + pir::source_text(r.dport);
  }
  if (!r.description.empty()) s += " \"" + r.description + "\"";
  return s;
}

Plan diff_policies(const std::optional<pir::Policy>& live, const pir::Policy& next) {
  Plan p;
  const pir::Firewall& nf = next.firewall;
  if (!live || !live->firewall.present) {
    if (nf.present) {
      p.items.push_back({'+', "firewall", "firewall",
                         std::string("default ") + pir::to_string(nf.default_action) + " mode " +
                             pir::to_string(nf.mode)});
      ++p.add;
    }
  } else if (!nf.present) {
    p.items.push_back({'-', "firewall", "firewall", "the firewall block is removed"});
    ++p.remove;
  } else {
    const pir::Firewall& of = live->firewall;
    if (of.default_action != nf.default_action) {
      p.items.push_back({'~', "firewall", "default",
                         std::string(pir::to_string(of.default_action)) + " -> " +
                             pir::to_string(nf.default_action)});
      ++p.change;
    }
    if (of.mode != nf.mode) {
      p.items.push_back({'~', "firewall", "mode",
                         std::string(pir::to_string(of.mode)) + " -> " + pir::to_string(nf.mode)});
      ++p.change;
    }
  }
  static const std::vector<pir::Set> no_sets;
  static const std::vector<pir::Rule> no_rules;
  diff_sets(live ? live->sets : no_sets, next.sets, p);
  diff_rules(live && live->firewall.present ? live->firewall.rules : no_rules, nf.rules, p);
  return p;
}

std::string render_text(const Plan& p) {
  std::string s;
  if (p.empty()) {
    s = "plan: no changes\n";
  } else {
    s = "plan: " + std::to_string(p.add) + " to add, " + std::to_string(p.change) +
        " to change, " + std::to_string(p.remove) + " to remove (firewall)\n";
  }
  for (const auto& i : p.items) {
    s += "  ";
    s += i.op;
    s += ' ';
    if (i.kind == "rule")
      s += "rule " + i.id + (i.op == '~' ? ": " : " ") + i.detail;
    else if (i.kind == "set")
      s += "set " + i.id + " " + i.detail;
    else if (i.id == "firewall")
      s += "firewall " + i.detail;
    else
      s += "firewall " + i.id + " " + i.detail;
    s += '\n';
  }
  return s;
}

nlohmann::json render_json(const Plan& p) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& i : p.items)
    items.push_back({{"op", std::string(1, i.op)}, {"kind", i.kind}, {"id", i.id},
                     {"detail", i.detail}});
  nlohmann::json j;
  j["changes"] = !p.empty();
  j["live_generation"] = p.live_generation ? nlohmann::json(*p.live_generation) : nlohmann::json();
  j["summary"] = {{"add", p.add}, {"change", p.change}, {"remove", p.remove}};
  j["domains"]["firewall"] = {
      {"add", p.add}, {"change", p.change}, {"remove", p.remove}, {"items", items}};
  return j;
}

}  // namespace sentinel::enforcer::core
