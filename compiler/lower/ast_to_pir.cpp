#include "compiler/lower/ast_to_pir.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

namespace sentinel::lower {

namespace {

// Appends values that are not there yet, keeping source order. Lists are
// short except in large sets, where a lookup structure pays off.
template <class T>
class OrderedUnique {
 public:
  explicit OrderedUnique(std::vector<T>& out) : out_(out) {}
  void add(const T& v) {
    if (out_.size() < 16) {
      if (std::find(out_.begin(), out_.end(), v) != out_.end()) return;
      out_.push_back(v);
      if (out_.size() == 16) seen_.insert(out_.begin(), out_.end());
      return;
    }
    if (seen_.insert(v).second) out_.push_back(v);
  }

 private:
  std::vector<T>& out_;
  std::set<T> seen_;
};

pir::PortRange port_range(const ast::PortLit& p) {
  auto lo = static_cast<uint16_t>(p.lo.value);
  auto hi = p.hi ? static_cast<uint16_t>(p.hi->value) : lo;
  return {lo, hi};
}

class Lowerer {
 public:
  Lowerer(const std::vector<ast::File>& files, const SourceManager& sm) : files_(files), sm_(sm) {}

  pir::Policy run() {
    pir::Policy p;
    for (const auto& f : files_) {
      for (const auto& s : f.sets) {
        if (sets_.count(s.name.text)) continue;  // sema rejected duplicates
        sets_.emplace(s.name.text, &s);
      }
    }
    // std::map iterates in name order: Policy::sets is sorted by name.
    for (const auto& [name, decl] : sets_) p.sets.push_back(set(*decl));
    for (const auto& f : files_) {
      for (const auto& fw : f.firewalls) {
        if (p.firewall.present) continue;  // sema rejected a second block
        p.firewall = firewall(fw);
      }
    }
    return p;
  }

 private:
  pir::Loc loc(Span s) const {
    LineCol lc = sm_.line_col(s.file, s.begin);
    return pir::Loc{sm_.path(s.file), lc.line, lc.col};
  }

  pir::Set set(const ast::SetDecl& d) const {
    pir::Set s;
    s.name = d.name.text;
    s.kind = d.kind;
    s.loc = loc(d.name.span);
    OrderedUnique<pir::Cidr> cidrs(s.cidrs);
    for (const auto& c : d.cidrs) cidrs.add(*c.value);
    OrderedUnique<pir::PortRange> ports(s.ports);
    for (const auto& p : d.ports) ports.add(port_range(p));
    return s;
  }

  pir::Firewall firewall(const ast::Firewall& fw) const {
    pir::Firewall out;
    out.present = true;
    out.loc = loc(fw.span);
    if (!fw.defaults.empty()) out.default_action = fw.defaults.front().action;
    if (!fw.modes.empty()) out.mode = fw.modes.front().mode;
    out.rules.reserve(fw.rules.size());
    for (const auto& r : fw.rules) out.rules.push_back(rule(r));
    return out;
  }

  pir::Rule rule(const ast::Rule& r) const {
    pir::Rule out;
    out.id = r.id.text;
    out.action = r.action;
    out.proto = r.proto.value_or(pir::Proto::Any);
    if (r.from) {
      out.src = addr(r.from->addr);
      if (r.from->ports) out.sport = ports(*r.from->ports);
    }
    if (r.to) {
      out.dst = addr(r.to->addr);
      if (r.to->ports) out.dport = ports(*r.to->ports);
    }
    if (r.description) out.description = *r.description;
    out.loc = loc(r.id.span);
    return out;
  }

  pir::AddrMatch addr(const ast::AddrExpr& a) const {
    pir::AddrMatch m;
    if (a.any) return m;
    m.any = false;
    m.negate = a.negate;
    OrderedUnique<pir::Cidr> cidrs(m.cidrs);
    for (const auto& el : a.elems) {
      if (const auto* c = std::get_if<ast::CidrLit>(&el)) {
        cidrs.add(*c->value);
      } else {
        const ast::SetDecl* s = sets_.at(std::get<ast::SetRef>(el).name.text);
        for (const auto& c : s->cidrs) cidrs.add(*c.value);
      }
    }
    if (a.elems.size() == 1)
      if (const auto* ref = std::get_if<ast::SetRef>(&a.elems[0])) m.set = ref->name.text;
    // "In none of no prefixes" is every address: a negated empty list is `any`.
    if (m.negate && m.cidrs.empty()) return pir::AddrMatch{};
    return m;
  }

  pir::PortMatch ports(const ast::PortExpr& p) const {
    pir::PortMatch m;
    m.any = false;
    OrderedUnique<pir::PortRange> ranges(m.ranges);
    for (const auto& el : p.elems) {
      if (const auto* l = std::get_if<ast::PortLit>(&el)) {
        ranges.add(port_range(*l));
      } else {
        const ast::SetDecl* s = sets_.at(std::get<ast::SetRef>(el).name.text);
        for (const auto& pl : s->ports) ranges.add(port_range(pl));
      }
    }
    if (p.elems.size() == 1)
      if (const auto* ref = std::get_if<ast::SetRef>(&p.elems[0])) m.set = ref->name.text;
    return m;
  }

  const std::vector<ast::File>& files_;
  const SourceManager& sm_;
  std::map<std::string, const ast::SetDecl*, std::less<>> sets_;
};

}  // namespace

pir::Policy ast_to_pir(const std::vector<ast::File>& files, const SourceManager& sm) {
  return Lowerer(files, sm).run();
}

}  // namespace sentinel::lower
