// Checks of the firewall block: settings, rule ids, set references, literal
// values, protocol/port consistency and address families.
#include <string_view>
#include <unordered_map>

#include "compiler/sema/checks.h"

namespace sentinel::sema::domains {

namespace {

constexpr unsigned kV4 = 1, kV6 = 2;

unsigned family_bit(const pir::Cidr& c) { return c.addr.family == pir::Family::V4 ? kV4 : kV6; }

const char* family_text(unsigned f) { return f == kV4 ? "IPv4 only" : "IPv6 only"; }

// Families an address expression can match, as pir::Rule::families() will
// compute them after lowering. Empty when unknown: an element that did not
// check out (already reported) or an empty set, which is a never-matching
// rule rather than a family mismatch.
std::optional<unsigned> addr_families(const ast::AddrExpr& a, Symbols& syms, DiagEngine& diags) {
  if (a.any) return kV4 | kV6;
  unsigned f = 0;
  bool ok = true;
  for (const auto& el : a.elems) {
    if (const auto* c = std::get_if<ast::CidrLit>(&el)) {
      if (check_cidr(*c, diags)) f |= family_bit(*c->value);
      else ok = false;
    } else {
      const auto& ref = std::get<ast::SetRef>(el);
      const ast::SetDecl* s = resolve_set(ref, pir::SetKind::Cidr, syms, diags);
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
  // A negated empty list matches everything; a negated list matches the
  // families of its prefixes, like the list itself.
  return f;
}

void check_ports(const ast::PortExpr& p, Symbols& syms, DiagEngine& diags) {
  for (const auto& el : p.elems) {
    if (const auto* l = std::get_if<ast::PortLit>(&el)) check_port(*l, diags);
    else resolve_set(std::get<ast::SetRef>(el), pir::SetKind::Port, syms, diags);
  }
}

template <class Setting>
void check_unique(const std::vector<Setting>& settings, const char* what, DiagEngine& diags) {
  for (size_t i = 1; i < settings.size(); ++i) {
    diags.report(DiagCode::E0111, settings[i].span, std::string("duplicate `") + what + "` setting")
        .notes.push_back({settings[0].span, "first set here"});
  }
}

void check_rule(const ast::Rule& r, Symbols& syms, DiagEngine& diags) {
  std::optional<unsigned> src = r.from ? addr_families(r.from->addr, syms, diags) : kV4 | kV6;
  std::optional<unsigned> dst = r.to ? addr_families(r.to->addr, syms, diags) : kV4 | kV6;
  const ast::PortExpr* first_ports = nullptr;
  for (const auto* ep : {r.from ? &*r.from : nullptr, r.to ? &*r.to : nullptr}) {
    if (ep && ep->ports) {
      check_ports(*ep->ports, syms, diags);
      if (!first_ports) first_ports = &*ep->ports;
    }
  }

  pir::Proto proto = r.proto.value_or(pir::Proto::Any);
  if (first_ports && proto != pir::Proto::Tcp && proto != pir::Proto::Udp) {
    auto& d = diags.report(DiagCode::E0110, first_ports->span,
                           "ports need protocol `tcp` or `udp`");
    if (r.proto) {
      d.notes.push_back({r.proto_span, std::string("the protocol is `") + pir::to_string(proto) + "`"});
    } else {
      d.help = "write `tcp` or `udp` after the action";
    }
  }

  if (!src || !dst) return;
  unsigned proto_f = proto == pir::Proto::Icmp ? kV4 : proto == pir::Proto::Icmpv6 ? kV6 : kV4 | kV6;
  if ((*src & *dst & proto_f) != 0) return;
  auto& d = diags.report(DiagCode::E0106, r.id.span,
                         "rule `" + r.id.text + "` can match neither IPv4 nor IPv6");
  if (*src != (kV4 | kV6)) d.notes.push_back({r.from->addr.span, std::string("source is ") + family_text(*src)});
  if (*dst != (kV4 | kV6)) d.notes.push_back({r.to->addr.span, std::string("destination is ") + family_text(*dst)});
  if (proto_f != (kV4 | kV6))
    d.notes.push_back({r.proto_span, std::string("`") + pir::to_string(proto) + "` is " + family_text(proto_f)});
}

}  // namespace

void check_firewall(const ast::Firewall& fw, Symbols& syms, DiagEngine& diags) {
  check_unique(fw.defaults, "default", diags);
  check_unique(fw.modes, "mode", diags);

  std::unordered_map<std::string_view, const ast::Rule*> ids;
  ids.reserve(fw.rules.size());
  for (const auto& r : fw.rules) {
    auto [it, fresh] = ids.emplace(r.id.text, &r);
    if (!fresh) {
      diags.report(DiagCode::E0107, r.id.span, "duplicate rule id `" + r.id.text + "`")
          .notes.push_back({it->second->id.span, "first used here"});
    }
    check_rule(r, syms, diags);
  }
}

}  // namespace sentinel::sema::domains
