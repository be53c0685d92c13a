#include "compiler/diff/diff.h"

#include <algorithm>
#include <map>
#include <set>

namespace sentinel::diff {

namespace {

using DiffFn = void (*)(const pir::Block*, const pir::Block*, Plan&);
constexpr DiffFn kDomains[] = {
#define SN_DOMAIN(name) &diff_##name,
#include "compiler/domains/domains.def"
#undef SN_DOMAIN
};

// A set reference is the same constraint whatever the set holds: element
// changes are reported on the set itself.
bool same_addr(const pir::AddrMatch& a, const pir::AddrMatch& b) {
  if (!a.set.empty() || !b.set.empty()) return a.set == b.set && a.negate == b.negate && a.any == b.any;
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
  for (const auto& i : s.ifaces) out.push_back(i);
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
    if (!(a.count(n) && b.count(n) && a[n]->kind != b[n]->kind)) {  // a kind change replaces all
      std::set<std::string> o(old_e.begin(), old_e.end()), nn(new_e.begin(), new_e.end());
      std::vector<std::string> keep_o, keep_n;
      for (const auto& e : old_e)
        if (!nn.count(e)) keep_o.push_back(e);
      for (const auto& e : new_e)
        if (!o.count(e)) keep_n.push_back(e);
      old_e = keep_o;
      new_e = keep_n;
    }
    for (const auto& e : old_e) p.push({'-', "", "set", n, e});
    for (const auto& e : new_e) p.push({'+', "", "set", n, e});
  }
}

std::string iface_list(const pir::Policy& p) {
  std::string s = "{";
  for (size_t i = 0; i < p.interfaces.size(); ++i) s += (i ? ", " : "") + p.interfaces[i];
  return s + "}";
}

}  // namespace

void Plan::push(Item i) {
  if (i.op == '+') ++add;
  else if (i.op == '-') ++remove;
  else ++change;
  items.push_back(std::move(i));
}

std::string describe_match(const pir::Match& m) { return pir::source_text(m); }

void diff_match(const pir::Match& o, const pir::Match& n, std::vector<std::string>& what) {
  auto field = [&](const char* name, const std::string& x, const std::string& y) {
    if (x != y) what.push_back(std::string(name) + " " + x + " -> " + y);
  };
  field("proto", pir::to_string(o.proto), pir::to_string(n.proto));
  if (!same_addr(o.src, n.src)) field("from", pir::source_text(o.src), pir::source_text(n.src));
  if (!same_ports(o.sport, n.sport)) field("from port", pir::source_text(o.sport), pir::source_text(n.sport));
  if (!same_addr(o.dst, n.dst)) field("to", pir::source_text(o.dst), pir::source_text(n.dst));
  if (!same_ports(o.dport, n.dport)) field("to port", pir::source_text(o.dport), pir::source_text(n.dport));
  // The match options: compared as the language writes them.
  auto options = [](const pir::Match& m) {
    pir::Match only;
    only.proto = m.proto;
    only.family = m.family;
    only.tcp_flags = m.tcp_flags, only.tcp_mask = m.tcp_mask;
    only.icmp_type = m.icmp_type, only.icmp_code = m.icmp_code;
    only.icmp6_type = m.icmp6_type, only.icmp6_code = m.icmp6_code;
    only.dscp = m.dscp, only.vlan = m.vlan, only.vlan_inner = m.vlan_inner;
    only.ifaces = m.ifaces, only.iface_negate = m.iface_negate;
    return only;
  };
  pir::Match oo = options(o), no = options(n);
  if (!(oo == no) && (o.family != n.family || o.has_extra() || n.has_extra()))
    field("options", pir::source_text(oo), pir::source_text(no));
}

Plan diff_policies(const std::optional<pir::Policy>& live, const pir::Policy& next) {
  Plan p;
  static const pir::Policy kEmpty;
  const pir::Policy& old = live ? *live : kEmpty;
  if (old.interfaces != next.interfaces)
    p.push({'~', "", "interfaces", next.interface_set.empty() ? old.interface_set : next.interface_set,
            iface_list(old) + " -> " + iface_list(next)});
  diff_sets(old.sets, next.sets, p);
  for (size_t d = 0; d < kDomainCount; ++d) {
    auto id = static_cast<DomainId>(d);
    const pir::Block* a = old.block(id);
    const pir::Block* b = next.block(id);
    if (a || b) kDomains[d](a, b, p);
  }
  return p;
}

std::string render_text(const Plan& p) {
  std::string s;
  if (p.empty()) {
    s = "plan: no changes\n";
  } else {
    std::vector<std::string> domains;
    for (const auto& i : p.items)
      if (!i.domain.empty() && std::find(domains.begin(), domains.end(), i.domain) == domains.end())
        domains.push_back(i.domain);
    s = "plan: " + std::to_string(p.add) + " to add, " + std::to_string(p.change) + " to change, " +
        std::to_string(p.remove) + " to remove";
    if (!domains.empty()) {
      s += " (";
      for (size_t k = 0; k < domains.size(); ++k) s += (k ? ", " : "") + domains[k];
      s += ")";
    }
    s += '\n';
  }
  for (const auto& i : p.items) {
    s += "  ";
    s += i.op;
    s += ' ';
    if (i.kind == "set" || i.kind == "interfaces")
      s += i.kind + " " + i.id + " " + i.detail;
    else if (i.kind == "rule")
      s += i.domain + " rule " + i.id + (i.op == '~' ? ": " : " ") + i.detail;
    else if (i.kind == "block")
      s += i.domain + " " + i.detail;
    else
      s += i.domain + " " + i.id + " " + i.detail;
    s += '\n';
  }
  return s;
}

nlohmann::json render_json(const Plan& p) {
  nlohmann::json j;
  j["changes"] = !p.empty();
  j["live_generation"] = p.live_generation ? nlohmann::json(*p.live_generation) : nlohmann::json();
  j["summary"] = {{"add", p.add}, {"change", p.change}, {"remove", p.remove}};
  j["domains"] = nlohmann::json::object();
  nlohmann::json shared = nlohmann::json::array();
  for (const auto& i : p.items) {
    nlohmann::json item = {{"op", std::string(1, i.op)}, {"kind", i.kind}, {"id", i.id}, {"detail", i.detail}};
    if (i.domain.empty()) {
      shared.push_back(item);
      continue;
    }
    auto& d = j["domains"][i.domain];
    if (d.is_null()) d = {{"add", 0}, {"change", 0}, {"remove", 0}, {"items", nlohmann::json::array()}};
    d[i.op == '+' ? "add" : i.op == '-' ? "remove" : "change"] =
        d[i.op == '+' ? "add" : i.op == '-' ? "remove" : "change"].get<int>() + 1;
    d["items"].push_back(item);
  }
  j["shared"] = shared;
  return j;
}

}  // namespace sentinel::diff
