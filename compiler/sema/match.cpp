// The match clause every packet-matching domain shares: literals, sets,
// ports and protocol, and the address families a rule can match.
#include <algorithm>

#include "compiler/sema/checks.h"

namespace sentinel::sema {

namespace {

constexpr unsigned kV4 = 1, kV6 = 2;

unsigned family_bit(const pir::Cidr& c) { return c.addr.family == pir::Family::V4 ? kV4 : kV6; }

const char* family_text(unsigned f) { return f == kV4 ? "IPv4 only" : "IPv6 only"; }

// Families an address expression can match, as pir::Match::families() will
// compute them after lowering. Empty when unknown: an element that did not
// check out (already reported) or an empty set, which is a never-matching
// rule rather than a family mismatch.
std::optional<unsigned> addr_families(const ast::AddrExpr& a, Context& ctx) {
  if (a.any) return kV4 | kV6;
  unsigned f = 0;
  bool ok = true;
  for (const auto& el : a.elems) {
    if (const auto* c = std::get_if<ast::CidrLit>(&el)) {
      if (check_cidr(*c, ctx.diags)) f |= family_bit(*c->value);
      else ok = false;
    } else {
      const auto& ref = std::get<ast::SetRef>(el);
      const ast::SetDecl* s = resolve_set(ref, pir::SetKind::Cidr, ctx.syms, ctx.diags);
      if (!s) {
        ok = false;
        continue;
      }
      for (const auto& c : s->cidrs) {
        if (c.value) f |= family_bit(*c.value);
        else ok = false;
      }
    }
  }
  if (!ok || f == 0) return std::nullopt;
  // A negated list matches the families of its prefixes, like the list itself.
  return f;
}

void check_ports(const ast::PortExpr& p, Context& ctx) {
  for (const auto& el : p.elems) {
    if (const auto* l = std::get_if<ast::PortLit>(&el)) check_port(*l, ctx.diags);
    else resolve_set(std::get<ast::SetRef>(el), pir::SetKind::Port, ctx.syms, ctx.diags);
  }
}

}  // namespace

std::vector<std::string> check_ifaces(const ast::Match& m, Context& ctx) {
  std::vector<std::string> out;
  for (const auto& im : m.iface) {
    for (const auto& el : im.elems) {
      if (const auto* n = std::get_if<ast::IfaceName>(&el)) {
        if (check_iface_name(*n, ctx.diags)) out.push_back(n->text);
      } else if (const ast::SetDecl* s =
                     resolve_set(std::get<ast::SetRef>(el), pir::SetKind::Iface, ctx.syms, ctx.diags)) {
        for (const auto& n : s->ifaces) out.push_back(n.text);  // checked with the set
        if (s->ifaces.empty())
          ctx.diags.report(DiagCode::E0123, std::get<ast::SetRef>(el).span,
                           "interface group `" + s->name.text + "` is empty")
              .notes.push_back({s->name.span, "defined here"});
      }
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<unsigned> check_match(const ast::Match& m, const ast::Name& rule_id, Context& ctx) {
  std::optional<unsigned> src = m.from ? addr_families(m.from->addr, ctx) : kV4 | kV6;
  std::optional<unsigned> dst = m.to ? addr_families(m.to->addr, ctx) : kV4 | kV6;
  const ast::PortExpr* first_ports = nullptr;
  for (const auto* ep : {m.from ? &*m.from : nullptr, m.to ? &*m.to : nullptr}) {
    if (ep && ep->ports) {
      check_ports(*ep->ports, ctx);
      if (!first_ports) first_ports = &*ep->ports;
    }
  }

  std::optional<pir::Proto> resolved = ast::resolve_proto(m, &ctx.diags);
  if (!resolved) return std::nullopt;
  pir::Proto proto = *resolved;
  pir::Match options;
  options.proto = proto;
  bool options_ok = ast::resolve_match_options(m, options, &ctx.diags);
  if (first_ports && proto != pir::Proto::Tcp && proto != pir::Proto::Udp) {
    auto& d = ctx.diags.report(DiagCode::E0110, first_ports->span, "ports need protocol `tcp` or `udp`");
    if (m.proto || m.proto_lit) {
      d.notes.push_back({m.proto_span, std::string("the protocol is `") + pir::to_string(proto) + "`"});
    } else {
      d.help = "write `tcp` or `udp` after the action";
    }
  }

  if (!src || !dst || !options_ok) return std::nullopt;
  unsigned proto_f = proto == pir::Proto::Icmp || pir::is_v6_extension(proto) ? kV4
                     : proto == pir::Proto::Icmpv6                             ? kV6
                                                                               : kV4 | kV6;
  unsigned fam_f = m.family ? *m.family : kV4 | kV6;
  unsigned fams = *src & *dst & proto_f & fam_f;
  if (fams != 0) return fams;
  auto& d = ctx.diags.report(DiagCode::E0106, rule_id.span,
                             "rule `" + rule_id.text + "` can match neither IPv4 nor IPv6");
  if (*src != (kV4 | kV6)) d.notes.push_back({m.from->addr.span, std::string("source is ") + family_text(*src)});
  if (*dst != (kV4 | kV6)) d.notes.push_back({m.to->addr.span, std::string("destination is ") + family_text(*dst)});
  if (proto_f != (kV4 | kV6))
    d.notes.push_back({m.proto_span, std::string("`") + pir::to_string(proto) + "` is " + family_text(proto_f)});
  if (fam_f != (kV4 | kV6))
    d.notes.push_back({m.family_span, std::string("the rule is ") + family_text(fam_f)});
  if (pir::is_v6_extension(proto))
    d.help = std::string("in IPv6 `") + pir::to_string(proto) +
             "` is an extension header, and a packet's protocol is the header that follows its extension headers";
  return std::nullopt;
}

}  // namespace sentinel::sema
