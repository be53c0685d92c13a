#include "compiler/parse/ast_builder.h"

#include "compiler/parse/literals.h"

namespace sentinel::parse {

Span AstBuilder::span(antlr4::Token* t) const {
  return Span{file_, static_cast<uint32_t>(t->getStartIndex()),
              static_cast<uint32_t>(t->getStopIndex() + 1)};
}

Span AstBuilder::span(antlr4::ParserRuleContext* ctx) const {
  Span s = span(ctx->getStart());
  if (antlr4::Token* stop = ctx->getStop(); stop && stop->getStopIndex() + 1 > s.begin)
    s.end = static_cast<uint32_t>(stop->getStopIndex() + 1);
  return s;
}

ast::File AstBuilder::build(P::FileContext* ctx) {
  for (P::DeclContext* d : ctx->decl()) {
    if (auto* s = d->setDecl()) {
      if (auto* c = dynamic_cast<P::CidrSetDeclContext*>(s)) out_.sets.push_back(cidr_set(c));
      else if (auto* p = dynamic_cast<P::PortSetDeclContext*>(s)) out_.sets.push_back(port_set(p));
    } else if (auto* f = d->firewallBlock()) {
      out_.firewalls.push_back(firewall(f));
    }
  }
  return std::move(out_);
}

ast::Name AstBuilder::name(P::NameContext* ctx) const {
  Span s = span(ctx);
  return ast::Name{std::string(text(s)), s};
}

ast::CidrLit AstBuilder::cidr(P::CidrLitContext* ctx) const {
  ast::CidrLit c;
  c.span = span(ctx);
  c.text = std::string(text(c.span));
  c.value = pir::parse_cidr(c.text, &c.host_bits);
  return c;
}

ast::Number AstBuilder::number(antlr4::tree::TerminalNode* n) const {
  Span s = span(n);
  return ast::Number{parse_decimal(text(s)), s};
}

ast::PortLit AstBuilder::port(P::PortLitContext* ctx) const {
  ast::PortLit p;
  p.span = span(ctx);
  auto nums = ctx->NUMBER();
  p.lo = number(nums[0]);
  if (nums.size() > 1) p.hi = number(nums[1]);
  return p;
}

ast::SetRef AstBuilder::set_ref(P::SetRefContext* ctx) const {
  return ast::SetRef{name(ctx->name()), span(ctx)};
}

ast::SetDecl AstBuilder::cidr_set(P::CidrSetDeclContext* ctx) const {
  ast::SetDecl s;
  s.name = name(ctx->name());
  s.kind = pir::SetKind::Cidr;
  s.span = span(ctx);
  for (auto* c : ctx->cidrLit()) s.cidrs.push_back(cidr(c));
  return s;
}

ast::SetDecl AstBuilder::port_set(P::PortSetDeclContext* ctx) const {
  ast::SetDecl s;
  s.name = name(ctx->name());
  s.kind = pir::SetKind::Port;
  s.span = span(ctx);
  for (auto* p : ctx->portLit()) s.ports.push_back(port(p));
  return s;
}

ast::Firewall AstBuilder::firewall(P::FirewallBlockContext* ctx) const {
  ast::Firewall fw;
  fw.span = span(ctx->FIREWALL());
  for (auto* s : ctx->fwSetting()) {
    if (auto* d = dynamic_cast<P::FwDefaultContext*>(s)) {
      fw.defaults.push_back({d->DENY() ? pir::Action::Deny : pir::Action::Allow, span(s)});
    } else if (auto* m = dynamic_cast<P::FwModeContext*>(s)) {
      fw.modes.push_back({m->AUDIT() ? pir::Mode::Audit : pir::Mode::Enforce, span(s)});
    }
  }
  auto rules = ctx->fwRule();
  fw.rules.reserve(rules.size());
  for (auto* r : rules) fw.rules.push_back(rule(r));
  return fw;
}

ast::Rule AstBuilder::rule(P::FwRuleContext* ctx) const {
  ast::Rule r;
  r.span = span(ctx);
  r.id = name(ctx->name());
  auto* act = ctx->fwAction();
  r.action_span = span(act);
  r.action = act->ALLOW() ? pir::Action::Allow : act->LOG() ? pir::Action::Log : pir::Action::Deny;
  if (auto* p = ctx->fwProto()) {
    r.proto_span = span(p);
    r.proto = p->TCP()      ? pir::Proto::Tcp
              : p->UDP()    ? pir::Proto::Udp
              : p->ICMP()   ? pir::Proto::Icmp
              : p->ICMPV6() ? pir::Proto::Icmpv6
                            : pir::Proto::Any;
  }
  if (auto* f = ctx->fwFrom()) r.from = endpoint(f, f->fwAddr(), f->fwPorts());
  if (auto* t = ctx->fwTo()) r.to = endpoint(t, t->fwAddr(), t->fwPorts());
  if (auto* s = ctx->STRING()) {
    r.description_span = span(s);
    r.description = unquote(text(r.description_span));
  }
  return r;
}

ast::Endpoint AstBuilder::endpoint(antlr4::ParserRuleContext* clause, P::FwAddrContext* a,
                                   P::FwPortsContext* p) const {
  ast::Endpoint e;
  e.span = span(clause);
  e.addr = addr(a);
  if (p) e.ports = ports(p);
  return e;
}

ast::AddrExpr AstBuilder::addr(P::FwAddrContext* ctx) const {
  ast::AddrExpr a;
  a.span = span(ctx);
  auto* m = dynamic_cast<P::FwAddrMatchContext*>(ctx);
  if (!m) return a;  // `any`
  a.any = false;
  a.negate = m->BANG() != nullptr;
  for (auto* el : m->fwAddrAtom()->fwAddrElem()) {
    if (auto* c = el->cidrLit()) a.elems.emplace_back(cidr(c));
    else a.elems.emplace_back(set_ref(el->setRef()));
  }
  return a;
}

ast::PortExpr AstBuilder::ports(P::FwPortsContext* ctx) const {
  ast::PortExpr p;
  p.span = span(ctx);
  for (auto* el : ctx->fwPortElem()) {
    if (auto* l = el->portLit()) p.elems.emplace_back(port(l));
    else p.elems.emplace_back(set_ref(el->setRef()));
  }
  return p;
}

}  // namespace sentinel::parse
