#include "compiler/lower/ast_to_pir.h"

#include <algorithm>
#include <set>
#include <string_view>

namespace sentinel::lower {

namespace {

using LowerFn = std::unique_ptr<pir::Block> (*)(const ast::Block&, const LowerContext&);
constexpr LowerFn kLowerings[] = {
#define SN_DOMAIN(name) &lower_##name,
#include "compiler/domains/domains.def"
#undef SN_DOMAIN
};

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

pir::Set lower_set(const ast::SetDecl& d, const LowerContext& ctx) {
  pir::Set s;
  s.name = d.name.text;
  s.kind = d.kind;
  s.loc = ctx.loc(d.name.span);
  OrderedUnique<pir::Cidr> cidrs(s.cidrs);
  for (const auto& c : d.cidrs) cidrs.add(*c.value);
  OrderedUnique<pir::PortRange> ports(s.ports);
  for (const auto& p : d.ports) ports.add(port_range(p));
  OrderedUnique<std::string> ifaces(s.ifaces);
  for (const auto& i : d.ifaces) ifaces.add(i.text);
  return s;
}

}  // namespace

pir::Loc LowerContext::loc(Span s) const {
  LineCol lc = sm_.line_col(s.file, s.begin);
  return pir::Loc{sm_.path(s.file), lc.line, lc.col};
}

pir::Match LowerContext::match(const ast::Match& m) const {
  pir::Match out;
  out.proto = ast::resolve_proto(m).value_or(pir::Proto::Any);
  ast::resolve_match_options(m, out);
  if (m.from) {
    out.src = addr(m.from->addr);
    if (m.from->ports) out.sport = ports(*m.from->ports);
  }
  if (m.to) {
    out.dst = addr(m.to->addr);
    if (m.to->ports) out.dport = ports(*m.to->ports);
  }
  if (!m.iface.empty()) {
    const ast::IfaceMatch& im = m.iface.front();
    out.iface_negate = im.negate;
    for (const auto& el : im.elems) {
      if (const auto* n = std::get_if<ast::IfaceName>(&el)) out.ifaces.push_back(n->text);
      else
        for (const auto& n : set(std::get<ast::SetRef>(el).name.text).ifaces) out.ifaces.push_back(n.text);
    }
    std::sort(out.ifaces.begin(), out.ifaces.end());
    out.ifaces.erase(std::unique(out.ifaces.begin(), out.ifaces.end()), out.ifaces.end());
  }
  return out;
}

pir::AddrMatch LowerContext::addr(const ast::AddrExpr& a) const {
  pir::AddrMatch m;
  if (a.any) return m;
  m.any = false;
  m.negate = a.negate;
  OrderedUnique<pir::Cidr> cidrs(m.cidrs);
  for (const auto& el : a.elems) {
    if (const auto* c = std::get_if<ast::CidrLit>(&el)) {
      cidrs.add(*c->value);
    } else {
      for (const auto& c : set(std::get<ast::SetRef>(el).name.text).cidrs) cidrs.add(*c.value);
    }
  }
  if (a.elems.size() == 1)
    if (const auto* ref = std::get_if<ast::SetRef>(&a.elems[0])) m.set = ref->name.text;
  // "In none of no prefixes" is every address: a negated empty list is `any`.
  if (m.negate && m.cidrs.empty()) return pir::AddrMatch{};
  return m;
}

pir::PortMatch LowerContext::ports(const ast::PortExpr& p) const {
  pir::PortMatch m;
  m.any = false;
  OrderedUnique<pir::PortRange> ranges(m.ranges);
  for (const auto& el : p.elems) {
    if (const auto* l = std::get_if<ast::PortLit>(&el)) {
      ranges.add(port_range(*l));
    } else {
      for (const auto& pl : set(std::get<ast::SetRef>(el).name.text).ports) ranges.add(port_range(pl));
    }
  }
  if (p.elems.size() == 1)
    if (const auto* ref = std::get_if<ast::SetRef>(&p.elems[0])) m.set = ref->name.text;
  return m;
}

pir::Policy ast_to_pir(const std::vector<ast::File>& files, const SourceManager& sm) {
  std::map<std::string, const ast::SetDecl*, std::less<>> sets;
  for (const auto& f : files)
    for (const auto& s : f.sets) sets.emplace(s.name.text, &s);  // sema rejected duplicates
  LowerContext ctx(sm, sets);

  pir::Policy p;
  // std::map iterates in name order: Policy::sets is sorted by name.
  for (const auto& [name, decl] : sets) p.sets.push_back(lower_set(*decl, ctx));
  for (const auto& f : files) {
    for (const auto& b : f.blocks) {
      if (p.block(b->domain)) continue;  // sema rejected a second block
      p.put(Poly<pir::Block>(kLowerings[domain_index(b->domain)](*b, ctx)));
      if (b->scope && p.interface_set.empty()) {
        // sema checked that every block names the same group.
        p.interface_set = b->scope->name.text;
        for (const auto& i : ctx.set(p.interface_set).ifaces) p.interfaces.push_back(i.text);
        std::sort(p.interfaces.begin(), p.interfaces.end());
        p.interfaces.erase(std::unique(p.interfaces.begin(), p.interfaces.end()), p.interfaces.end());
      }
    }
  }
  return p;
}

}  // namespace sentinel::lower
